import { sql } from 'kysely'
import type { Database } from '../../src/store/db.ts'

export interface ResidentMix {
  /** Distinguishes this batch's ids, codes and contact refs from any other. */
  label: string
  count: number
  /** Resident i is a contact of accounts[i % n]. */
  accounts: string[]
  /** Resident i lives in places[i % n]. */
  places: Array<{ beatId: string; compoundId: string }>
  /** Every n-th resident is also a contact of the next account. */
  secondAccountEvery?: number
  /** Every n-th resident (offset 1) turned this category off. */
  optOutEvery?: { n: number; category: string }
  /** Every n-th resident (offset 2) reads English. */
  englishEvery?: number
  /** Every n-th resident (offset 3) carries the tag. */
  tagEvery?: { n: number; tag: string }
}

export interface SeededResident {
  id: string
  language: string
  optedOut: boolean
  contacts: Array<{ accountId: string; contactRef: string }>
}

/** Residents i with i % n = offset; a rule left out matches nobody (offset -1). */
const every = (n: number | undefined, offset: number): [number, number] => (n ? [n, offset % n] : [1, -1])

/**
 * Residents with WeChat contacts on the station's accounts, written in a few
 * set-based statements (thousands in well under a second), the way the
 * inbound path would have left them.
 */
export async function seedResidents(db: Database, mix: ResidentMix): Promise<SeededResident[]> {
  const n = mix.count
  const beats = mix.places.map((p) => p.beatId)
  const compounds = mix.places.map((p) => p.compoundId)
  const [englishN, englishAt] = every(mix.englishEvery, 2)
  const [tagN, tagAt] = every(mix.tagEvery?.n, 3)
  const tag = mix.tagEvery?.tag ?? 'none'
  const [secondN, secondAt] = every(mix.secondAccountEvery, 0)
  const [optN, optAt] = every(mix.optOutEvery?.n, 1)
  const optCategory = mix.optOutEvery?.category ?? 'other'
  await sql`
    INSERT INTO residents (id, code, display_name, language, compound_id, beat_id, tags)
    SELECT 'r-' || ${mix.label} || '-' || i, 'T' || ${mix.label} || i, '居民' || i,
           CASE WHEN i % ${englishN}::int = ${englishAt}::int THEN 'en' ELSE 'zh' END,
           (${compounds}::text[])[i % ${compounds.length}::int + 1],
           (${beats}::text[])[i % ${beats.length}::int + 1],
           CASE WHEN i % ${tagN}::int = ${tagAt}::int THEN jsonb_build_array(${tag}::text) ELSE '[]'::jsonb END
    FROM generate_series(0, ${n - 1}::int) AS i`.execute(db)
  await sql`
    INSERT INTO channel_identities (id, resident_id, channel, account_id, contact_ref)
    SELECT 'ci-' || ${mix.label} || '-' || i, 'r-' || ${mix.label} || '-' || i, 'wechat',
           (${mix.accounts}::text[])[i % ${mix.accounts.length}::int + 1], 'wxid_' || ${mix.label} || '_' || i
    FROM generate_series(0, ${n - 1}::int) AS i
    UNION ALL
    SELECT 'ci-' || ${mix.label} || '-' || i || '-2', 'r-' || ${mix.label} || '-' || i, 'wechat',
           (${mix.accounts}::text[])[(i + 1) % ${mix.accounts.length}::int + 1], 'wxid_' || ${mix.label} || '_' || i || '_2'
    FROM generate_series(0, ${n - 1}::int) AS i WHERE i % ${secondN}::int = ${secondAt}::int`.execute(db)
  await sql`
    INSERT INTO resident_opt_outs (resident_id, category)
    SELECT 'r-' || ${mix.label} || '-' || i, ${optCategory}
    FROM generate_series(0, ${n - 1}::int) AS i WHERE i % ${optN}::int = ${optAt}::int`.execute(db)

  const rows = await db
    .selectFrom('residents as r')
    .innerJoin('channel_identities as ci', 'ci.resident_id', 'r.id')
    .leftJoin('resident_opt_outs as o', (j) =>
      j.onRef('o.resident_id', '=', 'r.id').on('o.category', '=', optCategory),
    )
    .select(['r.id', 'r.language', 'ci.account_id', 'ci.contact_ref', 'o.category'])
    .where('r.id', 'like', `r-${mix.label}-%`)
    .execute()
  const out = new Map<string, SeededResident>()
  for (const row of rows) {
    let r = out.get(row.id)
    if (!r) {
      r = { id: row.id, language: row.language, optedOut: row.category !== null, contacts: [] }
      out.set(row.id, r)
    }
    r.contacts.push({ accountId: row.account_id, contactRef: row.contact_ref })
  }
  return [...out.values()]
}
