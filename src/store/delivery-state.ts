import { type Kysely, sql } from 'kysely'
import type { DB } from './schema.ts'

/** Tables whose rows are sent through an outbound queue and keep their delivery state. */
type Deliverable = 'messages' | 'officer_notices'

const REASON_LENGTH = 500

/** Records how a send went, the same way for resident messages and officer notices. */
export function deliveryMarks(db: Kysely<DB>, table: Deliverable) {
  const set = async (id: string, values: Record<string, unknown>): Promise<void> => {
    // Both tables share these columns; Kysely cannot type an update over a union of tables.
    await db
      .updateTable(table as 'messages')
      .set({ ...values, attempts: sql`attempts + 1` })
      .where('id', '=', id)
      .execute()
  }
  return {
    sent: (id: string) => set(id, { delivery_state: 'sent', sent_at: new Date(), failure_reason: null }),
    failed: (id: string, reason: string) =>
      set(id, { delivery_state: 'failed', failure_reason: reason.slice(0, REASON_LENGTH) }),
    attempt: (id: string, reason: string) => set(id, { failure_reason: reason.slice(0, REASON_LENGTH) }),
  }
}
