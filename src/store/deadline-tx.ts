import { type Kysely, sql } from 'kysely'
import type {
  DeadlineCase,
  DeadlineCaseChange,
  DeadlineTx,
  TimerRow,
  TimerState,
} from '../app/deadline-ports.ts'
import type { TimerKind } from '../domain/deadlines.ts'
import { insertAudit } from './audit.repository.ts'
import { insertCaseMessage } from './case-messages.ts'
import { lockedCaseFields, selectLockedCases } from './locked-case.ts'
import { insertOfficerNotice } from './officer-notices.repository.ts'
import type { DB } from './schema.ts'

export const toTimer = (r: {
  id: string
  case_id: string
  kind: string
  case_version: number
  due_at: Date
  anchor_at: Date | null
  officer_id: string | null
  state: string
}): TimerRow => ({
  id: r.id,
  caseId: r.case_id,
  kind: r.kind as TimerKind,
  caseVersion: r.case_version,
  dueAt: r.due_at,
  anchorAt: r.anchor_at,
  officerId: r.officer_id,
  state: r.state as TimerState,
})

export const TIMER_COLUMNS = [
  'id',
  'case_id',
  'kind',
  'case_version',
  'due_at',
  'anchor_at',
  'officer_id',
  'state',
] as const satisfies ReadonlyArray<keyof DB['case_timers']>

/**
 * The deadline service's writes inside one transaction: its own (a timer
 * firing) or the inbound batch's, so a new case and its timers commit together.
 */
export function deadlineTx(trx: Kysely<DB>): DeadlineTx {
  const tx: DeadlineTx = {
    async lockCase(caseId) {
      return (await tx.lockCases([caseId]))[0] ?? null
    },

    async lockCases(caseIds) {
      if (caseIds.length === 0) return []
      const rows = await selectLockedCases(trx, caseIds)
        .select([
          'c.opened_at',
          'c.first_response_due_at',
          'c.escalation_level',
          'c.escalated_at',
          'c.awaiting_since',
          'c.resolved_at',
          'c.resolution_due_at',
          'c.rating_asked_at',
          'c.cancel_reason',
        ])
        .execute()
      return rows.map(
        (row): DeadlineCase => ({
          ...lockedCaseFields(row),
          openedAt: row.opened_at,
          firstResponseDueAt: row.first_response_due_at,
          escalationLevel: row.escalation_level,
          escalatedAt: row.escalated_at,
          awaitingSince: row.awaiting_since,
          resolvedAt: row.resolved_at,
          resolutionDueAt: row.resolution_due_at,
          ratingAskedAt: row.rating_asked_at,
          cancelReason: row.cancel_reason,
        }),
      )
    },

    async timersOf(caseId) {
      return (await tx.timersOfCases([caseId])).get(caseId) ?? []
    },

    async timersOfCases(caseIds) {
      const byCase = new Map<string, TimerRow[]>()
      if (caseIds.length === 0) return byCase
      const rows = await trx
        .selectFrom('case_timers')
        .select(TIMER_COLUMNS)
        .where(sql<boolean>`case_id = ANY(${caseIds}::text[])`)
        .orderBy('created_at')
        .execute()
      for (const row of rows) {
        const timer = toTimer(row)
        byCase.set(timer.caseId, [...(byCase.get(timer.caseId) ?? []), timer])
      }
      return byCase
    },

    async lastInboundAt(caseId) {
      const row = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.max('created_at').as('at'))
        .where('case_id', '=', caseId)
        .where('direction', '=', 'inbound')
        .executeTakeFirst()
      return row?.at ? new Date(row.at as Date | string) : null
    },

    async insertTimers(rows) {
      if (rows.length === 0) return new Set()
      // A cancelled timer of the same id is wanted again: it comes back rather than being lost.
      const { rows: stored } = await sql<{ id: string }>`
        INSERT INTO case_timers (id, case_id, kind, case_version, due_at, anchor_at, officer_id)
        SELECT * FROM unnest(${rows.map((t) => t.id)}::text[], ${rows.map((t) => t.caseId)}::text[],
                             ${rows.map((t) => t.kind)}::text[], ${rows.map((t) => t.caseVersion)}::int[],
                             ${rows.map((t) => t.dueAt.toISOString())}::timestamptz[],
                             ${rows.map((t) => t.anchorAt?.toISOString() ?? null)}::timestamptz[],
                             ${rows.map((t) => t.officerId)}::text[])
        ON CONFLICT (id) DO UPDATE
          SET state = 'scheduled', due_at = EXCLUDED.due_at, anchor_at = EXCLUDED.anchor_at,
              officer_id = EXCLUDED.officer_id, fired_at = NULL
          WHERE case_timers.state = 'cancelled'
        RETURNING id`.execute(trx)
      return new Set(stored.map((r) => r.id))
    },

    async cancelTimers(ids) {
      if (!ids.length) return
      await trx
        .updateTable('case_timers')
        .set({ state: 'cancelled' })
        .where('id', 'in', ids)
        .where('state', '=', 'scheduled')
        .execute()
    },

    async claimTimer(id, to, at) {
      const row = await trx
        .updateTable('case_timers')
        .set({ state: to, fired_at: to === 'fired' ? at : null })
        .where('id', '=', id)
        .where('state', '=', 'scheduled')
        .returning('id')
        .executeTakeFirst()
      return row !== undefined
    },

    async updateCase(caseId, change: DeadlineCaseChange, bumpVersion) {
      await trx
        .updateTable('cases')
        .set({
          ...(change.status !== undefined && { status: change.status }),
          ...(change.assigneeOfficerId !== undefined && {
            assignee_officer_id: change.assigneeOfficerId,
          }),
          ...(change.queue !== undefined && { queue: change.queue }),
          ...(change.firstResponseDueAt !== undefined && {
            first_response_due_at: change.firstResponseDueAt,
          }),
          ...(change.resolutionDueAt !== undefined && { resolution_due_at: change.resolutionDueAt }),
          ...(change.escalated !== undefined && { escalated: change.escalated }),
          ...(change.escalatedAt !== undefined && { escalated_at: change.escalatedAt }),
          ...(change.escalationLevel !== undefined && { escalation_level: change.escalationLevel }),
          ...(change.awaitingSince !== undefined && { awaiting_since: change.awaitingSince }),
          ...(change.resolvedAt !== undefined && { resolved_at: change.resolvedAt }),
          ...(change.closedAt !== undefined && { closed_at: change.closedAt }),
          ...(change.ratingAskedAt !== undefined && { rating_asked_at: change.ratingAskedAt }),
          ...(bumpVersion && { version: sql<number>`version + 1`, updated_at: new Date() }),
        })
        .where('id', '=', caseId)
        .execute()
    },

    insertMessage: (m) => insertCaseMessage(trx, m),

    addOfficerNotice: (draft) => insertOfficerNotice(trx, draft),

    async audit(entry) {
      await insertAudit(trx, {
        stationId: entry.stationId,
        actor: 'system',
        action: entry.action,
        subjectType: 'case',
        subjectId: entry.caseId,
        detail: entry.detail,
      })
    },
  }
  return tx
}
