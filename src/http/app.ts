import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { webChatRoutes } from '../../bots/web-chat/routes.ts'
import type { AppContext } from '../context.ts'
import { registerErrorHandler } from './error-handler.ts'
import { registerOpenApi } from './openapi.ts'
import { authPlugin } from './plugins/auth.ts'
import { authRoutes } from './routes/auth.ts'
import { caseRoutes } from './routes/cases.ts'
import { chatPageRoutes } from './routes/chat-page.ts'
import { healthRoutes } from './routes/health.ts'
import { inboxPageRoutes } from './routes/inbox-page.ts'
import { liveRoutes } from './routes/live.ts'
import { stationRoutes } from './routes/station.ts'

/**
 * The HTTP side of maplebridge as one Fastify instance built from the
 * composition root; `server.ts` only starts it, tests drive it with inject.
 */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    trustProxy: ctx.config.TRUST_PROXY,
    bodyLimit: 256 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID()
    },
    requestIdHeader: false,
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  registerErrorHandler(app)
  await registerOpenApi(app)
  await app.register(authPlugin, {
    sessions: ctx.sessions,
    logins: ctx.officerLogins,
    cookieSecure: ctx.config.COOKIE_SECURE,
  })
  await app.register(authRoutes, {
    sessions: ctx.sessions,
    limiter: ctx.loginLimiter,
    logins: ctx.officerLogins,
    clock: ctx.clock,
    cookieSecure: ctx.config.COOKIE_SECURE,
  })
  await app.register(healthRoutes, {
    checks: {
      redis: () => ctx.redis.producer.ping(),
      database: () => ctx.database.ping(),
    },
  })
  await app.register(chatPageRoutes)
  await app.register(webChatRoutes, {
    store: ctx.webChat,
    directory: ctx.directory,
    hub: ctx.hub,
    queuePrefix: ctx.config.QUEUE_PREFIX,
    ingest: ctx.ingest,
    maxMessageChars: ctx.config.MAX_MESSAGE_CHARS,
    clock: ctx.clock,
    defaultLanguage: ctx.config.DEFAULT_LANGUAGE,
    defaultStationCode: ctx.config.WEB_CHAT_STATION,
  })
  await app.register(caseRoutes, { reads: ctx.cases.reads, commands: ctx.cases.commands })
  await app.register(stationRoutes, {
    directory: ctx.directory,
    inboundStore: ctx.inboundStore,
    canned: ctx.canned,
    db: ctx.database.db,
    clock: ctx.clock,
  })
  await app.register(liveRoutes, {
    hub: ctx.hub,
    queuePrefix: ctx.config.QUEUE_PREFIX,
    sessionAlive: (id) => ctx.sessions.isAlive(id),
  })
  await app.register(inboxPageRoutes)
  app.get('/', async (_request, reply) => reply.redirect('/inbox'))
  return app
}
