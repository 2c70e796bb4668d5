import { isUrgentCategory } from '../../domain/broadcast.ts'
import { estimateSeconds, inQuietHours, type QuietHours } from '../../domain/broadcast-pace.ts'
import type { AuditEntry, Clock, LiveEvent } from '../ports.ts'
import { broadcastEvent, liveCounts } from './live.ts'
import {
  type ActiveBroadcast,
  type BroadcastAccount,
  type BroadcastProgress,
  type BroadcastQueue,
  type DeliveryCounts,
  noCounts,
  type RunnerStore,
  type SendCounter,
} from './ports.ts'

export interface RunnerDeps {
  store: RunnerStore
  queue: BroadcastQueue
  counter: SendCounter
  clock: Clock
  publish(event: LiveEvent): Promise<void>
  audit(entry: AuditEntry & { actor: string }): Promise<void>
  settings: {
    quietHours: QuietHours | null
    /** A claim or a hand-out older than this, with nothing heard of it, is taken as lost. */
    lostAfterMs: number
    /** How often the worker ticks: each account is fed enough to stay busy until well after the next. */
    tickMs: number
  }
}

/** The most deliveries an account's queue holds ahead of its sends (an account without a limit gets this many). */
const MAX_AHEAD = 300
/** Progress is told even when nothing moved this often, so the estimate of the time left stays fresh. */
const PROGRESS_EVERY_MS = 10_000
/** Deliveries are counted (for progress and completion) at most this often, however fast the worker ticks. */
const COUNT_EVERY_MS = 1000

export const UNCONFIRMED_REASON =
  'the worker stopped during the send, so whether it arrived is unknown; not sent again, to avoid a duplicate'

/**
 * How many deliveries an account's queue should hold: a few seconds of its
 * pace, so it never waits for the next tick, yet pausing or cancelling has
 * little to take back.
 */
export function aheadFor(ratePerMinute: number, tickMs: number): number {
  if (ratePerMinute <= 0) return MAX_AHEAD
  const seconds = Math.max(3, (3 * tickMs) / 1000)
  return Math.min(MAX_AHEAD, Math.max(2, Math.ceil((ratePerMinute / 60) * seconds)))
}

/**
 * The broadcast worker's part: plans broadcasts whose time has come, hands
 * each account's deliveries to its outbound queue no faster than the account
 * sends them (within its daily cap, outside quiet hours unless urgent),
 * catches claims and hand-outs lost with a dead worker, and tells progress,
 * completion and cancellation to the live streams.
 */
