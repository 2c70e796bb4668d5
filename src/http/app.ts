import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { webChatRoutes } from '../../bots/web-chat/routes.ts'
import type { AppContext } from '../context.ts'
import { registerErrorHandler } from './error-handler.ts'
import { chatPageRoutes } from './routes/chat-page.ts'
import { healthRoutes } from './routes/health.ts'

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
  app.get('/', async (_request, reply) => reply.redirect('/chat'))
  return app
}
