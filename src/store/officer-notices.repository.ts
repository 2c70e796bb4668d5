import type { Kysely } from 'kysely'
import type { OfficerNoticeDraft, QueuedNotice } from '../app/ports.ts'
import type { NoticeStore } from '../app/send-outbound.ts'
import { deliveryMarks } from './delivery-state.ts'
import type { DB } from './schema.ts'

/** The station file configures officers' WeChat only: notices go out on that channel. */
const NOTICE_CHANNEL = 'wechat'

/**
 * Stores a notice to the officer, addressed to their WeChat as configured now;
 * null when the officer has none configured. Runs in the caller's transaction,
 * so the notice exists exactly when the case change that caused it does.
 */
export async function insertOfficerNotice(
  trx: Kysely<DB>,
  draft: OfficerNoticeDraft,
): Promise<QueuedNotice | null> {
  const officer = await trx
    .selectFrom('officers')
    .select(['notify_account_id', 'notify_contact_ref'])
    .where('id', '=', draft.officerId)
    .executeTakeFirst()
  if (!officer?.notify_account_id || !officer.notify_contact_ref) return null
  await trx
    .insertInto('officer_notices')
    .values({
      id: draft.id,
      officer_id: draft.officerId,
      case_id: draft.caseId,
      account_id: officer.notify_account_id,
      contact_ref: officer.notify_contact_ref,
      text: draft.text,
    })
    .execute()
  return { id: draft.id, accountId: officer.notify_account_id }
}

/** Notices of a case still waiting to be sent (for re-dispatch after a crash). */
export async function pendingNotices(db: Kysely<DB>, caseId: string): Promise<QueuedNotice[]> {
  const rows = await db
    .selectFrom('officer_notices')
    .select(['id', 'account_id'])
    .where('case_id', '=', caseId)
    .where('delivery_state', '=', 'queued')
    .orderBy('created_at')
    .execute()
  return rows.map((r) => ({ id: r.id, accountId: r.account_id }))
}

/** The outbound worker's side: read a notice, record how its send went. */
export function createNoticeSendStore(db: Kysely<DB>): NoticeStore {
  const marks = deliveryMarks(db, 'officer_notices')
  return {
    async loadNotice(noticeId) {
      const row = await db
        .selectFrom('officer_notices')
        .select(['id', 'text', 'delivery_state', 'account_id', 'contact_ref'])
        .where('id', '=', noticeId)
        .executeTakeFirst()
      if (!row) return null
      return {
        id: row.id,
        text: row.text,
        state: row.delivery_state,
        ref: { channel: NOTICE_CHANNEL, accountId: row.account_id, contactRef: row.contact_ref },
      }
    },
    markNoticeSent: marks.sent,
    markNoticeFailed: marks.failed,
    markNoticeAttempt: marks.attempt,
  }
}
