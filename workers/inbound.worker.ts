import { type Job, UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { handleInboundBatch, type InboundDeps, type InboundOutcome } from '../src/app/handle-inbound.ts'
import { createMicroBatch } from '../src/app/micro-batch.ts'
import { PermanentError } from '../src/errors.ts'
import type { Logger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import { InboundJob } from '../src/queues/payloads.ts'

export interface InboundWorkerOptions {
  connection: Redis
  prefix: string
  /** Jobs in progress at once: split over the batches in flight, so it also sets the batch size. */
  concurrency: number
  /** Most events handled in one database transaction (default: concurrency / batches in flight). */
  batchSize?: number
  logger: Logger
  deps: InboundDeps
  /** Called when an event cannot be processed at all, so it is parked rather than lost. */
  onPermanentFailure(eventId: string, reason: string): Promise<void>
}

/**
 * Several, so the process has work while a batch waits for the database or Redis: under a backlog,
 * four batches of 100 did about a tenth more messages a second than two (docs/performance.md).
 */
export const INBOUND_BATCHES_IN_FLIGHT = 4
/**
 * At a steady trickle (a few hundred a second) a second batch would go out with an event or two and
 * cost its statements and commit for them: events gather behind the batch in flight until this many wait.
 */
export const INBOUND_OVERLAP_FROM = 10

/**
 * BullMQ's Worker takes jobs one round trip at a time until its concurrency is full, and hands none
 * to the processor before then. Facing a backlog (a restart, a burst of replies to a broadcast) one
 * worker of 400 made 400 round trips, each behind a busy event loop, before the first batch could
 * start: about three seconds in the bench. One worker per batch in flight, each taking a batch's
 * worth, fill in parallel: half the latency under a backlog, throughput unchanged. Eight workers of
 * 50 measured 5% fewer messages a second (smaller batches; docs/performance.md).
 */
export const INBOUND_FETCHERS = INBOUND_BATCHES_IN_FLIGHT

/** The inbound queue's workers: they share one set of batches. */
export interface InboundWorker {
  /** Their 'completed' and 'failed' events are the inbound jobs'. */
  readonly workers: ReadonlyArray<Worker<InboundJob, InboundOutcome>>
  waitUntilReady(): Promise<void>
  close(): Promise<void>
}

/** How a concurrency splits over the fetching workers: each takes its share, at least one job. */
export function fetcherConcurrency(concurrency: number): { fetchers: number; each: number } {
  const fetchers = Math.max(1, Math.min(INBOUND_FETCHERS, concurrency))
  return { fetchers, each: Math.ceil(concurrency / fetchers) }
}

/**
 * Consumes the inbound queue: each job is one stored inbound event, by id.
 * Jobs in progress together are handled as one batch (one transaction), so
 * the database does a few statements per batch instead of a dozen per message.
 */
export function startInboundWorker(options: InboundWorkerOptions): InboundWorker {
  const { logger } = options
  const batch = createMicroBatch<InboundJob, InboundOutcome>({
    run: async (jobs) => {
      const ids = jobs.map((j) => j.eventId)
      // The accounts the jobs name let case numbers be reserved without reading the events first.
      const accounts = new Map(jobs.flatMap((j) => (j.accountId ? [[j.eventId, j.accountId] as const] : [])))
      try {
        return await handleInboundBatch(options.deps, ids, accounts)
      } catch (error) {
        if (ids.length === 1) throw error
        // One event that breaks its batch must not hold up the others: each is tried alone.
        logger.warn(
          { events: ids.length, err: { message: (error as Error).message } },
          'inbound batch failed',
        )
        return Promise.all(
          ids.map((id) =>
            handleInboundBatch(options.deps, [id], accounts).then(
              ([outcome]) => outcome as InboundOutcome | Error,
              (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
            ),
          ),
        )
      }
    },
    // Under a backlog, batches of 100 rather than 50 cut the CPU a message costs by about a seventh.
    maxSize: options.batchSize ?? Math.max(1, Math.ceil(options.concurrency / INBOUND_BATCHES_IN_FLIGHT)),
    maxInFlight: INBOUND_BATCHES_IN_FLIGHT,
    overlapFrom: INBOUND_OVERLAP_FROM,
  })
  const handle = async (job: Job<InboundJob, InboundOutcome>) => {
    const parsed = InboundJob.safeParse(job.data)
    if (!parsed.success) throw new UnrecoverableError('malformed inbound job payload')
    try {
      return await batch.submit(parsed.data)
    } catch (error) {
      if (error instanceof PermanentError) {
        await options.onPermanentFailure(parsed.data.eventId, error.message)
        throw new UnrecoverableError(error.message)
      }
      throw error
    }
  }
  const watch = (worker: Worker<InboundJob, InboundOutcome>) => {
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
  }

  const { fetchers, each } = fetcherConcurrency(options.concurrency)
  const workers = Array.from({ length: fetchers }, () => {
    const worker = new Worker<InboundJob, InboundOutcome>(QueueNames.inbound, handle, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: each,
    })
    watch(worker)
    return worker
  })
  return {
    workers,
    async waitUntilReady() {
      await Promise.all(workers.map((w) => w.waitUntilReady()))
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()))
    },
  }
}