export function createBroadcastRunner(deps: RunnerDeps) {
  const { store, queue, settings } = deps
  const told = new Map<string, { key: string; at: number }>()
  let countedAt = 0

  async function plan(broadcastId: string): Promise<'planned' | 'skipped'> {
    const now = deps.clock.now()
    const result = await store.plan(broadcastId, now)
    if (!result) return 'skipped'
    const { broadcast, planned, pending } = result
    await deps.audit({
      stationId: broadcast.stationId,
      actor: 'system',
      // Everyone it matched may have opted out since it was composed: then it is done at once.
      action: broadcast.state === 'completed' ? 'broadcast.completed' : 'broadcast.started',
      subjectType: 'broadcast',
      subjectId: broadcastId,
      detail: { planned, pending },
    })
    // The inbox shows the counts from the start; the first progress event adds the time left.
    const counts = { ...noCounts(), planned, pending, skipped: planned - pending }
    await deps.publish(broadcastEvent('state', broadcast, { counts: liveCounts(counts), etaSeconds: null }))
    return 'planned'
  }

  async function feed(sending: ActiveBroadcast[], accounts: BroadcastAccount[], now: Date): Promise<number> {
    const [ahead, pauses, sent] = await Promise.all([
      store.fedCounts(),
      store.accountPauses(sending.map((b) => b.id)),
      deps.counter.sentToday(accounts, now),
    ])
    // Oldest first: a broadcast started earlier is not overtaken by a later one on the same account.
    const ordered = [...sending].sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0))
    let handed = 0
    for (const account of accounts) {
      const waiting = ahead.get(account.id) ?? 0
      let room = Math.min(
        aheadFor(account.ratePerMinute, settings.tickMs) - waiting,
        account.dailyCap - (sent.get(account.id) ?? 0) - waiting,
      )
      const quiet = inQuietHours(now, account.timeZone, settings.quietHours)
      for (const b of ordered) {
        if (room <= 0) break
        if (b.stationId !== account.stationId || pauses.has(`${b.id} ${account.id}`)) continue
        if (quiet && !isUrgentCategory(b.category)) continue
        const rows = await store.feed(b.id, account.id, room, now)
        if (rows.length) await queue.feed(rows)
        room -= rows.length
        handed += rows.length
      }
    }
    return handed
  }

  /** Hand-outs nobody took for a long time: still queued, they are refreshed; lost with Redis or a crash, handed out again. */
  async function recoverFeeds(now: Date): Promise<void> {
    const stale = await store.staleFeeds(new Date(now.getTime() - settings.lostAfterMs))
    if (stale.length === 0) return
    const queued: number[] = []
    const lost: number[] = []
    for (const d of stale) ((await queue.isQueued(d)) ? queued : lost).push(d.id)
    if (queued.length) await store.refeed(queued, now)
    if (lost.length) await store.unfeedMany(lost)
  }

  function progressOf(
    b: ActiveBroadcast,
    total: DeliveryCounts,
    openByAccount: Map<string, number>,
    accounts: BroadcastAccount[],
    sent: Map<string, number>,
    now: Date,
  ): BroadcastProgress {
    let eta: number | null = null
    if (b.state === 'sending') {
      const own = accounts.filter((a) => a.stationId === b.stationId)
      const loads = own.map((a) => ({
        sends: openByAccount.get(a.id) ?? 0,
        ratePerMinute: a.ratePerMinute,
        dailyCap: a.dailyCap,
        sentToday: sent.get(a.id) ?? 0,
      }))
      const timeZone = own[0]?.timeZone ?? 'Asia/Shanghai'
      const quiet = isUrgentCategory(b.category) ? null : settings.quietHours
      eta = estimateSeconds(loads, { now, timeZone, quiet })
    }
    return { ...total, etaSeconds: eta, at: now.toISOString() }
  }

  async function report(watched: ActiveBroadcast[], accounts: BroadcastAccount[], now: Date): Promise<void> {
    if (watched.length === 0) return
    const [counts, sent] = await Promise.all([
      store.counts(watched.map((b) => b.id)),
      deps.counter.sentToday(accounts, now),
    ])
    for (const b of watched) {
      // A broadcast cancelled before it was planned has no deliveries at all.
      const c = counts.get(b.id) ?? { total: noCounts(), openByAccount: new Map<string, number>() }
      const open = c.total.pending + c.total.sending
      if (b.state === 'cancelled') {
        await store.windUp(b.id, now)
        const progress = progressOf(
          b,
          { ...c.total, pending: 0, cancelled: c.total.cancelled + c.total.pending },
          c.openByAccount,
          accounts,
          sent,
          now,
        )
        await store.saveProgress(b.id, progress)
        await deps.publish(broadcastEvent('state', b, { counts: liveCounts(progress), etaSeconds: null }))
        told.delete(b.id)
        continue
      }
      if (b.state === 'sending' && open === 0) {
        const progress = progressOf(
          { ...b, state: 'completed' },
          c.total,
          c.openByAccount,
          accounts,
          sent,
          now,
        )
        await store.saveProgress(b.id, progress)
        if (await store.complete(b.id, now)) {
          await deps.audit({
            stationId: b.stationId,
            actor: 'system',
            action: 'broadcast.completed',
            subjectType: 'broadcast',
            subjectId: b.id,
            detail: liveCounts(c.total),
          })
          await deps.publish(
            broadcastEvent(
              'state',
              { ...b, state: 'completed' },
              { counts: liveCounts(c.total), etaSeconds: null },
            ),
          )
        }
        told.delete(b.id)
        continue
      }
      const progress = progressOf(b, c.total, c.openByAccount, accounts, sent, now)
      const key = JSON.stringify([b.state, liveCounts(c.total)])
      const last = told.get(b.id)
      if (last && last.key === key && Date.now() - last.at < PROGRESS_EVERY_MS) continue
      told.set(b.id, { key, at: Date.now() })
      await store.saveProgress(b.id, progress)
      await deps.publish(
        broadcastEvent('progress', b, { counts: liveCounts(c.total), etaSeconds: progress.etaSeconds }),
      )
    }
  }

  /** One round of the worker; only one process runs it at a time. */
  async function tick(): Promise<{ handed: number; expired: number }> {
    const now = deps.clock.now()
    const active = await store.active()
    for (const b of active) {
      if (b.state === 'scheduled' && (!b.sendAt || b.sendAt.getTime() <= now.getTime()))
        await queue.plan(b.id)
    }
    const expired = await store.expireClaims(
      new Date(now.getTime() - settings.lostAfterMs),
      UNCONFIRMED_REASON,
    )
    await recoverFeeds(now)
    const planned = active.filter(
      (b) => b.state === 'cancelled' || (b.plannedAt !== null && b.state !== 'scheduled'),
    )
    const accounts = planned.length ? await store.accounts([...new Set(planned.map((b) => b.stationId))]) : []
    const sending = planned.filter((b) => b.state === 'sending')
    const handed = sending.length ? await feed(sending, accounts, now) : 0
    if (Date.now() - countedAt >= Math.min(COUNT_EVERY_MS, 4 * settings.tickMs) || sending.length === 0) {
      countedAt = Date.now()
      await report(planned, accounts, now)
    }
    for (const id of told.keys()) if (!planned.some((b) => b.id === id)) told.delete(id)
    return { handed, expired }
  }

  return { tick, plan }
}

export type BroadcastRunner = ReturnType<typeof createBroadcastRunner>
