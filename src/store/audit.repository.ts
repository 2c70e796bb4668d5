import type { Database } from './db.ts'
import { newId } from './ids.ts'

export interface AuditEntry {
  stationId: string | null
  /** An officer id, or 'system'. */
  actor: string
  action: string
  subjectType: string
  subjectId: string
  detail?: unknown
}

/** Who read or changed what: written for every view of a resident's record and every change to a case. */
export function createAuditLog(db: Database) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      await db
        .insertInto('audit_events')
        .values({
          id: newId(),
          station_id: entry.stationId,
          actor: entry.actor,
          action: entry.action,
          subject_type: entry.subjectType,
          subject_id: entry.subjectId,
          detail: JSON.stringify(entry.detail ?? null),
        })
        .execute()
    },
  }
}

export type AuditLog = ReturnType<typeof createAuditLog>
