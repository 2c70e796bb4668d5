import { z } from 'zod'
import type { DigestScheduler, TimerQueue } from '../app/deadline-ports.ts'
import type { Queues } from './dispatcher.ts'
import { QueueNames } from './names.ts'

/** A case timer's job: the timer's id (its row) and its case, nothing else. */
export const TimerJob = z.object({ timerId: z.string().min(1), caseId: z.string().min(1) })
export type TimerJob = z.infer<typeof TimerJob>

/** A digest scheduler's job: whose digest. */
export const DigestJob = z.object({ officerId: z.string().min(1) })
export type DigestJob = z.infer<typeof DigestJob>

/** Job name of digest jobs on the timers queue; every other name is a timer kind. */
export const DIGEST_JOB = 'digest'

const DIGEST_PREFIX = 'digest-'

/**
 * Timers as delayed BullMQ jobs whose id is the timer's id, so adding one
 * twice is harmless. Finished jobs are removed at once: the database row, not
 * the job, remembers that a timer fired, and a removed id can be scheduled again.
 */
export function createTimerQueue(queues: Queues): TimerQueue {
  const queue = () => queues.get(QueueNames.timers)
  return {
    async add(timer, delayMs) {
      const data: TimerJob = { timerId: timer.id, caseId: timer.caseId }
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

/** The officers' digest schedules, as BullMQ job schedulers on the timers queue. */
export function createDigestScheduler(queues: Queues): DigestScheduler {
  const queue = () => queues.get(QueueNames.timers)
  return {
    async list() {
      const all = await queue().getJobSchedulers(0, -1, true)
      return all
        .filter((s) => s.key.startsWith(DIGEST_PREFIX))
        .map((s) => ({ id: s.key, pattern: s.pattern ?? null, tz: s.tz ?? null }))
    },
    async upsert({ id, pattern, tz, officerId }) {
      const data: DigestJob = { officerId }
      await queue().upsertJobScheduler(
        id,
        { pattern, tz },
        { name: DIGEST_JOB, data, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
      )
    },
    async remove(id) {
      await queue().removeJobScheduler(id)
    },
  }
}
