import { type Kysely, sql } from 'kysely'
import type {
  LockedMediation,
  MediationRow,
  MediationStore,
  MediationTimerRow,
  MediationTx,
  PartyContact,
  PartyRow,
  SessionRow,
} from '../app/forms/mediation-store.ts'
import type { FollowUpResult, MediationState, NextStep, PartyRole } from '../domain/forms/mediation.ts'
import type { Language } from '../domain/types.ts'
import { insertAudit } from './audit.repository.ts'
import { insertCaseMessage } from './case-messages.ts'
import type { Database } from './db.ts'
import { CASE_STATE_COLUMNS, caseStateOf } from './locked-case.ts'
import { insertOfficerNotice } from './officer-notices.repository.ts'
import { pendingSendsOfCase } from './pending-sends.ts'
import type { DB } from './schema.ts'
import { cancelTimers, claimTimer, findTimer, insertTimers } from './service-request-timers.ts'

/** Mediations, their parties and sessions (migration 015); timers are service_request_timers rows. */
export function createMediationStore(db: Database): MediationStore {
  return {
    transaction: (fn) => db.transaction().execute((trx) => fn(mediationTx(trx))),

    // The handle is the Kysely transaction service-requests.repository.ts opened.
    within: (handle) => mediationTx(handle as Kysely<DB>),

    timer: async (id) => (await findTimer(db, id)) as MediationTimerRow | null,

    async read(caseId) {
      const locked = await readMediation(db, 'case', caseId, false)
      if (!locked) return null
      const id = locked.mediation.requestId
      const parties = await readParties(db, id)
      const linked = parties.flatMap((p) => (p.residentId ? [p.residentId] : []))
      const contacts = await mediationTx(db).contacts(linked)
      return { locked, parties, sessions: await readSessions(db, id), reachable: new Set(contacts.keys()) }
    },

    async pendingSends(requestId) {
      const row = await db
        .selectFrom('mediations')
        .select('case_id')
        .where('request_id', '=', requestId)
        .executeTakeFirst()
      return row ? pendingSendsOfCase(db, row.case_id) : { messages: [], notices: [] }
    },
  }
}

