import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { CaseChange, InboundWrites, QueuedNotice } from '../app/ports.ts'
import { answeredBroadcast, DEFAULT_REPLY_WINDOW_MS } from './broadcast-replies.repository.ts'
import { newId } from './ids.ts'
import type { DB } from './schema.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A contact who wrote again: when, and the group they wrote in (null for a direct message). */
export interface IdentityTouch {
  identityId: string
  groupRef: string | null
}

/**
 * Writes what one batch of inbound events decided in one statement: each
 * table's rows go in through a data-modifying WITH over array parameters
 * (unnest), so a batch costs one round trip whatever its size. The parts see
 * the same snapshot and touch different rows; foreign keys are checked at the
 * end of the statement, so a message may name a case inserted beside it.
 * Answers the stored officer notices by id.
 */
export async function writeBatch(
  trx: Kysely<DB>,
  w: InboundWrites,
  options: { broadcastReplyWindowMs?: number; touches?: IdentityTouch[] } = {},
): Promise<Map<string, QueuedNotice>> {
  // The notices' ids and accounts are the statement's answer, so it selects from them when there are any.
  const notices = insertNotices(w)
  const parts = [
    insertCases(w, options.broadcastReplyWindowMs ?? DEFAULT_REPLY_WINDOW_MS),
    insertMessages(w),
    keepFormSubmissions(w),
    applyCaseChanges(w.caseChanges),
    touchIdentities(options.touches ?? []),
    bindAddresses(w),
    insertAudits(w),
    markEventsDone(w),
    notices,
  ].filter((part): part is RawBuilder<unknown> => part !== null)
  const queued = new Map<string, QueuedNotice>()
  if (parts.length === 0) return queued
  const { rows } = await sql<{ id: string; account_id: string }>`WITH ${sql.join(parts, sql`, `)}
    ${notices ? sql`SELECT id, account_id FROM notices` : sql`SELECT NULL::text AS id, NULL::text AS account_id WHERE false`}`.execute(
    trx,
  )
  for (const r of rows) queued.set(r.id, { id: r.id, accountId: r.account_id })
  return queued
}

