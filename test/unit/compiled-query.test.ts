import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely'
import { describe, expect, it } from 'vitest'
import { compileOnce } from '../../src/store/compiled-query.ts'
import type { Database } from '../../src/store/db.ts'
import type { DB } from '../../src/store/schema.ts'

/** A Kysely that compiles real PostgreSQL and records what it would send instead of sending it. */
function recordingDb(): { db: Database; sent: CompiledQuery[] } {
  const sent: CompiledQuery[] = []
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  })
  const executeQuery = db.executeQuery.bind(db)
  db.executeQuery = ((query: CompiledQuery) => {
    sent.push(query)
    return executeQuery(query)
  }) as typeof db.executeQuery
  return { db, sent }
}

describe('compileOnce', () => {
  it('builds once and binds each call’s values where the placeholders were', async () => {
    const { db, sent } = recordingDb()
    let builds = 0
    const run = compileOnce(db, (p: { stationId: string; ids: string[] }) => {
      builds++
      return db
        .selectFrom('cases')
        .select('id')
        .where('station_id', '=', p.stationId)
        .where('status', '=', 'new')
        .where(sql<boolean>`id = ANY(${p.ids})`)
        .limit(sql.lit(51))
    })
    await run({ stationId: 'st-cq', ids: ['a', 'b'] })
    await run({ stationId: 'st-fq', ids: [] })
    expect(builds).toBe(1)
    expect(sent[0]?.sql).toBe(sent[1]?.sql)
    expect(sent[0]?.sql).toContain('limit 51')
    // Constants stay as they were built; placeholders take each call's values, lists as one array.
    expect(sent[0]?.parameters).toEqual(['st-cq', 'new', ['a', 'b']])
    expect(sent[1]?.parameters).toEqual(['st-fq', 'new', []])
  })

  it('refuses a placeholder that would end up in the SQL text', async () => {
    const { db } = recordingDb()
    const run = compileOnce(db, (p: { column: string }) =>
      db.selectFrom('cases').select(sql.raw<string>(p.column).as('x')),
    )
    await expect(run({ column: 'id' })).rejects.toThrow(/placeholder ended up in the SQL text/)
  })
})
