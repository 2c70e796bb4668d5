import type { Kysely } from 'kysely'
import type { ServiceTimerRow, ServiceTimerState } from '../app/forms/request-store.ts'
import type { DB } from './schema.ts'

/*
 * The timers of every service-request kind (home watch, rental, permits,
 * mediation) live in one table; each kind's store reads and claims them here.
 */

export function timerRow(row: {
  id: string
  request_id: string
  kind: string
  day: string
  due_at: Date
  state: string
}): ServiceTimerRow {
  return {
    id: row.id,
    requestId: row.request_id,
    kind: row.kind,
    day: row.day,
    dueAt: row.due_at,
    state: row.state as ServiceTimerState,
  }
}

export async function findTimer(db: Kysely<DB>, id: string): Promise<ServiceTimerRow | null> {
  const row = await db
    .selectFrom('service_request_timers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? timerRow(row) : null
}

/** Stores timers once each; answers the ids that were new. */
export async function insertTimers(
  trx: Kysely<DB>,
  rows: ReadonlyArray<Omit<ServiceTimerRow, 'state'>>,
): Promise<string[]> {
  if (rows.length === 0) return []
  const inserted = await trx
    .insertInto('service_request_timers')
    .values(
      rows.map((r) => ({ id: r.id, request_id: r.requestId, kind: r.kind, day: r.day, due_at: r.dueAt })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute()
  return inserted.map((r) => r.id)
}

/** Cancels the request's scheduled timers (those ids only, when given); answers the ids cancelled. */
export async function cancelTimers(trx: Kysely<DB>, requestId: string, ids?: string[]): Promise<string[]> {
  if (ids && ids.length === 0) return []
  let query = trx
    .updateTable('service_request_timers')
    .set({ state: 'cancelled' })
    .where('request_id', '=', requestId)
    .where('state', '=', 'scheduled')
  if (ids) query = query.where('id', 'in', ids)
  const rows = await query.returning('id').execute()
  return rows.map((r) => r.id)
}

/** Moves a timer out of `scheduled`; false when it had left it already (fired or cancelled elsewhere). */
export async function claimTimer(
  trx: Kysely<DB>,
  id: string,
  to: 'fired' | 'cancelled',
  at: Date,
): Promise<boolean> {
  const row = await trx
    .updateTable('service_request_timers')
    .set({ state: to, fired_at: at })
    .where('id', '=', id)
    .where('state', '=', 'scheduled')
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}
