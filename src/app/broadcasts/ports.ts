import type {
  ApprovalReason,
  BroadcastContent,
  BroadcastState,
  BroadcastTargets,
  DeliveryState,
  SkipReason,
} from '../../domain/broadcast.ts'
import type { BroadcastCategory } from '../../domain/broadcast-categories.ts'
import type { ConversationRef, Language } from '../../domain/types.ts'
import type { AuditEntry } from '../ports.ts'

/** A broadcast as stored. */
export interface BroadcastRecord extends BroadcastContent {
  id: string
  /** The uploaded picture sent with the text (an attachment of the station), or null. */
  imageId: string | null
  stationId: string
  authorId: string
  targets: BroadcastTargets
  sendAt: Date | null
  state: BroadcastState
  approvalReason: ApprovalReason | null
  decidedBy: string | null
  decidedAt: Date | null
  decisionNote: string | null
  estimatedResidents: number
  estimatedGroups: number
  plannedAt: Date | null
  startedAt: Date | null
  pausedAt: Date | null
  pausedBy: string | null
  finishedAt: Date | null
  cancelledBy: string | null
  progress: BroadcastProgress | null
  createdAt: Date
  updatedAt: Date
}

/** Deliveries per state; `planned` counts them all. */
export type DeliveryCounts = Record<DeliveryState | 'planned', number>

export const noCounts = (): DeliveryCounts => ({
  planned: 0,
  pending: 0,
  sending: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  unconfirmed: 0,
  cancelled: 0,
})

/** Counts as the worker last saw them, with its estimate of the time left. */
export interface BroadcastProgress extends DeliveryCounts {
  etaSeconds: number | null
  at: string
}

/** A bot account of the station, as broadcasts use it. */
export interface BroadcastAccount {
  id: string
  stationId: string
  /** 0: no limit. */
  ratePerMinute: number
  dailyCap: number
  groups: string[]
  ownerOfficerId: string | null
  timeZone: string
}

/** Who a draft would reach, per account, before anything is stored. */
export interface RecipientCounts {
  byAccount: Array<{ accountId: string; residents: number; groups: number }>
  /** Matched residents who turned this category off. */
  optedOut: number
  /** Matched residents none of the station's accounts holds as a contact. */
  noContact: number
}

export interface FailureRow {
  deliveryId: number
  state: 'failed' | 'unconfirmed'
  accountId: string | null
  resident: { id: string; code: string; name: string | null } | null
  group: string | null
  reason: string | null
  attempts: number
  at: Date | null
}

export interface TargetChoices {
  beats: Array<{ id: string; code: string; name: string; nameEn: string | null; residents: number }>
  compounds: Array<{ id: string; name: string; beatId: string; residents: number }>
  tags: Array<{ tag: string; residents: number }>
  groups: Array<{ accountId: string; name: string }>
}

/** Broadcasts as the API reads and changes them. */
export interface BroadcastStore {
  accounts(stationId: string): Promise<BroadcastAccount[]>
  countRecipients(
    stationId: string,
    targets: BroadcastTargets,
    category: BroadcastCategory,
  ): Promise<RecipientCounts>
  targetChoices(stationId: string): Promise<TargetChoices>
  insert(record: BroadcastRecord, audit: AuditEntry & { actor: string }): Promise<void>
  get(id: string): Promise<BroadcastRecord | null>
  list(
    stationId: string,
    options: { states?: BroadcastState[]; limit: number; before?: Date },
  ): Promise<BroadcastRecord[]>
  /**
   * Moves the broadcast from one of `from` to the state in `change`, with its
   * audit entry, in one transaction; null when it was in none of `from`.
   */
  transition(
    id: string,
    from: readonly BroadcastState[],
    change: Partial<
      Pick<
        BroadcastRecord,
        | 'state'
        | 'decidedBy'
        | 'decidedAt'
        | 'decisionNote'
        | 'pausedAt'
        | 'pausedBy'
        | 'finishedAt'
        | 'cancelledBy'
      >
    >,
    audit: AuditEntry & { actor: string },
  ): Promise<BroadcastRecord | null>
  /** Takes back deliveries handed to the outbound queues and not yet taken; answers their jobs. */
  unfeed(id: string): Promise<FedDelivery[]>
  /** Lets accounts paused on their own (logged out) go on; answers how many were. */
  clearAccountPauses(id: string): Promise<number>
  /** Puts unconfirmed deliveries back to be sent; a completed broadcast goes back to sending. */
  resendUnconfirmed(id: string, audit: AuditEntry & { actor: string }): Promise<number>
  counts(id: string): Promise<{
    total: DeliveryCounts
    byAccount: Array<{ accountId: string; counts: DeliveryCounts; paused: string | null }>
    skipped: Record<SkipReason, number>
  }>
  failures(id: string, limit: number): Promise<{ rows: FailureRow[]; total: number }>
}

/** A delivery handed to an account's outbound queue; `feeds` numbers its job. */
export interface FedDelivery {
  id: number
  feeds: number
  accountId: string
}

