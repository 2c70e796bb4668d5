import { type Kysely, sql } from 'kysely'
import type {
  HomeWatchCheckRow,
  LockedRequest,
  RequestState,
  RequestStore,
  RequestTx,
} from '../app/forms/request-store.ts'
import type { CheckResult } from '../domain/forms/home-watch-texts.ts'
import type { CaseCategory, CasePriority, CaseStatus, Language } from '../domain/types.ts'
import { insertAudit } from './audit.repository.ts'
import { insertCaseMessage } from './case-messages.ts'
import { OPEN_STATUS_LITERALS } from './case-query.repository.ts'
import type { Database } from './db.ts'
import { insertOfficerNotice } from './officer-notices.repository.ts'
import { pendingSendsOfCase } from './pending-sends.ts'
import type { DB } from './schema.ts'
import { cancelTimers, claimTimer, findTimer, insertTimers, timerRow } from './service-request-timers.ts'

/** Service requests, home-watch checks and their timers (migration 012). */
export function createRequestStore(db: Database): RequestStore {
  return {
    transaction: (fn) => db.transaction().execute((trx) => fn(requestTx(trx))),

    timer: async (id) => await findTimer(db, id),

    async scheduledDueBefore(at, limit) {
      const rows = await db
        .selectFrom('service_request_timers')
        .selectAll()
        .where('state', '=', 'scheduled')
        .where('due_at', '<', at)
        .orderBy('due_at')
        .limit(limit)
        .execute()
      return rows.map(timerRow)
    },

    async requestOfCase(caseId) {
      const request = await readRequest(db, 'case', caseId, false)
      if (!request) return null
      return { request, checks: await readChecks(db, request.id) }
    },

    async pendingSends(requestId) {
      const request = await db
        .selectFrom('service_requests')
        .select('case_id')
        .where('id', '=', requestId)
        .executeTakeFirst()
      return request ? pendingSendsOfCase(db, request.case_id) : { messages: [], notices: [] }
    },
  }
}

