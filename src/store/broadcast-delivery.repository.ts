import { type Compilable, sql } from 'kysely'
import {
  type ActiveBroadcast,
  type DeliveryCounts,
  type DeliverySendStore,
  noCounts,
  type RunnerStore,
} from '../app/broadcasts/ports.ts'
import type { BroadcastState, DeliveryState } from '../domain/broadcast.ts'
import type { BroadcastCategory } from '../domain/broadcast-categories.ts'
import type { Language } from '../domain/types.ts'
import { accountsOf, addCount } from './broadcast.repository.ts'
import { insertDeliveries } from './broadcast-recipients.repository.ts'
import { compileOnce } from './compiled-query.ts'
import type { Database } from './db.ts'

const REASON_LENGTH = 500

const activeOf = (r: {
  id: string
  station_id: string
  author_officer_id: string
  state: string
  category: string
  send_at: Date | null
  planned_at: Date | null
  started_at: Date | null
  finished_at: Date | null
}): ActiveBroadcast => ({
  id: r.id,
  stationId: r.station_id,
  authorId: r.author_officer_id,
  state: r.state as BroadcastState,
  category: r.category as BroadcastCategory,
  sendAt: r.send_at,
  plannedAt: r.planned_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
})

const ACTIVE_COLUMNS = [
  'id',
  'station_id',
  'author_officer_id',
  'state',
  'category',
  'send_at',
  'planned_at',
  'started_at',
  'finished_at',
] as const

/** What the broadcast worker reads and writes: planning, handing out, lost claims, progress. */
export function createRunnerStore(db: Database): RunnerStore {
  return {
    async active() {
      const rows = await db
        .selectFrom('broadcasts')
        .select([...ACTIVE_COLUMNS])
        .where((eb) =>
          eb.or([
            eb('state', 'in', ['scheduled', 'sending', 'paused']),
            eb.and([eb('state', '=', 'cancelled'), eb('finished_at', 'is', null)]),
          ]),
        )
        .orderBy('created_at')
        .execute()
      return rows.map(activeOf)
    },

    async plan(broadcastId, now) {
      return db.transaction().execute(async (trx) => {
        // The lock makes a concurrent cancel wait for the plan, or the plan find it cancelled.
        const row = await trx
          .selectFrom('broadcasts')
          .select(['id', 'station_id', 'targets', 'category', 'state'])
          .where('id', '=', broadcastId)
          .forUpdate()
          .executeTakeFirst()
        if (row?.state !== 'scheduled') return null
        await insertDeliveries(trx, {
          id: row.id,
          stationId: row.station_id,
          targets: row.targets,
          category: row.category as BroadcastCategory,
        })
        const counted = await trx
          .selectFrom('broadcast_deliveries')
          .select([
            sql<number>`count(*)::int`.as('planned'),
            sql<number>`(count(*) FILTER (WHERE state = 'pending'))::int`.as('pending'),
          ])
          .where('broadcast_id', '=', broadcastId)
          .executeTakeFirstOrThrow()
        const updated = await trx
          .updateTable('broadcasts')
          .set({
            state: counted.pending > 0 ? 'sending' : 'completed',
            planned_at: now,
            started_at: now,
            finished_at: counted.pending > 0 ? null : now,
            updated_at: now,
          })
          .where('id', '=', broadcastId)
          .returning([...ACTIVE_COLUMNS])
          .executeTakeFirstOrThrow()
        return { ...counted, broadcast: activeOf(updated) }
      })
    },

    accounts: (stationIds) => accountsOf(db, stationIds),

    async fedCounts() {
      const rows = await db
        .selectFrom('broadcast_deliveries')
        .select(['account_id', sql<number>`count(*)::int`.as('n')])
        .where('state', '=', 'pending')
        .where('queued_at', 'is not', null)
        .groupBy('account_id')
        .execute()
      return new Map(rows.map((r) => [r.account_id ?? '', r.n]))
    },

    async accountPauses(broadcastIds) {
      if (broadcastIds.length === 0) return new Set()
      const rows = await db
        .selectFrom('broadcast_account_pauses')
        .select(['broadcast_id', 'account_id'])
        .where('broadcast_id', 'in', broadcastIds)
        .execute()
      return new Set(rows.map((r) => `${r.broadcast_id} ${r.account_id}`))
    },

    async feed(broadcastId, accountId, limit, now) {
      // SKIP LOCKED: two workers feeding at once (a tick overrunning its lock) hand out different rows.
      const { rows } = await sql<{ id: number; feeds: number; account_id: string }>`
        UPDATE broadcast_deliveries SET queued_at = ${now}, feeds = feeds + 1
        WHERE id IN (
          SELECT id FROM broadcast_deliveries
          WHERE broadcast_id = ${broadcastId} AND account_id = ${accountId}
            AND state = 'pending' AND queued_at IS NULL
          ORDER BY id LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, feeds, account_id`.execute(db)
      return rows.map((r) => ({ id: Number(r.id), feeds: r.feeds, accountId: r.account_id }))
    },

    async staleFeeds(before) {
      const rows = await db
        .selectFrom('broadcast_deliveries')
        .select(['id', 'feeds', 'account_id'])
        .where('state', '=', 'pending')
        .where('queued_at', '<', before)
        .limit(5000)
        .execute()
      return rows.map((r) => ({ id: r.id, feeds: r.feeds, accountId: r.account_id ?? '' }))
    },

    async refeed(ids, now) {
      await db.updateTable('broadcast_deliveries').set({ queued_at: now }).where('id', 'in', ids).execute()
    },

    async unfeedMany(ids) {
      await db
        .updateTable('broadcast_deliveries')
        .set({ queued_at: null })
        .where('id', 'in', ids)
        .where('state', '=', 'pending')
        .execute()
    },

    async expireClaims(before, reason) {
      const result = await db
        .updateTable('broadcast_deliveries')
        .set({ state: 'unconfirmed', failure_reason: reason.slice(0, REASON_LENGTH) })
        .where('state', '=', 'sending')
        .where('claimed_at', '<', before)
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },

    async counts(broadcastIds) {
      const out = new Map<string, { total: DeliveryCounts; openByAccount: Map<string, number> }>()
      if (broadcastIds.length === 0) return out
      const rows = await db
        .selectFrom('broadcast_deliveries')
        .select(['broadcast_id', 'account_id', 'state', sql<number>`count(*)::int`.as('n')])
        .where('broadcast_id', 'in', broadcastIds)
        .groupBy(['broadcast_id', 'account_id', 'state'])
        .execute()
      for (const row of rows) {
        let entry = out.get(row.broadcast_id)
        if (!entry) {
          entry = { total: noCounts(), openByAccount: new Map() }
          out.set(row.broadcast_id, entry)
        }
        addCount(entry.total, row.state, row.n)
        if (row.account_id && (row.state === 'pending' || row.state === 'sending'))
          entry.openByAccount.set(row.account_id, (entry.openByAccount.get(row.account_id) ?? 0) + row.n)
      }
      return out
    },

    async saveProgress(id, progress) {
      await db
        .updateTable('broadcasts')
        .set({ progress: JSON.stringify(progress) })
        .where('id', '=', id)
        .execute()
    },

    async complete(id, now) {
      const result = await db
        .updateTable('broadcasts')
        .set({ state: 'completed', finished_at: now, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', 'sending')
        // Unconfirmed deliveries sent again since the counts were read keep it going.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('broadcast_deliveries')
                .select('id')
                .where('broadcast_id', '=', id)
                .where('state', 'in', ['pending', 'sending']),
            ),
          ),
        )
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async windUp(id, now) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('broadcast_deliveries')
          .set({ state: 'cancelled', queued_at: null })
          .where('broadcast_id', '=', id)
          .where('state', '=', 'pending')
          .execute()
        await trx
          .updateTable('broadcasts')
          .set({ finished_at: now, updated_at: now })
          .where('id', '=', id)
          .where('state', '=', 'cancelled')
          .where('finished_at', 'is', null)
          .execute()
      })
    },
  }
}

