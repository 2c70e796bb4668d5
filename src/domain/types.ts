/**
 * Core vocabulary of maplebridge. Pure types: nothing here knows about
 * Fastify, BullMQ, Redis, Kysely or any chat platform.
 */

export type Language = 'zh' | 'en'

export type CaseCategory =
  | 'emergency'
  | 'dispute'
  | 'fraud'
  | 'noise'
  | 'lost_property'
  | 'consultation'
  /** Service requests (src/domain/forms): opened by a finished form, never by the keyword rules. */
  | 'home_watch'
  | 'residence_permit'
  | 'rental_registration'
  | 'mediation'

/** Ordered from most to least urgent. */
export type CasePriority = 'emergency' | 'urgent' | 'normal' | 'low'

export type CaseStatus = 'new' | 'assigned' | 'in_progress' | 'awaiting_resident' | 'resolved' | 'closed'

export type MessageDirection = 'inbound' | 'outbound' | 'note' | 'system'

export type DeliveryState = 'received' | 'queued' | 'sent' | 'failed'

/** What kind of content a platform message carried. */
export type InboundKind = 'text' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'link' | 'unknown'

/** Where a conversation lives on a channel: enough for the service to write first. */
export interface ConversationRef {
  /** Opaque channel kind, e.g. the adapter's name. The core never branches on it. */
  channel: string
  /** The bot account (or web chat endpoint) that holds the contact. */
  accountId: string
  /** The contact as the account sees it (platform contact id, web chat session id). */
  contactRef: string
  /** Set when the conversation is a group the account serves. */
  groupRef?: string
}

/** Media is never downloaded into the pipeline: we keep what it was. */
export interface MediaInfo {
  type: Exclude<InboundKind, 'text' | 'unknown'>
  sizeBytes?: number
  name?: string
}

/**
 * A platform message turned into the one shape the pipeline understands.
 * Built by a channel adapter; everything after the adapter reads only this.
 */
export interface InboundEvent {
  channel: string
  accountId: string
  /** The platform's id of this message; with channel and account it identifies the message. */
  externalId: string
  sender: {
    ref: string
    displayName?: string
    /** The contact's alias on the account (may carry the resident's code, see design). */
    alias?: string
  }
  group?: { ref: string; name?: string }
  kind: InboundKind
  text?: string
  media?: MediaInfo
  /** When the platform says it was sent (ISO 8601). */
  sentAt: string
  /** When our adapter received it (ISO 8601). */
  receivedAt: string
  /** The resident's preferred language, when the channel knows it (web chat does). */
  language?: Language
}

export interface WeeklyShift {
  /** 0 = Sunday … 6 = Saturday, as Date.getDay(). */
  day: number
  /** Minutes since local midnight. */
  startMinute: number
  /** Minutes since local midnight; may exceed 1440 for a shift that runs past midnight. */
  endMinute: number
}

/** Why an officer's duty differs from their weekly pattern for a while. */
export type DutyExceptionKind = 'leave' | 'sick' | 'swap_off' | 'swap_on' | 'training'

/**
 * A stretch of time when the weekly pattern does not apply: leave, sick,
 * training or a shift swapped away take the officer off duty, a shift swapped
 * in puts them on duty.
 */
export interface DutyException {
  id: string
  kind: DutyExceptionKind
  /** True for a swap-in (on duty whatever the pattern says), false for everything else. */
  onDuty: boolean
  startsAt: Date
  /** Exclusive: the officer is back on their pattern at this instant. */
  endsAt: Date
  note: string | null
  /** `file` when it came from the station YAML (replaced on every reseed), `api` when a supervisor made it. */
  source: 'api' | 'file'
}

export interface Officer {
  id: string
  stationId: string
  name: string
  badge: string
  capacity: number
  /** Weekly duty pattern in the station's time zone; empty means always on duty. */
  duty: WeeklyShift[]
  /** Current and future exceptions to the pattern; absent means none. */
  exceptions?: DutyException[]
  active: boolean
}

export interface Beat {
  id: string
  stationId: string
  code: string
  name: string
  primaryOfficerId: string | null
  backupOfficerId: string | null
}

export interface StreetRange {
  street: string
  /** Inclusive house-number bounds; absent means every number on the street. */
  from?: number
  to?: number
  /** Only odd or only even numbers, where a street is split between compounds. */
  parity?: 'odd' | 'even'
}

export interface Compound {
  id: string
  beatId: string
  name: string
  aliases: string[]
  pinyin: string[]
  streets: StreetRange[]
}

export interface Station {
  id: string
  code: string
  name: string
  /** IANA time zone of the station. */
  timeZone: string
}
