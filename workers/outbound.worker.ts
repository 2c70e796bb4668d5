import { setTimeout as sleep } from 'node:timers/promises'
import { UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { ImageLoader } from '../src/app/attachments.ts'
import type { AccountPace } from '../src/app/broadcasts/ports.ts'
import type { DeliverySender } from '../src/app/broadcasts/send-delivery.ts'
import {
  type LiveNotifier,
  type OutboundStore,
  type Sender,
  sendNotice,
  sendOutbound,
} from '../src/app/send-outbound.ts'
import { PermanentError } from '../src/errors.ts'
import type { Logger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import { OutboundJob } from '../src/queues/payloads.ts'

export interface OutboundWorkerOptions {
  accountId: string
  connection: Redis
  prefix: string
  logger: Logger
  store: OutboundStore
  sender: Sender
  live?: LiveNotifier
  /** Sends a minute across all processes (BullMQ's limiter is global per queue); 0 lifts the limit. */
  perMinute: number
  /** Random pause before each send, so a burst does not look machine-made to the platform. */
  jitterMs: number
  /**
   * The account's pace across processes (it spaces every send exactly and
   * counts them per day for the daily cap); it replaces the jitter pause.
   */
  pace?: AccountPace
  /** Sends the broadcast deliveries fed to this queue. */
  broadcasts?: DeliverySender
  /** Reads the picture a message carries (jobs carry ids only). */
  images?: ImageLoader
}

/** One worker per bot account: its own queue, its own pace. */
export function startOutboundWorker(options: OutboundWorkerOptions): Worker<OutboundJob> {
  const { logger, accountId } = options
  const limiter =
    options.perMinute > 0
      ? { max: 1, duration: Math.max(1, Math.floor(60_000 / options.perMinute)) }
      : undefined
  const worker = new Worker<OutboundJob>(
    QueueNames.outbound(accountId),
    async (job) => {
      const parsed = OutboundJob.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError('malformed outbound job payload')
      const maxAttempts = job.opts.attempts ?? 1
      const attempt = { number: job.attemptsMade + 1, isLast: job.attemptsMade + 1 >= maxAttempts }
      const { store, sender, live, pace, broadcasts, images } = options
      const data = parsed.data
      try {
        // A delivery takes its slot of the pace itself, once it knows it will send.
        if ('deliveryId' in data) {
          if (!broadcasts) throw new PermanentError('this worker sends no broadcasts')
          return await broadcasts.send(Number(data.deliveryId), attempt)
        }
        if (pace) await pace.take()
        else if (options.jitterMs > 0) await sleep(Math.floor(Math.random() * options.jitterMs))
        return 'noticeId' in data
          ? await sendNotice({ store, sender }, data.noticeId, attempt)
          : await sendOutbound({ store, sender, live, images }, data.messageId, attempt)
      } catch (error) {
        if (error instanceof PermanentError) throw new UnrecoverableError(error.message)
        throw error
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: limiter ? 1 : 16,
      ...(limiter ? { limiter } : {}),
    },
  )
  worker.on('error', (error) => logger.error({ err: error, accountId }, 'outbound worker error'))
  worker.on('failed', (job, error) =>
    logger.warn(
      { jobId: job?.id, accountId, attempts: job?.attemptsMade, reason: error.message },
      'send failed',
    ),
  )
  return worker
}