/**
 * What the outbound workers record of broadcast sends; each change holds only
 * for the claim that made it. The three statements of every send are built
 * and compiled once (a hundred thousand sends would otherwise build them a
 * hundred thousand times).
 */
export function createDeliverySendStore(db: Database): DeliverySendStore {
  const loadStatement = compileOnce(db, (p: { id: number }) =>
    db
      .selectFrom('broadcast_deliveries as d')
      .innerJoin('broadcasts as b', 'b.id', 'd.broadcast_id')
      .leftJoin('channel_identities as ci', 'ci.id', 'd.identity_id')
      .leftJoin('bot_accounts as a', 'a.id', 'd.account_id')
      .leftJoin('stations as s', 's.id', 'b.station_id')
      .leftJoin('broadcast_account_pauses as p', (join) =>
        join.onRef('p.broadcast_id', '=', 'd.broadcast_id').onRef('p.account_id', '=', 'd.account_id'),
      )
      .select([
        'd.id',
        'd.state',
        'd.account_id',
        'd.group_name',
        'd.language',
        'ci.channel',
        'ci.contact_ref',
        'a.kind',
        'a.daily_cap',
        's.time_zone',
        'p.reason as paused',
        'b.id as broadcast_id',
        'b.station_id',
        'b.author_officer_id',
        'b.state as broadcast_state',
        'b.title',
        'b.text_zh',
        'b.text_en',
        'b.image_url',
        'b.image_attachment_id',
        'b.link_url',
        'b.category',
      ])
      .where('d.id', '=', p.id),
  )
  const claimStatement = compileOnce(
    db,
    (p: { id: number; token: string; claimedAt: Date; grantedAt: Date }): Compilable<{ id: number }> => ({
      compile: () =>
        sql<{ id: number }>`
        UPDATE broadcast_deliveries d
        SET state = 'sending', claim_token = ${p.token}, claimed_at = ${p.claimedAt},
            send_started_at = ${p.grantedAt}, attempts = attempts + 1
        WHERE d.id = ${p.id} AND d.state = 'pending'
          AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.id = d.broadcast_id AND b.state = 'sending')
          AND NOT EXISTS (SELECT 1 FROM broadcast_account_pauses p
                          WHERE p.broadcast_id = d.broadcast_id AND p.account_id = d.account_id)
        RETURNING d.id`.compile(db),
    }),
  )
  // An unconfirmed claim whose worker was only slow, not dead, still gets its outcome.
  const sentStatement = compileOnce(
    db,
    (p: { id: number; token: string; externalId: string | null; at: Date }) =>
      db
        .updateTable('broadcast_deliveries')
        .set({ state: 'sent', sent_at: p.at, external_id: p.externalId, failure_reason: null })
        .where('id', '=', p.id)
        .where('claim_token', '=', p.token)
        .where('state', 'in', ['sending', 'unconfirmed']),
  )
  return {
    async load(id) {
      const [row] = await loadStatement({ id })
      if (!row) return null
      const accountId = row.account_id ?? ''
      const ref = row.group_name
        ? // A group as a whole: nobody is mentioned.
          { channel: row.channel ?? row.kind ?? '', accountId, contactRef: '', groupRef: row.group_name }
        : row.contact_ref && row.channel
          ? { channel: row.channel, accountId, contactRef: row.contact_ref }
          : null
      return {
        id: row.id,
        state: row.state as DeliveryState,
        accountId,
        language: row.language as Language,
        ref,
        broadcast: {
          id: row.broadcast_id,
          stationId: row.station_id,
          authorId: row.author_officer_id,
          state: row.broadcast_state as BroadcastState,
          title: row.title,
          textZh: row.text_zh,
          textEn: row.text_en,
          imageUrl: row.image_url,
          imageId: row.image_attachment_id,
          linkUrl: row.link_url,
          category: row.category as BroadcastCategory,
        },
        accountPaused: row.paused !== null,
        dailyCap: row.daily_cap ?? 500,
        timeZone: row.time_zone ?? 'Asia/Shanghai',
      }
    },

    async claim(id, token, { claimedAt, grantedAt }) {
      return (await claimStatement({ id, token, claimedAt, grantedAt })).length === 1
    },

    async markSent(id, token, externalId, at) {
      await sentStatement({ id, token, externalId, at })
    },

    async markFailed(id, token, reason) {
      await db
        .updateTable('broadcast_deliveries')
        .set({ state: 'failed', failure_reason: reason.slice(0, REASON_LENGTH) })
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .where('state', 'in', ['sending', 'unconfirmed'])
        .execute()
    },

    async unclaim(id, token, reason, refund = false) {
      await db
        .updateTable('broadcast_deliveries')
        .set({
          state: 'pending',
          claim_token: null,
          claimed_at: null,
          failure_reason: reason ? reason.slice(0, REASON_LENGTH) : null,
          ...(refund ? { attempts: sql`greatest(attempts - 1, 0)` } : {}),
        })
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .where('state', '=', 'sending')
        .execute()
    },

    async release(id) {
      await db
        .updateTable('broadcast_deliveries')
        .set({ queued_at: null })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .execute()
    },

    async pauseAccount(accountId, reason) {
      const { rows } = await sql<{ broadcast_id: string; station_id: string; author_officer_id: string }>`
        WITH paused AS (
          INSERT INTO broadcast_account_pauses (broadcast_id, account_id, reason)
          SELECT b.id, ${accountId}, ${reason} FROM broadcasts b
          WHERE b.state IN ('sending', 'paused')
            AND EXISTS (SELECT 1 FROM broadcast_deliveries d
                        WHERE d.broadcast_id = b.id AND d.account_id = ${accountId} AND d.state = 'pending')
          ON CONFLICT DO NOTHING
          RETURNING broadcast_id)
        SELECT b.id AS broadcast_id, b.station_id, b.author_officer_id
        FROM paused JOIN broadcasts b ON b.id = paused.broadcast_id`.execute(db)
      return rows.map((r) => ({
        broadcastId: r.broadcast_id,
        stationId: r.station_id,
        authorId: r.author_officer_id,
      }))
    },

    async resumeAccounts(accountIds, reason) {
      if (accountIds.length === 0) return []
      // A finished broadcast keeps its pause rows: the report still says why an account stopped.
      const { rows } = await sql<{
        account_id: string
        broadcast_id: string
        station_id: string
        author_officer_id: string
        state: string
      }>`
        DELETE FROM broadcast_account_pauses p USING broadcasts b
        WHERE p.broadcast_id = b.id AND p.account_id = ANY(${accountIds}::text[]) AND p.reason = ${reason}
          AND b.state IN ('sending', 'paused')
        RETURNING p.account_id, b.id AS broadcast_id, b.station_id, b.author_officer_id, b.state`.execute(db)
      return rows.map((r) => ({
        accountId: r.account_id,
        broadcastId: r.broadcast_id,
        stationId: r.station_id,
        authorId: r.author_officer_id,
        state: r.state,
      }))
    },
  }
}
