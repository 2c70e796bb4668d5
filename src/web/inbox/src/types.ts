import type {
  CaseCategory,
  CasePriority,
  CaseStatus,
  DeliveryState,
  Language,
  MessageDirection,
} from '../../../domain/types.ts'

export type { CaseCategory, CasePriority, CaseStatus, DeliveryState, Language, MessageDirection }

/** The page's own language setting; residents have theirs on their record. */
export type Lang = Language

export type Role = 'officer' | 'supervisor' | 'admin'

/** The signed-in officer, as `/api/auth/login` and `/api/auth/me` return it. */
export interface Me {
  id: string
  name: string
  nameEn: string
  badge: string
  role: Role
  stationId: string
  stationCode: string
  stationName: string
  beatIds: string[]
}

export interface Session {
  officer: Me
  csrfToken: string
}

export type QueueName = 'mine' | 'beats' | 'unassigned' | 'escalated' | 'all'

export type QueueCounts = Record<Exclude<QueueName, 'all'>, number>

/** A case as a row of the list (see docs/inbox-api.md). */
export interface CaseSummary {
  id: string
  number: string
  status: CaseStatus
  category: CaseCategory
  priority: CasePriority
  queue: string
  escalated: boolean
  assignee: { id: string; name: string } | null
  beat: { id: string; code: string; name: string } | null
  compound: string | null
  residentName: string | null
  preview: string
  lastMessageAt: string
  firstResponseDueAt: string | null
  overdue: boolean
  version: number
}

export interface CaseFull extends CaseSummary {
  openedAt: string
  resolvedAt: string | null
}

export interface Message {
  id: string
  direction: MessageDirection
  text: string
  kind: string
  media: { type: string; sizeBytes?: number; name?: string } | null
  createdAt: string
  author: { id: string; name: string } | null
  deliveryState: DeliveryState
  failureReason: string | null
}

export interface Resident {
  id: string
  code: string
  name: string | null
  language: Language
  compound: string | null
  beat: { id: string; code: string; name: string } | null
  tags: string[]
  earlierCases: CaseSummary[]
}

export interface AuditEntry {
  id: string
  at: string
  actor: { id: string; name: string } | null
  action: string
  detail?: unknown
}

export interface CaseDetail {
  case: CaseFull
  messages: Message[]
  resident: Resident
  history: AuditEntry[]
}

export interface OfficerOption {
  id: string
  name: string
  nameEn: string
  badge: string
  role: Role
  onDuty: boolean
  openCases: number
  /** Disabled accounts may still be listed by the server; they cannot take cases. */
  active?: boolean
}

export interface CannedReply {
  id: string
  shortcut: string
  title: string
  body: string
  language?: Language
}

/** The list filters beside the queue. Empty strings mean "no filter". */
export interface Filters {
  status: CaseStatus | ''
  category: CaseCategory | ''
  overdue: boolean
  q: string
}

/** What the live stream reports; the page refetches what it names. */
export type LiveEvent =
  | { type: 'case'; caseId: string; kind: 'opened' | 'routed' | 'updated' | 'message' }
  | { type: 'delivery'; caseId: string; messageId: string; state: DeliveryState }

export type ConnectionState = 'connecting' | 'open' | 'reconnecting'
