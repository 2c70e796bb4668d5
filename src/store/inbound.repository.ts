import { type Kysely, sql } from 'kysely'
import type { InboundStore, InboundTx, OpenCase, StoredEvent } from '../app/ports.ts'
import { SERVICE_REQUEST_CATEGORIES } from '../domain/case-status.ts'
import type { CaseCategory, CasePriority, CaseStatus, InboundEvent } from '../domain/types.ts'
import { OPEN_STATUS_LITERALS } from './case-query.repository.ts'
import type { Database } from './db.ts'
import { deadlineTx } from './deadline-tx.ts'
import { resolveResidents } from './inbound-residents.ts'
import { type IdentityTouch, writeBatch } from './inbound-writes.ts'
import { pendingNotices } from './officer-notices.repository.ts'
import type { DB } from './schema.ts'
import { selfServiceStore } from './self-service.repository.ts'

const OPEN_STATUSES = ['new', 'assigned', 'in_progress', 'awaiting_resident'] as const

/** The database side of the inbound path. */
export function createInboundStore(
  db: Database,
  options: { broadcastReplyWindowMs?: number } = {},
): InboundStore {
  return {
    peekEvents: (ids) => readEvents(db, ids, false),

    transaction: (fn) => db.transaction().execute((trx) => fn(inboundTx(trx, options))),

    async reserveCaseCounters(stationId, year, count) {
      const row = await db
        .insertInto('case_counters')
        .values({ station_id: stationId, year, last_value: count })
        .onConflict((oc) =>
          oc
            .columns(['station_id', 'year'])
            .doUpdateSet({ last_value: sql`case_counters.last_value + ${count}::int` }),
        )
        .returning('last_value')
        .executeTakeFirstOrThrow()
      return row.last_value
    },

    openCaseCounts: (officerIds) => countOpenCases(db, officerIds),

    async findDispatchState(messageId) {
      const message = await db
        .selectFrom('messages')
        .leftJoin('cases', 'cases.id', 'messages.case_id')
        .select(['messages.case_id', 'cases.station_id', 'cases.queue', 'cases.priority', 'cases.status'])
        .where('messages.id', '=', messageId)
        .executeTakeFirst()
      if (!message) return null
      const pending = await db
        .selectFrom('messages')
        .select(['id', 'account_id'])
        .where('in_reply_to', '=', messageId)
        .where('delivery_state', '=', 'queued')
        .execute()
      const open = message.status !== null && (OPEN_STATUSES as readonly string[]).includes(message.status)
      return {
        caseId: open ? message.case_id : null,
        stationId: message.station_id,
        queue: open ? message.queue : null,
        priority: (message.priority as CasePriority | null) ?? null,
        pendingReplies: pending.map((p) => ({ id: p.id, accountId: p.account_id })),
        pendingNotices: open && message.case_id ? await pendingNotices(db, message.case_id) : [],
      }
    },
  }
}

/** Array parameters keep one statement text whatever the batch size, so PostgreSQL plans it once. */
const anyOf = (column: string, values: readonly string[]) =>
  sql<boolean>`${sql.ref(column)} = ANY(${values}::text[])`

async function readEvents(db: Kysely<DB>, ids: string[], lock: boolean): Promise<StoredEvent[]> {
  let query = db
    .selectFrom('inbound_events')
    .select(['id', 'status', 'payload'])
    .where(anyOf('id', ids))
    .orderBy('id')
  if (lock) query = query.forUpdate()
  const rows = await query.execute()
  return rows.map((r) => ({ id: r.id, status: r.status, event: (r.payload as InboundEvent | null) ?? null }))
}

function inboundTx(trx: Kysely<DB>, options: { broadcastReplyWindowMs?: number }): InboundTx {
  // Known contacts found by resolveResidents are touched by the batch's one write, not a statement of their own.
  const touches: IdentityTouch[] = []
  // Residents resolveResidents locked or created: lockOpenCases need not lock them again.
  const lockedResidents = new Set<string>()
  return {
    lockEvents: (ids) => readEvents(trx, ids, true),
    async resolveResidents(requests, newId) {
      const resolved = await resolveResidents(trx, requests, newId)
      touches.push(...resolved.touches)
      for (const id of resolved.locked) lockedResidents.add(id)
      return resolved.refs
    },

    async lockOpenCases(residentIds, reopenableSince) {
      const open = new Map<string, OpenCase>()
      if (residentIds.length === 0) return open
      // Locking the residents serializes messages of one resident, so two cannot open two cases.
      const unlocked = residentIds.filter((id) => !lockedResidents.has(id))
      if (unlocked.length > 0) {
        await trx
          .selectFrom('residents')
          .select('id')
          .where(anyOf('id', unlocked))
          .orderBy('id')
          .forUpdate()
          .execute()
      }
      const rows = await trx
        .selectFrom('cases')
        .selectAll()
        .where(anyOf('resident_id', residentIds))
        .where(sql<boolean>`NOT (category = ANY(${SERVICE_REQUEST_CATEGORIES}::text[]))`)
        .where((eb) =>
          reopenableSince
            ? eb.or([
                eb('status', 'in', OPEN_STATUS_LITERALS),
                eb.and([eb('status', '=', 'resolved'), eb('resolved_at', '>', reopenableSince)]),
              ])
            : eb('status', 'in', OPEN_STATUS_LITERALS),
        )
        // Resolved ones first, so an open case, met later, takes the resident's place.
        .orderBy(sql`status = 'resolved'`, 'desc')
        .orderBy('resolved_at')
        .forUpdate()
        .execute()
      for (const row of rows) {
        open.set(row.resident_id, {
          id: row.id,
          number: row.number,
          stationId: row.station_id,
          status: row.status as CaseStatus,
          category: row.category as CaseCategory,
          priority: row.priority as CasePriority,
          assigneeOfficerId: row.assignee_officer_id,
          queue: row.queue,
          beatId: row.beat_id,
          awaitingAddress: row.awaiting_address,
          addressAttempts: row.address_attempts,
          version: row.version,
        })
      }
      return open
    },

    openCaseCounts: (officerIds) => countOpenCases(trx, officerIds),
    selfService: () => selfServiceStore(trx),
    deadlines: () => deadlineTx(trx),
    write: (writes) => writeBatch(trx, writes, { ...options, touches: touches.splice(0) }),
  }
}

/** Open cases per officer; the partial index over open cases answers it without touching closed ones. */
async function countOpenCases(db: Kysely<DB>, officerIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  if (officerIds.length === 0) return counts
  const rows = await db
    .selectFrom('cases')
    .select(['assignee_officer_id', sql<number>`count(*)::int`.as('n')])
    .where(sql<boolean>`assignee_officer_id = ANY(${officerIds}::text[])`)
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .groupBy('assignee_officer_id')
    .execute()
  for (const row of rows) if (row.assignee_officer_id) counts.set(row.assignee_officer_id, row.n)
  return counts
}
