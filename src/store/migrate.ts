import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { DatabaseHandle } from './db.ts'

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

/** Any fixed number: every process that migrates takes the same advisory lock. */
const MIGRATION_LOCK = 72_410_531

/**
 * Applies the SQL files in migrations/ that have not run yet, in name order,
 * each in its own transaction. Several processes starting at once are
 * serialized by an advisory lock, so each file runs exactly once.
 */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  const { db } = handle
  await handle.runScript(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  )
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
  const applied: string[] = []
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn)
    try {
      const done = await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(conn)
      const doneNames = new Set(done.rows.map((r) => r.name))
      for (const file of files) {
        if (doneNames.has(file)) continue
        const script = readFileSync(join(MIGRATIONS_DIR, file), 'utf8')
        await sql
          .raw(`BEGIN;\n${script}\n;INSERT INTO schema_migrations (name) VALUES ('${file}');\nCOMMIT;`)
          .execute(conn)
        applied.push(file)
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn)
    }
  })
  return applied
}
