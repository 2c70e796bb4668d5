import type { AuditView, CaseSummary, MessageView, ResidentView } from '../../../app/cases/views.ts'
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

export interface CaseFull extends CaseSummary {
  openedAt: string
  resolvedAt: string | null
}

/** The server's own view types: the page and the API cannot drift apart. */
export type { AuditView as AuditEntry, CaseSummary, MessageView as Message, ResidentView as Resident }

export interface CaseDetail {
  case: CaseFull
  messages: MessageView[]
  resident: ResidentView
  history: AuditView[]
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
  | {
      type: 'case'
      caseId: string
      kind: 'opened' | 'routed' | 'updated' | 'message' | 'reminder' | 'escalated'
    }
  | { type: 'delivery'; caseId: string; messageId: string; state: DeliveryState }
  /** The officer's own morning digest: counts only. */
  | { type: 'digest'; open: number; dueToday: number; overdue: number }

export type ConnectionState = 'connecting' | 'open' | 'reconnecting'
