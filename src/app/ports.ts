import type {
  Beat,
  CaseCategory,
  CasePriority,
  CaseStatus,
  Compound,
  InboundEvent,
  Language,
  Officer,
  Station,
} from '../domain/types.ts'
import type { DeadlineTx } from './deadline-ports.ts'
import type { PendingSubmission } from './forms/form-submissions.ts'
import type { SelfServiceStore } from './self-service.ts'

export interface StationInfo extends Station {
  nameEn: string | null
  deskName: string
  deskNameEn: string | null
  /** Holiday home watch times, minutes of the day in the station's zone (station file `homeWatch`). */
  homeWatch: { remindMinute: number; dueMinute: number; endMinute: number }
}

export interface OfficerInfo extends Officer {
  nameEn: string | null
  role: string
  team: string | null
}

export interface BeatInfo extends Beat {
  nameEn: string | null
}

/** A bot account (or web chat endpoint) and who it belongs to. */
export interface AccountInfo {
  id: string
  stationId: string
  /** Set when the account is an officer's own: their residents are their beat's. */
  ownerOfficerId: string | null
}

/** Reference data of every station, as one consistent snapshot. */
export interface DirectorySnapshot {
  stations: ReadonlyMap<string, StationInfo>
  officers: ReadonlyMap<string, OfficerInfo>
  beats: ReadonlyMap<string, BeatInfo>
  compounds: ReadonlyMap<string, Compound>
  accounts: ReadonlyMap<string, AccountInfo>
  /** Beats an officer covers, the ones they are primary for first. */
  beatsOfOfficer(officerId: string): BeatInfo[]
  /** Finds the compound named in free text, within one station. */
  matchAddress(stationId: string, text: string): Compound | null
}

export interface Directory {
  /** The current snapshot; refreshed in the background so routing never waits on it. */
  get(): Promise<DirectorySnapshot>
  invalidate(): void
}

export interface ResidentRef {
  residentId: string
  identityId: string
  language: Language
  beatId: string | null
  /** The compound of the resident's bound address, when they have one. */
  compoundId: string | null
  /** True when this message created the resident. */
  created: boolean
}

export interface OpenCase {
  id: string
  number: string
  stationId: string
  status: CaseStatus
  category: CaseCategory
  priority: CasePriority
  assigneeOfficerId: string | null
  queue: string
  beatId: string | null
  awaitingAddress: boolean
  addressAttempts: number
  version: number
}

export interface NewCase {
  id: string
  number: string
  stationId: string
  residentId: string
  identityId: string
  beatId: string | null
  category: CaseCategory
  priority: CasePriority
  status: CaseStatus
  assigneeOfficerId: string | null
  queue: string
  awaitingAddress: boolean
  addressAttempts: number
  firstResponseDueAt: Date | null
  /** By when it should be resolved; left out, the deadline service sets it. */
  resolutionDueAt?: Date | null
  openedAt: Date
  lastMessageAt: Date
}

export interface CaseChange {
  beatId?: string | null
  category?: CaseCategory
  priority?: CasePriority
  status?: CaseStatus
  assigneeOfficerId?: string | null
  queue?: string
  awaitingAddress?: boolean
  addressAttempts?: number
  firstResponseDueAt?: Date | null
  lastMessageAt?: Date
  /** Cleared when a resident's message reopens a resolved case. */
  resolvedAt?: null
}

export interface OutboundDraft {
  id: string
  caseId: string | null
  residentId: string
  identityId: string
  channel: string
  accountId: string
  inReplyTo: string | null
  text: string
  /** The service's own time, so a conversation reads in order whatever the database clock says. */
  createdAt: Date
}

/** A notice to an officer's own WeChat that a case landed in their queue. */
export interface OfficerNoticeDraft {
  id: string
  officerId: string
  caseId: string
  text: string
}

/** A stored notice and the bot account whose outbound queue sends it. */
export interface QueuedNotice {
  id: string
  accountId: string
}

export interface AuditEntry {
  stationId: string | null
  action: string
  subjectType: string
  subjectId: string
  detail?: unknown
}

/** An inbound event as the worker finds it; the payload is gone once it is done. */
export interface StoredEvent {
  id: string
  status: string
  event: InboundEvent | null
}

/** A resident's message as stored, with the case it joined. */
export interface InboundMessageRow {
  id: string
  event: InboundEvent
  residentId: string
  identityId: string
  caseId: string | null
}

/** Everything one batch of inbound events changes, written together at the end of its transaction. */
export interface InboundWrites {
  newCases: NewCase[]
  messages: InboundMessageRow[]
  outbound: OutboundDraft[]
  /** Changes to cases that were open before the batch, one per case (its version goes up once). */
  caseChanges: Array<{ caseId: string; change: CaseChange }>
  addressBindings: Array<{ residentId: string; compoundId: string; beatId: string }>
  audits: AuditEntry[]
  notices: OfficerNoticeDraft[]
  /** Confirmed service-request forms, kept until submitted after the commit. */
  formSubmissions: PendingSubmission[]
  doneEventIds: string[]
}

