import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type DatabaseHandle, openDatabase } from '../../src/store/db.ts'

/** PostgreSQL for tests: set by .ci/run; without it only the embedded engine runs. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

export interface TestEngine {
  name: 'pglite' | 'postgres'
  /** A fresh, empty database (a new in-memory PGlite, or a new schema on the server). */
  open(): Promise<DatabaseHandle>
}

/** The engines the repository and pipeline suites run against. */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'pglite', open: () => openDatabase({}) }]
  if (TEST_DATABASE_URL) engines.push({ name: 'postgres', open: () => openPostgresSchema(TEST_DATABASE_URL) })
  return engines
}

/** Each test file gets its own schema, dropped when the handle closes. */
async function openPostgresSchema(url: string): Promise<DatabaseHandle> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  const scoped = new URL(url)
  scoped.searchParams.set('options', `-c search_path=${schema}`)
  const handle = await openDatabase({ url: scoped.toString(), poolSize: 10 })
  return {
    ...handle,
    async close() {
      await handle.close()
      const cleanup = new pg.Client({ connectionString: url })
      await cleanup.connect()
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`)
      await cleanup.end()
    },
  }
}
