import type { CheckResult } from '../../domain/forms/home-watch-texts.ts'
import type { CaseCategory, CasePriority, CaseStatus, Language } from '../../domain/types.ts'
import type { NewCase, OfficerNoticeDraft, QueuedNotice } from '../ports.ts'

/** The resident a request is made for, and where to write back to them. */
export interface RequestResident {
  residentId: string
  identityId: string
  channel: string
  accountId: string
  language: Language
  beatId: string | null
  compoundId: string | null
}

export type RequestState = 'active' | 'ended' | 'cancelled'

/** A service request with its case, locked for a transaction. */
export interface LockedRequest {
  id: string
  kind: string
  stationId: string
  answers: unknown
  state: RequestState
  createdAt: Date
  endedAt: Date | null
  case: {
    id: string
    number: string
    status: CaseStatus
    category: CaseCategory
    priority: CasePriority
    assigneeOfficerId: string | null
    beatId: string | null
    queue: string
    firstRespondedAt: Date | null
    residentId: string
    identityId: string
    residentLanguage: Language
    compoundId: string | null
    channel: string
    accountId: string
  }
}

export type ServiceTimerState = 'scheduled' | 'fired' | 'cancelled'

export interface ServiceTimerRow {
  id: string
  requestId: string
  /** The request kind's word for it (home watch: check-reminder, check-missed, end). */
  kind: string
  day: string
  dueAt: Date
  state: ServiceTimerState
}

export interface HomeWatchCheckRow {
  id: string
  requestId: string
  officerId: string
  checkedAt: Date
  day: string
  result: CheckResult
  note: string | null
  photoRef: string | null
  /** The uploaded photo of the visit (an attachment of the station). */
  photoId?: string | null
}

export interface RequestMessage {
  id: string
  caseId: string
  residentId: string
  identityId: string
  direction: 'outbound' | 'system'
  channel: string
  accountId: string
  text: string
  authorOfficerId: string | null
  createdAt: Date
  /** The picture the message carries. */
  attachmentId?: string | null
}

export interface RequestAudit {
  stationId: string
  /** An officer id, or 'system'. */
  actor: string
  action: string
  subjectType: 'case' | 'service_request'
  subjectId: string
  detail?: unknown
}

/** What service requests may do inside one transaction. */
export interface RequestTx {
  /**
   * This transaction as the store holds it, opaque here: a request kind's own
   * repository joins it (`MediationStore.within`) so the kind's rows commit
   * with the case and the request.
   */
  handle(): unknown
  /** Locks the resident (their messages wait) and answers them with the identity they wrote from. */
  lockResident(residentId: string, identityId: string): Promise<RequestResident | null>
  requestBySubmission(
    submissionId: string,
  ): Promise<{ requestId: string; caseId: string; caseNumber: string } | null>
  openCaseCounts(officerIds: string[]): Promise<Map<string, number>>
  insertCase(c: NewCase): Promise<void>
  insertRequest(r: {
    id: string
    kind: string
    stationId: string
    residentId: string
    caseId: string
    answers: unknown
    submissionId: string
    createdAt: Date
  }): Promise<void>
  bindAddress(residentId: string, compoundId: string, beatId: string): Promise<void>
  insertMessage(m: RequestMessage): Promise<void>
  /** Stored only when the officer has a WeChat to be told on; null otherwise. */
  addOfficerNotice(draft: OfficerNoticeDraft): Promise<QueuedNotice | null>
  audit(entry: RequestAudit): Promise<void>

  /** The request of a case (with the case locked), or by its id. */
  lockRequestOfCase(caseId: string): Promise<LockedRequest | null>
  lockRequest(requestId: string): Promise<LockedRequest | null>
  updateRequest(
    requestId: string,
    change: { answers?: unknown; state?: RequestState; endedAt?: Date; endReason?: string },
  ): Promise<void>
  /** Changes the case; a change officers must notice (status) bumps its version. */
  updateCase(
    caseId: string,
    change: {
      status?: CaseStatus
      resolvedAt?: Date
      firstRespondedAt?: Date
      escalated?: boolean
      escalatedAt?: Date
      lastMessageAt?: Date
    },
    bumpVersion: boolean,
  ): Promise<void>
  checksOf(requestId: string): Promise<HomeWatchCheckRow[]>
  insertCheck(check: HomeWatchCheckRow & { messageId: string | null }): Promise<void>
  /** Stores timers not stored yet (same id: kept as it is). Answers those that are new. */
  insertTimers(rows: Array<Omit<ServiceTimerRow, 'state'>>): Promise<string[]>
  /** Cancels scheduled timers; answers the ids that were still scheduled. */
  cancelTimers(requestId: string, ids?: string[]): Promise<string[]>
  timersOf(requestId: string): Promise<ServiceTimerRow[]>
  /** Moves a timer out of `scheduled`; false when it had left it already. */
  claimTimer(id: string, to: 'fired' | 'cancelled', at: Date): Promise<boolean>
}

export interface RequestStore {
  transaction<T>(fn: (tx: RequestTx) => Promise<T>): Promise<T>
  timer(id: string): Promise<ServiceTimerRow | null>
  scheduledDueBefore(at: Date, limit: number): Promise<ServiceTimerRow[]>
  /** A request with its checks, read without locks, for the inbox. */
  requestOfCase(caseId: string): Promise<{ request: LockedRequest; checks: HomeWatchCheckRow[] } | null>
  /** Messages and notices of the request's case not sent yet (after a crash between commit and queueing). */
  pendingSends(
    requestId: string,
  ): Promise<{ messages: Array<{ id: string; accountId: string }>; notices: QueuedNotice[] }>
}
