import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { DB } from './schema.ts'

/** How long after a broadcast reached a resident their message still counts as a reply to it. */
export const DEFAULT_REPLY_WINDOW_MS = 48 * 3_600_000

/**
 * The broadcast a resident's message answers: the latest one sent to them
 * through this account within the window, or null. Works on the database or
 * inside the caller's transaction.
 */
export async function broadcastRepliedTo(
  db: Kysely<DB>,
  residentId: string,
  accountId: string,
  now: Date,
  windowMs: number = DEFAULT_REPLY_WINDOW_MS,
): Promise<string | null> {
  const row = await db
    .selectFrom('broadcast_deliveries')
    .select('broadcast_id')
    .where('resident_id', '=', residentId)
    .where('state', '=', 'sent')
    .where('account_id', '=', accountId)
    .where('sent_at', '>', new Date(now.getTime() - windowMs))
    .where('sent_at', '<=', now)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.broadcast_id ?? null
}

/**
 * The broadcast a new case answers, as a scalar subquery over the case's
 * columns: the latest broadcast sent to its resident through the account of
 * the identity they wrote from, within the window before the case opened.
 * The inbound batch puts it in the statement that inserts its cases.
 */
export function answeredBroadcast(
  residentId: RawBuilder<unknown>,
  identityId: RawBuilder<unknown>,
  openedAt: RawBuilder<unknown>,
  windowMs: number = DEFAULT_REPLY_WINDOW_MS,
): RawBuilder<string | null> {
  return sql<string | null>`(
    SELECT d.broadcast_id FROM broadcast_deliveries d
      JOIN channel_identities ci ON ci.id = ${identityId} AND ci.account_id = d.account_id
     WHERE d.resident_id = ${residentId} AND d.state = 'sent'
       AND d.sent_at > ${openedAt} - make_interval(secs => ${windowMs / 1000}::float8)
       AND d.sent_at <= ${openedAt}
     ORDER BY d.sent_at DESC LIMIT 1)`
}
