import { CompiledQuery, Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Actor } from '../../src/domain/access.ts'
import { createCaseQueries } from '../../src/store/case-query.repository.ts'
import type { Database } from '../../src/store/db.ts'
import { createOfficerLogins } from '../../src/store/officer-logins.repository.ts'
import type { DB } from '../../src/store/schema.ts'

/**
 * The plans of the queries behind the inbox's list and open-case requests:
 * runs the repositories' own methods over a connection that logs every
 * statement as it is sent (with its parameters, however the repository built
 * it), then runs each logged statement again under EXPLAIN (ANALYZE, BUFFERS).
 * So the plans are of exactly the statements the service sends.
 */

export interface ExplainTarget {
  label: string
  actor: Actor
}

export interface ExplainedQuery {
  label: string
  sql: string
  plan: string[]
  executionMs: number
}

/** A database handle on its own connection that logs what it sends. */
function recordingDatabase(url: string): { db: Database; take(): CompiledQuery[]; close(): Promise<void> } {
  let sent: CompiledQuery[] = []
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    log: (event) => {
      sent.push(event.query)
    },
  })
  return {
    db,
    take() {
      const taken = sent
      sent = []
      return taken
    },
    close: () => db.destroy(),
  }
}

async function explain(db: Database, label: string, query: CompiledQuery): Promise<ExplainedQuery> {
  const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, [...query.parameters]),
  )
  const plan = result.rows.map((r) => r['QUERY PLAN'])
  const time = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)?.[1]).find(Boolean)
  return { label, sql: query.sql, plan, executionMs: Number(time ?? Number.NaN) }
}

/**
 * Explains the list of each actor (queue `mine` and `all`), and what opening
 * `caseId` reads: the session's profile, the case, its messages, the resident
 * with earlier cases, and the history. Each statement runs once before it is
 * explained, so the plans show a warm cache as the load phases see it.
 */
export async function explainInboxQueries(
  db: Database,
  databaseUrl: string,
  targets: ExplainTarget[],
  openCase: { id: string; officerId: string },
): Promise<ExplainedQuery[]> {
  const now = new Date()
  const recorder = recordingDatabase(databaseUrl)
  const queries = createCaseQueries(recorder.db)
  const reads: Array<[string, () => Promise<unknown>]> = []
  for (const { label, actor } of targets) {
    for (const queue of ['mine', 'all'] as const) {
      reads.push([`list ${label} queue=${queue}`, () => queries.list(actor, { queue, limit: 50 }, now)])
    }
  }
  reads.push([
    'every request: officer profile',
    () => createOfficerLogins(recorder.db).profile(openCase.officerId),
  ])
  reads.push(['open: the case and all around it', () => queries.detail(openCase.id, now)])
  const out: ExplainedQuery[] = []
  try {
    for (const [label, run] of reads) {
      await run()
      const sent = recorder.take()
      for (const [i, query] of sent.entries()) {
        out.push(await explain(db, sent.length > 1 ? `${label} (${i + 1})` : label, query))
      }
    }
  } finally {
    await recorder.close()
  }
  return out
}
