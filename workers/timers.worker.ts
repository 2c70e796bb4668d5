import { DelayedError, UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Deadlines } from '../src/app/deadlines.ts'
import type { Logger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import { DIGEST_JOB, DigestJob, TimerJob } from '../src/queues/timer-queue.ts'

export interface TimerWorkerOptions {
  connection: Redis
  prefix: string
  logger: Logger
  deadlines: Deadlines
  concurrency?: number
  /**
   * How long a job stays locked to its worker without a renewal. A worker that
   * dies (kill -9) leaves its jobs locked this long before another takes them.
   */
  lockDurationMs?: number
  /** How often to look for jobs left locked by a dead worker. */
  stalledIntervalMs?: number
  /** How often to sweep: re-queue lost timer jobs, schedule cases that never got timers, sync digests. */
  sweepEveryMs?: number
  /** How far ahead the sweep re-queues scheduled timers. */
  sweepHorizonMs?: number
}

export interface TimerRole {
  worker: Worker
  /** One sweep now (the role also sweeps on its own every `sweepEveryMs`). */
  sweep(): Promise<void>
  close(): Promise<void>
}

/**
 * Consumes the timers queue: case timers by id, and the officers' digests.
 * Acting twice is prevented by the database (each handler claims its timer
 * row), so this worker may die at any point and another pick up after it.
 */
export function startTimerWorker(options: TimerWorkerOptions): TimerRole {
  const { logger, deadlines } = options
  const worker = new Worker(
    QueueNames.timers,
    async (job, token) => {
      if (job.name === DIGEST_JOB) {
        const parsed = DigestJob.safeParse(job.data)
        if (!parsed.success) throw new UnrecoverableError('malformed digest job payload')
        // The slot the scheduler meant: one digest per slot, however often the job runs.
        const slot = new Date(job.opts.prevMillis ?? job.timestamp)
        return deadlines.sendDigest(parsed.data.officerId, slot)
      }
      const parsed = TimerJob.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError('malformed timer job payload')
      const result = await deadlines.fire(parsed.data.timerId)
      if (result.outcome === 'early') {
        // The job came before its row's time (clocks differ): wait for the rest, as the same job.
        await job.moveToDelayed(Date.now() + result.retryInMs, token)
        throw new DelayedError()
      }
      return result.outcome
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 8,
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
    },
  )
  worker.on('error', (error) => logger.error({ err: error }, 'timer worker error'))
  worker.on('failed', (job, error) =>
    logger.warn(
      { jobId: job?.id, kind: job?.name, attempts: job?.attemptsMade, err: { message: error.message } },
      'timer job failed',
    ),
  )

  const sweep = async () => {
    try {
      const swept = await deadlines.sweep(options.sweepHorizonMs ?? 120_000)
      if (swept.scheduled) logger.info(swept, 'scheduled deadlines of cases that had none')
      await deadlines.syncDigestSchedules()
    } catch (error) {
      logger.warn({ err: error }, 'deadline sweep failed')
    }
  }
  const timer = setInterval(sweep, options.sweepEveryMs ?? 30_000)
  timer.unref()
  void sweep()

  return {
    worker,
    sweep,
    async close() {
      clearInterval(timer)
      await worker.close()
    },
  }
}
