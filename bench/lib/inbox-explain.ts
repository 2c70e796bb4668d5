import { CompiledQuery, type Kysely, type KyselyPlugin } from 'kysely'
import type { Actor } from '../../src/domain/access.ts'
import { createCaseQueries } from '../../src/store/case-query.repository.ts'
import type { Database } from '../../src/store/db.ts'
import { createOfficerLogins } from '../../src/store/officer-logins.repository.ts'
import type { DB } from '../../src/store/schema.ts'

/**
 * The plans of the queries behind the inbox's list and open-case requests:
 * runs the repositories' own methods through a Kysely instance that records
 * the SQL they send, then runs each recorded statement again under
 * EXPLAIN (ANALYZE, BUFFERS). So the plans are of exactly the statements the
 * service sends, with their parameters.
 */

class Recorder implements KyselyPlugin {
  readonly queries: CompiledQuery[] = []
  constructor(private readonly db: Kysely<DB>) {}

  transformQuery: KyselyPlugin['transformQuery'] = (args) => {
    this.queries.push(this.db.getExecutor().compileQuery(args.node, args.queryId))
    return args.node
  }

  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result
}

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

async function record(db: Database, run: (db: Database) => Promise<unknown>): Promise<CompiledQuery[]> {
  const recorder = new Recorder(db)
  await run(db.withPlugin(recorder))
  return recorder.queries
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
  targets: ExplainTarget[],
  openCase: { id: string; residentId: string; officerId: string },
): Promise<ExplainedQuery[]> {
  const now = new Date()
  const out: ExplainedQuery[] = []
  for (const { label, actor } of targets) {
    for (const queue of ['mine', 'all'] as const) {
      const [list] = await record(db, (d) => createCaseQueries(d).list(actor, { queue, limit: 50 }, now))
      if (list) out.push(await explain(db, `list ${label} queue=${queue}`, list))
    }
  }
  const [profile] = await record(db, (d) => createOfficerLogins(d).profile(openCase.officerId))
  if (profile) out.push(await explain(db, 'every request: officer profile', profile))
  const reads: Array<[string, (d: Database) => Promise<unknown>]> = [
    ['open: case summary', (d) => createCaseQueries(d).summary(openCase.id, now)],
    ['open: messages', (d) => createCaseQueries(d).messages(openCase.id)],
    [
      'open: resident + earlier cases',
      (d) => createCaseQueries(d).resident(openCase.residentId, openCase.id, now),
    ],
    ['open: history', (d) => createCaseQueries(d).history(openCase.id)],
  ]
  for (const [label, run] of reads) {
    const queries = await record(db, run)
    for (const [i, query] of queries.entries()) {
      out.push(await explain(db, queries.length > 1 ? `${label} (${i + 1})` : label, query))
    }
  }
  return out
}
