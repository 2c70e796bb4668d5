import type { Kysely } from 'kysely'
import type { QueuedNotice } from '../app/ports.ts'
import { pendingNotices } from './officer-notices.repository.ts'
import type { DB } from './schema.ts'

/**
 * What a case has stored for sending but not sent yet, oldest first: its
 * outbound messages and its officer notices. A worker that died after a
 * commit re-queues these (their job ids make a second queueing harmless).
 */
export async function pendingSendsOfCase(
  db: Kysely<DB>,
  caseId: string,
): Promise<{ messages: Array<{ id: string; accountId: string }>; notices: QueuedNotice[] }> {
  const [messages, notices] = await Promise.all([
    db
      .selectFrom('messages')
      .select(['id', 'account_id'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'outbound')
      .where('delivery_state', '=', 'queued')
      .orderBy('created_at')
      .execute(),
    pendingNotices(db, caseId),
  ])
  return { messages: messages.map((m) => ({ id: m.id, accountId: m.account_id })), notices }
}
