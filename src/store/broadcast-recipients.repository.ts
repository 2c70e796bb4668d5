import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { RecipientCounts } from '../app/broadcasts/ports.ts'
import type { BroadcastTargets } from '../domain/broadcast.ts'
import type { BroadcastCategory } from '../domain/broadcast-categories.ts'
import type { DB } from './schema.ts'

/**
 * The recipients of a broadcast as SQL common table expressions, shared by
 * the preview (which counts them) and planning (which inserts them):
 *
 * - `base`: residents of the chosen beats or compounds, and with the whole
 *   station or tags, residents of the station (a beat of it, or a contact of
 *   one of its accounts) carrying any of the tags; each with their direct
 *   contacts on the station's accounts (a contact seen only inside a group
 *   cannot be written to alone), or one row without a contact;
 * - `ranked`, `turned`: residents held by the same set of accounts take those
 *   accounts in turn, so each account of the set gets an even share of them;
 * - `recipients`: one row per resident, with the chosen contact, or the reason
 *   they get nothing (opted out of the category, or no contact).
 *
 * Only scans, window functions and index lookups: no join between two
 * derived sets, whose row counts the planner cannot know (on a table just
 * filled it guessed one row and nested them: seconds for 5,000 residents).
 */
export function recipientsSql(
  stationId: string,
  t: BroadcastTargets,
  category: BroadcastCategory,
): RawBuilder<unknown> {
  return sql`
    base AS (
      SELECT r.id AS resident_id, r.language, ci.id AS identity_id, ci.account_id
      FROM residents r
      -- One index lookup per resident, however wrong the row estimates are (OFFSET 0 keeps the
      -- planner from flattening it into a join it may nest the wrong way round).
      LEFT JOIN LATERAL (
        SELECT c.id, c.account_id FROM channel_identities c
        WHERE c.resident_id = r.id AND c.group_ref IS NULL
          AND c.account_id = ANY(ARRAY(SELECT id FROM bot_accounts WHERE station_id = ${stationId}))
        OFFSET 0
      ) ci ON true
      WHERE r.beat_id = ANY(${t.beatIds}::text[])
         OR r.compound_id = ANY(${t.compoundIds}::text[])
         OR ((${t.station}::boolean OR r.tags ?| ${t.tags}::text[])
             AND (r.beat_id = ANY(ARRAY(SELECT id FROM beats WHERE station_id = ${stationId}))
                  OR EXISTS (SELECT 1 FROM channel_identities held
                             WHERE held.resident_id = r.id
                               AND held.account_id = ANY(ARRAY(SELECT id FROM bot_accounts WHERE station_id = ${stationId})))))
    ),
    ranked AS (
      SELECT base.*,
             row_number() OVER w AS k,
             count(identity_id) OVER (PARTITION BY resident_id) AS n,
             string_agg(account_id, ',') OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS holders
      FROM base
      WINDOW w AS (PARTITION BY resident_id ORDER BY account_id, identity_id)
    ),
    turned AS (
      SELECT ranked.*, dense_rank() OVER (PARTITION BY holders ORDER BY resident_id) - 1 AS turn FROM ranked
    ),
    recipients AS (
      SELECT resident_id, language, identity_id, account_id,
             CASE WHEN EXISTS (SELECT 1 FROM resident_opt_outs o
                               WHERE o.resident_id = turned.resident_id AND o.category = ${category}) THEN 'opted_out'
                  WHEN identity_id IS NULL THEN 'no_contact' END AS skip_reason
      FROM turned
      WHERE n = 0 OR k = 1 + turn % n
    )`
}

const groupsJson = (t: BroadcastTargets): string =>
  JSON.stringify(t.groups.map((g) => ({ account_id: g.accountId, name: g.name })))

/** Who a draft reaches per account, and who it cannot reach, without writing anything. */
export async function countRecipients(
  db: Kysely<DB>,
  stationId: string,
  targets: BroadcastTargets,
  category: BroadcastCategory,
): Promise<RecipientCounts> {
  const { rows } = await sql<{ account_id: string | null; skip_reason: string | null; n: number }>`
    WITH ${recipientsSql(stationId, targets, category)}
    SELECT account_id, skip_reason, count(*)::int AS n FROM recipients GROUP BY account_id, skip_reason`.execute(
    db,
  )
  const byAccount = new Map<string, { accountId: string; residents: number; groups: number }>()
  const entry = (accountId: string) => {
    let e = byAccount.get(accountId)
    if (!e) {
      e = { accountId, residents: 0, groups: 0 }
      byAccount.set(accountId, e)
    }
    return e
  }
  let optedOut = 0
  let noContact = 0
  for (const row of rows) {
    if (row.skip_reason === 'opted_out') optedOut += row.n
    else if (row.skip_reason === 'no_contact') noContact += row.n
    else if (row.account_id) entry(row.account_id).residents += row.n
  }
  for (const g of targets.groups) entry(g.accountId).groups += 1
  return {
    byAccount: [...byAccount.values()].sort((a, b) => a.accountId.localeCompare(b.accountId)),
    optedOut,
    noContact,
  }
}

/**
 * Writes one delivery per recipient in two statements, whatever their number
 * (set-based: 100,000 residents plan in a few seconds). A recipient already
 * planned is left as it is, so planning again adds nothing.
 */
export async function insertDeliveries(
  trx: Kysely<DB>,
  broadcast: { id: string; stationId: string; targets: BroadcastTargets; category: BroadcastCategory },
): Promise<void> {
  // Groups first: one send reaches up to 500 people.
  if (broadcast.targets.groups.length > 0) {
    await sql`
    INSERT INTO broadcast_deliveries (broadcast_id, recipient, account_id, group_name, language, state)
    SELECT ${broadcast.id}, 'g/' || g.account_id || '/' || g.name, g.account_id, g.name, 'zh', 'pending'
    FROM jsonb_to_recordset(${groupsJson(broadcast.targets)}::jsonb) AS g(account_id text, name text)
    ON CONFLICT (broadcast_id, recipient) DO NOTHING`.execute(trx)
  }
  await sql`
    WITH ${recipientsSql(broadcast.stationId, broadcast.targets, broadcast.category)}
    INSERT INTO broadcast_deliveries
      (broadcast_id, recipient, resident_id, identity_id, account_id, language, state, skip_reason)
    SELECT ${broadcast.id}, resident_id, resident_id, identity_id, account_id, language,
           CASE WHEN skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, skip_reason
    FROM recipients
    ON CONFLICT (broadcast_id, recipient) DO NOTHING`.execute(trx)
}
