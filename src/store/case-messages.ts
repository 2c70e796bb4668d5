import type { Kysely } from 'kysely'
import type { DB } from './schema.ts'

/**
 * A text line the service or an officer adds to a resident's conversation,
 * mostly on a case (a resident's own messages are stored by the inbound path).
 */
export interface CaseMessageRow {
  id: string
  caseId: string | null
  residentId: string
  identityId: string
  direction: 'outbound' | 'note' | 'system'
  channel: string
  accountId: string
  text: string
  createdAt: Date
  authorOfficerId?: string | null
  /** The picture the message carries. */
  attachmentId?: string | null
  /** Left out: queued when it goes to the resident, else sent. */
  deliveryState?: 'queued' | 'sent'
}

/** Stores the line inside the caller's transaction. */
export async function insertCaseMessage(trx: Kysely<DB>, m: CaseMessageRow): Promise<void> {
  await trx
    .insertInto('messages')
    .values({
      id: m.id,
      case_id: m.caseId,
      resident_id: m.residentId,
      identity_id: m.identityId,
      direction: m.direction,
      channel: m.channel,
      account_id: m.accountId,
      kind: 'text',
      text: m.text,
      author_officer_id: m.authorOfficerId ?? null,
      attachment_id: m.attachmentId ?? null,
      // Notes and system lines are never sent: "sent" keeps them out of every delivery query.
      delivery_state: m.deliveryState ?? (m.direction === 'outbound' ? 'queued' : 'sent'),
      created_at: m.createdAt,
    })
    .execute()
}
