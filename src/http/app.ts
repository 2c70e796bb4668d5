import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { webChatFormRoutes } from '../../bots/web-chat/form-routes.ts'
import { webChatRoutes } from '../../bots/web-chat/routes.ts'
import { createReports } from '../app/reports.ts'
import { createRoster } from '../app/roster.ts'
import type { AppContext } from '../context.ts'
import { createDutyExceptions } from '../store/duty-exceptions.repository.ts'
import { newId } from '../store/ids.ts'
import { createReportsStore } from '../store/reports.repository.ts'
import { createWebChatResidents } from '../store/web-chat-residents.repository.ts'
import { registerErrorHandler } from './error-handler.ts'
import { registerOpenApi } from './openapi.ts'
import { authPlugin } from './plugins/auth.ts'
import { attachmentRoutes } from './routes/attachments.ts'
import { authRoutes } from './routes/auth.ts'
import { broadcastRoutes } from './routes/broadcasts.ts'
import { caseRoutes } from './routes/cases.ts'
import { chatPageRoutes } from './routes/chat-page.ts'
import { healthRoutes } from './routes/health.ts'
import { inboxPageRoutes } from './routes/inbox-page.ts'
import { liveRoutes } from './routes/live.ts'
import { mediationRoutes } from './routes/mediation.ts'
import { permitRoutes } from './routes/permits.ts'
import { rentalRoutes } from './routes/rental.ts'
import { reportRoutes } from './routes/reports.ts'
import { rosterRoutes } from './routes/roster.ts'
import { serviceRequestRoutes } from './routes/service-requests.ts'
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
    attachments: ctx.attachmentStore,
  })
  await app.register(webChatFormRoutes, {
    store: ctx.webChat,
    residents: createWebChatResidents(ctx.database.db),
    directory: ctx.directory,
    serviceRequests: ctx.serviceRequests,
    clock: ctx.clock,
  })
  await app.register(caseRoutes, { reads: ctx.cases.reads, commands: ctx.cases.commands })
  await app.register(serviceRequestRoutes, {
    homeWatch: ctx.serviceRequests.homeWatch,
    audit: ctx.audit.record,
    clock: ctx.clock,
    pictures: ctx.attachments,
  })
  await app.register(permitRoutes, {
    office: ctx.serviceRequests.permitOffice,
    audit: ctx.audit.record,
    clock: ctx.clock,
  })
  await app.register(rentalRoutes, {
    rental: ctx.serviceRequests.rental,
    audit: ctx.audit.record,
    clock: ctx.clock,
  })
  await app.register(mediationRoutes, {
    mediation: ctx.serviceRequests.mediation,
    audit: ctx.audit.record,
    clock: ctx.clock,
  })
  await app.register(stationRoutes, {
    directory: ctx.directory,
    inboundStore: ctx.inboundStore,
    canned: ctx.canned,
    db: ctx.database.db,
    clock: ctx.clock,
  })
  await app.register(reportRoutes, {
    reports: createReports({
      store: createReportsStore(ctx.database.db),
      directory: ctx.directory,
      clock: ctx.clock,
      audit: ctx.audit.record,
    }),
  })
  await app.register(rosterRoutes, {
    roster: createRoster({
      store: createDutyExceptions(ctx.database.db),
      directory: ctx.directory,
      cases: ctx.cases.commands,
      clock: ctx.clock,
      newId,
    }),
  })
  await app.register(broadcastRoutes, {
    compose: ctx.broadcasts.compose,
    commands: ctx.broadcasts.commands,
    reads: ctx.broadcasts.reads,
  })
  await app.register(liveRoutes, {
    hub: ctx.hub,
    queuePrefix: ctx.config.QUEUE_PREFIX,
    sessionAlive: (id) => ctx.sessions.isAlive(id),
  })
  await app.register(attachmentRoutes, { attachments: ctx.attachments })
  await app.register(inboxPageRoutes)
  app.get('/', async (_request, reply) => reply.redirect('/inbox'))
  return app
}
