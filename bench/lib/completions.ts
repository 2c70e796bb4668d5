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

  /** Listens to the given workers; with none, jobs are recorded by whoever hears of them (another process). */
  constructor(
    workers: Worker<D, R> | ReadonlyArray<Worker<D, R>> = [],
    onResult?: (job: Job<D, R>, result: R) => void,
  ) {
    const all: ReadonlyArray<Worker<D, R>> = Array.isArray(workers) ? workers : [workers as Worker<D, R>]
    for (const worker of all) {
      worker.on('completed', (job, result) => {
        this.record(job.id, Date.now())
        onResult?.(job, result)
      })
      worker.on('failed', (_job, error) => this.fail(error.message))
    }
  }

  /** A job completed at `at` (epoch ms). */
  record(jobId: string | undefined, at: number): void {
    this.done++
    this.lastAt = Math.max(this.lastAt, at)
    if (jobId) this.at.set(jobId, at)
  }

  /** An attempt failed (to be retried, or given up). */
  fail(message: string): void {
    this.failures.set(message, (this.failures.get(message) ?? 0) + 1)
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
