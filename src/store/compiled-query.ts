import type { Compilable, CompiledQuery } from 'kysely'
import type { Database } from './db.ts'

/** Stands in for a parameter while the query is built; never sent to the database. */
const MARK = '\u0000mb-param:'

type Slot = { name: string } | { value: unknown }

/**
 * A Kysely query built and compiled once, run with fresh parameter values.
 *
 * Building a query (immutable nodes, reference parsing) and compiling it to
 * SQL cost more CPU than PostgreSQL spends answering the inbox's reads. Here
 * `build` runs once, on the first call, with placeholders where values go;
 * every call after that only fills the parameter list. A placeholder must end
 * up as a bound parameter (a value compared or passed to `sql`), not in the
 * SQL text, and stands for exactly one parameter: pass a list as one array
 * (`= ANY(${params.ids})`), not to `in`.
 */
export function compileOnce<P extends Record<string, unknown>, R>(
  db: Database,
  build: (params: P) => Compilable<R>,
): (values: P) => Promise<R[]> {
  let compiled: { query: CompiledQuery<R>; slots: Slot[] } | null = null
  return async (values) => {
    compiled ??= compile(build)
    const { query, slots } = compiled
    const parameters = slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value))
    const result = await db.executeQuery<R>({ ...query, parameters })
    return result.rows
  }
}

function compile<P extends Record<string, unknown>, R>(
  build: (params: P) => Compilable<R>,
): { query: CompiledQuery<R>; slots: Slot[] } {
  const placeholders = new Proxy({} as P, {
    get: (_target, name) => `${MARK}${String(name)}`,
  })
  const query = build(placeholders).compile()
  if (query.sql.includes(MARK)) {
    throw new Error('compileOnce: a parameter placeholder ended up in the SQL text; bind it as a value')
  }
  const slots = query.parameters.map(
    (value): Slot =>
      typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
  )
  return { query, slots }
}
