import { type Kysely, type Selectable, sql } from 'kysely'
import {
  type BroadcastAccount,
  type BroadcastProgress,
  type BroadcastRecord,
  type BroadcastStore,
  type DeliveryCounts,
  noCounts,
} from '../app/broadcasts/ports.ts'
import type { ApprovalReason, BroadcastState, DeliveryState, SkipReason } from '../domain/broadcast.ts'
import type { BroadcastCategory } from '../domain/broadcast-categories.ts'
import { insertAudit } from './audit.repository.ts'
import { countRecipients } from './broadcast-recipients.repository.ts'
import type { Database } from './db.ts'
import type { BroadcastsTable, DB } from './schema.ts'

type Row = Selectable<BroadcastsTable>

export function recordOf(row: Row): BroadcastRecord {
  return {
    id: row.id,
    stationId: row.station_id,
    authorId: row.author_officer_id,
    title: row.title,
    textZh: row.text_zh,
    textEn: row.text_en,
    imageUrl: row.image_url,
    imageId: row.image_attachment_id,
    linkUrl: row.link_url,
    category: row.category as BroadcastCategory,
    targets: row.targets,
    sendAt: row.send_at,
    state: row.state as BroadcastState,
    approvalReason: row.approval_reason as ApprovalReason | null,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    estimatedResidents: row.estimated_residents,
    estimatedGroups: row.estimated_groups,
    plannedAt: row.planned_at,
    startedAt: row.started_at,
    pausedAt: row.paused_at,
    pausedBy: row.paused_by,
    finishedAt: row.finished_at,
    cancelledBy: row.cancelled_by,
    progress: row.progress as BroadcastProgress | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** Bot accounts of some stations, with their limits and the station's time zone. */
export async function accountsOf(db: Kysely<DB>, stationIds: string[]): Promise<BroadcastAccount[]> {
  if (stationIds.length === 0) return []
  const rows = await db
    .selectFrom('bot_accounts as a')
    .innerJoin('stations as s', 's.id', 'a.station_id')
    .select([
      'a.id',
      'a.station_id',
      'a.rate_per_minute',
      'a.daily_cap',
      'a.groups',
      'a.owner_officer_id',
      's.time_zone',
    ])
    .where('a.station_id', 'in', stationIds)
    .orderBy('a.id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    stationId: r.station_id,
    ratePerMinute: r.rate_per_minute,
    dailyCap: r.daily_cap,
    groups: r.groups,
    ownerOfficerId: r.owner_officer_id,
    timeZone: r.time_zone,
  }))
}

const COLUMN: Record<string, string> = {
  state: 'state',
  decidedBy: 'decided_by',
  decidedAt: 'decided_at',
  decisionNote: 'decision_note',
  pausedAt: 'paused_at',
  pausedBy: 'paused_by',
  finishedAt: 'finished_at',
  cancelledBy: 'cancelled_by',
}

/** Deliveries per state (and account), `planned` being all of them. */
export function addCount(counts: DeliveryCounts, state: string, n: number): void {
  counts.planned += n
  if (state in counts) counts[state as DeliveryState] += n
}

