import { type Kysely, sql } from 'kysely'
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

/** Several entries in one statement (the text is the same whatever their number, so one plan serves). */
export async function insertAudits(db: Kysely<DB>, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await sql`INSERT INTO audit_events (id, station_id, actor, action, subject_type, subject_id, detail, at)
            SELECT v.id, v.station_id, v.actor, v.action, v.subject_type, v.subject_id, v.detail,
                   COALESCE(v.at, now())
              FROM unnest(${entries.map(() => newId())}::text[], ${entries.map((e) => e.stationId)}::text[],
                          ${entries.map((e) => e.actor)}::text[], ${entries.map((e) => e.action)}::text[],
                          ${entries.map((e) => e.subjectType)}::text[], ${entries.map((e) => e.subjectId)}::text[],
                          ${entries.map((e) => JSON.stringify(e.detail ?? null))}::jsonb[],
                          ${entries.map((e) => e.at?.toISOString() ?? null)}::timestamptz[])
                   AS v(id, station_id, actor, action, subject_type, subject_id, detail, at)`.execute(db)
}

/** Who read or changed what: written for every view of a resident's record and every change to a case. */
export function createAuditLog(db: Database) {
  return {
    record: (entry: AuditEntry) => insertAudit(db, entry),
    recordMany: (entries: AuditEntry[]) => insertAudits(db, entries),
  }
}

export type AuditLog = ReturnType<typeof createAuditLog>
