import { type Kysely, sql } from 'kysely'
import type { ExceptionRecord, RosterStore, RosterTx } from '../app/roster.ts'
import type { CasePriority, CaseStatus, DutyExceptionKind } from '../domain/types.ts'
import { insertAudit } from './audit.repository.ts'
import { OPEN_STATUS_LITERALS } from './case-query.repository.ts'
import type { Database } from './db.ts'
import type { DB } from './schema.ts'

function exceptions(db: Kysely<DB>) {
  return db
    .selectFrom('duty_exceptions as e')
    .leftJoin('officers as o', 'o.id', 'e.created_by')
    .select([
      'e.id',
      'e.station_id',
      'e.officer_id',
      'e.kind',
      'e.on_duty',
      'e.starts_at',
      'e.ends_at',
      'e.note',
      'e.source',
      'e.created_by',
      'o.name as created_by_name',
    ])
}

type ExceptionRow = Awaited<ReturnType<ReturnType<typeof exceptions>['executeTakeFirstOrThrow']>>

function toRecord(row: ExceptionRow): ExceptionRecord {
  return {
    id: row.id,
    stationId: row.station_id,
    officerId: row.officer_id,
    kind: row.kind as DutyExceptionKind,
    onDuty: row.on_duty,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    note: row.note,
    source: row.source === 'file' ? 'file' : 'api',
    createdBy: row.created_by ? { id: row.created_by, name: row.created_by_name ?? row.created_by } : null,
  }
}

/** Duty rosters in the database: officers' weekly patterns and the exceptions to them. */
export function createDutyExceptions(db: Database): RosterStore {
  return {
    transaction: (fn) =>
      db.transaction().execute(async (trx) => {
        const tx: RosterTx = {
          async lockOfficer(officerId) {
            const row = await trx
              .selectFrom('officers')
              .select(['station_id', 'duty'])
              .where('id', '=', officerId)
              .forUpdate()
              .executeTakeFirst()
            return row ? { stationId: row.station_id, duty: row.duty } : null
          },

          async exceptionsOf(officerId, endingAfter) {
            const rows = await exceptions(trx)
              .where('e.officer_id', '=', officerId)
              .where('e.ends_at', '>', endingAfter)
              .orderBy('e.starts_at')
              .execute()
            return rows.map(toRecord)
          },

          async insertException(r) {
            await trx
              .insertInto('duty_exceptions')
              .values({
                id: r.id,
                station_id: r.stationId,
                officer_id: r.officerId,
                kind: r.kind,
                on_duty: r.onDuty,
                starts_at: r.startsAt,
                ends_at: r.endsAt,
                note: r.note,
                source: r.source,
                created_by: r.createdBy,
              })
              .execute()
          },

          async deleteException(id) {
            const result = await trx.deleteFrom('duty_exceptions').where('id', '=', id).executeTakeFirst()
            return Number(result.numDeletedRows) > 0
          },

          async setDuty(officerId, shifts) {
            await trx
              .updateTable('officers')
              .set({ duty: JSON.stringify(shifts), duty_source: 'api', updated_at: new Date() })
              .where('id', '=', officerId)
              .execute()
          },

          audit: (entry) =>
            insertAudit(trx, {
              stationId: entry.stationId,
              actor: entry.actor,
              action: entry.action,
              subjectType: 'officer',
              subjectId: entry.officerId,
              detail: entry.detail,
            }),
        }
        return fn(tx)
      }),

    async duties(stationId) {
      const rows = await db
        .selectFrom('officers')
        .select(['id', 'duty', 'duty_source'])
        .where('station_id', '=', stationId)
        .execute()
      return new Map(
        rows.map((r) => [r.id, { duty: r.duty, source: r.duty_source === 'api' ? 'api' : 'file' } as const]),
      )
    },

    async stationExceptions(stationId, endingAfter) {
      const rows = await exceptions(db)
        .where('e.station_id', '=', stationId)
        .where('e.ends_at', '>', endingAfter)
        .orderBy('e.starts_at')
        .orderBy('e.id')
        .execute()
      return rows.map(toRecord)
    },

    async findException(id) {
      const row = await exceptions(db).where('e.id', '=', id).executeTakeFirst()
      return row ? toRecord(row) : null
    },

    async openCasesOf(officerId) {
      const rows = await db
        .selectFrom('cases')
        .select(['id', 'number', 'version', 'beat_id', 'priority'])
        .where('assignee_officer_id', '=', officerId)
        .where('status', 'in', OPEN_STATUS_LITERALS)
        .orderBy('opened_at')
        .execute()
      return rows.map((r) => ({
        id: r.id,
        number: r.number,
        version: r.version,
        beatId: r.beat_id,
        priority: r.priority as CasePriority,
      }))
    },

    async caseState(caseId) {
      const row = await db
        .selectFrom('cases')
        .select(['status', 'assignee_officer_id', 'version'])
        .where('id', '=', caseId)
        .executeTakeFirst()
      return row
        ? {
            status: row.status as CaseStatus,
            assigneeOfficerId: row.assignee_officer_id,
            version: row.version,
          }
        : null
    },

    async openCaseCounts(officerIds) {
      const counts = new Map<string, number>()
      if (officerIds.length === 0) return counts
      const rows = await db
        .selectFrom('cases')
        .select(['assignee_officer_id', sql<number>`count(*)::int`.as('n')])
        .where('assignee_officer_id', 'in', officerIds)
        .where('status', 'in', OPEN_STATUS_LITERALS)
        .groupBy('assignee_officer_id')
        .execute()
      for (const row of rows) if (row.assignee_officer_id) counts.set(row.assignee_officer_id, row.n)
      return counts
    },
  }
}
