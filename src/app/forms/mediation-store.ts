import type {
  FollowUpResult,
  MediationState,
  MediationTimerKind,
  NextStep,
  PartyRole,
} from '../../domain/forms/mediation.ts'
import type { CaseCategory, CasePriority, CaseStatus, Language } from '../../domain/types.ts'
import type { OfficerNoticeDraft, QueuedNotice } from '../ports.ts'
import type { RequestAudit, RequestMessage, ServiceTimerState } from './request-store.ts'

/** A mediation as stored beside its service request (migration 015). */
export interface MediationRow {
  requestId: string
  stationId: string
  caseId: string
  subject: string
  preferredTimes: string | null
  /** `chat`: the resident's form; `officer`: a dispute case an officer turned into a mediation. */
  source: 'chat' | 'officer'
  mediatorOfficerId: string | null
  mediatorTeam: string | null
  state: MediationState
  openedAt: Date
  concludedAt: Date | null
  concludedBy: string | null
  agreementTerms: string | null
  nextStep: NextStep | null
  outcomeNote: string | null
  followUpDueAt: Date | null
  followUpAt: Date | null
  followUpBy: string | null
  followUpResult: FollowUpResult | null
  followUpNote: string | null
}

export type MediationChange = Partial<
  Pick<
    MediationRow,
    | 'mediatorOfficerId'
    | 'mediatorTeam'
    | 'state'
    | 'concludedAt'
    | 'concludedBy'
    | 'agreementTerms'
    | 'nextStep'
    | 'outcomeNote'
    | 'followUpDueAt'
    | 'followUpAt'
    | 'followUpBy'
    | 'followUpResult'
    | 'followUpNote'
  >
>

/** The case a mediation belongs to, as its commands need it. */
export interface MediationCase {
  id: string
  number: string
  stationId: string
  status: CaseStatus
  category: CaseCategory
  priority: CasePriority
  assigneeOfficerId: string | null
  beatId: string | null
  queue: string
  firstRespondedAt: Date | null
  residentId: string
  version: number
}

export interface LockedMediation {
  mediation: MediationRow
  case: MediationCase
}

export interface PartyRow {
  id: string
  requestId: string
  /** The resident record the party is, when an officer linked one (or the case's own resident). */
  residentId: string | null
  residentCode: string | null
  name: string
  phone: string | null
  role: PartyRole
  createdAt: Date
}

export interface SessionRow {
  id: string
  requestId: string
  startsAt: Date
  place: string
  note: string | null
  state: 'scheduled' | 'cancelled'
  cancelReason: string | null
  createdBy: string
  createdAt: Date
}

/** Where a resident party can be written to: the direct (not group) identity they used last. */
export interface PartyContact {
  residentId: string
  identityId: string
  channel: string
  accountId: string
  language: Language
}

export interface MediationTimerRow {
  id: string
  requestId: string
  kind: MediationTimerKind
  day: string
  dueAt: Date
  state: ServiceTimerState
}

/** A resident as an officer may link them to a party: known to the station. */
export interface StationResident {
  residentId: string
  code: string
  name: string | null
}

/** What mediation may do inside one transaction. */
export interface MediationTx {
  /** A case with whether it already carries a service request, locked (turning it into a mediation). */
  lockCase(caseId: string): Promise<(MediationCase & { hasRequest: boolean }) | null>
  insertRequest(r: {
    id: string
    stationId: string
    residentId: string
    caseId: string
    answers: unknown
    submissionId: string
    createdAt: Date
  }): Promise<void>
  insertMediation(
    m: Omit<MediationRow, 'state' | 'concludedAt' | 'concludedBy' | keyof MediationOutcome>,
  ): Promise<void>
  lockMediationOfCase(caseId: string): Promise<LockedMediation | null>
  lockMediation(requestId: string): Promise<LockedMediation | null>
  updateMediation(requestId: string, change: MediationChange): Promise<void>
  /** Ends the service request the mediation hangs from (`ended` once concluded). */
  endRequest(requestId: string, at: Date, reason: string): Promise<void>

  parties(requestId: string): Promise<PartyRow[]>
  insertParty(p: Omit<PartyRow, 'residentCode' | 'createdAt'> & { createdAt: Date }): Promise<void>
  deleteParty(requestId: string, partyId: string): Promise<boolean>
  /** A resident with a case at the station or an address in it; null otherwise (no probing other stations). */
  residentOfStation(
    stationId: string,
    by: { residentId?: string; code?: string },
  ): Promise<StationResident | null>
  contacts(residentIds: string[]): Promise<Map<string, PartyContact>>

  sessions(requestId: string): Promise<SessionRow[]>
  insertSession(s: Omit<SessionRow, 'state' | 'cancelReason'>): Promise<void>
  /** Cancels a scheduled session; false when it was not scheduled. */
  cancelSession(sessionId: string, at: Date, reason: string | null): Promise<boolean>

  insertMessage(m: RequestMessage): Promise<void>
  addOfficerNotice(draft: OfficerNoticeDraft): Promise<QueuedNotice | null>
  audit(entry: RequestAudit): Promise<void>
  updateCase(
    caseId: string,
    change: { status?: CaseStatus; resolvedAt?: Date; firstRespondedAt?: Date },
    bumpVersion: boolean,
  ): Promise<void>

  insertTimers(rows: Array<Omit<MediationTimerRow, 'state'>>): Promise<string[]>
  /** Cancels scheduled timers of the request (those ids only, when given); answers the ids cancelled. */
  cancelTimers(requestId: string, ids?: string[]): Promise<string[]>
  claimTimer(id: string, to: 'fired' | 'cancelled', at: Date): Promise<boolean>
}

type MediationOutcome = Pick<
  MediationRow,
  | 'agreementTerms'
  | 'nextStep'
  | 'outcomeNote'
  | 'followUpDueAt'
  | 'followUpAt'
  | 'followUpBy'
  | 'followUpResult'
  | 'followUpNote'
>

export interface MediationStore {
  transaction<T>(fn: (tx: MediationTx) => Promise<T>): Promise<T>
  /** The same writes inside a transaction a service-request submission opened (`RequestTx.handle()`). */
  within(handle: unknown): MediationTx
  timer(id: string): Promise<MediationTimerRow | null>
  /** A mediation with its parties and sessions, read without locks, for the inbox. */
  read(caseId: string): Promise<{
    locked: LockedMediation
    parties: PartyRow[]
    sessions: SessionRow[]
    /** Residents among the parties the service can write to. */
    reachable: Set<string>
  } | null>
  /** Messages and notices of the mediation's case not sent yet (after a crash between commit and queueing). */
  pendingSends(
    requestId: string,
  ): Promise<{ messages: Array<{ id: string; accountId: string }>; notices: QueuedNotice[] }>
}
