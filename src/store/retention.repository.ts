import { sql } from 'kysely'
import type { RetentionStore } from '../app/retention.ts'
import { insertAudit } from './audit.repository.ts'
import type { Database } from './db.ts'

const RENTAL = 'rental-registration'

/** The retention rule's SQL: each call one batch, in one transaction. */
export function createRetentionStore(db: Database): RetentionStore {
  return {
    async cancelAbandoned(cutoff, now, limit) {
      return db.transaction().execute(async (trx) => {
        const rows = await sql<{ id: string; station_id: string }>`
          UPDATE service_requests sr
             SET state = 'cancelled', ended_at = c.closed_at, updated_at = ${now.toISOString()}::timestamptz,
                 end_reason = 'case closed before verification'
            FROM cases c
           WHERE sr.id IN (
                   SELECT s.id FROM service_requests s
                     JOIN cases k ON k.id = s.case_id
                    WHERE s.kind = ${RENTAL} AND s.state = 'active'
                      AND k.status = 'closed' AND k.closed_at < ${cutoff.toISOString()}::timestamptz
                      AND NOT EXISTS (SELECT 1 FROM rental_registrations rr
                                       WHERE rr.request_id = s.id AND rr.review = 'verified')
                    ORDER BY s.id LIMIT ${limit}::int
                    FOR UPDATE OF s SKIP LOCKED)
             AND c.id = sr.case_id
       RETURNING sr.id, sr.station_id`.execute(trx)
        for (const row of rows.rows) {
          await trx
            .updateTable('service_request_timers')
            .set({ state: 'cancelled' })
            .where('request_id', '=', row.id)
            .where('state', '=', 'scheduled')
            .execute()
          await insertAudit(trx, {
            stationId: row.station_id,
            actor: 'system',
            action: 'rental.stopped',
            subjectType: 'service_request',
            subjectId: row.id,
            detail: { reason: 'case closed before verification' },
          })
        }
        return rows.rows.length
      })
    },

    async purgeDocuments(cutoff, now, actor, limit) {
      return db.transaction().execute(async (trx) => {
        const rows = await sql<{ id: string; station_id: string }>`
          UPDATE service_requests
             SET answers = jsonb_set(answers, '{tenantId,sealed}', 'null'::jsonb), updated_at = ${now.toISOString()}::timestamptz
           WHERE id IN (
                   SELECT id FROM service_requests
                    WHERE kind = ${RENTAL} AND state IN ('ended', 'cancelled') AND ended_at < ${cutoff.toISOString()}::timestamptz
                      AND (answers -> 'tenantId' ->> 'sealed') IS NOT NULL
                    ORDER BY ended_at LIMIT ${limit}::int
                    FOR UPDATE SKIP LOCKED)
       RETURNING id, station_id`.execute(trx)
        for (const row of rows.rows) {
          await insertAudit(trx, {
            stationId: row.station_id,
            actor,
            action: 'personal_data.purged',
            subjectType: 'service_request',
            subjectId: row.id,
            detail: { field: 'tenantId', cutoff: cutoff.toISOString() },
          })
        }
        return rows.rows.length
      })
    },
  }
}
