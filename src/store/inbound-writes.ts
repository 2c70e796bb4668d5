import { type Kysely, sql } from 'kysely'
import type { CaseChange, InboundWrites, QueuedNotice } from '../app/ports.ts'
import { linkCasesToBroadcasts } from './broadcast-replies.repository.ts'
import { newId } from './ids.ts'
import type { DB } from './schema.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/**
 * Writes what one batch of inbound events decided, in foreign-key order, with
 * one statement per table whatever the batch size (unnest over array
 * parameters keeps the statement text, and so PostgreSQL's plan, the same).
 */
export async function writeBatch(
  trx: Kysely<DB>,
  w: InboundWrites,
  options: { broadcastReplyWindowMs?: number } = {},
): Promise<Map<string, QueuedNotice>> {
  await insertCases(trx, w)
  // A new case from a resident who just received a broadcast is their answer to it.
  await linkCasesToBroadcasts(
    trx,
    w.newCases.map((c) => c.id),
    options.broadcastReplyWindowMs,
  )
  await insertMessages(trx, w)
  await keepFormSubmissions(trx, w)
  await applyCaseChanges(trx, w.caseChanges)
  await bindAddresses(trx, w)
  await insertAudits(trx, w)
  const notices = await insertNotices(trx, w)
  if (w.doneEventIds.length > 0) {
    // The payload held personal data; once it is a message it is not needed twice.
    await sql`UPDATE inbound_events SET status = 'done', processed_at = ${new Date().toISOString()}::timestamptz,
                     payload = NULL
               WHERE id = ANY(${w.doneEventIds}::text[])`.execute(trx)
  }
  return notices
}

async function keepFormSubmissions(trx: Kysely<DB>, { formSubmissions: f }: InboundWrites): Promise<void> {
  if (f.length === 0) return
  // A redelivered batch keeps the first copy: the submission id is the confirming message's.
  await sql`INSERT INTO form_submissions (id, station_id, resident_id, identity_id, sealed, created_at)
            SELECT * FROM unnest(${f.map((x) => x.id)}::text[], ${f.map((x) => x.stationId)}::text[],
                                 ${f.map((x) => x.residentId)}::text[], ${f.map((x) => x.identityId)}::text[],
                                 ${f.map((x) => x.sealed)}::text[], ${f.map((x) => iso(x.keptAt))}::timestamptz[])
            ON CONFLICT (id) DO NOTHING`.execute(trx)
}

async function insertCases(trx: Kysely<DB>, { newCases: c }: InboundWrites): Promise<void> {
  if (c.length === 0) return
  await sql`INSERT INTO cases (id, number, station_id, resident_id, identity_id, beat_id, category, priority,
                               status, assignee_officer_id, queue, awaiting_address, address_attempts,
                               first_response_due_at, resolution_due_at, opened_at, last_message_at)
            SELECT * FROM unnest(
              ${c.map((x) => x.id)}::text[], ${c.map((x) => x.number)}::text[],
              ${c.map((x) => x.stationId)}::text[], ${c.map((x) => x.residentId)}::text[],
              ${c.map((x) => x.identityId)}::text[], ${c.map((x) => x.beatId)}::text[],
              ${c.map((x) => x.category)}::text[], ${c.map((x) => x.priority)}::text[],
              ${c.map((x) => x.status)}::text[], ${c.map((x) => x.assigneeOfficerId)}::text[],
              ${c.map((x) => x.queue)}::text[], ${c.map((x) => x.awaitingAddress)}::boolean[],
              ${c.map((x) => x.addressAttempts)}::int[], ${c.map((x) => iso(x.firstResponseDueAt))}::timestamptz[],
              ${c.map((x) => iso(x.resolutionDueAt ?? null))}::timestamptz[],
              ${c.map((x) => iso(x.openedAt))}::timestamptz[], ${c.map((x) => iso(x.lastMessageAt))}::timestamptz[])`.execute(
    trx,
  )
}

interface MessageRow {
  id: string
  caseId: string | null
  residentId: string
  identityId: string
  direction: 'inbound' | 'outbound'
  channel: string
  accountId: string
  externalId: string | null
  inReplyTo: string | null
  kind: string
  text: string | null
  media: string | null
  state: 'received' | 'queued'
  at: Date | string
}

async function insertMessages(trx: Kysely<DB>, w: InboundWrites): Promise<void> {
  const rows: MessageRow[] = [
    ...w.messages.map(
      (m): MessageRow => ({
        id: m.id,
        caseId: m.caseId,
        residentId: m.residentId,
        identityId: m.identityId,
        direction: 'inbound',
        channel: m.event.channel,
        accountId: m.event.accountId,
        externalId: m.event.externalId,
        inReplyTo: null,
        kind: m.event.kind,
        text: m.event.text ?? null,
        media: JSON.stringify(m.event.media ?? null),
        state: 'received',
        at: m.event.receivedAt,
      }),
    ),
    ...w.outbound.map(
      (d): MessageRow => ({
        id: d.id,
        caseId: d.caseId,
        residentId: d.residentId,
        identityId: d.identityId,
        direction: 'outbound',
        channel: d.channel,
        accountId: d.accountId,
        externalId: null,
        inReplyTo: d.inReplyTo,
        kind: 'text',
        text: d.text,
        media: null,
        state: 'queued',
        at: d.createdAt,
      }),
    ),
  ]
  if (rows.length === 0) return
  // A message stored before (a platform redelivering under a new event id) is kept as it was.
  await sql`INSERT INTO messages (id, case_id, resident_id, identity_id, direction, channel, account_id,
                                  external_id, in_reply_to, kind, text, media, delivery_state, created_at)
            SELECT * FROM unnest(
              ${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.caseId)}::text[],
              ${rows.map((r) => r.residentId)}::text[], ${rows.map((r) => r.identityId)}::text[],
              ${rows.map((r) => r.direction)}::text[], ${rows.map((r) => r.channel)}::text[],
              ${rows.map((r) => r.accountId)}::text[], ${rows.map((r) => r.externalId)}::text[],
              ${rows.map((r) => r.inReplyTo)}::text[], ${rows.map((r) => r.kind)}::text[],
              ${rows.map((r) => r.text)}::text[], ${rows.map((r) => r.media)}::jsonb[],
              ${rows.map((r) => r.state)}::text[],
              ${rows.map((r) => (typeof r.at === 'string' ? r.at : r.at.toISOString()))}::timestamptz[])
            ON CONFLICT DO NOTHING`.execute(trx)
}

/**
 * Every change of the batch in one statement: each column has its values and,
 * where null is a value to write (no beat, no assignee, no deadline), a flag
 * saying whether to write it; a reopened case loses its resolved and closed times.
 */
async function applyCaseChanges(
  trx: Kysely<DB>,
  changes: Array<{ caseId: string; change: CaseChange }>,
): Promise<void> {
  if (changes.length === 0) return
  const all = <T>(pick: (c: CaseChange) => T) => changes.map(({ change }) => pick(change))
  await sql`UPDATE cases c SET
              beat_id = CASE WHEN v.set_beat THEN v.beat_id ELSE c.beat_id END,
              category = COALESCE(v.category, c.category),
              priority = COALESCE(v.priority, c.priority),
              status = COALESCE(v.status, c.status),
              assignee_officer_id = CASE WHEN v.set_assignee THEN v.assignee ELSE c.assignee_officer_id END,
              queue = COALESCE(v.queue, c.queue),
              awaiting_address = COALESCE(v.awaiting_address, c.awaiting_address),
              address_attempts = COALESCE(v.address_attempts, c.address_attempts),
              first_response_due_at = CASE WHEN v.set_due THEN v.due ELSE c.first_response_due_at END,
              last_message_at = COALESCE(v.last_message_at, c.last_message_at),
              resolved_at = CASE WHEN v.reopen THEN NULL ELSE c.resolved_at END,
              closed_at = CASE WHEN v.reopen THEN NULL ELSE c.closed_at END,
              version = c.version + 1, updated_at = ${new Date().toISOString()}::timestamptz
            FROM unnest(${changes.map((c) => c.caseId)}::text[],
                        ${all((c) => c.beatId !== undefined)}::boolean[], ${all((c) => c.beatId ?? null)}::text[],
                        ${all((c) => c.category ?? null)}::text[], ${all((c) => c.priority ?? null)}::text[],
                        ${all((c) => c.status ?? null)}::text[],
                        ${all((c) => c.assigneeOfficerId !== undefined)}::boolean[],
                        ${all((c) => c.assigneeOfficerId ?? null)}::text[], ${all((c) => c.queue ?? null)}::text[],
                        ${all((c) => c.awaitingAddress ?? null)}::boolean[],
                        ${all((c) => c.addressAttempts ?? null)}::int[],
                        ${all((c) => c.firstResponseDueAt !== undefined)}::boolean[],
                        ${all((c) => iso(c.firstResponseDueAt ?? null))}::timestamptz[],
                        ${all((c) => iso(c.lastMessageAt ?? null))}::timestamptz[],
                        ${all((c) => c.resolvedAt === null)}::boolean[])
              AS v(id, set_beat, beat_id, category, priority, status, set_assignee, assignee, queue,
                   awaiting_address, address_attempts, set_due, due, last_message_at, reopen)
           WHERE c.id = v.id`.execute(trx)
}

async function bindAddresses(trx: Kysely<DB>, { addressBindings: b }: InboundWrites): Promise<void> {
  if (b.length === 0) return
  await sql`UPDATE residents r SET compound_id = v.compound_id, beat_id = v.beat_id,
                   updated_at = ${new Date().toISOString()}::timestamptz
              FROM unnest(${b.map((x) => x.residentId)}::text[], ${b.map((x) => x.compoundId)}::text[],
                          ${b.map((x) => x.beatId)}::text[]) AS v(id, compound_id, beat_id)
             WHERE r.id = v.id`.execute(trx)
}

async function insertAudits(trx: Kysely<DB>, { audits: a }: InboundWrites): Promise<void> {
  if (a.length === 0) return
  await sql`INSERT INTO audit_events (id, station_id, actor, action, subject_type, subject_id, detail)
            SELECT v.id, v.station_id, 'system', v.action, v.subject_type, v.subject_id, v.detail
              FROM unnest(${a.map(() => newId())}::text[], ${a.map((x) => x.stationId)}::text[],
                          ${a.map((x) => x.action)}::text[], ${a.map((x) => x.subjectType)}::text[],
                          ${a.map((x) => x.subjectId)}::text[],
                          ${a.map((x) => JSON.stringify(x.detail ?? null))}::jsonb[])
                   AS v(id, station_id, action, subject_type, subject_id, detail)`.execute(trx)
}

/** Notices go only to officers with a WeChat to be told on, through the account set for them. */
async function insertNotices(
  trx: Kysely<DB>,
  { notices }: InboundWrites,
): Promise<Map<string, QueuedNotice>> {
  const queued = new Map<string, QueuedNotice>()
  if (notices.length === 0) return queued
  const officers = await trx
    .selectFrom('officers')
    .select(['id', 'notify_account_id', 'notify_contact_ref'])
    .where(sql<boolean>`id = ANY(${notices.map((n) => n.officerId)}::text[])`)
    .execute()
  const reach = new Map(officers.map((o) => [o.id, o]))
  const rows = notices.flatMap((n) => {
    const o = reach.get(n.officerId)
    if (!o?.notify_account_id || !o.notify_contact_ref) return []
    queued.set(n.id, { id: n.id, accountId: o.notify_account_id })
    return [{ ...n, accountId: o.notify_account_id, contactRef: o.notify_contact_ref }]
  })
  if (rows.length === 0) return queued
  await sql`INSERT INTO officer_notices (id, officer_id, case_id, account_id, contact_ref, text)
            SELECT * FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.officerId)}::text[],
                                 ${rows.map((r) => r.caseId)}::text[], ${rows.map((r) => r.accountId)}::text[],
                                 ${rows.map((r) => r.contactRef)}::text[], ${rows.map((r) => r.text)}::text[])`.execute(
    trx,
  )
  return queued
}
