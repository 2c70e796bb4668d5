import { sql } from 'kysely'
import type { FormSubmissionStore, PendingSubmission } from '../app/forms/form-submissions.ts'
import type { Database } from './db.ts'

/** Confirmed forms not yet made requests (see migration 018). */
export function createFormSubmissionStore(db: Database): FormSubmissionStore {
  return {
    async olderThan(at, limit) {
      const { rows } = await sql<{
        id: string
        station_id: string
        resident_id: string
        identity_id: string
        sealed: string
        created_at: Date | string
      }>`SELECT id, station_id, resident_id, identity_id, sealed, created_at FROM form_submissions
          WHERE created_at <= ${at.toISOString()}::timestamptz ORDER BY created_at LIMIT ${limit}`.execute(db)
      return rows.map(
        (r): PendingSubmission => ({
          id: r.id,
          stationId: r.station_id,
          residentId: r.resident_id,
          identityId: r.identity_id,
          sealed: r.sealed,
          keptAt: new Date(r.created_at),
        }),
      )
    },
    async remove(id) {
      await sql`DELETE FROM form_submissions WHERE id = ${id}`.execute(db)
    },
  }
}
