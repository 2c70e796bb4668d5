import { type Kysely, sql } from 'kysely'
import { OPEN_STATUSES } from '../../src/domain/case-status.ts'
import type { Database } from '../../src/store/db.ts'
import { webChatAccountId } from '../../src/store/directory.repository.ts'
import type { DB } from '../../src/store/schema.ts'
import { seedIds } from '../../src/store/seed.ts'
import {
  CLOSING_EN,
  CLOSING_ZH,
  FOLLOW_UP_EN,
  FOLLOW_UP_ZH,
  GIVEN_NAMES,
  NOTE_ZH,
  OPENING_EN,
  OPENING_ZH,
  REPLY_EN,
  REPLY_ZH,
  SURNAMES,
  SYSTEM_ZH,
} from './inbox-texts.ts'

/**
 * A station's history, bulk-inserted with INSERT … SELECT over generate_series:
 * residents of the station's compounds (some without an address), their WeChat
 * or web chat identities, cases over two years (most closed, the latest few
 * thousand open, with a realistic mix of statuses, categories, priorities,
 * officers and beats), their conversations and audit trail. Deterministic: the
 * same sizes give the same data, shifted to end at the moment it is seeded.
 */

export interface InboxSeedOptions {
  stationCode: string
  cases: number
  messages: number
  /** Cases still open (the rest are resolved or closed); default 3% of cases, at least 50. */
  openCases?: number
  /** Progress lines. */
  say(line: string): void
}

export interface InboxSeedResult {
  stationId: string
  residents: number
  cases: number
  openCases: number
  messages: number
  auditEvents: number
  ms: number
}

/** A case as the load phases pick them. */
export interface CaseTarget {
  id: string
  status: string
  assigneeId: string | null
  beatId: string | null
}

/** Minutes to a first response by priority: the service's defaults (RESPONSE_MINUTES). */
const RESPONSE_MINUTES = { emergency: 2, urgent: 10, normal: 30, low: 120 }

const DAY = 86_400

/** A SQL string literal. Only for values this file chooses (texts, seed ids), never for input. */
const lit = (value: string) => `'${value.replaceAll("'", "''")}'`
const textArray = (values: readonly string[]) => `ARRAY[${values.map(lit).join(',')}]::text[]`
/** A non-negative pseudo-random integer for a row number and a salt, the same on every run. */
const hash = (expr: string, salt: number) =>
  `(hashint8((${expr})::bigint * 1000003 + ${salt})::bigint & 2147483647)`
/** One of `values`, picked by a hash. */
const pick = (values: readonly string[], h: string) => `(${textArray(values)})[1 + ${h} % ${values.length}]`

