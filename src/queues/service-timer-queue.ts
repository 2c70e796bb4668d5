import { z } from 'zod'
import type { ServiceTimerQueue } from '../app/forms/effects.ts'
import type { Queues } from './dispatcher.ts'
import { QueueNames } from './names.ts'

/** A service-request timer's job: the timer row's id, nothing else. */
export const ServiceTimerJob = z.object({ timerId: z.string().min(1) })
export type ServiceTimerJob = z.infer<typeof ServiceTimerJob>

/**
 * Service-request timers as delayed jobs whose id is the timer's row id, so
 * adding one twice is harmless. Finished jobs go at once: the row, not the
 * job, remembers that a timer fired.
 */
export function createServiceTimerQueue(queues: Queues): ServiceTimerQueue {
  const queue = () => queues.get(QueueNames.serviceTimers)
  return {
    async add(timer, delayMs) {
      const data: ServiceTimerJob = { timerId: timer.id }
      await queue().add(timer.kind, data, {
        jobId: timer.id,
        delay: delayMs,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        // The sweep adds a job again for a timer still scheduled: a failed job must not keep its id.
        removeOnFail: true,
      })
    },
    async remove(id) {
      // A job running now cannot be removed; its handler finds the timer cancelled and does nothing.
      await queue().remove(id)
    },
  }
}
