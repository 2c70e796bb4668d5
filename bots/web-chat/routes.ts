import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AttachmentStore } from '../../src/app/attachments.ts'
import type { IngestResult } from '../../src/app/ingest.ts'
import type { Directory } from '../../src/app/ports.ts'
import type { Language } from '../../src/domain/types.ts'
import { AppError } from '../../src/errors.ts'
import { sendPicture } from '../../src/http/routes/attachments.ts'
import { openEventStream, sseFrame } from '../../src/http/sse.ts'
import { parseInput } from '../../src/http/validate.ts'
import type { LiveHub } from '../../src/queues/live-hub.ts'
import { webChatAccountId } from '../../src/store/directory.repository.ts'
import type { WebChatMessage, WebChatSession, WebChatStore } from '../../src/store/web-chat.repository.ts'
import { WEB_CHANNEL, webChatTopic } from './web-chat.channel.ts'

export interface WebChatRouteOptions {
  store: WebChatStore
  directory: Directory
  hub: LiveHub
  /** Redis key prefix (not `prefix`: Fastify reads that option as a route prefix). */
  queuePrefix: string
  ingest(raw: unknown): Promise<IngestResult>
  maxMessageChars: number
  clock: { now(): Date }
  defaultLanguage: Language
  /** Code of the station web chat belongs to when the page names none (else the first by code). */
  defaultStationCode?: string
  heartbeatMs?: number
  /** Pictures in messages to the resident; without it messages show text only. */
  attachments?: Pick<AttachmentStore, 'loadForContact' | 'ofMessages'>
}

/** A message as the page gets it: a picture it carries comes as the address to load it from. */
type PageMessage = WebChatMessage & { image?: { id: string; mime: string; url: string } }

/** Adds to each message the picture it carries (one query for all of them). */
async function withPictures(
  messages: WebChatMessage[],
  attachments: WebChatRouteOptions['attachments'],
): Promise<PageMessage[]> {
  const outbound = messages.filter((m) => m.direction === 'outbound').map((m) => m.id)
  if (!attachments || outbound.length === 0) return messages
  const pictures = await attachments.ofMessages(outbound)
  return messages.map((m) => {
    const picture = pictures.get(m.id)
    if (!picture) return m
    const url = `/chat/api/attachments/${encodeURIComponent(picture.id)}`
    return { ...m, image: { id: picture.id, mime: picture.mime, url } }
  })
}

const SESSION_CACHE_MS = 5_000
const SESSION_CACHE_SIZE = 10_000

const SessionBody = z.object({
  name: z.string().trim().max(100, 'at most 100 characters').optional(),
  language: z.enum(['zh', 'en'], 'must be "zh" or "en"').optional(),
  station: z.string().trim().max(10).optional(),
})

