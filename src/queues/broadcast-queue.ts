import { z } from 'zod'
import type { BroadcastQueue, FedDelivery } from '../app/broadcasts/ports.ts'
import type { Queues } from './dispatcher.ts'
import { QueueNames } from './names.ts'
import type { OutboundJob } from './payloads.ts'

/** Planning one broadcast: its id, nothing else. */
export const BroadcastPlanJob = z.object({ broadcastId: z.string().min(1) })
export type BroadcastPlanJob = z.infer<typeof BroadcastPlanJob>

export const PLAN_JOB = 'plan'
export const DELIVERY_JOB = 'broadcast'

/** A delivery's job on its account's outbound queue; handed out again, it gets a new one. */
export const deliveryJobId = (d: Pick<FedDelivery, 'id' | 'feeds'>): string => `bd-${d.id}-${d.feeds}`

/**
 * BullMQ takes jobs without a priority before prioritized ones, so every
 * reply and notice of the account goes ahead of the broadcast's deliveries.
 */
const DELIVERY_PRIORITY = 10

const LIVE_STATES = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'])

export function createBroadcastQueue(queues: Queues): BroadcastQueue {
  return {
    async plan(broadcastId) {
      const data: BroadcastPlanJob = { broadcastId }
      await queues.get(QueueNames.broadcasts).add(PLAN_JOB, data, {
        jobId: `plan-${broadcastId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        // The broadcast's state, not the job, remembers whether it was planned.
        removeOnComplete: true,
        removeOnFail: true,
      })
    },

    async feed(deliveries) {
      const byAccount = new Map<string, FedDelivery[]>()
      for (const d of deliveries) byAccount.set(d.accountId, [...(byAccount.get(d.accountId) ?? []), d])
      for (const [accountId, list] of byAccount) {
        await queues.get(QueueNames.outbound(accountId)).addBulk(
          list.map((d) => ({
            name: DELIVERY_JOB,
            data: { deliveryId: String(d.id) } satisfies OutboundJob,
            opts: {
              jobId: deliveryJobId(d),
              priority: DELIVERY_PRIORITY,
              attempts: 5,
              backoff: { type: 'exponential', delay: 5000 },
              // The delivery row is the record; a hundred thousand finished jobs would only fill Redis.
              removeOnComplete: true,
              removeOnFail: { age: 24 * 3600 },
            },
          })),
        )
      }
    },

    async unfeed(deliveries) {
      for (const d of deliveries) {
        // A job running now cannot be removed: it finds the broadcast paused or cancelled and steps aside.
        await queues
          .get(QueueNames.outbound(d.accountId))
          .remove(deliveryJobId(d))
          .catch(() => 0)
      }
    },

    async isQueued(d) {
      const job = await queues.get(QueueNames.outbound(d.accountId)).getJob(deliveryJobId(d))
      if (!job) return false
      return LIVE_STATES.has(await job.getState())
    },
  }
}