export function createBroadcastStore(db: Database): BroadcastStore {
  return {
    accounts: (stationId) => accountsOf(db, [stationId]),

    countRecipients: (stationId, targets, category) => countRecipients(db, stationId, targets, category),

    async targetChoices(stationId) {
      const [beats, compounds, tags, accounts] = await Promise.all([
        sql<{ id: string; code: string; name: string; name_en: string | null; residents: number }>`
          SELECT b.id, b.code, b.name, b.name_en, count(r.id)::int AS residents
          FROM beats b LEFT JOIN residents r ON r.beat_id = b.id
          WHERE b.station_id = ${stationId} GROUP BY b.id ORDER BY b.code`.execute(db),
        sql<{ id: string; name: string; beat_id: string; residents: number }>`
          SELECT c.id, c.name, c.beat_id, count(r.id)::int AS residents
          FROM compounds c LEFT JOIN residents r ON r.compound_id = c.id
          WHERE c.station_id = ${stationId} GROUP BY c.id ORDER BY c.name`.execute(db),
        sql<{ tag: string; residents: number }>`
          SELECT tag, count(*)::int AS residents
          FROM residents r CROSS JOIN LATERAL jsonb_array_elements_text(r.tags) AS tag
          WHERE r.beat_id IN (SELECT id FROM beats WHERE station_id = ${stationId})
          GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200`.execute(db),
        accountsOf(db, [stationId]),
      ])
      return {
        beats: beats.rows.map((b) => ({
          id: b.id,
          code: b.code,
          name: b.name,
          nameEn: b.name_en,
          residents: b.residents,
        })),
        compounds: compounds.rows.map((c) => ({
          id: c.id,
          name: c.name,
          beatId: c.beat_id,
          residents: c.residents,
        })),
        tags: tags.rows,
        groups: accounts.flatMap((a) => a.groups.map((name) => ({ accountId: a.id, name }))),
      }
    },

    async insert(record, audit) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('broadcasts')
          .values({
            id: record.id,
            station_id: record.stationId,
            author_officer_id: record.authorId,
            title: record.title,
            text_zh: record.textZh,
            text_en: record.textEn,
            image_url: record.imageUrl,
            image_attachment_id: record.imageId,
            link_url: record.linkUrl,
            category: record.category,
            targets: JSON.stringify(record.targets),
            send_at: record.sendAt,
            state: record.state,
            approval_reason: record.approvalReason,
            estimated_residents: record.estimatedResidents,
            estimated_groups: record.estimatedGroups,
            created_at: record.createdAt,
            updated_at: record.updatedAt,
          })
          .execute()
        await insertAudit(trx, { ...audit, at: record.createdAt })
      })
    },

    async get(id) {
      const row = await db.selectFrom('broadcasts').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? recordOf(row) : null
    },

    async list(stationId, { states, limit, before }) {
      let q = db.selectFrom('broadcasts').selectAll().where('station_id', '=', stationId)
      if (states?.length) q = q.where('state', 'in', states)
      if (before) q = q.where('created_at', '<', before)
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
      return rows.map(recordOf)
    },

    async transition(id, from, change, audit) {
      return db.transaction().execute(async (trx) => {
        const values: Record<string, unknown> = { updated_at: new Date() }
        for (const [key, value] of Object.entries(change)) if (COLUMN[key]) values[COLUMN[key]] = value
        const row = await trx
          .updateTable('broadcasts')
          .set(values)
          .where('id', '=', id)
          .where('state', 'in', [...from])
          .returningAll()
          .executeTakeFirst()
        if (!row) return null
        await insertAudit(trx, audit)
        return recordOf(row)
      })
    },

    async unfeed(id) {
      const rows = await db
        .updateTable('broadcast_deliveries')
        .set({ queued_at: null })
        .where('broadcast_id', '=', id)
        .where('state', '=', 'pending')
        .where('queued_at', 'is not', null)
        .returning(['id', 'feeds', 'account_id'])
        .execute()
      return rows.map((r) => ({ id: r.id, feeds: r.feeds, accountId: r.account_id ?? '' }))
    },

    async clearAccountPauses(id) {
      const result = await db
        .deleteFrom('broadcast_account_pauses')
        .where('broadcast_id', '=', id)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },

    async resendUnconfirmed(id, audit) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('broadcast_deliveries')
          .set({
            state: 'pending',
            queued_at: null,
            claim_token: null,
            claimed_at: null,
            failure_reason: null,
          })
          .where('broadcast_id', '=', id)
          .where('state', '=', 'unconfirmed')
          .executeTakeFirst()
        const n = Number(result.numUpdatedRows)
        if (n === 0) return 0
        await trx
          .updateTable('broadcasts')
          .set({ state: 'sending', finished_at: null, updated_at: new Date() })
          .where('id', '=', id)
          .where('state', '=', 'completed')
          .execute()
        await insertAudit(trx, { ...audit, detail: { deliveries: n } })
        return n
      })
    },

    async counts(id) {
      const [rows, skips, pauses] = await Promise.all([
        db
          .selectFrom('broadcast_deliveries')
          .select(['account_id', 'state', sql<number>`count(*)::int`.as('n')])
          .where('broadcast_id', '=', id)
          .groupBy(['account_id', 'state'])
          .execute(),
        db
          .selectFrom('broadcast_deliveries')
          .select(['skip_reason', sql<number>`count(*)::int`.as('n')])
          .where('broadcast_id', '=', id)
          .where('state', '=', 'skipped')
          .groupBy('skip_reason')
          .execute(),
        db
          .selectFrom('broadcast_account_pauses')
          .select(['account_id', 'reason'])
          .where('broadcast_id', '=', id)
          .execute(),
      ])
      const total = noCounts()
      const byAccount = new Map<string, DeliveryCounts>()
      for (const row of rows) {
        addCount(total, row.state, row.n)
        if (!row.account_id) continue
        let c = byAccount.get(row.account_id)
        if (!c) {
          c = noCounts()
          byAccount.set(row.account_id, c)
        }
        addCount(c, row.state, row.n)
      }
      const skipped: Record<SkipReason, number> = { opted_out: 0, no_contact: 0 }
      for (const s of skips)
        if (s.skip_reason === 'opted_out' || s.skip_reason === 'no_contact') skipped[s.skip_reason] = s.n
      const paused = new Map(pauses.map((p) => [p.account_id, p.reason]))
      return {
        total,
        byAccount: [...byAccount.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([accountId, counts]) => ({ accountId, counts, paused: paused.get(accountId) ?? null })),
        skipped,
      }
    },

    async failures(id, limit) {
      const base = db
        .selectFrom('broadcast_deliveries as d')
        .where('d.broadcast_id', '=', id)
        .where('d.state', 'in', ['failed', 'unconfirmed'])
      const [rows, total] = await Promise.all([
        base
          .leftJoin('residents as r', 'r.id', 'd.resident_id')
          .select([
            'd.id',
            'd.state',
            'd.account_id',
            'd.resident_id',
            'r.code',
            'r.display_name',
            'd.group_name',
            'd.failure_reason',
            'd.attempts',
            'd.claimed_at',
          ])
          .orderBy('d.id')
          .limit(limit)
          .execute(),
        base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ])
      return {
        total: total.n,
        rows: rows.map((r) => ({
          deliveryId: r.id,
          state: r.state as 'failed' | 'unconfirmed',
          accountId: r.account_id,
          resident: r.resident_id ? { id: r.resident_id, code: r.code ?? '', name: r.display_name } : null,
          group: r.group_name,
          reason: r.failure_reason,
          attempts: r.attempts,
          at: r.claimed_at,
        })),
      }
    },
  }
}