/** A new case from a resident who just received a broadcast is their answer to it. */
function insertCases({ newCases: c }: InboundWrites, windowMs: number): RawBuilder<unknown> | null {
  if (c.length === 0) return null
  return sql`new_cases AS (
    INSERT INTO cases (id, number, station_id, resident_id, identity_id, beat_id, category, priority,
                       status, assignee_officer_id, queue, awaiting_address, address_attempts,
                       first_response_due_at, resolution_due_at, opened_at, last_message_at, broadcast_id)
    SELECT v.*, ${answeredBroadcast(sql`v.resident_id`, sql`v.identity_id`, sql`v.opened_at`, windowMs)}
      FROM unnest(
        ${c.map((x) => x.id)}::text[], ${c.map((x) => x.number)}::text[],
        ${c.map((x) => x.stationId)}::text[], ${c.map((x) => x.residentId)}::text[],
        ${c.map((x) => x.identityId)}::text[], ${c.map((x) => x.beatId)}::text[],
        ${c.map((x) => x.category)}::text[], ${c.map((x) => x.priority)}::text[],
        ${c.map((x) => x.status)}::text[], ${c.map((x) => x.assigneeOfficerId)}::text[],
        ${c.map((x) => x.queue)}::text[], ${c.map((x) => x.awaitingAddress)}::boolean[],
        ${c.map((x) => x.addressAttempts)}::int[], ${c.map((x) => iso(x.firstResponseDueAt))}::timestamptz[],
        ${c.map((x) => iso(x.resolutionDueAt ?? null))}::timestamptz[],
        ${c.map((x) => iso(x.openedAt))}::timestamptz[], ${c.map((x) => iso(x.lastMessageAt))}::timestamptz[])
        AS v(id, number, station_id, resident_id, identity_id, beat_id, category, priority, status,
             assignee_officer_id, queue, awaiting_address, address_attempts, first_response_due_at,
             resolution_due_at, opened_at, last_message_at))`
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

function insertMessages(w: InboundWrites): RawBuilder<unknown> | null {
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
  if (rows.length === 0) return null
  // A message stored before (a platform redelivering under a new event id) is kept as it was.
  return sql`new_messages AS (
    INSERT INTO messages (id, case_id, resident_id, identity_id, direction, channel, account_id,
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
    ON CONFLICT DO NOTHING)`
}

function keepFormSubmissions({ formSubmissions: f }: InboundWrites): RawBuilder<unknown> | null {
  if (f.length === 0) return null
  // A redelivered batch keeps the first copy: the submission id is the confirming message's.
  return sql`new_submissions AS (
    INSERT INTO form_submissions (id, station_id, resident_id, identity_id, sealed, created_at)
    SELECT * FROM unnest(${f.map((x) => x.id)}::text[], ${f.map((x) => x.stationId)}::text[],
                         ${f.map((x) => x.residentId)}::text[], ${f.map((x) => x.identityId)}::text[],
                         ${f.map((x) => x.sealed)}::text[], ${f.map((x) => iso(x.keptAt))}::timestamptz[])
    ON CONFLICT (id) DO NOTHING)`
}

/**
 * Every change of the batch at once: each column has its values and, where
 * null is a value to write (no beat, no assignee, no deadline), a flag saying
 * whether to write it; a reopened case loses its resolved and closed times.
 * Only cases open before the batch change here: a case the batch opens is
 * inserted as it ends up.
 */
function applyCaseChanges(
  changes: Array<{ caseId: string; change: CaseChange }>,
): RawBuilder<unknown> | null {
  if (changes.length === 0) return null
  const all = <T>(pick: (c: CaseChange) => T) => changes.map(({ change }) => pick(change))
  return sql`changed_cases AS (
    UPDATE cases c SET
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
    WHERE c.id = v.id)`
}

/** Known contacts who wrote: replies and follow-ups go to where each last wrote. */
function touchIdentities(touches: IdentityTouch[]): RawBuilder<unknown> | null {
  if (touches.length === 0) return null
  return sql`touched_identities AS (
    UPDATE channel_identities ci
       SET last_seen_at = ${new Date().toISOString()}::timestamptz, group_ref = v.group_ref
      FROM unnest(${touches.map((t) => t.identityId)}::text[], ${touches.map((t) => t.groupRef)}::text[])
           AS v(id, group_ref)
     WHERE ci.id = v.id)`
}

function bindAddresses({ addressBindings: b }: InboundWrites): RawBuilder<unknown> | null {
  if (b.length === 0) return null
  return sql`bound_residents AS (
    UPDATE residents r SET compound_id = v.compound_id, beat_id = v.beat_id,
           updated_at = ${new Date().toISOString()}::timestamptz
      FROM unnest(${b.map((x) => x.residentId)}::text[], ${b.map((x) => x.compoundId)}::text[],
                  ${b.map((x) => x.beatId)}::text[]) AS v(id, compound_id, beat_id)
     WHERE r.id = v.id)`
}

function insertAudits({ audits: a }: InboundWrites): RawBuilder<unknown> | null {
  if (a.length === 0) return null
  return sql`new_audits AS (
    INSERT INTO audit_events (id, station_id, actor, action, subject_type, subject_id, detail)
    SELECT v.id, v.station_id, 'system', v.action, v.subject_type, v.subject_id, v.detail
      FROM unnest(${a.map(() => newId())}::text[], ${a.map((x) => x.stationId)}::text[],
                  ${a.map((x) => x.action)}::text[], ${a.map((x) => x.subjectType)}::text[],
                  ${a.map((x) => x.subjectId)}::text[], ${a.map((x) => JSON.stringify(x.detail ?? null))}::jsonb[])
           AS v(id, station_id, action, subject_type, subject_id, detail))`
}

/** Notices go only to officers with a WeChat to be told on, through the account set for them. */
function insertNotices({ notices: n }: InboundWrites): RawBuilder<unknown> | null {
  if (n.length === 0) return null
  return sql`notices AS (
    INSERT INTO officer_notices (id, officer_id, case_id, account_id, contact_ref, text)
    SELECT v.id, v.officer_id, v.case_id, o.notify_account_id, o.notify_contact_ref, v.text
      FROM unnest(${n.map((x) => x.id)}::text[], ${n.map((x) => x.officerId)}::text[],
                  ${n.map((x) => x.caseId)}::text[], ${n.map((x) => x.text)}::text[])
           AS v(id, officer_id, case_id, text)
      JOIN officers o ON o.id = v.officer_id
     WHERE o.notify_account_id IS NOT NULL AND o.notify_contact_ref IS NOT NULL
    RETURNING id, account_id)`
}

function markEventsDone({ doneEventIds: ids }: InboundWrites): RawBuilder<unknown> | null {
  if (ids.length === 0) return null
  // The payload held personal data; once it is a message it is not needed twice.
  return sql`done_events AS (
    UPDATE inbound_events SET status = 'done', processed_at = ${new Date().toISOString()}::timestamptz,
           payload = NULL
     WHERE id = ANY(${ids}::text[]))`
}
