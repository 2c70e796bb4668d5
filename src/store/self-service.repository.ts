import { type Kysely, sql } from 'kysely'
import type { ChangedCase, OpenCaseStatus, Prompt, SelfServiceStore } from '../app/self-service.ts'
import { BROADCAST_CATEGORIES, type BroadcastCategory } from '../domain/broadcast-categories.ts'
import { OPEN_STATUSES } from '../domain/case-status.ts'
import type { CaseStatus } from '../domain/types.ts'
import { insertAudit } from './audit.repository.ts'
import { insertCaseMessage } from './case-messages.ts'
import { OPEN_STATUS_LITERALS } from './case-query.repository.ts'
import { newId } from './ids.ts'
import type { DB } from './schema.ts'

/** Resident commands change things on the resident's own behalf. */
const RESIDENT_ACTOR = 'resident'

const CHANGED_COLUMNS = ['id', 'number', 'station_id', 'queue', 'assignee_officer_id', 'beat_id'] as const

function changedCase(row: {
  id: string
  number: string
  station_id: string
  queue: string
  assignee_officer_id: string | null
  beat_id: string | null
}): ChangedCase {
  return {
    id: row.id,
    number: row.number,
    stationId: row.station_id,
    queue: row.queue,
    assigneeOfficerId: row.assignee_officer_id,
    beatId: row.beat_id,
  }
}

/**
 * The self-service port over a database or an open transaction (Kysely's
 * Transaction is a Kysely), so a command commits together with the message
 * that carried it.
 */
