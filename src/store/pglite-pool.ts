import type { PGlite } from '@electric-sql/pglite'
import type { PostgresPool, PostgresPoolClient } from 'kysely'

/**
 * Presents one embedded PGlite database as the small slice of a `pg` pool that
 * Kysely's Postgres dialect uses. PGlite is single-connection, so the "pool"
 * hands out one client at a time: a transaction holds it until it commits,
 * which gives the same isolation a real connection would.
 */
export class PGlitePool implements PostgresPool {
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly db: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void
    const turn = new Promise<void>((resolve) => {
      release = resolve
    })
    const previous = this.tail
    this.tail = previous.then(() => turn)
    await previous
    const db = this.db
    return {
      async query(sql: string, parameters: ReadonlyArray<unknown>) {
        // Like pg, a query without parameters may hold several statements (migrations).
        const result =
          parameters.length === 0
            ? ((await db.exec(sql)).at(-1) ?? { rows: [], affectedRows: 0 })
            : await db.query<Record<string, unknown>>(sql, parameters as unknown[])
        const command = (sql.trimStart().split(/\s/, 1)[0] ?? '').toUpperCase()
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows }
      },
      release,
    } as unknown as PostgresPoolClient
  }

  async end(): Promise<void> {
    await this.tail
    await this.db.close()
  }
}
