import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

export interface BenchDatabase {
  engine: 'postgres' | 'pglite'
  /** Config variables that point the service at this database. */
  env: Record<string, string>
  /** Where it is, for the progress lines (no password). */
  where: string
  /** The server, unscoped (for side queries), and the application_name the service's connections carry. */
  serverUrl?: string
  applicationName?: string
  /** Drops what the run created. */
  drop(): Promise<void>
}

/**
 * A database nobody else uses: a fresh schema on the PostgreSQL server
 * (DATABASE_URL, or the local test database), or a PGlite in a new directory.
 */
export async function prepareDatabase(
  engine: 'postgres' | 'pglite',
  /** A schema an earlier run kept: used as it is, and kept again. */
  reuseSchema?: string,
): Promise<BenchDatabase> {
  if (engine === 'pglite') {
    // On disk, as a station without PostgreSQL runs it (in memory, its files would count in RSS).
    const dir = await mkdtemp(join(tmpdir(), 'maplebridge-bench-'))
    return {
      engine,
      // An empty DATABASE_URL counts as unset, whatever the environment says.
      env: { DATABASE_URL: '', DATA_DIR: dir },
      where: `embedded PGlite in ${dir}`,
      drop: () => rm(dir, { recursive: true, force: true }),
    }
  }
  const base = process.env.DATABASE_URL || DEFAULT_DATABASE_URL
  const schema = reuseSchema ?? `bench_${randomBytes(5).toString('hex')}`
  if (!reuseSchema) await adminQuery(base, `CREATE SCHEMA ${schema}`)
  const scoped = new URL(base)
  // Options already in the URL (e.g. -c log_min_duration_statement=0 to study the statements) are kept.
  const given = scoped.searchParams.get('options')
  scoped.searchParams.set('options', [given, `-c search_path=${schema}`].filter(Boolean).join(' '))
  // Names the service's connections, so their backends can be found (and their CPU time read).
  const applicationName = `maplebridge-${schema}`
  scoped.searchParams.set('application_name', applicationName)
  const shown = new URL(base)
  shown.password = ''
  return {
    engine,
    env: { DATABASE_URL: scoped.toString() },
    where: `PostgreSQL ${shown.host}${shown.pathname}, schema ${schema}`,
    serverUrl: base,
    applicationName,
    drop: async () => {
      if (!reuseSchema) await adminQuery(base, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    },
  }
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