function mediationTx(trx: Kysely<DB>): MediationTx {
  return {
    async lockCase(caseId) {
      const row = await trx
        .selectFrom('cases as c')
        .leftJoin('service_requests as sr', 'sr.case_id', 'c.id')
        .select([...CASE_STATE_COLUMNS, 'sr.id as request_id'])
        .where('c.id', '=', caseId)
        .forUpdate('c')
        .executeTakeFirst()
      return row ? { ...caseStateOf(row), hasRequest: row.request_id !== null } : null
    },

    async insertRequest(r) {
      await trx
        .insertInto('service_requests')
        .values({
          id: r.id,
          kind: 'mediation',
          station_id: r.stationId,
          resident_id: r.residentId,
          case_id: r.caseId,
          answers: JSON.stringify(r.answers),
          submission_id: r.submissionId,
          created_at: r.createdAt,
          updated_at: r.createdAt,
        })
        .execute()
    },

    async insertMediation(m) {
      await trx
        .insertInto('mediations')
        .values({
          request_id: m.requestId,
          station_id: m.stationId,
          case_id: m.caseId,
          subject: m.subject,
          preferred_times: m.preferredTimes,
          source: m.source,
          mediator_officer_id: m.mediatorOfficerId,
          mediator_team: m.mediatorTeam,
          opened_at: m.openedAt,
          updated_at: m.openedAt,
        })
        .execute()
    },

    lockMediationOfCase: (caseId) => readMediation(trx, 'case', caseId, true),
    lockMediation: (requestId) => readMediation(trx, 'request', requestId, true),

    async updateMediation(requestId, c) {
      await trx
        .updateTable('mediations')
        .set({
          ...(c.mediatorOfficerId !== undefined && { mediator_officer_id: c.mediatorOfficerId }),
          ...(c.mediatorTeam !== undefined && { mediator_team: c.mediatorTeam }),
          ...(c.state !== undefined && { state: c.state }),
          ...(c.concludedAt !== undefined && { concluded_at: c.concludedAt }),
          ...(c.concludedBy !== undefined && { concluded_by: c.concludedBy }),
          ...(c.agreementTerms !== undefined && { agreement_terms: c.agreementTerms }),
          ...(c.nextStep !== undefined && { next_step: c.nextStep }),
          ...(c.outcomeNote !== undefined && { outcome_note: c.outcomeNote }),
          ...(c.followUpDueAt !== undefined && { follow_up_due_at: c.followUpDueAt }),
          ...(c.followUpAt !== undefined && { follow_up_at: c.followUpAt }),
          ...(c.followUpBy !== undefined && { follow_up_by: c.followUpBy }),
          ...(c.followUpResult !== undefined && { follow_up_result: c.followUpResult }),
          ...(c.followUpNote !== undefined && { follow_up_note: c.followUpNote }),
          updated_at: new Date(),
        })
        .where('request_id', '=', requestId)
        .execute()
    },

    async endRequest(requestId, at, reason) {
      await trx
        .updateTable('service_requests')
        .set({ state: 'ended', ended_at: at, end_reason: reason, updated_at: new Date() })
        .where('id', '=', requestId)
        .where('state', '=', 'active')
        .execute()
    },

    parties: (requestId) => readParties(trx, requestId),

    async insertParty(p) {
      await trx
        .insertInto('mediation_parties')
        .values({
          id: p.id,
          request_id: p.requestId,
          resident_id: p.residentId,
          name: p.name,
          phone: p.phone,
          role: p.role,
          created_at: p.createdAt,
        })
        .execute()
    },

    async deleteParty(requestId, partyId) {
      const rows = await trx
        .deleteFrom('mediation_parties')
        .where('request_id', '=', requestId)
        .where('id', '=', partyId)
        .returning('id')
        .execute()
      return rows.length > 0
    },

    async residentOfStation(stationId, by) {
      let query = trx
        .selectFrom('residents as r')
        .select(['r.id', 'r.code', 'r.display_name'])
        .where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('cases as c')
                .select('c.id')
                .whereRef('c.resident_id', '=', 'r.id')
                .where('c.station_id', '=', stationId),
            ),
            eb.exists(
              eb
                .selectFrom('beats as b')
                .select('b.id')
                .whereRef('b.id', '=', 'r.beat_id')
                .where('b.station_id', '=', stationId),
            ),
          ]),
        )
      if (by.residentId !== undefined) query = query.where('r.id', '=', by.residentId)
      if (by.code !== undefined) query = query.where('r.code', '=', by.code)
      const row = await query.executeTakeFirst()
      return row ? { residentId: row.id, code: row.code, name: row.display_name } : null
    },

    async contacts(residentIds) {
      const out = new Map<string, PartyContact>()
      if (residentIds.length === 0) return out
      // Never a group: a reminder names the case, and a compound group is not the party's own chat.
      const rows = await trx
        .selectFrom('channel_identities as ci')
        .innerJoin('residents as r', 'r.id', 'ci.resident_id')
        .distinctOn('ci.resident_id')
        .select(['ci.resident_id', 'ci.id', 'ci.channel', 'ci.account_id', 'r.language'])
        .where('ci.resident_id', 'in', residentIds)
        .where('ci.group_ref', 'is', null)
        .orderBy('ci.resident_id')
        .orderBy('ci.last_seen_at', 'desc')
        .orderBy('ci.id')
        .execute()
      for (const r of rows) {
        out.set(r.resident_id, {
          residentId: r.resident_id,
          identityId: r.id,
          channel: r.channel,
          accountId: r.account_id,
          language: r.language as Language,
        })
      }
      return out
    },

    sessions: (requestId) => readSessions(trx, requestId),

    async insertSession(s) {
      await trx
        .insertInto('mediation_sessions')
        .values({
          id: s.id,
          request_id: s.requestId,
          starts_at: s.startsAt,
          place: s.place,
          note: s.note,
          created_by: s.createdBy,
          created_at: s.createdAt,
        })
        .execute()
    },

    async cancelSession(sessionId, at, reason) {
      const row = await trx
        .updateTable('mediation_sessions')
        .set({ state: 'cancelled', cancelled_at: at, cancel_reason: reason })
        .where('id', '=', sessionId)
        .where('state', '=', 'scheduled')
        .returning('id')
        .executeTakeFirst()
      return row !== undefined
    },

    insertMessage: (m) => insertCaseMessage(trx, m),

    addOfficerNotice: (draft) => insertOfficerNotice(trx, draft),

    async audit(entry) {
      await insertAudit(trx, entry)
    },

    async updateCase(caseId, change, bumpVersion) {
      await trx
        .updateTable('cases')
        .set({
          ...(change.status !== undefined && { status: change.status }),
          ...(change.resolvedAt !== undefined && { resolved_at: change.resolvedAt }),
          ...(change.firstRespondedAt !== undefined && { first_responded_at: change.firstRespondedAt }),
          ...(bumpVersion ? { version: sql`version + 1` } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', caseId)
        .execute()
    },

    insertTimers: (rows) => insertTimers(trx, rows),

    cancelTimers: (requestId, ids) => cancelTimers(trx, requestId, ids),

    claimTimer: (id, to, at) => claimTimer(trx, id, to, at),
  }
}

async function readMediation(
  db: Kysely<DB>,
  by: 'case' | 'request',
  id: string,
  lock: boolean,
): Promise<LockedMediation | null> {
  let query = db
    .selectFrom('mediations as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .select([
      ...CASE_STATE_COLUMNS,
      'm.request_id',
      'm.station_id as m_station_id',
      'm.subject',
      'm.preferred_times',
      'm.source',
      'm.mediator_officer_id',
      'm.mediator_team',
      'm.state',
      'm.opened_at',
      'm.concluded_at',
      'm.concluded_by',
      'm.agreement_terms',
      'm.next_step',
      'm.outcome_note',
      'm.follow_up_due_at',
      'm.follow_up_at',
      'm.follow_up_by',
      'm.follow_up_result',
      'm.follow_up_note',
    ])
    .where(by === 'case' ? 'm.case_id' : 'm.request_id', '=', id)
  if (lock) query = query.forUpdate(['m', 'c'])
  const row = await query.executeTakeFirst()
  if (!row) return null
  const mediation: MediationRow = {
    requestId: row.request_id,
    stationId: row.m_station_id,
    caseId: row.id,
    subject: row.subject,
    preferredTimes: row.preferred_times,
    source: row.source as MediationRow['source'],
    mediatorOfficerId: row.mediator_officer_id,
    mediatorTeam: row.mediator_team,
    state: row.state as MediationState,
    openedAt: row.opened_at,
    concludedAt: row.concluded_at,
    concludedBy: row.concluded_by,
    agreementTerms: row.agreement_terms,
    nextStep: row.next_step as NextStep | null,
    outcomeNote: row.outcome_note,
    followUpDueAt: row.follow_up_due_at,
    followUpAt: row.follow_up_at,
    followUpBy: row.follow_up_by,
    followUpResult: row.follow_up_result as FollowUpResult | null,
    followUpNote: row.follow_up_note,
  }
  return { mediation, case: caseStateOf(row) }
}

async function readParties(db: Kysely<DB>, requestId: string): Promise<PartyRow[]> {
  const rows = await db
    .selectFrom('mediation_parties as p')
    .leftJoin('residents as r', 'r.id', 'p.resident_id')
    .select([
      'p.id',
      'p.request_id',
      'p.resident_id',
      'r.code',
      'p.name',
      'p.phone',
      'p.role',
      'p.created_at',
    ])
    .where('p.request_id', '=', requestId)
    .orderBy('p.seq')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    residentId: r.resident_id,
    residentCode: r.code,
    name: r.name,
    phone: r.phone,
    role: r.role as PartyRole,
    createdAt: r.created_at,
  }))
}

async function readSessions(db: Kysely<DB>, requestId: string): Promise<SessionRow[]> {
  const rows = await db
    .selectFrom('mediation_sessions')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('starts_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    startsAt: r.starts_at,
    place: r.place,
    note: r.note,
    state: r.state as SessionRow['state'],
    cancelReason: r.cancel_reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }))
}
