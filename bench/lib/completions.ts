import type { Job, Worker } from 'bullmq'
import { say } from './bench.ts'

/**
 * Records when each job of one or more Workers of a queue completed (its
 * 'completed' event fires once the job and everything it queued is done),
 * and waits for a count.
 */
export class Completions<D, R> {
  /** Completion time (epoch ms) by job id. */
  readonly at = new Map<string, number>()
  /** Attempts that failed (and were retried, or gave up), by error message. */
  readonly failures = new Map<string, number>()
  lastAt = 0
  private done = 0

  constructor(
    workers: Worker<D, R> | ReadonlyArray<Worker<D, R>>,
    onResult?: (job: Job<D, R>, result: R) => void,
  ) {
    for (const worker of Array.isArray(workers) ? workers : [workers]) this.listen(worker, onResult)
  }

  private listen(worker: Worker<D, R>, onResult?: (job: Job<D, R>, result: R) => void) {
    worker.on('completed', (job, result) => {
      const now = Date.now()
      this.done++
      this.lastAt = now
      if (job.id) this.at.set(job.id, now)
      onResult?.(job, result)
    })
    worker.on('failed', (_job, error) => {
      this.failures.set(error.message, (this.failures.get(error.message) ?? 0) + 1)
    })
  }

  get count(): number {
    return this.done
  }

  /**
   * Resolves when `target` jobs in all have completed, printing progress every
   * `everyMs`; rejects when nothing completes for `stallMs`.
   */
  async waitFor(target: number, label: string, everyMs = 2000, stallMs = 120_000): Promise<void> {
    let lastCount = this.done
    let lastProgressAt = Date.now()
    let lastPrintAt = Date.now()
    let lastPrintCount = this.done
    while (this.done < target) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const now = Date.now()
      if (this.done !== lastCount) {
        lastCount = this.done
        lastProgressAt = now
      } else if (now - lastProgressAt > stallMs) {
        throw new Error(
          `${label}: stalled at ${this.done}/${target} completed for ${stallMs / 1000} s` +
            (this.failures.size ? `; failures: ${JSON.stringify([...this.failures])}` : ''),
        )
      }
      if (now - lastPrintAt >= everyMs) {
        const rate = Math.round(((this.done - lastPrintCount) * 1000) / (now - lastPrintAt))
        say(`  ${label}: ${this.done}/${target} completed, ${rate}/s`)
        lastPrintAt = now
        lastPrintCount = this.done
      }
    }
  }
}