/** A broadcast the worker looks after. */
export interface ActiveBroadcast {
  id: string
  stationId: string
  authorId: string
  state: BroadcastState
  category: BroadcastCategory
  sendAt: Date | null
  plannedAt: Date | null
  startedAt: Date | null
  finishedAt: Date | null
}

/** What the broadcast worker reads and writes. */
export interface RunnerStore {
  /** Scheduled, sending and paused broadcasts, and cancelled ones not yet wound up. */
  active(): Promise<ActiveBroadcast[]>
  /**
   * Writes one delivery per recipient and starts the broadcast, in one
   * transaction; null when it is not scheduled any more (planned already, cancelled).
   */
  plan(
    broadcastId: string,
    now: Date,
  ): Promise<{ planned: number; pending: number; broadcast: ActiveBroadcast } | null>
  accounts(stationIds: string[]): Promise<BroadcastAccount[]>
  /** Deliveries handed out and not yet taken, per account, over every broadcast. */
  fedCounts(): Promise<Map<string, number>>
  /** `${broadcastId} ${accountId}` of accounts paused on their own. */
  accountPauses(broadcastIds: string[]): Promise<Set<string>>
  /** Hands out up to `limit` deliveries of the broadcast and account, in plan order. */
  feed(broadcastId: string, accountId: string, limit: number, now: Date): Promise<FedDelivery[]>
  /** Deliveries handed out before `before` and still not taken. */
  staleFeeds(before: Date): Promise<FedDelivery[]>
  refeed(ids: number[], now: Date): Promise<void>
  unfeedMany(ids: number[]): Promise<void>
  /** Claims older than `before` whose worker never said how the send went: marked unconfirmed. */
  expireClaims(before: Date, reason: string): Promise<number>
  counts(
    broadcastIds: string[],
  ): Promise<Map<string, { total: DeliveryCounts; openByAccount: Map<string, number> }>>
  saveProgress(id: string, progress: BroadcastProgress): Promise<void>
  /** Ends a sending broadcast that has nothing left; false when it had changed meanwhile. */
  complete(id: string, now: Date): Promise<boolean>
  /** Marks a cancelled broadcast's unsent deliveries cancelled and the broadcast wound up. */
  windUp(id: string, now: Date): Promise<void>
}

/** A delivery with what sending it needs. */
export interface DeliveryForSend {
  id: number
  state: DeliveryState
  accountId: string
  language: Language
  ref: ConversationRef | null
  broadcast: BroadcastContent & {
    id: string
    stationId: string
    authorId: string
    state: BroadcastState
    imageId: string | null
  }
  accountPaused: boolean
  dailyCap: number
  timeZone: string
}

/** What the outbound worker records of broadcast sends; every change is conditional on the claim. */
export interface DeliverySendStore {
  load(id: number): Promise<DeliveryForSend | null>
  /** Takes the delivery for this attempt: only a pending one of a sending broadcast, account not paused. */
  claim(id: number, token: string, at: { claimedAt: Date; grantedAt: Date }): Promise<boolean>
  markSent(id: number, token: string, externalId: string | null, at: Date): Promise<void>
  markFailed(id: number, token: string, reason: string): Promise<void>
  /** Back to pending after a failed attempt, its job retrying; with `refund` the attempt does not count. */
  unclaim(id: number, token: string, reason: string | null, refund?: boolean): Promise<void>
  /** Back to the worker to hand out again later (paused, quiet hours, over the day's cap). */
  release(id: number): Promise<void>
  /** Pauses the account's deliveries of every broadcast that has some left; answers the newly paused. */
  pauseAccount(
    accountId: string,
    reason: string,
  ): Promise<Array<{ broadcastId: string; stationId: string; authorId: string }>>
  /** Lifts the accounts' pauses of this reason from broadcasts still sending or paused; answers those lifted. */
  resumeAccounts(
    accountIds: string[],
    reason: string,
  ): Promise<
    Array<{ accountId: string; broadcastId: string; stationId: string; authorId: string; state: string }>
  >
}

/** Hands broadcast work to the queues. */
export interface BroadcastQueue {
  plan(broadcastId: string): Promise<void>
  feed(deliveries: FedDelivery[]): Promise<void>
  unfeed(deliveries: FedDelivery[]): Promise<void>
  /** Whether the delivery's job still waits (or runs) on its account's queue. */
  isQueued(delivery: FedDelivery): Promise<boolean>
}

/** One account's send pace, shared by every process and every kind of send (replies too). */
export interface AccountPace {
  /**
   * Waits for the account's next slot and counts the send against the day;
   * with a cap, answers null instead once the day's sends have reached it.
   * Answers the instant the slot was granted.
   */
  take(cap?: number): Promise<Date | null>
}

/** Sends per account and local day, as the paces counted them. */
export interface SendCounter {
  sentToday(accounts: Array<{ id: string; timeZone: string }>, now: Date): Promise<Map<string, number>>
}
