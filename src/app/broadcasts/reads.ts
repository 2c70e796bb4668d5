import type { Actor } from '../../domain/access.ts'
import type { BroadcastState } from '../../domain/broadcast.ts'
import type { AuditEntry, Directory } from '../ports.ts'
import { loadBroadcast, requireManager } from './commands.ts'
import type { BroadcastStore, TargetChoices } from './ports.ts'
import {
  type BroadcastDetailView,
  type BroadcastView,
  broadcastView,
  publicCounts,
  type ReportView,
} from './views.ts'

export interface BroadcastReadDeps {
  store: BroadcastStore
  directory: Directory
  audit(entry: AuditEntry & { actor: string }): Promise<void>
}

const FRESH_COUNTS: readonly BroadcastState[] = ['sending', 'paused', 'completed', 'cancelled']

/** Broadcasts as officers read them: every officer and supervisor of the station sees them all. */
export function createBroadcastReads(deps: BroadcastReadDeps) {
  const { store } = deps

  async function list(
    actor: Actor,
    options: { states?: BroadcastState[]; limit: number; before?: Date },
  ): Promise<{ broadcasts: BroadcastView[]; nextCursor: string | null }> {
    const rows = await store.list(actor.stationId, { ...options, limit: options.limit + 1 })
    const dir = await deps.directory.get()
    const page = rows.slice(0, options.limit)
    const last = page.at(-1)
    return {
      broadcasts: page.map((r) => broadcastView(r, dir)),
      nextCursor: rows.length > options.limit && last ? last.createdAt.toISOString() : null,
    }
  }

  /** One broadcast with its deliveries counted now, per account. */
  async function get(actor: Actor, id: string): Promise<BroadcastDetailView> {
    const record = await loadBroadcast(store, actor, id)
    const dir = await deps.directory.get()
    const view = broadcastView(record, dir)
    if (!FRESH_COUNTS.includes(record.state) || !record.plannedAt) return { ...view, accounts: [] }
    const counts = await store.counts(id)
    return {
      ...view,
      progress: {
        ...publicCounts(counts.total),
        etaSeconds: record.progress?.etaSeconds ?? null,
        at: record.progress?.at ?? new Date().toISOString(),
      },
      accounts: counts.byAccount.map((a) => ({
        id: a.accountId,
        counts: publicCounts(a.counts),
        paused: a.paused,
      })),
    }
  }

  /**
   * What went wrong: every failed or unconfirmed delivery with its reason, and
   * the skipped counted by reason. It names residents, so only the author and
   * supervisors read it, and each reading is audited.
   */
  async function report(actor: Actor, id: string, limit: number): Promise<ReportView> {
    const record = await loadBroadcast(store, actor, id)
    requireManager(actor, record)
    const dir = await deps.directory.get()
    const [counts, failures] = await Promise.all([store.counts(id), store.failures(id, limit)])
    await deps.audit({
      stationId: record.stationId,
      actor: actor.id,
      action: 'broadcast.report_viewed',
      subjectType: 'broadcast',
      subjectId: id,
    })
    return {
      broadcast: broadcastView(record, dir),
      counts: publicCounts(counts.total),
      skipped: counts.skipped,
      accounts: counts.byAccount.map((a) => ({
        id: a.accountId,
        counts: publicCounts(a.counts),
        paused: a.paused,
      })),
      failures: failures.rows.map((f) => ({
        deliveryId: String(f.deliveryId),
        state: f.state,
        accountId: f.accountId,
        resident: f.resident,
        group: f.group,
        reason: f.reason,
        attempts: f.attempts,
        at: f.at ? f.at.toISOString() : null,
      })),
      failuresTotal: failures.total,
    }
  }

  const targets = (actor: Actor): Promise<TargetChoices> => store.targetChoices(actor.stationId)

  return { list, get, report, targets }
}

export type BroadcastReads = ReturnType<typeof createBroadcastReads>
