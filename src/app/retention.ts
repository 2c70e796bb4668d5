import type { Clock } from './ports.ts'

/** What the retention rule may change: registrations, and the audit trail of what it did. */
export interface RetentionStore {
  /**
   * Rental registrations still active whose case was closed before they
   * were verified, and closed before `cutoff`: cancelled as of the closing,
   * so the purge below counts their time from then.
   */
  cancelAbandoned(cutoff: Date, now: Date, limit: number): Promise<number>
  /**
   * Ended or cancelled registrations that ended before `cutoff` and still
   * hold a sealed document number: the number removed (the masked form
   * stays), one audit entry each. Answers how many.
   */
  purgeDocuments(cutoff: Date, now: Date, actor: string, limit: number): Promise<number>
}

export interface RetentionResult {
  cancelled: number
  purged: number
  cutoff: Date
}

const BATCH = 500

/**
 * Removes ID and passport numbers of requests closed longer ago than the
 * retention period (PERSONAL_DATA_RETENTION): run daily by the worker and on
 * demand by `npm run retention`. Safe to run twice, or from two processes at
 * once: each batch only touches rows that still hold a number.
 */
export async function purgeExpiredPersonalData(deps: {
  store: RetentionStore
  clock: Clock
  retentionMs: number
  /** Who the audit trail names: 'system' (the daily job) or 'cli'. */
  actor: string
}): Promise<RetentionResult> {
  const now = deps.clock.now()
  const cutoff = new Date(now.getTime() - deps.retentionMs)
  let cancelled = 0
  for (let n = BATCH; n === BATCH; cancelled += n) n = await deps.store.cancelAbandoned(cutoff, now, BATCH)
  let purged = 0
  for (let n = BATCH; n === BATCH; purged += n)
    n = await deps.store.purgeDocuments(cutoff, now, deps.actor, BATCH)
  return { cancelled, purged, cutoff }
}
