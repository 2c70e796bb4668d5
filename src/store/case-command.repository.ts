import { sql } from 'kysely'
import type { CaseCommandStore, CaseTx, LockedCase } from '../app/cases/case-store.ts'
import { insertAudit } from './audit.repository.ts'
import { insertCaseMessage } from './case-messages.ts'
import type { Database } from './db.ts'
import { lockedCaseFields, selectLockedCases } from './locked-case.ts'
import { insertOfficerNotice } from './officer-notices.repository.ts'

/** The write side of the inbox: one transaction per command, the case row locked. */
export function createCaseCommandStore(db: Database): CaseCommandStore {
  return {
    transaction: (fn) =>
      db.transaction().execute(async (trx) => {
        const tx: CaseTx = {
          async lock(caseId) {
            const row = await selectLockedCases(trx, [caseId]).select('r.compound_id').executeTakeFirst()
            if (!row) return null
            const locked: LockedCase = { ...lockedCaseFields(row), compoundId: row.compound_id }
            return locked
          },

          async lastChange(caseId) {
            const row = await trx
              .selectFrom('audit_events as a')
              .leftJoin('officers as o', 'o.id', 'a.actor')
              .select(['o.name', 'a.action', 'a.at'])
              .where('a.subject_type', '=', 'case')
              .where('a.subject_id', '=', caseId)
              .where('a.action', '!=', 'resident.viewed')
              .orderBy('a.at', 'desc')
              .limit(1)
              .executeTakeFirst()
            return row ? { actorName: row.name, action: row.action, at: row.at } : null
          },

          async update(caseId, u) {
            const row = await trx
              .updateTable('cases')
              .set({
                ...(u.status !== undefined && { status: u.status }),
                ...(u.category !== undefined && { category: u.category }),
                ...(u.priority !== undefined && { priority: u.priority }),
                ...(u.assigneeOfficerId !== undefined && { assignee_officer_id: u.assigneeOfficerId }),
                ...(u.queue !== undefined && { queue: u.queue }),
                ...(u.firstRespondedAt !== undefined && { first_responded_at: u.firstRespondedAt }),
                ...(u.resolvedAt !== undefined && { resolved_at: u.resolvedAt }),
                ...(u.closedAt !== undefined && { closed_at: u.closedAt }),
                ...(u.escalated !== undefined && { escalated: u.escalated }),
                version: sql`version + 1`,
                updated_at: new Date(),
              })
              .where('id', '=', caseId)
              .returning('version')
              .executeTakeFirstOrThrow()
            return row.version
          },

          insertMessage: (m) => insertCaseMessage(trx, m),

          addOfficerNotice: (draft) => insertOfficerNotice(trx, draft),

          async audit(entry) {
            await insertAudit(trx, {
              stationId: entry.stationId,
              actor: entry.actor,
              action: entry.action,
              subjectType: 'case',
              subjectId: entry.caseId,
              detail: entry.detail,
            })
          },
        }
        return fn(tx)
      }),

    async failedMessage(messageId) {
      const row = await db
        .selectFrom('messages')
        .select(['id', 'case_id', 'account_id', 'delivery_state'])
        .where('id', '=', messageId)
        .where('direction', '=', 'outbound')
        .executeTakeFirst()
      return row
        ? { id: row.id, caseId: row.case_id, accountId: row.account_id, state: row.delivery_state }
        : null
    },

    async requeueMessage(messageId) {
      await db
        .updateTable('messages')
        .set({ delivery_state: 'queued', failure_reason: null })
        .where('id', '=', messageId)
        .execute()
    },
  }
}
