import { randomUUID } from 'node:crypto'
import { UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { BroadcastRunner } from '../src/app/broadcasts/runner.ts'
import type { Logger } from '../src/logger.ts'
import { BroadcastPlanJob } from '../src/queues/broadcast-queue.ts'
import { QueueNames } from '../src/queues/names.ts'

export interface BroadcastWorkerOptions {
  /** For BullMQ's worker (waits for Redis). */
  connection: Redis
  /** For the tick's lock (fails fast). */
  redis: Redis
  prefix: string
  logger: Logger
  runner: BroadcastRunner
  tickMs: number
}

export interface BroadcastRole {
  worker: Worker
  /** One tick now, if no process is ticking (the role also ticks every `tickMs`). */
  tick(): Promise<void>
  close(): Promise<void>
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/**
 * The broadcast worker: plans broadcasts from the broadcasts queue, and ticks
 * (one process at a time, by a lock in Redis that a dead holder loses within
 * seconds) to hand deliveries to the accounts' outbound queues, catch what a
 * dead worker left behind and tell progress. The sends themselves happen in
 * the bot role's outbound workers, at each account's pace.
 */
export function startBroadcastWorker(options: BroadcastWorkerOptions): BroadcastRole {
  const { logger, runner } = options
  const worker = new Worker(
    QueueNames.broadcasts,
    async (job) => {
      const parsed = BroadcastPlanJob.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError('malformed broadcast job payload')
      const outcome = await runner.plan(parsed.data.broadcastId)
      // Its deliveries can go out at once rather than at the next tick.
      if (outcome === 'planned') void tick()
      return outcome
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 2 },
  )
  worker.on('error', (error) => logger.error({ err: error }, 'broadcast worker error'))
  worker.on('failed', (job, error) =>
    logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: { message: error.message } },
      'broadcast job failed',
    ),
  )

  const lockKey = `${options.prefix}:broadcast-tick`
  const lockMs = Math.max(5 * options.tickMs, 3000)
  let running: Promise<void> | null = null

  async function tickOnce(): Promise<void> {
    const token = randomUUID()
    const got = await options.redis.set(lockKey, token, 'PX', lockMs, 'NX')
    if (got !== 'OK') return
    try {
      await runner.tick()
    } finally {
      await options.redis.eval(RELEASE, 1, lockKey, token)
    }
  }

  function tick(): Promise<void> {
    running ??= tickOnce()
      .catch((error) => logger.warn({ err: error }, 'broadcast tick failed'))
      .finally(() => {
        running = null
      })
    return running
  }

  const timer = setInterval(() => void tick(), options.tickMs)
  timer.unref()
  void tick()

  return {
    worker,
    tick,
    async close() {
      clearInterval(timer)
      await running
      await worker.close()
    },
  }
}
