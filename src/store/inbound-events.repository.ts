import { sql } from 'kysely'
import type { InboundEvent } from '../domain/types.ts'
import type { Database } from './db.ts'
import { newId } from './ids.ts'

/** Durable staging of inbound events and the parking lot for malformed ones. */
export function createInboundEvents(db: Database) {
  return {
    async save(id: string, event: InboundEvent): Promise<boolean> {
      const row = await db
        .insertInto('inbound_events')
        .values({
          id,
          channel: event.channel,
          account_id: event.accountId,
          external_id: event.externalId,
          payload: JSON.stringify(event),
          received_at: event.receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst()
      return row !== undefined
    },

    /**
     * Stores many events in one statement; answers, per entry, whether it was
     * new (the first of an id in the list counts as new, later ones not).
     */
    async saveMany(entries: Array<{ id: string; event: InboundEvent }>): Promise<boolean[]> {
      if (entries.length === 0) return []
      const { rows } = await sql<{ id: string }>`
        INSERT INTO inbound_events (id, channel, account_id, external_id, payload, received_at)
        SELECT * FROM unnest(${entries.map((e) => e.id)}::text[], ${entries.map((e) => e.event.channel)}::text[],
                             ${entries.map((e) => e.event.accountId)}::text[],
                             ${entries.map((e) => e.event.externalId)}::text[],
                             ${entries.map((e) => JSON.stringify(e.event))}::jsonb[],
                             ${entries.map((e) => e.event.receivedAt)}::timestamptz[])
        ON CONFLICT (id) DO NOTHING
        RETURNING id`.execute(db)
      const fresh = new Set(rows.map((r) => r.id))
      return entries.map((e) => fresh.delete(e.id))
    },

    async park(entry: {
      channel: string
      accountId: string
      reason: string
      detail: unknown
    }): Promise<string> {
      const id = `park-${newId()}`
      await db
        .insertInto('parked_events')
        .values({
          id,
          channel: entry.channel.slice(0, 40),
          account_id: entry.accountId.slice(0, 80),
          reason: entry.reason.slice(0, 2000),
          detail: JSON.stringify(entry.detail ?? null),
        })
        .execute()
      return id
    },

    /** Events stored but still pending after `olderThanMs`: their queue job may never have been added. */
    async pendingOlderThan(
      olderThanMs: number,
      limit = 1000,
    ): Promise<Array<{ eventId: string; accountId: string }>> {
      const rows = await db
        .selectFrom('inbound_events')
        .select(['id', 'account_id'])
        .where('status', '=', 'pending')
        .where('received_at', '<', new Date(Date.now() - olderThanMs))
        .orderBy('received_at')
        .limit(limit)
        .execute()
      return rows.map((r) => ({ eventId: r.id, accountId: r.account_id }))
    },

    async markParked(id: string): Promise<void> {
      await db
        .updateTable('inbound_events')
        .set({ status: 'parked', processed_at: new Date() })
        .where('id', '=', id)
        .execute()
    },

    async parkedCount(): Promise<number> {
      const row = await db
        .selectFrom('parked_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },
  }
}

export type InboundEvents = ReturnType<typeof createInboundEvents>
