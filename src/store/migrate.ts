import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { fromRoot } from '../project-root.ts'
import type { DatabaseHandle } from './db.ts'

const MIGRATIONS_DIR = fromRoot('src', 'store', 'migrations')

/** Any fixed number: every process that migrates takes the same advisory lock. */
const MIGRATION_LOCK = 72_410_531

/**
 * Applies the SQL files in migrations/ that have not run yet, in name order,
 * each in its own transaction. Several processes starting at once are
 * serialized by an advisory lock, so each file runs exactly once.
 */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  const { db } = handle
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
  const applied: string[] = []
  await db.connection().execute(async (conn) => {
    // Everything, the bookkeeping table included, happens under the lock: two
    // processes creating it at once would collide in PostgreSQL's catalog.
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn)
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
        conn,
      )
      const done = await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(conn)
      const doneNames = new Set(done.rows.map((r) => r.name))
      for (const file of files) {
        if (doneNames.has(file)) continue
        const script = readFileSync(join(MIGRATIONS_DIR, file), 'utf8')
        try {
          await sql
            .raw(`BEGIN;\n${script}\n;INSERT INTO schema_migrations (name) VALUES ('${file}');\nCOMMIT;`)
            .execute(conn)
        } catch (error) {
          // Leave the connection usable and report the migration's own error, not the aborted transaction.
          await sql`ROLLBACK`.execute(conn).catch(() => {})
          throw new Error(`migration ${file} failed: ${(error as Error).message}`)
        }
        applied.push(file)
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn)
    }
  })
  return applied
}
