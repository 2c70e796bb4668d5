import type {
  CaseCategory,
  CasePriority,
  CaseStatus,
  DeliveryState,
  Language,
  MessageDirection,
} from '../../domain/types.ts'

/** A case as a row of the inbox list. */
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

export interface CaseDetail extends CaseSummary {
  openedAt: string
  resolvedAt: string | null
  firstRespondedAt: string | null
}

export interface MessageView {
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

export interface ResidentView {
  id: string
  code: string
  name: string | null
  language: Language
  compound: string | null
  beat: { id: string; code: string; name: string } | null
  tags: string[]
  earlierCases: CaseSummary[]
}

export interface AuditView {
  id: string
  at: string
  actor: { id: string; name: string } | null
  action: string
  detail: unknown
}

export type QueueName = 'mine' | 'beats' | 'unassigned' | 'escalated' | 'all'

export interface CaseListQuery {
  queue: QueueName
  status?: CaseStatus[]
  category?: CaseCategory
  beatId?: string
  assigneeId?: string
  overdue?: boolean
  q?: string
  cursor?: string
  limit: number
}

/** One page of the case list. */
export interface CaseListPage {
  cases: CaseSummary[]
  nextCursor: string | null
}

/** Everything the open-case view shows. */
export interface CaseDetailView {
  case: CaseDetail
  messages: MessageView[]
  resident: ResidentView | null
  history: AuditView[]
}

/**
 * The JSON text of a `T`, made by the database and sent by the API as it is
 * (see store/case-query.repository.ts): the type says what the text holds.
 */
export type JsonText<T> = string & { readonly __jsonOf?: T }
