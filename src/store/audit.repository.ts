import type { Kysely } from 'kysely'
import type { Database } from './db.ts'
import { newId } from './ids.ts'
import type { DB } from './schema.ts'

export interface AuditEntry {
  stationId: string | null
  /** An officer id, 'system' or 'cli'. */
  actor: string
  action: string
  subjectType: string
  subjectId: string
  detail?: unknown
  /** Defaults to the database's time. */
  at?: Date
}

/** Writes one audit entry, on the database or inside a caller's transaction. */
export async function insertAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
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
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute()
}

/** Who read or changed what: written for every view of a resident's record and every change to a case. */
export function createAuditLog(db: Database) {
  return {
    record: (entry: AuditEntry) => insertAudit(db, entry),
  }
}

export type AuditLog = ReturnType<typeof createAuditLog>