/** The generic request operations inside a transaction (request kinds with tables of their own build on it). */
export function requestTx(trx: Kysely<DB>): RequestTx {
  return {
    handle: () => trx,

    async lockResident(residentId, identityId) {
      const row = await trx
        .selectFrom('residents as r')
        .innerJoin('channel_identities as ci', 'ci.resident_id', 'r.id')
        .select([
          'r.id',
          'ci.id as identity_id',
          'ci.channel',
          'ci.account_id',
          'r.language',
          'r.beat_id',
          'r.compound_id',
        ])
        .where('r.id', '=', residentId)
        .where('ci.id', '=', identityId)
        .forUpdate('r')
        .executeTakeFirst()
      if (!row) return null
      return {
        residentId: row.id,
        identityId: row.identity_id,
        channel: row.channel,
        accountId: row.account_id,
        language: row.language as Language,
        beatId: row.beat_id,
        compoundId: row.compound_id,
      }
    },

    async requestBySubmission(submissionId) {
      const row = await trx
        .selectFrom('service_requests as sr')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .select(['sr.id', 'sr.case_id', 'c.number'])
        .where('sr.submission_id', '=', submissionId)
        .executeTakeFirst()
      return row ? { requestId: row.id, caseId: row.case_id, caseNumber: row.number } : null
    },

    async openCaseCounts(officerIds) {
      const rows = await trx
        .selectFrom('cases')
        .select(['assignee_officer_id', sql<number>`count(*)::int`.as('n')])
        .where('assignee_officer_id', 'in', officerIds)
        .where('status', 'in', OPEN_STATUS_LITERALS)
        .groupBy('assignee_officer_id')
        .execute()
      return new Map(rows.flatMap((r) => (r.assignee_officer_id ? [[r.assignee_officer_id, r.n]] : [])))
    },

    async insertCase(c) {
      await trx
        .insertInto('cases')
        .values({
          id: c.id,
          number: c.number,
          station_id: c.stationId,
          resident_id: c.residentId,
          identity_id: c.identityId,
          beat_id: c.beatId,
          category: c.category,
          priority: c.priority,
          status: c.status,
          assignee_officer_id: c.assigneeOfficerId,
          queue: c.queue,
          awaiting_address: c.awaitingAddress,
          address_attempts: c.addressAttempts,
          first_response_due_at: c.firstResponseDueAt,
          opened_at: c.openedAt,
          last_message_at: c.lastMessageAt,
        })
        .execute()
    },

    async insertRequest(r) {
      await trx
        .insertInto('service_requests')
        .values({
          id: r.id,
          kind: r.kind,
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

    async bindAddress(residentId, compoundId, beatId) {
      await trx
        .updateTable('residents')
        .set({ compound_id: compoundId, beat_id: beatId, updated_at: new Date() })
        .where('id', '=', residentId)
        .where('compound_id', 'is', null)
        .execute()
    },

    insertMessage: (m) => insertCaseMessage(trx, m),

    addOfficerNotice: (draft) => insertOfficerNotice(trx, draft),

    async audit(entry) {
      await insertAudit(trx, entry)
    },

    lockRequestOfCase: (caseId) => readRequest(trx, 'case', caseId, true),
    lockRequest: (requestId) => readRequest(trx, 'request', requestId, true),

    async updateRequest(requestId, change) {
      await trx
        .updateTable('service_requests')
        .set({
          ...(change.answers !== undefined && { answers: JSON.stringify(change.answers) }),
          ...(change.state !== undefined && { state: change.state }),
          ...(change.endedAt !== undefined && { ended_at: change.endedAt }),
          ...(change.endReason !== undefined && { end_reason: change.endReason }),
          updated_at: new Date(),
        })
        .where('id', '=', requestId)
        .execute()
    },

    async updateCase(caseId, change, bumpVersion) {
      await trx
        .updateTable('cases')
        .set({
          ...(change.status !== undefined && { status: change.status }),
          ...(change.resolvedAt !== undefined && { resolved_at: change.resolvedAt }),
          ...(change.firstRespondedAt !== undefined && { first_responded_at: change.firstRespondedAt }),
          ...(change.escalated !== undefined && { escalated: change.escalated }),
          ...(change.escalatedAt !== undefined && { escalated_at: change.escalatedAt }),
          ...(change.lastMessageAt !== undefined && { last_message_at: change.lastMessageAt }),
          ...(bumpVersion ? { version: sql`version + 1` } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', caseId)
        .execute()
    },

    checksOf: (requestId) => readChecks(trx, requestId),

    async insertCheck(c) {
      await trx
        .insertInto('home_watch_checks')
        .values({
          id: c.id,
          request_id: c.requestId,
          officer_id: c.officerId,
          checked_at: c.checkedAt,
          day: c.day,
          result: c.result,
          note: c.note,
          photo_ref: c.photoRef,
          photo_attachment_id: c.photoId ?? null,
          message_id: c.messageId,
        })
        .execute()
    },

    insertTimers: (rows) => insertTimers(trx, rows),

    cancelTimers: (requestId, ids) => cancelTimers(trx, requestId, ids),

    async timersOf(requestId) {
      const rows = await trx
        .selectFrom('service_request_timers')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('due_at')
        .execute()
      return rows.map(timerRow)
    },

    claimTimer: (id, to, at) => claimTimer(trx, id, to, at),
  }
}

async function readRequest(
  db: Kysely<DB>,
  by: 'case' | 'request',
  id: string,
  lock: boolean,
): Promise<LockedRequest | null> {
  let query = db
    .selectFrom('service_requests as sr')
    .innerJoin('cases as c', 'c.id', 'sr.case_id')
    .innerJoin('residents as r', 'r.id', 'c.resident_id')
    .innerJoin('channel_identities as ci', 'ci.id', 'c.identity_id')
    .select([
      'sr.id',
      'sr.kind',
      'sr.station_id',
      'sr.answers',
      'sr.state',
      'sr.created_at',
      'sr.ended_at',
      'c.id as case_id',
      'c.number',
      'c.status',
      'c.category',
      'c.priority',
      'c.assignee_officer_id',
      'c.beat_id',
      'c.queue',
      'c.first_responded_at',
      'c.resident_id',
      'c.identity_id',
      'r.language',
      'r.compound_id',
      'ci.channel',
      'ci.account_id',
    ])
    .where(by === 'case' ? 'sr.case_id' : 'sr.id', '=', id)
  if (lock) query = query.forUpdate(['sr', 'c'])
  const row = await query.executeTakeFirst()
  if (!row) return null
  return {
    id: row.id,
    kind: row.kind,
    stationId: row.station_id,
    answers: row.answers,
    state: row.state as RequestState,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    case: {
      id: row.case_id,
      number: row.number,
      status: row.status as CaseStatus,
      category: row.category as CaseCategory,
      priority: row.priority as CasePriority,
      assigneeOfficerId: row.assignee_officer_id,
      beatId: row.beat_id,
      queue: row.queue,
      firstRespondedAt: row.first_responded_at,
      residentId: row.resident_id,
      identityId: row.identity_id,
      residentLanguage: row.language as Language,
      compoundId: row.compound_id,
      channel: row.channel,
      accountId: row.account_id,
    },
  }
}

async function readChecks(db: Kysely<DB>, requestId: string): Promise<HomeWatchCheckRow[]> {
  const rows = await db
    .selectFrom('home_watch_checks')
    .select([
      'id',
      'request_id',
      'officer_id',
      'checked_at',
      'day',
      'result',
      'note',
      'photo_ref',
      'photo_attachment_id',
    ])
    .where('request_id', '=', requestId)
    .orderBy('checked_at')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    officerId: r.officer_id,
    checkedAt: r.checked_at,
    day: r.day,
    result: r.result as CheckResult,
    note: r.note,
    photoRef: r.photo_ref,
    photoId: r.photo_attachment_id,
  }))
}
