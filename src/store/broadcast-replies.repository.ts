import { type Kysely, sql } from 'kysely'
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
 * Links new cases to the broadcast each answers, in one statement for a whole
 * batch: the latest broadcast sent to the case's resident through the account
 * of the case's identity (the one they wrote from) within the window before
 * the case opened. Call it in the transaction that inserts the cases, after
 * inserting them. Answers caseId → broadcastId of the cases it linked.
 */
export async function linkCasesToBroadcasts(
  trx: Kysely<DB>,
  caseIds: string[],
  windowMs: number = DEFAULT_REPLY_WINDOW_MS,
): Promise<Map<string, string>> {
  if (caseIds.length === 0) return new Map()
  const { rows } = await sql<{ case_id: string; broadcast_id: string }>`
    UPDATE cases c SET broadcast_id = r.broadcast_id
    FROM (
      SELECT k.id AS case_id, (
        SELECT d.broadcast_id FROM broadcast_deliveries d
        WHERE d.resident_id = k.resident_id AND d.account_id = ci.account_id AND d.state = 'sent'
          AND d.sent_at > k.opened_at - make_interval(secs => ${windowMs / 1000}::float8)
          AND d.sent_at <= k.opened_at
        ORDER BY d.sent_at DESC LIMIT 1) AS broadcast_id
      FROM cases k JOIN channel_identities ci ON ci.id = k.identity_id
      WHERE k.id = ANY(${caseIds}::text[])
    ) r
    WHERE c.id = r.case_id AND r.broadcast_id IS NOT NULL
    RETURNING c.id AS case_id, c.broadcast_id`.execute(trx)
  return new Map(rows.map((r) => [r.case_id, r.broadcast_id]))
}