export function selfServiceStore(trx: Kysely<DB>): SelfServiceStore {
  return {
    async openCases(residentId) {
      const rows = await trx
        .selectFrom('cases as c')
        .innerJoin('stations as s', 's.id', 'c.station_id')
        .leftJoin('officers as o', 'o.id', 'c.assignee_officer_id')
        .select([
          'c.id',
          'c.number',
          'c.status',
          'c.awaiting_address',
          'o.name as officer_name',
          'o.name_en as officer_name_en',
          's.desk_name',
          's.desk_name_en',
          's.time_zone',
          sql<Date>`GREATEST(c.updated_at, c.last_message_at)`.as('last_update'),
        ])
        .where('c.resident_id', '=', residentId)
        .where('c.status', 'in', OPEN_STATUS_LITERALS)
        .orderBy('c.opened_at', 'desc')
        .execute()
      return rows.map(
        (r): OpenCaseStatus => ({
          id: r.id,
          number: r.number,
          status: r.status as CaseStatus,
          awaitingAddress: r.awaiting_address,
          officerName: r.officer_name,
          officerNameEn: r.officer_name_en,
          deskName: r.desk_name,
          deskNameEn: r.desk_name_en,
          timeZone: r.time_zone,
          lastUpdate: new Date(r.last_update),
        }),
      )
    },

    async pendingRating(residentId) {
      const row = await trx
        .selectFrom('cases as c')
        .select(['c.id', 'c.number'])
        .where('c.resident_id', '=', residentId)
        .where('c.status', '=', 'resolved')
        .where('c.rating_asked_at', 'is not', null)
        .where('c.satisfaction', 'is', null)
        // A conversation going on with an officer gives a bare number another meaning.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('cases as o')
                .select('o.id')
                .whereRef('o.resident_id', '=', 'c.resident_id')
                .where('o.status', 'in', OPEN_STATUS_LITERALS),
            ),
          ),
        )
        .orderBy('c.rating_asked_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row ? { caseId: row.id, number: row.number } : null
    },

    async rate({ caseId, score, at }) {
      const row = await trx
        .updateTable('cases')
        .set({ satisfaction: score, rated_at: at, version: sql`version + 1`, updated_at: at })
        .where('id', '=', caseId)
        .where('satisfaction', 'is', null)
        .returning(CHANGED_COLUMNS)
        .executeTakeFirst()
      if (!row) return null
      await insertAudit(trx, {
        stationId: row.station_id,
        actor: RESIDENT_ACTOR,
        action: 'case.rated',
        subjectType: 'case',
        subjectId: caseId,
        detail: { score },
        at,
      })
      return changedCase(row)
    },

    async optOuts(residentId) {
      const rows = await trx
        .selectFrom('resident_opt_outs')
        .select('category')
        .where('resident_id', '=', residentId)
        .execute()
      const off = new Set(rows.map((r) => r.category))
      return BROADCAST_CATEGORIES.filter((c) => off.has(c))
    },

    async optOut({ residentId, stationId, categories }) {
      if (categories.length === 0) return
      await trx
        .insertInto('resident_opt_outs')
        .values(categories.map((category) => ({ resident_id: residentId, category })))
        .onConflict((oc) => oc.columns(['resident_id', 'category']).doNothing())
        .execute()
      await auditPreference(trx, 'resident.unsubscribed', residentId, stationId, categories)
    },

    async optIn({ residentId, stationId, categories }) {
      if (categories.length === 0) return
      await trx
        .deleteFrom('resident_opt_outs')
        .where('resident_id', '=', residentId)
        .where('category', 'in', [...categories])
        .execute()
      await auditPreference(trx, 'resident.subscribed', residentId, stationId, categories)
    },

    async pendingPrompt(residentId, { currentMessageId, since }) {
      const row = await trx
        .selectFrom('resident_prompts as p')
        .leftJoin('cases as c', 'c.id', 'p.case_id')
        .select(['p.kind', 'p.case_id', 'p.reason', 'c.number'])
        .where('p.resident_id', '=', residentId)
        .where('p.asked_at', '>', since)
        // Anything said since the question (by either side, our answer to it aside) moves the conversation on.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('messages as m')
                .select('m.id')
                .whereRef('m.resident_id', '=', 'p.resident_id')
                .whereRef('m.created_at', '>', 'p.asked_at')
                .where('m.direction', 'in', ['inbound', 'outbound'])
                .where('m.id', '!=', currentMessageId)
                .whereRef('m.id', '!=', 'p.message_id')
                .where((eb) =>
                  eb.or([eb('m.in_reply_to', 'is', null), eb('m.in_reply_to', '!=', eb.ref('p.message_id'))]),
                ),
            ),
          ),
        )
        .executeTakeFirst()
      if (!row) return null
      if (row.kind === 'menu') return { kind: 'menu' }
      if (row.kind === 'withdraw' && row.case_id && row.number) {
        const prompt: Prompt = {
          kind: 'withdraw',
          caseId: row.case_id,
          caseNumber: row.number,
          reason: row.reason,
        }
        return prompt
      }
      return null
    },

    async savePrompt(residentId, prompt) {
      const values = {
        kind: prompt.kind,
        case_id: prompt.kind === 'withdraw' ? prompt.caseId : null,
        reason: prompt.kind === 'withdraw' ? prompt.reason : null,
        message_id: prompt.messageId,
        asked_at: prompt.askedAt,
      }
      await trx
        .insertInto('resident_prompts')
        .values({ resident_id: residentId, ...values })
        .onConflict((oc) => oc.column('resident_id').doUpdateSet(values))
        .execute()
    },

    async clearPrompt(residentId) {
      await trx.deleteFrom('resident_prompts').where('resident_id', '=', residentId).execute()
    },

    async withdraw({ caseId, residentId, reason, note, at }) {
      const current = await trx
        .selectFrom('cases as c')
        .innerJoin('channel_identities as i', 'i.id', 'c.identity_id')
        .select(['c.status', 'c.identity_id', 'i.channel', 'i.account_id'])
        .where('c.id', '=', caseId)
        .where('c.resident_id', '=', residentId)
        .forUpdate()
        .executeTakeFirst()
      if (!current || !(OPEN_STATUSES as readonly string[]).includes(current.status)) return null
      const row = await trx
        .updateTable('cases')
        .set({
          status: 'closed',
          closed_at: at,
          cancel_reason: reason,
          version: sql`version + 1`,
          updated_at: at,
        })
        .where('id', '=', caseId)
        .returning(CHANGED_COLUMNS)
        .executeTakeFirstOrThrow()
      // Nothing is due on a withdrawn case: its reminders and escalations must not act.
      await trx
        .updateTable('case_timers')
        .set({ state: 'cancelled' })
        .where('case_id', '=', caseId)
        .where('state', '=', 'scheduled')
        .execute()
      await insertCaseMessage(trx, {
        id: newId(),
        caseId,
        residentId,
        identityId: current.identity_id,
        direction: 'system',
        channel: current.channel,
        accountId: current.account_id,
        text: note,
        createdAt: at,
      })
      await insertAudit(trx, {
        stationId: row.station_id,
        actor: RESIDENT_ACTOR,
        action: 'case.withdrawn',
        subjectType: 'case',
        subjectId: caseId,
        detail: { from: current.status },
        at,
      })
      return changedCase(row)
    },
  }
}

async function auditPreference(
  trx: Kysely<DB>,
  action: string,
  residentId: string,
  stationId: string,
  categories: readonly BroadcastCategory[],
): Promise<void> {
  await insertAudit(trx, {
    stationId,
    actor: RESIDENT_ACTOR,
    action,
    subjectType: 'resident',
    subjectId: residentId,
    detail: { categories },
  })
}
