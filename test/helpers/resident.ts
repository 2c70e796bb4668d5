import type { FastifyInstance } from 'fastify'
import { waitFor } from './wait.ts'

export interface ChatMessage {
  id: string
  direction: 'inbound' | 'outbound'
  text: string
  createdAt: string
  caseNumber?: string
}

/** What a web chat resident sees of their conversation. */
export async function residentMessages(app: FastifyInstance, token: string): Promise<ChatMessage[]> {
  const res = await app.inject({
    method: 'GET',
    url: '/chat/api/messages',
    headers: { authorization: `Bearer ${token}` },
  })
  return res.json().messages as ChatMessage[]
}

/**
 * A resident opens a web chat session, writes one message and waits for the
 * acknowledgement; returns their token and the case number it names.
 */
export async function residentWrites(
  app: FastifyInstance,
  text: string,
  options: { name?: string; language?: 'zh' | 'en' } = {},
): Promise<{ token: string; caseNumber: string }> {
  const session = await app.inject({
    method: 'POST',
    url: '/chat/api/sessions',
    payload: { name: options.name ?? '测试居民', language: options.language ?? 'zh' },
  })
  const token = session.json().token as string
  const sent = await app.inject({
    method: 'POST',
    url: '/chat/api/messages',
    headers: { authorization: `Bearer ${token}` },
    payload: { text, clientMessageId: 'first' },
  })
  if (sent.statusCode !== 202) throw new Error(`the message was refused: ${sent.body}`)
  const caseNumber = await waitFor(
    async () =>
      (await residentMessages(app, token)).find((m) => m.direction === 'outbound' && m.caseNumber)
        ?.caseNumber,
    'the acknowledgement with the case number',
  )
  return { token, caseNumber }
}
