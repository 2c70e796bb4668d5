import type { DeadlineSettings, TimedCase, TimerKind } from '../domain/deadlines.ts'
import type { CasePriority, CaseStatus, Language } from '../domain/types.ts'
import type { Clock, Directory, Dispatcher, OfficerNoticeDraft, QueuedNotice } from './ports.ts'

/** A case as the deadline service reads it, locked for its transaction. */
export interface DeadlineCase extends Omit<TimedCase, 'lastInboundAt'> {
  id: string
  number: string
  stationId: string
  residentId: string
  identityId: string
  residentLanguage: Language
  /** Where the resident is written to: the channel and account of the case's identity. */
  channel: string
  accountId: string
  beatId: string | null
  queue: string
  openedAt: Date
  resolutionDueAt: Date | null
  version: number
}

export type TimerState = 'scheduled' | 'fired' | 'cancelled'

export interface TimerRow {
  id: string
  caseId: string
  kind: TimerKind
  caseVersion: number
  dueAt: Date
  anchorAt: Date | null
  officerId: string | null
  state: TimerState
}

export interface DeadlineCaseChange {
  status?: CaseStatus
  assigneeOfficerId?: string | null
  queue?: string
  firstResponseDueAt?: Date
  resolutionDueAt?: Date
  escalated?: boolean
  escalatedAt?: Date
  escalationLevel?: number
  awaitingSince?: Date | null
  resolvedAt?: Date
  closedAt?: Date
  ratingAskedAt?: Date
}

/** What the deadline service may do inside one transaction. */
export interface DeadlineTx {
  lockCase(caseId: string): Promise<DeadlineCase | null>
  /** Several cases, locked in id order (so concurrent callers cannot deadlock). */
  lockCases(caseIds: string[]): Promise<DeadlineCase[]>
  timersOf(caseId: string): Promise<TimerRow[]>
  /** The timers of several cases, by case id, oldest first. */
  timersOfCases(caseIds: string[]): Promise<Map<string, TimerRow[]>>
  lastInboundAt(caseId: string): Promise<Date | null>
  /**
   * Stores scheduled timers; a cancelled one with the same id comes back.
   * Answers the ids stored (not those that were there already).
   */
  insertTimers(rows: Array<Omit<TimerRow, 'state'>>): Promise<Set<string>>
  cancelTimers(ids: string[]): Promise<void>
  /** Moves a timer out of `scheduled`; false when it had left it already (fired or cancelled elsewhere). */
  claimTimer(id: string, to: 'fired' | 'cancelled', at: Date): Promise<boolean>
  /**
   * Changes the case. A change officers must notice before they act (a new
   * holder, a new status) bumps its version; bookkeeping does not, so an
   * officer with the case open is not refused for it.
   */
  updateCase(caseId: string, change: DeadlineCaseChange, bumpVersion: boolean): Promise<void>
  insertMessage(message: {
    id: string
    caseId: string
    residentId: string
    identityId: string
    direction: 'outbound' | 'note'
    channel: string
    accountId: string
    text: string
    createdAt: Date
  }): Promise<void>
  addOfficerNotice(draft: OfficerNoticeDraft): Promise<QueuedNotice | null>
  audit(entry: { stationId: string; action: string; caseId: string; detail?: unknown }): Promise<void>
}

/** One open case of an officer, as the digest counts it. */
export interface DigestCase {
  number: string
  status: CaseStatus
  firstResponseDueAt: Date | null
  firstRespondedAt: Date | null
  resolutionDueAt: Date | null
}

export interface DeadlineStore {
  transaction<T>(fn: (tx: DeadlineTx) => Promise<T>): Promise<T>
  timer(id: string): Promise<TimerRow | null>
  scheduledOf(caseId: string): Promise<TimerRow[]>
  /** Messages and officer notices of the case stored but not sent yet. */
  pendingSends(
    caseId: string,
  ): Promise<{ messages: Array<{ id: string; accountId: string }>; notices: QueuedNotice[] }>
  /** Where the case waits now (for finishing a queue move after a crash). */
  caseQueue(
    caseId: string,
  ): Promise<{ queue: string; stationId: string; priority: CasePriority; status: CaseStatus } | null>
  /** Scheduled timers due before `at`, soonest first. */
  scheduledDueBefore(at: Date, limit: number): Promise<TimerRow[]>
  /** Cases whose state calls for timers they do not have (their scheduling was never done or got lost). */
  casesNeedingTimers(limit: number): Promise<string[]>
  openCasesOf(officerId: string): Promise<DigestCase[]>
  /** Stores the digest notice once per id; answers it (null when the officer has no WeChat). */
  addDigestNotice(draft: { id: string; officerId: string; text: string }): Promise<QueuedNotice | null>
}

/** The delayed jobs behind the timers. Adding an id that is already there changes nothing. */
export interface TimerQueue {
  add(timer: { id: string; caseId: string; kind: TimerKind }, delayMs: number): Promise<void>
  remove(id: string): Promise<void>
}

/** Repeating digest jobs, one scheduler per officer and shift start. */
export interface DigestScheduler {
  list(): Promise<Array<{ id: string; pattern: string | null; tz: string | null }>>
  upsert(schedule: { id: string; pattern: string; tz: string; officerId: string }): Promise<void>
  remove(id: string): Promise<void>
}

export interface DeadlineDeps {
  store: DeadlineStore
  timers: TimerQueue
  digests: DigestScheduler
  directory: Directory
  dispatcher: Dispatcher
  clock: Clock
  newId: () => string
  settings: DeadlineSettings & {
    /** Language of officers' notices and internal notes. */
    officerLanguage: Language
    /** Time zone of a station that names none. */
    defaultTimeZone: string
  }
  /** Told of a failure the caller should not see (scheduling after a committed change). */
  onError?(error: unknown, context: { caseId?: string; what: string }): void
}
