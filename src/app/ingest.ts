import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { InboundEvent } from '../domain/types.ts'

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date')

/** The contract between every channel adapter and the pipeline. */
export const InboundEventSchema = z.object({
  channel: z.string().min(1).max(40),
  accountId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and -'),
  externalId: z.string().min(1).max(512),
  sender: z.object({
    ref: z.string().min(1).max(512),
    displayName: z.string().max(200).optional(),
    alias: z.string().max(200).optional(),
  }),
  group: z.object({ ref: z.string().min(1).max(512), name: z.string().max(200).optional() }).optional(),
  kind: z.enum(['text', 'image', 'voice', 'video', 'file', 'location', 'link', 'unknown']),
  text: z.string().max(100_000).optional(),
  media: z
    .object({
      type: z.enum(['image', 'voice', 'video', 'file', 'location', 'link']),
      sizeBytes: z.number().int().nonnegative().optional(),
      name: z.string().max(500).optional(),
    })
    .optional(),
  sentAt: isoDate,
  receivedAt: isoDate,
  language: z.enum(['zh', 'en']).optional(),
}) satisfies z.ZodType<InboundEvent>

/**
 * The id of an inbound event, derived from where it came from, so a platform
 * redelivering or replaying a message produces the same id (and so the same
 * queue job) and is ignored. Hashed: external ids may hold ':' and be long.
 */
export function inboundEventId(channel: string, accountId: string, externalId: string): string {
  return `in-${createHash('sha256').update(`${channel}\u0000${accountId}\u0000${externalId}`).digest('hex').slice(0, 32)}`
}

export interface IngestPorts {
  /** Stores the event durably; false when an event with this id was stored before. */
  saveEvent(id: string, event: InboundEvent): Promise<boolean>
  /** Queues the event by id; the account it came to goes with it (an id, not personal data). */
  enqueue(id: string, accountId: string): Promise<void>
  /** Keeps what could not be understood, without personal data, for a person to look at. */
  park(entry: { channel: string; accountId: string; reason: string; detail: unknown }): Promise<string>
}

export type IngestResult =
  | { accepted: true; eventId: string; duplicate: boolean }
  | { accepted: false; parkedId: string; reason: string }

/**
 * The only thing an adapter does with a message: store it and queue its id.
 * Once this resolves, a crash anywhere loses nothing; a crash before the
 * enqueue is healed by `requeuePending`, which finds stored, unqueued events.
 */
export async function ingest(ports: IngestPorts, raw: unknown): Promise<IngestResult> {
  const parsed = InboundEventSchema.safeParse(raw)
  if (!parsed.success) {
    const where = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')
    const parkedId = await ports.park({
      channel: typeof where.channel === 'string' ? where.channel : 'unknown',
      accountId: typeof where.accountId === 'string' ? where.accountId : 'unknown',
      reason,
      // The raw event goes to the database only (never to logs or job payloads), so nothing is lost.
      detail: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })), raw },
    })
    return { accepted: false, parkedId, reason }
  }
  const event = parsed.data as InboundEvent
  const id = inboundEventId(event.channel, event.accountId, event.externalId)
  const fresh = await ports.saveEvent(id, event)
  await ports.enqueue(id, event.accountId)
  return { accepted: true, eventId: id, duplicate: !fresh }
}