export async function seedInboxData(db: Database, options: InboxSeedOptions): Promise<InboxSeedResult> {
  const started = Date.now()
  const N = options.cases
  const M = options.messages
  const O = Math.min(N, options.openCases ?? Math.max(50, Math.round(N * 0.03)))
  const R = Math.max(O, Math.round(N * 0.45))
  const stationId = seedIds.station(options.stationCode)
  const web = webChatAccountId(options.stationCode)
  const now = Date.now() / 1000
  const station = lit(stationId)

  const officers = await db
    .selectFrom('officers')
    .select(['id', 'role'])
    .where('station_id', '=', stationId)
    .where('active', '=', true)
    .orderBy('id')
    .execute()
  const supervisor = officers.find((o) => o.role === 'supervisor')
  const community = officers.filter((o) => o.role === 'officer')
  if (!supervisor || community.length === 0)
    throw new Error(
      `station ${options.stationCode} needs a supervisor and officers: load its station file first`,
    )

  let auditEvents = 0
  await db.connection().execute(async (conn) => {
    const run = async (label: string, statement: string) => {
      const t = Date.now()
      const result = await sql.raw(statement).execute(conn)
      const rows = result.numAffectedRows === undefined ? '' : `${result.numAffectedRows} rows, `
      options.say(`  seed: ${label}: ${rows}${((Date.now() - t) / 1000).toFixed(1)} s`)
      return Number(result.numAffectedRows ?? 0)
    }
    // Bulk loading: losing the last commits on a crash would only lose this run.
    await sql`SET synchronous_commit TO off`.execute(conn).catch(() => {})

    await run(
      `${R} residents`,
      `INSERT INTO residents (id, code, display_name, language, compound_id, beat_id, tags, created_at, updated_at)
       SELECT 'br-' || lpad(n::text, 7, '0'),
              'MB' || (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                         (((n::bigint * 2654435761) % 1099511627776) >> (5 * d) & 31)::int + 1, 1), '' ORDER BY d)
                       FROM generate_series(0, 7) d),
              CASE WHEN ${hash('n', 1)} % 10 = 0 THEN NULL
                   ELSE ${pick(SURNAMES, hash('n', 2))} || ${pick(GIVEN_NAMES, hash('n', 3))} END,
              CASE WHEN ${hash('n', 4)} % 100 < 4 THEN 'en' ELSE 'zh' END,
              cp.id, cp.beat_id,
              CASE WHEN ${hash('n', 5)} % 100 < 6 THEN '["elderly_alone"]'::jsonb
                   WHEN ${hash('n', 5)} % 100 < 11 THEN '["landlord"]'::jsonb ELSE '[]'::jsonb END,
              to_timestamp(${now - 800 * DAY} + n * ${(700 * DAY) / R}),
              to_timestamp(${now - 800 * DAY} + n * ${(700 * DAY) / R})
       FROM generate_series(1, ${R}) n
       LEFT JOIN (SELECT id, beat_id, (row_number() OVER (ORDER BY id)) - 1 AS k,
                         count(*) OVER () AS total
                  FROM compounds WHERE station_id = ${station}) cp
         -- 15% have not told us where they live: no compound, so no beat.
         ON ${hash('n', 6)} % 100 >= 15 AND cp.k = ${hash('n', 7)} % cp.total`,
    )
    await run(
      'channel identities',
      `INSERT INTO channel_identities (id, resident_id, channel, account_id, contact_ref, display_name, created_at, last_seen_at)
       SELECT 'bi-' || substr(r.id, 4), r.id,
              CASE WHEN ${hash('substr(r.id, 4)::int', 8)} % 100 < 15 THEN 'web' ELSE 'wechat' END,
              CASE WHEN ${hash('substr(r.id, 4)::int', 8)} % 100 < 15 THEN ${lit(web)} ELSE 'cq-station' END,
              'bench-contact-' || substr(r.id, 4), r.display_name, r.created_at, r.created_at
       FROM residents r WHERE r.id LIKE 'br-%'`,
    )

    // One row per case with everything the inserts below derive from it.
    const closedSpan = 716 * DAY
    const opened = `CASE WHEN open THEN ${now} - 60 - ${14 * DAY} * (1 - pos) ^ 2
                         ELSE ${now - 730 * DAY} + (i - 1)::float8 / ${Math.max(1, N - O)} * ${closedSpan} + hx % 3600 END`
    await run(
      'case plan',
      `CREATE TEMP TABLE bench_plan AS
       WITH base AS (
         SELECT i, i > ${N - O} AS open,
                CASE WHEN i > ${N - O} THEN (i - ${N - O})::float8 / ${O} END AS pos,
                CASE WHEN i > ${N - O} THEN 1 + i % ${R} ELSE 1 + ${hash('i', 11)} % ${R} END AS rn,
                ${hash('i', 12)} % 100 AS hc, ${hash('i', 13)} % 100 AS hp, ${hash('i', 14)} % 100 AS hs,
                ${hash('i', 15)} % 100 AS ha, ${hash('i', 16)} AS hx, ${hash('i', 17)} % 100 AS hw
         FROM generate_series(1, ${N}) i
       ), timed AS (
         SELECT b.*, ${opened} AS opened_epoch FROM base b
       ), shaped AS (
         SELECT t.*,
           CASE WHEN open AND pos > 0.75 THEN CASE WHEN hs < 35 THEN 'new' ELSE 'assigned' END
                WHEN open THEN CASE WHEN hs < 8 THEN 'assigned' WHEN hs < 62 THEN 'in_progress' ELSE 'awaiting_resident' END
                WHEN opened_epoch > ${now - 30 * DAY} THEN 'resolved' ELSE 'closed' END AS status,
           CASE WHEN hc < 25 THEN 'noise' WHEN hc < 45 THEN 'dispute' WHEN hc < 68 THEN 'consultation'
                WHEN hc < 82 THEN 'lost_property' WHEN hc < 97 THEN 'fraud' ELSE 'emergency' END AS category
         FROM timed t
       )
       SELECT s.i, s.open, s.status, s.category, s.hx, s.ha,
              'bc-' || lpad(s.i::text, 7, '0') AS id,
              CASE WHEN s.category = 'emergency' THEN 'emergency'
                   WHEN s.hp < 10 THEN 'urgent' WHEN s.hp < 85 THEN 'normal' ELSE 'low' END AS priority,
              r.id AS resident_id, r.language, r.beat_id, ci.id AS identity_id, ci.channel, ci.account_id,
              to_timestamp(s.opened_epoch) AS opened_at,
              s.opened_epoch,
              CASE WHEN s.hw < 2 THEN 8 ELSE 1 END * (1 + s.hx % 12) AS w
       FROM shaped s
       JOIN residents r ON r.id = 'br-' || lpad(s.rn::text, 7, '0')
       JOIN channel_identities ci ON ci.id = 'bi-' || substr(r.id, 4)`,
    )
    const officerTable = `(SELECT id, (row_number() OVER (ORDER BY id)) - 1 AS k FROM officers
                            WHERE station_id = ${station} AND role = 'officer' AND active)`
    await run(
      'case assignment and times',
      `CREATE TEMP TABLE bench_cases AS
       SELECT p.*, a.assignee, d.due_at, f.responded_at, l.last_at
       FROM bench_plan p
       LEFT JOIN beats b ON b.id = p.beat_id
       LEFT JOIN ${officerTable} o ON o.k = p.hx % ${community.length}
       CROSS JOIN LATERAL (SELECT CASE
           WHEN p.status = 'new' THEN NULL
           WHEN p.ha < 3 THEN ${lit(supervisor.id)}
           WHEN p.beat_id IS NULL THEN o.id
           WHEN p.ha < 83 OR b.backup_officer_id IS NULL THEN b.primary_officer_id
           ELSE b.backup_officer_id END AS assignee) a
       CROSS JOIN LATERAL (SELECT p.opened_at + make_interval(mins => CASE p.priority
           WHEN 'emergency' THEN ${RESPONSE_MINUTES.emergency} WHEN 'urgent' THEN ${RESPONSE_MINUTES.urgent}
           WHEN 'low' THEN ${RESPONSE_MINUTES.low} ELSE ${RESPONSE_MINUTES.normal} END) AS due_at) d
       CROSS JOIN LATERAL (SELECT CASE
           WHEN p.status IN ('new', 'assigned') AND p.hx % 10 < 7 THEN NULL
           ELSE to_timestamp(least(${now}, p.opened_epoch + 60 + p.hx % 5400)) END AS responded_at) f
       CROSS JOIN LATERAL (SELECT CASE
           WHEN p.open THEN to_timestamp(greatest(extract(epoch FROM coalesce(f.responded_at, p.opened_at)),
                                                  p.opened_epoch + (${now} - p.opened_epoch) * (p.hx % 1000) / 1000.0))
           ELSE to_timestamp(extract(epoch FROM f.responded_at) + 60 + p.hx % ${3 * DAY}) END AS last_at) l`,
    )
    await sql
      .raw('ALTER TABLE bench_cases ADD COLUMN msgs integer, ADD COLUMN msg_start bigint')
      .execute(conn)
    // Messages spread by weight, so conversations run from one message to dozens, with exactly M in all.
    await sql
      .raw(
        `UPDATE bench_cases SET msgs = floor(w::numeric * ${M} / t.total)
         FROM (SELECT sum(w) AS total FROM bench_cases) t`,
      )
      .execute(conn)
    await sql
      .raw(
        `UPDATE bench_cases SET msgs = msgs + 1
         FROM (SELECT ${M} - sum(msgs) AS r FROM bench_cases) rem WHERE i <= rem.r`,
      )
      .execute(conn)
    await sql
      .raw(
        `UPDATE bench_cases c SET msg_start = s.start
         FROM (SELECT i, sum(msgs) OVER (ORDER BY i) - msgs AS start FROM bench_cases) s WHERE s.i = c.i`,
      )
      .execute(conn)
    await sql.raw('CREATE UNIQUE INDEX ON bench_cases (i)').execute(conn)

    await run(
      `${N} cases (${O} open)`,
      `INSERT INTO cases (id, number, station_id, resident_id, identity_id, beat_id, category, priority, status,
                          assignee_officer_id, queue, opened_at, first_response_due_at, first_responded_at,
                          resolved_at, closed_at, last_message_at, version, updated_at, escalated, escalated_at)
       SELECT c.id,
              ${lit(options.stationCode)} || '-' || y.year || '-' ||
                lpad((row_number() OVER (PARTITION BY y.year ORDER BY c.i))::text, 6, '0'),
              ${station}, c.resident_id, c.identity_id, c.beat_id, c.category, c.priority, c.status,
              c.assignee,
              CASE WHEN c.assignee IS NULL THEN ${lit(`desk-${stationId}`)} ELSE 'officer-' || c.assignee END,
              c.opened_at, c.due_at, c.responded_at,
              CASE WHEN c.status IN ('resolved', 'closed') THEN c.last_at END,
              CASE WHEN c.status = 'closed' THEN c.last_at + interval '7 days' END,
              c.last_at, 1 + c.hx % 7, c.last_at,
              c.open AND c.responded_at IS NULL AND c.due_at < to_timestamp(${now}) AND c.hx % 10 < 3,
              CASE WHEN c.open AND c.responded_at IS NULL AND c.due_at < to_timestamp(${now}) AND c.hx % 10 < 3
                   THEN c.due_at END
       FROM bench_cases c
       CROSS JOIN LATERAL (SELECT extract(year FROM c.opened_at AT TIME ZONE 'Asia/Shanghai')::int AS year) y`,
    )
    await run(
      'case counters',
      `INSERT INTO case_counters (station_id, year, last_value)
       SELECT ${station}, split_part(number, '-', 2)::int, max(split_part(number, '-', 3)::int)
       FROM cases WHERE id LIKE 'bc-%' GROUP BY 2
       ON CONFLICT (station_id, year) DO UPDATE SET last_value = greatest(case_counters.last_value, excluded.last_value)`,
    )

    // Messages in batches of about 100,000, each a single INSERT … SELECT.
    const perBatch = Math.max(1, Math.ceil((N * 100_000) / Math.max(1, M)))
    const text = (list: readonly string[], h: string) => pick(list, h)
    const openingZh = `CASE m.category ${Object.entries(OPENING_ZH)
      .map(([category, list]) => `WHEN ${lit(category)} THEN ${text(list, 'm.ht')}`)
      .join(' ')} END`
    let inserted = 0
    const t0 = Date.now()
    for (let from = 1; from <= N; from += perBatch) {
      const to = Math.min(N, from + perBatch - 1)
      const result = await sql
        .raw(
          `INSERT INTO messages (id, case_id, resident_id, identity_id, direction, channel, account_id, external_id,
                                 kind, text, media, delivery_state, failure_reason, author_officer_id, created_at, sent_at)
           SELECT 'bm-' || lpad(m.j::text, 8, '0'), m.id, m.resident_id, m.identity_id, m.dir, m.channel, m.account_id,
                  CASE WHEN m.dir = 'inbound' THEN 'bench-' || lpad(m.j::text, 8, '0') END,
                  CASE WHEN m.image THEN 'image' ELSE 'text' END,
                  CASE WHEN m.image THEN NULL
                       WHEN m.dir = 'inbound' AND m.k = 1 THEN
                         CASE WHEN m.language = 'en' THEN ${text(OPENING_EN, 'm.ht')} ELSE ${openingZh} END
                       WHEN m.dir = 'inbound' THEN
                         CASE WHEN m.language = 'en' THEN ${text(FOLLOW_UP_EN, 'm.ht')} ELSE ${text(FOLLOW_UP_ZH, 'm.ht')} END
                       WHEN m.dir = 'outbound' AND m.k = m.msgs AND NOT m.open THEN
                         (CASE WHEN m.language = 'en' THEN ${lit(CLOSING_EN)} ELSE ${lit(CLOSING_ZH)} END) || m.number
                       WHEN m.dir = 'outbound' THEN
                         CASE WHEN m.language = 'en' THEN ${text(REPLY_EN, 'm.ht')} ELSE ${text(REPLY_ZH, 'm.ht')} END
                       WHEN m.dir = 'note' THEN ${text(NOTE_ZH, 'm.ht')}
                       ELSE ${text(SYSTEM_ZH, 'm.ht')} END,
                  CASE WHEN m.image THEN jsonb_build_object('type', 'image', 'sizeBytes', 40000 + m.ht % 900000) END,
                  CASE WHEN m.dir = 'inbound' THEN 'received' WHEN m.dir = 'outbound' AND m.ht % 100 < 2 THEN 'failed'
                       ELSE 'sent' END,
                  CASE WHEN m.dir = 'outbound' AND m.ht % 100 < 2 THEN 'contact not found' END,
                  CASE WHEN m.dir IN ('outbound', 'note') THEN coalesce(m.assignee, ${lit(supervisor.id)}) END,
                  m.at,
                  CASE WHEN m.dir = 'outbound' THEN m.at + interval '2 seconds' END
           FROM (
             SELECT c.*, g.k, c.msg_start + g.k AS j, cs.number, d.dir,
                    ${hash('c.msg_start + g.k', 22)} AS ht,
                    d.dir = 'inbound' AND g.k > 1 AND ${hash('c.msg_start + g.k', 23)} % 100 < 4 AS image,
                    c.opened_at + (c.last_at - c.opened_at) * ((g.k - 1)::float8 / greatest(c.msgs - 1, 1)) AS at
             FROM bench_cases c
             JOIN cases cs ON cs.id = c.id
             CROSS JOIN LATERAL generate_series(1, c.msgs) AS g(k)
             CROSS JOIN LATERAL (SELECT CASE
                 WHEN g.k = 1 THEN 'inbound'
                 -- A closed conversation ends with the officer telling the resident.
                 WHEN g.k = c.msgs AND NOT c.open THEN 'outbound'
                 WHEN ${hash('c.msg_start + g.k', 21)} % 100 < 52 THEN 'inbound'
                 WHEN ${hash('c.msg_start + g.k', 21)} % 100 < 88 THEN 'outbound'
                 WHEN ${hash('c.msg_start + g.k', 21)} % 100 < 95 THEN 'note'
                 ELSE 'system' END AS dir) d
             WHERE c.i BETWEEN ${from} AND ${to}
           ) m`,
        )
        .execute(conn)
      inserted += Number(result.numAffectedRows ?? 0)
      const seconds = (Date.now() - t0) / 1000
      options.say(
        `  seed: messages ${inserted}/${M} (${Math.round(inserted / Math.max(seconds, 0.001))}/s, ${seconds.toFixed(1)} s)`,
      )
    }

    auditEvents = await run(
      'audit trail',
      `INSERT INTO audit_events (id, station_id, actor, action, subject_type, subject_id, detail, at)
       SELECT 'ba-' || c.i || '-' || g.n, ${station},
              CASE WHEN g.n = 1 THEN 'system' ELSE coalesce(c.assignee, ${lit(supervisor.id)}) END,
              CASE WHEN g.n = 1 THEN 'case.opened'
                   WHEN g.n = 2 AND c.status IN ('resolved', 'closed') THEN 'case.status'
                   ELSE 'resident.viewed' END,
              'case', c.id,
              CASE WHEN g.n = 1 THEN jsonb_build_object('category', c.category)
                   WHEN g.n = 2 AND c.status IN ('resolved', 'closed')
                     THEN jsonb_build_object('from', 'in_progress', 'to', 'resolved') END,
              CASE WHEN g.n = 1 THEN c.opened_at
                   ELSE c.opened_at + (c.last_at - c.opened_at) * (g.n::float8 / 5) END
       FROM bench_cases c CROSS JOIN LATERAL generate_series(1, 2 + c.hx % 3) AS g(n)`,
    )
    await sql.raw('DROP TABLE bench_cases; DROP TABLE bench_plan').execute(conn)
    const t = Date.now()
    for (const table of [
      'residents',
      'channel_identities',
      'cases',
      'messages',
      'audit_events',
      'officers',
    ]) {
      await sql.raw(`ANALYZE ${table}`).execute(conn)
    }
    options.say(`  seed: ANALYZE ${((Date.now() - t) / 1000).toFixed(1)} s`)
  })

  const counts = await sql<{ cases: number; open: number; messages: number; residents: number }>`SELECT
      (SELECT count(*)::int FROM cases WHERE station_id = ${stationId}) AS cases,
      (SELECT count(*)::int FROM cases WHERE station_id = ${stationId} AND status IN (${sql.join([...OPEN_STATUSES])})) AS open,
      (SELECT count(*)::int FROM messages WHERE id LIKE 'bm-%') AS messages,
      (SELECT count(*)::int FROM residents WHERE id LIKE 'br-%') AS residents`.execute(db)
  const row = counts.rows[0]
  if (!row || row.cases !== N || row.messages !== M || row.open !== O) {
    throw new Error(
      `seeding produced ${JSON.stringify(row)}, expected ${N} cases (${O} open) and ${M} messages`,
    )
  }
  return {
    stationId,
    residents: row.residents,
    cases: row.cases,
    openCases: row.open,
    messages: row.messages,
    auditEvents,
    ms: Date.now() - started,
  }
}

/** Up to `limit` cases of the station, open or not, in a stable pseudo-random order. */
export async function sampleCases(
  db: Kysely<DB>,
  stationId: string,
  open: boolean,
  limit: number,
): Promise<CaseTarget[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'status', 'assignee_officer_id', 'beat_id'])
    .where('station_id', '=', stationId)
    .where('status', open ? 'in' : 'not in', [...OPEN_STATUSES])
    .orderBy(sql`hashtext(id)`)
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    assigneeId: r.assignee_officer_id,
    beatId: r.beat_id,
  }))
}
