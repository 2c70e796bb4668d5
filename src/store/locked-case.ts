import { type InferResult, type Kysely, sql } from 'kysely'
import type { CaseCategory, CasePriority, CaseStatus, Language } from '../domain/types.ts'
import type { DB } from './schema.ts'

/** The columns of a case's own state that the commands on it read (alias `c`). */
export const CASE_STATE_COLUMNS = [
  'c.id',
  'c.number',
  'c.station_id',
  'c.resident_id',
  'c.status',
  'c.category',
  'c.priority',
  'c.assignee_officer_id',
  'c.beat_id',
  'c.queue',
  'c.first_responded_at',
  'c.version',
] as const

/** A case's state from a row holding `CASE_STATE_COLUMNS`. */
export function caseStateOf(row: {
  id: string
  number: string
  station_id: string
  resident_id: string
  status: string
  category: string
  priority: string
  assignee_officer_id: string | null
  beat_id: string | null
  queue: string
  first_responded_at: Date | null
  version: number
}) {
  return {
    id: row.id,
    number: row.number,
    stationId: row.station_id,
    residentId: row.resident_id,
    status: row.status as CaseStatus,
    category: row.category as CaseCategory,
    priority: row.priority as CasePriority,
    assigneeOfficerId: row.assignee_officer_id,
    beatId: row.beat_id,
    queue: row.queue,
    firstRespondedAt: row.first_responded_at,
    version: row.version,
  }
}

/**
 * Cases locked for a change (FOR UPDATE, in id order so two transactions never
 * wait on each other), with how to reach their resident. Callers add the
 * columns their own change needs.
 */
export function selectLockedCases(trx: Kysely<DB>, caseIds: string[]) {
  return trx
    .selectFrom('cases as c')
    .innerJoin('residents as r', 'r.id', 'c.resident_id')
    .innerJoin('channel_identities as ci', 'ci.id', 'c.identity_id')
    .select([...CASE_STATE_COLUMNS, 'c.identity_id', 'r.language', 'ci.channel', 'ci.account_id'])
    .where(sql<boolean>`c.id = ANY(${caseIds}::text[])`)
    .orderBy('c.id')
    .forUpdate('c')
}

type LockedCaseRow = InferResult<ReturnType<typeof selectLockedCases>>[number]

/** The fields every locked case has, from a row of `selectLockedCases`. */
export function lockedCaseFields(row: LockedCaseRow) {
  return {
    ...caseStateOf(row),
    identityId: row.identity_id,
    residentLanguage: row.language as Language,
    channel: row.channel,
    accountId: row.account_id,
  }
}
