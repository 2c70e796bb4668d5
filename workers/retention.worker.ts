import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { purgeExpiredPersonalData } from '../src/app/retention.ts'
import type { AppContext } from '../src/context.ts'
import { QueueNames } from '../src/queues/names.ts'
import { createRetentionStore } from '../src/store/retention.repository.ts'

/** The one job scheduler of the retention queue: every day at 03:30 in the service's time zone. */
export const RETENTION_SCHEDULER = 'retention-daily'
export const RETENTION_PATTERN = '30 3 * * *'

export interface RetentionRole {
  worker: Worker
  /** Runs the purge now (what the daily job does). */
  runNow(): Promise<{ purged: number; cancelled: number }>
  close(): Promise<void>
}

/**
 * The daily removal of ID numbers past their retention period, as a BullMQ
 * job scheduler (one per Redis, whichever worker process upserts it; the job
 * carries nothing). Every worker process may run it: each batch only takes
 * rows nobody else holds.
 */
export async function startRetentionWorker(ctx: AppContext, connection: Redis): Promise<RetentionRole> {
  const { config, logger } = ctx
  const run = async () => {
    const result = await purgeExpiredPersonalData({
      store: createRetentionStore(ctx.database.db),
      clock: ctx.clock,
      retentionMs: config.PERSONAL_DATA_RETENTION,
      actor: 'system',
    })
    if (result.purged || result.cancelled)
      logger.info({ purged: result.purged, cancelled: result.cancelled }, 'personal data retention applied')
    return { purged: result.purged, cancelled: result.cancelled }
  }
  await ctx.queues
    .get(QueueNames.retention)
    .upsertJobScheduler(
      RETENTION_SCHEDULER,
      { pattern: RETENTION_PATTERN, tz: config.TIME_ZONE },
      { name: 'purge', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 30 } } },
    )
  const worker = new Worker(QueueNames.retention, async () => run(), {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: 1,
  })
  worker.on('error', (error) => logger.error({ err: error }, 'retention worker error'))
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, err: { message: error.message } }, 'retention job failed'),
  )
  return {
    worker,
    runNow: run,
    close: () => worker.close(),
  }
}
