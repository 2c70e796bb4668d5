import type { OutboundStore } from '../app/send-outbound.ts'
import type { Database } from './db.ts'
import { deliveryMarks } from './delivery-state.ts'
import { createNoticeSendStore } from './officer-notices.repository.ts'

export function createOutboundStore(db: Database): OutboundStore {
  const marks = deliveryMarks(db, 'messages')
  return {
    ...createNoticeSendStore(db),
    async loadForSend(messageId) {
      const row = await db
        .selectFrom('messages')
        .leftJoin('channel_identities as ci', 'ci.id', 'messages.identity_id')
        .select([
          'messages.id',
          'messages.text',
          'messages.delivery_state',
          'messages.direction',
          'messages.case_id',
          'messages.resident_id',
          'messages.attachment_id',
          'ci.channel',
          'ci.account_id',
          'ci.contact_ref',
          'ci.group_ref',
        ])
        .where('messages.id', '=', messageId)
        .executeTakeFirst()
      if (!row) return null
      return {
        id: row.id,
        text: row.text ?? '',
        state: row.delivery_state,
        direction: row.direction,
        caseId: row.case_id,
        attachmentId: row.attachment_id,
        ref:
          row.channel && row.account_id && row.contact_ref
            ? {
                channel: row.channel,
                accountId: row.account_id,
                contactRef: row.contact_ref,
                ...(row.group_ref ? { groupRef: row.group_ref } : {}),
              }
            : null,
      }
    },
    markSent: marks.sent,
    markFailed: marks.failed,
    markAttempt: marks.attempt,
  }
}
