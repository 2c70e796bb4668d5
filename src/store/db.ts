import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { Kysely, PostgresDialect } from 'kysely'
import { createPGliteDataDir } from './pglite-create.ts'
import type { DB } from './schema.ts'

export type Database = Kysely<DB>

export interface DatabaseHandle {
  db: Database
  /** Which engine answers: the embedded one or a PostgreSQL server. */
  engine: 'pglite' | 'postgres'
  /** Runs a multi-statement SQL script (migrations). */
  runScript(sql: string): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** A postgres:// URL; absent means the embedded PGlite database. */
  url?: string
  /** Where PGlite keeps its files; `memory://` (or absent) keeps it in memory. */
  dataDir?: string
  poolSize?: number
  /**
   * Name each parameterized statement so a connection parses and plans it once
   * (it halves PostgreSQL's CPU per message). Turn off behind PgBouncer in
   * transaction pooling mode, which cannot keep prepared statements.
   */
  preparedStatements?: boolean
}

/** Opens the database: PostgreSQL when a URL is given, else embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 20, options.preparedStatements ?? true)
    : openPGlite(options.dataDir)
}

async function openPostgres(
  url: string,
  poolSize: number,
  preparedStatements: boolean,
): Promise<DatabaseHandle> {
  const pg = await import('pg')
  const { Pool, types } = pg.default
  // count(*) and other int8 results: the values we count fit in a JS number.
  const typeOverrides = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : types.getTypeParser(oid, format as 'text'),
  }
  const pool = new Pool({ connectionString: url, max: poolSize, types: typeOverrides })
  if (preparedStatements) pool.on('connect', (client) => nameStatements(client))
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  })
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    engine: 'postgres',
    async runScript(sql) {
      // Without parameters, pg uses the simple protocol, which takes several statements.
      await pool.query(sql)
    },
    close: () => db.destroy(),
  }
}

type QueryFn = (...args: unknown[]) => unknown

/** Statement names by query text, shared by every connection of the process. */
const statementNames = new Map<string, string>()

function nameStatements(client: { query: unknown }): void {
  const query = (client.query as QueryFn).bind(client)
  client.query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) {
      return query(text, values, callback)
    }
    let name = statementNames.get(text)
    if (!name) {
      name = `mb${createHash('sha1').update(text).digest('hex').slice(0, 24)}`
      statementNames.set(text, name)
    }
    return query({ name, text, values }, callback)
  }
}

async function openPGlite(dataDir?: string): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGlitePool } = await import('./pglite-pool.ts')
  const inMemory = !dataDir || dataDir.startsWith('memory://')
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true })
    await createPGliteDataDir(dataDir)
  }
  const lite = inMemory ? new PGlite() : new PGlite(dataDir)
  await lite.waitReady
  const pool = new PGlitePool(lite)
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    engine: 'pglite',
    async runScript(sql) {
      const client = await pool.connect()
      try {
        await lite.exec(sql)
      } finally {
        client.release()
      }
    },
    close: () => db.destroy(),
  }
}
