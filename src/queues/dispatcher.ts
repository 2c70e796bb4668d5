import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Dispatcher, LiveEvent } from '../app/ports.ts'
import type { CasePriority } from '../domain/types.ts'
import type { Logger } from '../logger.ts'
import { QueueNames } from './names.ts'
import type { CaseQueueJob, DeadLetterJob, InboundJob, OutboundJob } from './payloads.ts'

/** BullMQ priorities: lower is sooner. */
const PRIORITY: Record<CasePriority, number> = { emergency: 1, urgent: 2, normal: 3, low: 4 }

const DEFAULT_JOB_OPTIONS = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
}

/** Redis pub/sub channel that carries live events of one station to every API process. */
export const liveChannel = (prefix: string, stationId: string): string => `${prefix}:live:${stationId}`

/**
 * Every Queue the process produces to, created once and shared. Producers use
 * a fail-fast connection: an add while Redis is away throws instead of hanging.
 */
export class Queues {
  private readonly queues = new Map<string, Queue>()

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name)
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      })
      queue.on('error', (error) => this.logger.error({ err: error, queue: name }, 'queue error'))
      this.queues.set(name, queue)
    }
    return queue
  }

  async addInbound(job: InboundJob): Promise<void> {
    await this.addInboundMany([job])
  }

  /**
   * One round trip for many events: adds with an id already queued change nothing.
   * A handled event's job is removed at once: the event's row is the record of it,
   * and trimming kept jobs by age and count cost Redis work at every completion.
   */
  async addInboundMany(jobs: InboundJob[]): Promise<void> {
    await this.get(QueueNames.inbound).addBulk(
      jobs.map((job) => ({
        name: 'inbound',
        data: job,
        opts: {
          jobId: job.eventId,
          attempts: 8,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
        },
      })),
    )
  }

  async addDeadLetter(data: DeadLetterJob): Promise<void> {
    await this.get(QueueNames.deadLetter).add('parked', data, {
      jobId: data.parkedId,
      removeOnComplete: false,
    })
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()))
    this.queues.clear()
  }
}

export function createDispatcher(queues: Queues, publisher: Redis): Dispatcher {
  return {
    async enqueueCase({ queue, caseId, stationId, messageId, priority }) {
      const data: CaseQueueJob = { caseId, stationId, messageId, queuedAt: Date.now() }
      // One job per case and queue: a case waits once, however many messages it gets.
      await queues.get(queue).add('case', data, { jobId: `case-${caseId}`, priority: PRIORITY[priority] })
    },
    async removeCase(queue, caseId) {
      await queues.get(queue).remove(`case-${caseId}`)
    },
    async enqueueOutbound(accountId, messageId, options) {
      const data: OutboundJob = { messageId }
      const queue = queues.get(QueueNames.outbound(accountId))
      if (options?.retry) {
        // The failed job still holds its id; retrying it keeps one job per message.
        const job = await queue.getJob(`out-${messageId}`)
        if (job && (await job.isFailed()))
          return job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })
        if (job) await job.remove().catch(() => {})
      }
      await queue.add('send', data, {
        jobId: `out-${messageId}`,
        attempts: 6,
        backoff: { type: 'exponential', delay: 2000 },
      })
    },
    async enqueueNotice({ id, accountId }) {
      const data: OutboundJob = { noticeId: id }
      await queues.get(QueueNames.outbound(accountId)).add('notice', data, {
        jobId: `notice-${id}`,
        attempts: 6,
        backoff: { type: 'exponential', delay: 2000 },
      })
    },
    async publish(event: LiveEvent) {
      await publisher.publish(liveChannel(queues.prefix, event.stationId), JSON.stringify(event))
    },
  }
}