export const noInboundWrites = (): InboundWrites => ({
  newCases: [],
  messages: [],
  outbound: [],
  caseChanges: [],
  addressBindings: [],
  audits: [],
  notices: [],
  formSubmissions: [],
  doneEventIds: [],
})

/** What the inbound use case may do inside one database transaction. */
export interface InboundTx {
  /**
   * Locks the events (in id order, so concurrent batches cannot deadlock) and
   * answers their current state: one handled meanwhile by another worker is done.
   */
  lockEvents(ids: string[]): Promise<StoredEvent[]>
  /**
   * The resident behind each event, created on first contact, and locked
   * (in id order). Events of the same sender share one ResidentRef, so a
   * change to it is seen by the next.
   */
  resolveResidents(
    requests: Array<{ event: InboundEvent; language: Language }>,
    newId: () => string,
  ): Promise<ResidentRef[]>
  /**
   * Locks the residents (in id order) that resolveResidents has not, and
   * answers the open case of each that has one, locked too; for a resident
   * without one, their latest case resolved after `reopenableSince` (a new
   * message reopens it), if any.
   */
  lockOpenCases(residentIds: string[], reopenableSince?: Date): Promise<Map<string, OpenCase>>
  /** Open cases per officer, for the officers routing may choose between. */
  openCaseCounts(officerIds: string[]): Promise<Map<string, number>>
  /** Residents' commands (status, menu, subscriptions, withdrawal, rating), in this transaction. */
  selfService(): SelfServiceStore
  /** The deadline service's view of this transaction: a batch's cases commit with their timers. */
  deadlines(): DeadlineTx
  /**
   * Writes the batch, and marks the known contacts of resolveResidents as seen.
   * Answers the stored officer notices by draft id; a notice to an officer
   * without a WeChat is not stored.
   */
  write(writes: InboundWrites): Promise<Map<string, QueuedNotice>>
}

export interface InboundStore {
  /** Events by id, read without a lock: enough to know their stations before the transaction. */
  peekEvents(ids: string[]): Promise<StoredEvent[]>
  transaction<T>(fn: (tx: InboundTx) => Promise<T>): Promise<T>
  /** Reserves `count` values of the station's case counter for the year; answers the last. */
  reserveCaseCounters(stationId: string, year: number, count: number): Promise<number>
  openCaseCounts(officerIds: string[]): Promise<Map<string, number>>
  /** After a redelivery: the case and undelivered replies that the first attempt created. */
  findDispatchState(messageId: string): Promise<{
    caseId: string | null
    stationId: string | null
    queue: string | null
    priority: CasePriority | null
    pendingReplies: Array<{ id: string; accountId: string }>
    /** Officer notices of the case not sent yet. */
    pendingNotices: QueuedNotice[]
  } | null>
}

/**
 * A change the inbox should show at once. It carries the case's assignee and
 * beat at the time, so each live stream can decide who may see it without a
 * database read per event and connection.
 */
export interface LiveEvent {
  type:
    | 'case.opened'
    | 'case.routed'
    | 'case.updated'
    | 'case.message'
    | 'case.reminder'
    | 'case.escalated'
    | 'message.delivery'
    /** An officer's morning digest: about no single case (caseId is empty), for the officer in assigneeId. */
    | 'officer.digest'
    /** Broadcasts (caseId empty, assigneeId null: every officer and supervisor of the station sees them). */
    | 'broadcast.progress'
    | 'broadcast.state'
    | 'broadcast.account_paused'
    | 'broadcast.account_resumed'
  stationId: string
  caseId: string
  assigneeId: string | null
  beatId: string | null
  messageId?: string
  state?: 'queued' | 'sent' | 'failed'
  emergency?: boolean
  digest?: { open: number; dueToday: number; overdue: number }
  broadcast?: BroadcastLiveData
}

/** What a broadcast event tells the inbox (see docs/inbox-api.md, Broadcasts). */
export interface BroadcastLiveData {
  id: string
  authorId: string
  state: string
  counts?: {
    planned: number
    sent: number
    failed: number
    skipped: number
    pending: number
    unconfirmed: number
    cancelled: number
  }
  /** Seconds left at the accounts' paces; null when paused or done. */
  etaSeconds?: number | null
  /** account_paused, account_resumed: which account and why ('logged_out', 'logged_in'). */
  accountId?: string
  reason?: string
}

/** Hands work to the queues once the database has it. Every call is idempotent. */
export interface Dispatcher {
  enqueueCase(input: {
    queue: string
    caseId: string
    stationId: string
    messageId: string
    priority: CasePriority
  }): Promise<void>
  removeCase(queue: string, caseId: string): Promise<void>
  /** With `retry`, a send that failed for good is tried again. */
  enqueueOutbound(accountId: string, messageId: string, options?: { retry?: boolean }): Promise<void>
  /** Queues an officer notice on the outbound queue of the account that sends it. */
  enqueueNotice(notice: QueuedNotice): Promise<void>
  publish(event: LiveEvent): Promise<void>
}

export interface Clock {
  now(): Date
}
