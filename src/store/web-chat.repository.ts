import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Language } from '../domain/types.ts'
import type { Database } from './db.ts'
import { newId } from './ids.ts'

export interface WebChatSession {
  id: string
  stationId: string
  displayName: string | null
  language: Language
}

export interface WebChatMessage {
  id: string
  direction: 'inbound' | 'outbound'
  text: string
  createdAt: string
  caseNumber?: string
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/** Web chat sessions (the resident's bearer token, stored only as a hash) and their conversation. */
export function createWebChatStore(db: Database) {
  return {
    async createSession(input: { stationId: string; displayName?: string; language: Language }) {
      const token = randomBytes(32).toString('base64url')
      const session: WebChatSession = {
        id: newId(),
        stationId: input.stationId,
        displayName: input.displayName ?? null,
        language: input.language,
      }
      await db
        .insertInto('web_chat_sessions')
        .values({
          id: session.id,
          token_hash: hashToken(token),
          station_id: session.stationId,
          display_name: session.displayName,
          language: session.language,
        })
        .execute()
      return { token, session }
    },

    async findByToken(token: string): Promise<WebChatSession | null> {
      const row = await db
        .selectFrom('web_chat_sessions')
        .select(['id', 'station_id', 'display_name', 'language'])
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst()
      if (!row) return null
      return {
        id: row.id,
        stationId: row.station_id,
        displayName: row.display_name,
        language: row.language as Language,
      }
    },

    /**
     * The conversation as the resident sees it: stored messages plus those
     * accepted but not yet processed, so a reload never hides what was sent.
     */
    async conversation(session: WebChatSession, accountId: string): Promise<WebChatMessage[]> {
      const stored = await db
        .selectFrom('messages')
        .innerJoin('channel_identities as ci', 'ci.id', 'messages.identity_id')
        .leftJoin('cases', 'cases.id', 'messages.case_id')
        .select([
          'messages.id',
          'messages.direction',
          'messages.text',
          'messages.created_at',
          'cases.number as case_number',
        ])
        .where('ci.channel', '=', 'web')
        .where('ci.account_id', '=', accountId)
        .where('ci.contact_ref', '=', session.id)
        .where('messages.direction', 'in', ['inbound', 'outbound'])
        .orderBy('messages.created_at')
        .orderBy('messages.id')
        .limit(500)
        .execute()
      const pending = await db
        .selectFrom('inbound_events')
        .select(['id', 'payload', 'received_at'])
        .where('status', '=', 'pending')
        .where('channel', '=', 'web')
        .where('account_id', '=', accountId)
        .where('external_id', 'like', `${session.id}/%`)
        .execute()
      const seen = new Set(stored.map((m) => m.id))
      const messages: WebChatMessage[] = stored.map((m) => ({
        id: m.id,
        direction: m.direction as 'inbound' | 'outbound',
        text: m.text ?? '',
        createdAt: m.created_at.toISOString(),
        ...(m.case_number ? { caseNumber: m.case_number } : {}),
      }))
      for (const p of pending) {
        if (seen.has(p.id)) continue
        const text = (p.payload as { text?: string } | null)?.text ?? ''
        messages.push({ id: p.id, direction: 'inbound', text, createdAt: p.received_at.toISOString() })
      }
      return messages.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    },

    async message(id: string): Promise<WebChatMessage | null> {
      const row = await db
        .selectFrom('messages')
        .leftJoin('cases', 'cases.id', 'messages.case_id')
        .select(['messages.id', 'messages.direction', 'messages.text', 'messages.created_at', 'cases.number'])
        .where('messages.id', '=', id)
        .executeTakeFirst()
      if (!row) return null
      return {
        id: row.id,
        direction: row.direction as 'inbound' | 'outbound',
        text: row.text ?? '',
        createdAt: row.created_at.toISOString(),
        ...(row.number ? { caseNumber: row.number } : {}),
      }
    },

    async touch(sessionId: string): Promise<void> {
      await db
        .updateTable('web_chat_sessions')
        .set({ last_seen_at: sql`now()` })
        .where('id', '=', sessionId)
        .execute()
    },
  }
}

export type WebChatStore = ReturnType<typeof createWebChatStore>
