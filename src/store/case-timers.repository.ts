import { sql } from 'kysely'
import type { DeadlineStore } from '../app/deadline-ports.ts'
import type { QueuedNotice } from '../app/ports.ts'
import type { CasePriority, CaseStatus } from '../domain/types.ts'
import type { Database } from './db.ts'
import { deadlineTx, TIMER_COLUMNS, toTimer } from './deadline-tx.ts'
import { pendingSendsOfCase } from './pending-sends.ts'

/** Timers, after-care and digests: the deadline service's side of the database. */
export function createDeadlineStore(db: Database): DeadlineStore {
  return {
    transaction: (fn) => db.transaction().execute((trx) => fn(deadlineTx(trx))),

    async timer(id) {
      const row = await db
        .selectFrom('case_timers')
        .select(TIMER_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? toTimer(row) : null
    },

    async scheduledOf(caseId) {
      const rows = await db
        .selectFrom('case_timers')
        .select(TIMER_COLUMNS)
        .where('case_id', '=', caseId)
        .where('state', '=', 'scheduled')
        .execute()
      return rows.map(toTimer)
    },

    pendingSends: (caseId) => pendingSendsOfCase(db, caseId),

    async caseQueue(caseId) {
      const row = await db
        .selectFrom('cases')
        .select(['queue', 'station_id', 'priority', 'status'])
        .where('id', '=', caseId)
        .executeTakeFirst()
      return row
        ? {
            queue: row.queue,
            stationId: row.station_id,
            priority: row.priority as CasePriority,
            status: row.status as CaseStatus,
          }
        : null
    },

    async scheduledDueBefore(at, limit) {
      const rows = await db
        .selectFrom('case_timers')
        .select(TIMER_COLUMNS)
        .where('state', '=', 'scheduled')
        .where('due_at', '<', at)
        .orderBy('due_at')
        .limit(limit)
        .execute()
      return rows.map(toTimer)
    },

    async casesNeedingTimers(limit) {
      // Each branch: a state that implies a timer, and no timer (in any state) counting from that moment.
      const rows = await sql<{ id: string }>`
        SELECT c.id FROM cases c
        WHERE (
          c.status IN ('new', 'assigned') AND c.first_responded_at IS NULL AND c.escalation_level = 0
          AND NOT EXISTS (SELECT 1 FROM case_timers t WHERE t.case_id = c.id AND t.kind = 'escalation'
                          AND t.anchor_at = c.first_response_due_at)
        ) OR (
          c.status = 'awaiting_resident'
          AND NOT EXISTS (SELECT 1 FROM case_timers t WHERE t.case_id = c.id AND t.kind = 'auto-resolve'
                          AND t.anchor_at = c.awaiting_since)
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id AND m.direction = 'inbound'
                          AND m.created_at > c.awaiting_since)
        ) OR (
          c.status = 'resolved'
          AND NOT EXISTS (SELECT 1 FROM case_timers t WHERE t.case_id = c.id AND t.kind = 'close'
                          AND t.anchor_at = c.resolved_at)
        )
        LIMIT ${limit}`.execute(db)
      return rows.rows.map((r) => r.id)
    },

    async openCasesOf(officerId) {
      const rows = await db
        .selectFrom('cases')
        .select(['number', 'status', 'first_response_due_at', 'first_responded_at', 'resolution_due_at'])
        .where('assignee_officer_id', '=', officerId)
        .where('status', 'in', ['new', 'assigned', 'in_progress', 'awaiting_resident'])
        .execute()
      return rows.map((r) => ({
        number: r.number,
        status: r.status as CaseStatus,
        firstResponseDueAt: r.first_response_due_at,
        firstRespondedAt: r.first_responded_at,
        resolutionDueAt: r.resolution_due_at,
      }))
    },

    async addDigestNotice(draft): Promise<QueuedNotice | null> {
      const officer = await db
        .selectFrom('officers')
        .select(['notify_account_id', 'notify_contact_ref'])
        .where('id', '=', draft.officerId)
        .executeTakeFirst()
      if (!officer?.notify_account_id || !officer.notify_contact_ref) return null
      await db
        .insertInto('officer_notices')
        .values({
          id: draft.id,
          officer_id: draft.officerId,
          case_id: null,
          account_id: officer.notify_account_id,
          contact_ref: officer.notify_contact_ref,
          text: draft.text,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      const stored = await db
        .selectFrom('officer_notices')
        .select(['id', 'account_id', 'delivery_state'])
        .where('id', '=', draft.id)
        .executeTakeFirstOrThrow()
      return stored.delivery_state === 'queued' ? { id: stored.id, accountId: stored.account_id } : null
    },
  }
}
