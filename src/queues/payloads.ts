import { z } from 'zod'

/** Job payloads carry ids only: message text and personal data stay in the database. */
/**
 * A stored inbound event, by id. The account it came to is an id, not personal
 * data: with it the worker knows the event's station before reading the event.
 */
export const InboundJob = z.object({ eventId: z.string().min(1), accountId: z.string().min(1).optional() })
export type InboundJob = z.infer<typeof InboundJob>

/** An account's outbound queue sends messages to residents, notices to officers and broadcast deliveries. */
export const OutboundJob = z.union([
  z.object({ messageId: z.string().min(1) }),
  z.object({ noticeId: z.string().min(1) }),
  z.object({ deliveryId: z.string().regex(/^\d+$/) }),
])
export type OutboundJob = z.infer<typeof OutboundJob>

/** A case waiting in an officer's or a duty desk's queue. */
export const CaseQueueJob = z.object({
  caseId: z.string().min(1),
  stationId: z.string().min(1),
  messageId: z.string().min(1),
  queuedAt: z.number(),
})
export type CaseQueueJob = z.infer<typeof CaseQueueJob>

export const DeadLetterJob = z.object({ parkedId: z.string().min(1), reason: z.string() })
export type DeadLetterJob = z.infer<typeof DeadLetterJob>
