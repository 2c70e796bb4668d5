import { DelayedError, UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { HomeWatch } from '../src/app/forms/home-watch.ts'
import type { Logger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import { ServiceTimerJob } from '../src/queues/service-timer-queue.ts'

export interface ServiceTimerWorkerOptions {
  connection: Redis
  prefix: string
  logger: Logger
  homeWatch: HomeWatch
  /** Other kinds' timers, each recognised by its id (mediation's "md-…"); home watch fires the rest. */
  handlers?: ServiceTimerHandler[]
  concurrency?: number
  /** Confirmed chat forms whose process died before submitting them: submitted by the sweep. */
  submissions?: { sweepSubmissions(olderThanMs: number): Promise<number> }
  /** How often to add again the jobs of timers due soon (lost between a commit and the queue). */
  sweepEveryMs?: number
  sweepHorizonMs?: number
}

export interface ServiceTimerHandler {
  owns(timerId: string): boolean
  fire(timerId: string): Promise<{ outcome: string; retryInMs?: number }>
}

export interface ServiceTimerRole {
  worker: Worker
  sweep(): Promise<void>
  close(): Promise<void>
}

/**
 * Consumes the service-timers queue: home-watch check reminders, missed
 * checks and ends, and through `handlers` other kinds' timers (mediation's). Each handler claims its timer row in the transaction that
 * acts, so this worker may die at any point and another pick up after it.
 */
export function startServiceTimerWorker(options: ServiceTimerWorkerOptions): ServiceTimerRole {
  const { logger, homeWatch } = options
  const worker = new Worker(
    QueueNames.serviceTimers,
    async (job, token) => {
      const parsed = ServiceTimerJob.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError('malformed service timer job payload')
      const { timerId } = parsed.data
      const handler = options.handlers?.find((h) => h.owns(timerId)) ?? homeWatch
      const result: { outcome: string; retryInMs?: number } = await handler.fire(timerId)
      if (result.outcome === 'early' && result.retryInMs !== undefined) {
        await job.moveToDelayed(Date.now() + result.retryInMs, token)
        throw new DelayedError()
      }
      return result.outcome
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 },
  )
  worker.on('error', (error) => logger.error({ err: error }, 'service timer worker error'))
  worker.on('failed', (job, error) =>
    logger.warn(
      { jobId: job?.id, kind: job?.name, attempts: job?.attemptsMade, err: { message: error.message } },
      'service timer job failed',
    ),
  )
  const sweep = async () => {
    try {
      const requeued = await homeWatch.sweep(options.sweepHorizonMs ?? 120_000)
      if (requeued) logger.debug({ requeued }, 'service timers re-queued')
    } catch (error) {
      logger.warn({ err: error }, 'service timer sweep failed')
    }
    try {
      // A minute is far longer than a commit takes to be followed by its submission.
      const submitted = await options.submissions?.sweepSubmissions(60_000)
      if (submitted) logger.info({ submitted }, 'kept service-request forms submitted')
    } catch (error) {
      logger.warn({ err: error }, 'service-request form sweep failed')
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
