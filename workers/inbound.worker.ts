import { UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { handleInbound, type InboundDeps, type InboundOutcome } from '../src/app/handle-inbound.ts'
import { PermanentError } from '../src/errors.ts'
import type { Logger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import { InboundJob } from '../src/queues/payloads.ts'

export interface InboundWorkerOptions {
  connection: Redis
  prefix: string
  concurrency: number
  logger: Logger
  deps: InboundDeps
  /** Called when an event cannot be processed at all, so it is parked rather than lost. */
  onPermanentFailure(eventId: string, reason: string): Promise<void>
}

/** Consumes the inbound queue: each job is one stored inbound event, by id. */
export function startInboundWorker(options: InboundWorkerOptions): Worker<InboundJob, InboundOutcome> {
  const { logger } = options
  const worker = new Worker<InboundJob, InboundOutcome>(
    QueueNames.inbound,
    async (job) => {
      const parsed = InboundJob.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError('malformed inbound job payload')
      try {
        return await handleInbound(options.deps, parsed.data.eventId)
      } catch (error) {
        if (error instanceof PermanentError) {
          await options.onPermanentFailure(parsed.data.eventId, error.message)
          throw new UnrecoverableError(error.message)
        }
        throw error
      }
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  )
  worker.on('error', (error) => logger.error({ err: error }, 'inbound worker error'))
  worker.on('failed', (job, error) => {
    logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: { message: error.message } },
      'inbound job failed',
    )
    // Out of retries on a passing fault: park it so a person sees it, rather than letting it sit.
    const outOfRetries =
      job && job.attemptsMade >= (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError)
    if (outOfRetries && job.data?.eventId) {
      void options.onPermanentFailure(
        job.data.eventId,
        `gave up after ${job.attemptsMade} attempts: ${error.message}`,
      )
    }
  })
  return worker
}
