import type { CaseCategory, CasePriority, CaseStatus, Language } from '../../domain/types.ts'
import type { OfficerNoticeDraft, QueuedNotice } from '../ports.ts'

/** A case as the commands see it, locked for the transaction. */
export interface LockedCase {
  id: string
  number: string
  stationId: string
  residentId: string
  identityId: string
  residentLanguage: Language
  channel: string
  accountId: string
  status: CaseStatus
  category: CaseCategory
  priority: CasePriority
  assigneeOfficerId: string | null
  beatId: string | null
  /** The compound of the resident's bound address, when they have one. */
  compoundId: string | null
  queue: string
  firstRespondedAt: Date | null
  version: number
}

export interface CaseUpdate {
  status?: CaseStatus
  category?: CaseCategory
  priority?: CasePriority
  assigneeOfficerId?: string | null
  queue?: string
  firstRespondedAt?: Date
  resolvedAt?: Date | null
  closedAt?: Date | null
  escalated?: boolean
}

export interface NewCaseMessage {
  id: string
  caseId: string
  residentId: string
  identityId: string
  direction: 'outbound' | 'note' | 'system'
  channel: string
  accountId: string
  text: string
  authorOfficerId: string | null
  deliveryState: 'queued' | 'sent'
  createdAt: Date
}

export interface CaseTx {
  lock(caseId: string): Promise<LockedCase | null>
  /** The latest recorded change: who, what and when (for a 409 that says so). */
  lastChange(caseId: string): Promise<{ actorName: string | null; action: string; at: Date } | null>
  update(caseId: string, update: CaseUpdate): Promise<number>
  insertMessage(message: NewCaseMessage): Promise<void>
  /** Stores the notice when the officer has a WeChat to be told on; null (and nothing stored) when not. */
  addOfficerNotice(draft: OfficerNoticeDraft): Promise<QueuedNotice | null>
  audit(entry: {
    stationId: string
    actor: string
    action: string
    caseId: string
    detail?: unknown
  }): Promise<void>
}

export interface CaseCommandStore {
  transaction<T>(fn: (tx: CaseTx) => Promise<T>): Promise<T>
  /** A failed outbound message with the case it belongs to, for a retry. */
  failedMessage(
    messageId: string,
  ): Promise<{ id: string; caseId: string | null; accountId: string; state: string } | null>
  requeueMessage(messageId: string): Promise<void>
}
