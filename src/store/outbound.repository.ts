import { sql } from 'kysely'
import type { OutboundStore } from '../app/send-outbound.ts'
import type { Database } from './db.ts'
import { createNoticeSendStore } from './officer-notices.repository.ts'

export function createOutboundStore(db: Database): OutboundStore {
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
    async markSent(messageId) {
      await db
        .updateTable('messages')
        .set({
          delivery_state: 'sent',
          sent_at: new Date(),
          failure_reason: null,
          attempts: sql`attempts + 1`,
        })
        .where('id', '=', messageId)
        .execute()
    },
    async markFailed(messageId, reason) {
      await db
        .updateTable('messages')
        .set({ delivery_state: 'failed', failure_reason: reason.slice(0, 500), attempts: sql`attempts + 1` })
        .where('id', '=', messageId)
        .execute()
    },
    async markAttempt(messageId, reason) {
      await db
        .updateTable('messages')
        .set({ failure_reason: reason.slice(0, 500), attempts: sql`attempts + 1` })
        .where('id', '=', messageId)
        .execute()
    },
  }
}
