import { sql } from 'kysely'
import type { Database } from '../../src/store/db.ts'
import { seedIds, seedStations } from '../../src/store/seed.ts'
import { parseStationFile } from '../../src/store/station-file.ts'

export const BENCH_STATION = 'BB'
export const BEATS = 10

/** A station of `accounts` WeChat accounts (the station's and its officers' own), ten beats, two supervisors. */
export function benchStationYaml(accounts: number): string {
  const beats = Array.from({ length: BEATS }, (_, i) => i + 1)
  return `stations:
  - code: ${BENCH_STATION}
    name: 压测派出所
    timeZone: Asia/Shanghai
    dutyDesk: { name: 压测值班室 }
    officers:
${beats.map((b) => `      - { badge: "66${String(b).padStart(4, '0')}", name: 民警${b} }`).join('\n')}
      - { badge: "669001", name: 所领导甲, role: supervisor }
      - { badge: "669002", name: 所领导乙, role: supervisor }
    beats:
${beats
  .map(
    (b) => `      - code: BB-${String(b).padStart(2, '0')}
        name: 压测社区${b}
        primary: "66${String(b).padStart(4, '0')}"
        compounds: [{ name: 压测小区${b} }]`,
  )
  .join('\n')}
    accounts:
${Array.from(
  { length: accounts },
  (_, i) =>
    `      - { id: bb-${String(i + 1).padStart(2, '0')}, kind: wechaty, owner: station, puppet: mock }`,
).join('\n')}
`
}

export const accountIds = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `bb-${String(i + 1).padStart(2, '0')}`)

/**
 * The station and `residents` residents in a few set-based statements: each a
 * contact of one account (one in ten of two), one in twenty opted out of
 * anti-fraud notices, one in 37 a landlord (spread over every account); then ANALYZE, as a database
 * that has been running for a while would have its statistics.
 */
export async function seedBenchStation(
  db: Database,
  options: { accounts: number; residents: number },
): Promise<{ optedOut: number; landlords: number }> {
  await seedStations(db, parseStationFile(benchStationYaml(options.accounts), 'bench-station.yaml'))
  const accounts = accountIds(options.accounts)
  const beats = Array.from({ length: BEATS }, (_, i) => seedIds.beat(`BB-${String(i + 1).padStart(2, '0')}`))
  const n = options.residents
  await sql`
    INSERT INTO residents (id, code, display_name, language, beat_id, tags)
    SELECT 'rb-' || i, 'B' || lpad(i::text, 9, '0'), '居民' || i, CASE WHEN i % 12 = 5 THEN 'en' ELSE 'zh' END,
           (${beats}::text[])[i % ${beats.length}::int + 1],
           CASE WHEN i % 37 = 7 THEN '["landlord"]'::jsonb ELSE '[]'::jsonb END
    FROM generate_series(0, ${n - 1}::int) AS i`.execute(db)
  await sql`
    INSERT INTO channel_identities (id, resident_id, channel, account_id, contact_ref)
    SELECT 'cb-' || i, 'rb-' || i, 'wechat', (${accounts}::text[])[i % ${accounts.length}::int + 1], 'wxid_b' || i
    FROM generate_series(0, ${n - 1}::int) AS i
    UNION ALL
    SELECT 'cb-' || i || '-2', 'rb-' || i, 'wechat', (${accounts}::text[])[(i + 1) % ${accounts.length}::int + 1],
           'wxid_b' || i || '_2'
    FROM generate_series(0, ${n - 1}::int) AS i WHERE i % 10 = 3`.execute(db)
  await sql`
    INSERT INTO resident_opt_outs (resident_id, category)
    SELECT 'rb-' || i, 'anti_fraud' FROM generate_series(0, ${n - 1}::int) AS i WHERE i % 20 = 11`.execute(db)
  await sql`ANALYZE residents`.execute(db)
  await sql`ANALYZE channel_identities`.execute(db)
  await sql`ANALYZE resident_opt_outs`.execute(db)
  const count = (mod: number, at: number) => Math.floor((n - 1 - at) / mod) + 1
  return { optedOut: count(20, 11), landlords: count(37, 7) }
}