/** The resident web chat API: sessions, sending, history and a live stream of replies. */
export async function webChatRoutes(app: FastifyInstance, options: WebChatRouteOptions): Promise<void> {
  const { store } = options
  const MessageBody = z.object({
    text: z
      .string('is required and must be text')
      .trim()
      .min(1, 'must not be empty')
      .max(options.maxMessageChars, `must be at most ${options.maxMessageChars} characters`),
    clientMessageId: z
      .string('is required: a unique id the page gives each message, reused on retry')
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters'),
  })

  // A resident typing sends several messages a minute: a session found is kept for a few
  // seconds rather than read again for each (sessions are never changed once made).
  const recent = new Map<string, { session: WebChatSession; until: number }>()
  const authenticate = async (token: string | undefined): Promise<WebChatSession> => {
    if (!token) throw new AppError('UNAUTHORIZED', 'missing token: send "Authorization: Bearer <token>"')
    const now = Date.now()
    const cached = recent.get(token)
    if (cached && cached.until > now) return cached.session
    const session = await store.findByToken(token)
    if (!session) throw new AppError('UNAUTHORIZED', 'unknown or expired token: start a new session')
    if (recent.size >= SESSION_CACHE_SIZE) recent.clear()
    recent.set(token, { session, until: now + SESSION_CACHE_MS })
    return session
  }
  const bearer = (request: FastifyRequest) =>
    /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]

  const accountOf = async (session: WebChatSession) => {
    const station = (await options.directory.get()).stations.get(session.stationId)
    if (!station) throw new AppError('NOT_FOUND', 'the station of this session no longer exists')
    return webChatAccountId(station.code)
  }

  app.post('/chat/api/sessions', async (request, reply) => {
    const body = parseInput(SessionBody, request.body)
    const dir = await options.directory.get()
    const stations = [...dir.stations.values()]
    const code = body.station ?? options.defaultStationCode
    const station = code ? stations.find((s) => s.code === code.toUpperCase()) : stations[0]
    if (!station) {
      throw code
        ? new AppError('INVALID_INPUT', `station: no station has the code "${code}"`)
        : new AppError('UNAVAILABLE', 'no station is set up yet: load station data first (npm run seed)')
    }
    const { token } = await store.createSession({
      stationId: station.id,
      displayName: body.name || undefined,
      language: body.language ?? options.defaultLanguage,
    })
    return reply.status(201).send({ token })
  })

  app.post('/chat/api/messages', async (request, reply) => {
    const session = await authenticate(bearer(request))
    const body = parseInput(MessageBody, request.body)
    const now = options.clock.now().toISOString()
    const result = await options.ingest({
      channel: WEB_CHANNEL,
      accountId: await accountOf(session),
      externalId: `${session.id}/${body.clientMessageId}`,
      sender: { ref: session.id, ...(session.displayName ? { displayName: session.displayName } : {}) },
      kind: 'text',
      text: body.text,
      sentAt: now,
      receivedAt: now,
      language: session.language,
    })
    if (!result.accepted) throw new AppError('INVALID_INPUT', result.reason)
    return reply.status(202).send({ messageId: result.eventId })
  })

  app.get('/chat/api/messages', async (request) => {
    const session = await authenticate(bearer(request))
    const messages = await store.conversation(session, await accountOf(session))
    return { messages: await withPictures(messages, options.attachments) }
  })

  // A picture only for the resident a message carried it to: any other id, or
  // another resident's, is not found (ids cannot be probed).
  app.get(
    '/chat/api/attachments/:id',
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const session = await authenticate(bearer(request))
      const picture = await options.attachments?.loadForContact(request.params.id, {
        channel: WEB_CHANNEL,
        accountId: await accountOf(session),
        contactRef: session.id,
      })
      if (!picture) throw new AppError('NOT_FOUND', `picture ${request.params.id} does not exist`)
      return sendPicture(request, reply, picture)
    },
  )

  app.get('/chat/api/stream', async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
    const session = await authenticate(request.query.token ?? bearer(request))
    await store.touch(session.id)
    await stream(request, reply, session, options)
  })
}

/** Server-Sent Events: one `message` event per reply. */
async function stream(
  request: FastifyRequest,
  reply: FastifyReply,
  session: WebChatSession,
  options: WebChatRouteOptions,
): Promise<void> {
  await openEventStream(request, reply, {
    heartbeatMs: options.heartbeatMs,
    subscribe: (send) =>
      options.hub.subscribe(webChatTopic(options.queuePrefix, session.id), (payload) => {
        let messageId: string | undefined
        try {
          messageId = (JSON.parse(payload) as { messageId?: string }).messageId
        } catch {
          return
        }
        if (!messageId) return
        void options.store
          .message(messageId)
          .then(async (message) => (message ? (await withPictures([message], options.attachments))[0] : null))
          .then(
            (message) => {
              if (message) send(sseFrame('message', message, message.id))
            },
            (error: unknown) => request.log.warn({ err: error }, 'web chat stream could not load a message'),
          )
      }),
  })
}
