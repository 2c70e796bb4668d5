import type { Redis } from 'ioredis'
import { type AttachmentStore, type Attachments, createAttachments } from './app/attachments.ts'
import { type BroadcastCommands, createBroadcastCommands } from './app/broadcasts/commands.ts'
import { type Composer, createComposer } from './app/broadcasts/compose.ts'
import type { BroadcastQueue, DeliverySendStore } from './app/broadcasts/ports.ts'
import { type BroadcastReads, createBroadcastReads } from './app/broadcasts/reads.ts'
import { type BroadcastRunner, createBroadcastRunner } from './app/broadcasts/runner.ts'
import { CaseNumbers } from './app/case-numbers.ts'
import { type CaseCommands, createCaseCommands } from './app/cases/case-commands.ts'
import { type CaseReads, createCaseReads } from './app/cases/case-reads.ts'
import { createDeadlines, type Deadlines } from './app/deadlines.ts'
import { sealFormStates } from './app/forms/sealed-form-states.ts'
import { createServiceRequests, type ServiceRequests } from './app/forms/service-requests.ts'
import type { InboundDeps } from './app/handle-inbound.ts'
import { type IngestPorts, type IngestResult, ingest } from './app/ingest.ts'
import { createMicroBatch } from './app/micro-batch.ts'
import type { Clock, Directory, Dispatcher, InboundStore, LiveEvent } from './app/ports.ts'
import type { LiveNotifier, OutboundStore } from './app/send-outbound.ts'
import { createLoginLimiter, type LoginLimiter } from './auth/login-limiter.ts'
import { createSessionStore, type SessionStore } from './auth/session-store.ts'
import type { Config } from './config.ts'
import { createDataCipher } from './crypto/data-cipher.ts'
import { loadDataKey } from './crypto/data-key.ts'
import type { InboundEvent } from './domain/types.ts'
import type { Logger } from './logger.ts'
import { createBroadcastQueue } from './queues/broadcast-queue.ts'
import { createDispatcher, Queues } from './queues/dispatcher.ts'
import { LiveHub } from './queues/live-hub.ts'
import type { InboundJob } from './queues/payloads.ts'
import { checkRedis, createRedis } from './queues/redis.ts'
import { createSendPace, type SendPace } from './queues/send-pace.ts'
import { createServiceTimerQueue } from './queues/service-timer-queue.ts'
import { createDigestScheduler, createTimerQueue } from './queues/timer-queue.ts'
import { createAttachmentStore } from './store/attachments.repository.ts'
import { type AuditEntry, type AuditLog, createAuditLog } from './store/audit.repository.ts'
import { createBroadcastStore } from './store/broadcast.repository.ts'
import { createDeliverySendStore, createRunnerStore } from './store/broadcast-delivery.repository.ts'
import { type CannedReplies, createCannedReplies } from './store/canned-replies.repository.ts'
import { createCaseCommandStore } from './store/case-command.repository.ts'
import { createCaseQueries } from './store/case-query.repository.ts'
import { createDeadlineStore } from './store/case-timers.repository.ts'
import { type DatabaseHandle, openDatabase } from './store/db.ts'
import { createDirectory } from './store/directory.repository.ts'
import { createActiveRequestIndex, createFormStateStore } from './store/form-states.redis.ts'
import { createFormSubmissionStore } from './store/form-submissions.repository.ts'
import { newId } from './store/ids.ts'
import { createInboundStore } from './store/inbound.repository.ts'
import { createInboundEvents, type InboundEvents } from './store/inbound-events.repository.ts'
import { createMediationStore } from './store/mediation.repository.ts'
import { migrate } from './store/migrate.ts'
import { createOfficerLogins, type OfficerLogins } from './store/officer-logins.repository.ts'
import { createOutboundStore } from './store/outbound.repository.ts'
import { createPermitCache } from './store/permit-cache.redis.ts'
import { createPermitStore } from './store/permits.repository.ts'
import { createRentalStore } from './store/rental.repository.ts'
import { createRentalIndex } from './store/rental-index.redis.ts'
import { createRequestStore } from './store/service-requests.repository.ts'
import { createWebChatStore, type WebChatStore } from './store/web-chat.repository.ts'

/** Everything the roles (api, worker, bot) share, built once per process. */
export interface AppContext {
  config: Config
  logger: Logger
  clock: Clock
  database: DatabaseHandle & { ping(): Promise<void> }
  redis: { producer: Redis; worker: Redis; subscriber: Redis }
  queues: Queues
  dispatcher: Dispatcher
  directory: Directory
  inboundStore: InboundStore
  inboundEvents: InboundEvents
  outboundStore: OutboundStore
  webChat: WebChatStore
  hub: LiveHub
  inboundDeps: InboundDeps
  sessions: SessionStore
  loginLimiter: LoginLimiter
  officerLogins: OfficerLogins
  cases: { reads: CaseReads; commands: CaseCommands }
  /** Deadlines and after-care: call `afterCaseChanged` after committing any change of a case's holder or status. */
  deadlines: Deadlines
  /** Service requests: the form conversation hook, submission, home watch. */
  serviceRequests: ServiceRequests
  canned: CannedReplies
  audit: AuditLog
  /** Officers' pictures: uploads and reads through the API; the store, for senders and the web chat. */
  attachments: Attachments
  attachmentStore: AttachmentStore
  /** Every WeChat send keeps its account's pace here, whichever process makes it. */
  sendPace: SendPace
  /** Station broadcasts: the API's use cases, the worker's runner, the bot role's send store. */
  broadcasts: {
    compose: Composer
    commands: BroadcastCommands
    reads: BroadcastReads
    runner: BroadcastRunner
    queue: BroadcastQueue
    sendStore: DeliverySendStore
  }
  /** Tells live inbox streams about delivery states (used by the bot role's outbound workers). */
  deliveryNotifier: LiveNotifier
  /** The entry of every channel into the pipeline: store the event, queue its id. */
  ingest(raw: unknown): Promise<IngestResult>
  /** Keeps a malformed or unprocessable event for a person to look at, and logs it without its content. */
  park(entry: { channel: string; accountId: string; reason: string; detail: unknown }): Promise<string>
  close(): Promise<void>
}

export interface ContextOptions {
  clock?: Clock
  /** Use this database instead of opening one from the config (tests). */
  database?: DatabaseHandle
}

/**
 * The composition root. Checks Redis before anything else (a Redis that could
 * evict keys would lose messages), opens and migrates the database, and wires
 * repositories, queues and use cases together.
 */
export async function createContext(
  config: Config,
  logger: Logger,
  options: ContextOptions = {},
): Promise<AppContext> {
  // Personal data cannot be stored without its key: a missing one stops the process before anything starts.
  const cipher = createDataCipher(await loadDataKey(config, (message) => logger.warn(message)))
  await checkRedis(config.REDIS_URL)
  const handle =
    options.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DB_POOL_SIZE,
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    }))
  const applied = await migrate(handle)
  if (applied.length) logger.info({ applied, engine: handle.engine }, 'database migrated')

  const producer = createRedis(config.REDIS_URL, 'producer')
  const worker = createRedis(config.REDIS_URL, 'worker')
  const subscriber = createRedis(config.REDIS_URL, 'subscriber')
  for (const [name, client] of Object.entries({ producer, worker, subscriber })) {
    client.on('error', (error) =>
      logger.warn({ err: { message: error.message }, connection: name }, 'redis connection error'),
    )
  }
  await Promise.all([producer, worker, subscriber].map(waitReady))

  const clock: Clock = options.clock ?? { now: () => new Date() }
  const queues = new Queues(producer, config.QUEUE_PREFIX, logger)
  const dispatcher = createDispatcher(queues, producer)
  const directory = createDirectory(handle.db, undefined, clock)
  const inboundStore = createInboundStore(handle.db, {
    broadcastReplyWindowMs: config.BROADCAST_REPLY_WINDOW,
  })
  const inboundEvents = createInboundEvents(handle.db)
  const hub = new LiveHub(subscriber, logger)

  const park: AppContext['park'] = async (entry) => {
    const parkedId = await inboundEvents.park(entry)
    await queues.addDeadLetter({ parkedId, reason: entry.reason.slice(0, 300) })
    logger.warn(
      { parkedId, channel: entry.channel, accountId: entry.accountId, reason: entry.reason },
      'event parked',
    )
    return parkedId
  }

  // Messages arriving together are stored in one statement and queued in one round trip.
  const saving = createMicroBatch<{ id: string; event: InboundEvent }, boolean>({
    run: (entries) => inboundEvents.saveMany(entries),
    maxSize: 100,
    maxInFlight: 4,
  })
  const queueing = createMicroBatch<InboundJob, undefined>({
    run: (jobs) => queues.addInboundMany(jobs).then(() => jobs.map(() => undefined)),
    maxSize: 100,
    maxInFlight: 4,
  })
  const ingestPorts: IngestPorts = {
    saveEvent: (id, event) => saving.submit({ id, event }),
    enqueue: (eventId, accountId) => queueing.submit({ eventId, accountId }),
    park,
  }

  const inboundDeps: InboundDeps = {
    store: inboundStore,
    directory,
    dispatcher,
    clock,
    newId,
    caseNumbers: new CaseNumbers({ reserve: inboundStore.reserveCaseCounters }),
    // `deadlines` is made below; this runs only once messages flow.
    deadlines: { within: (tx, caseIds, fresh) => deadlines.within(tx, caseIds, fresh) },
    get serviceRequests() {
      return serviceRequests
    },
    settings: {
      defaultLanguage: config.DEFAULT_LANGUAGE,
      maxMessageChars: config.MAX_MESSAGE_CHARS,
      reopenWithinMs: config.DEADLINES.closeAfterMs,
      policy: config.DEADLINES.policy,
    },
  }

  const deadlines = createDeadlines({
    store: createDeadlineStore(handle.db),
    timers: createTimerQueue(queues),
    digests: createDigestScheduler(queues),
    directory,
    dispatcher,
    clock,
    newId,
    settings: {
      ...config.DEADLINES,
      officerLanguage: config.DEFAULT_LANGUAGE,
      defaultTimeZone: config.TIME_ZONE,
    },
    onError: (error, detail) => logger.warn({ err: error, ...detail }, 'deadline scheduling failed'),
  })

  const serviceRequests = createServiceRequests({
    store: createRequestStore(handle.db),
    mediationStore: createMediationStore(handle.db),
    rentalStore: createRentalStore(handle.db),
    rentalIndex: createRentalIndex(producer, config.QUEUE_PREFIX),
    cipher,
    submissions: createFormSubmissionStore(handle.db),
    permitStore: createPermitStore(handle.db),
    permitCache: createPermitCache(producer, config.QUEUE_PREFIX),
    states: sealFormStates(createFormStateStore(producer, config.QUEUE_PREFIX), cipher),
    activeIndex: createActiveRequestIndex(producer, config.QUEUE_PREFIX),
    directory,
    dispatcher,
    timers: createServiceTimerQueue(queues),
    clock,
    newId,
    caseNumbers: inboundDeps.caseNumbers,
    policy: config.DEADLINES.policy,
    officerLanguage: config.DEFAULT_LANGUAGE,
    defaultTimeZone: config.TIME_ZONE,
    afterCaseChanged: (caseIds) => deadlines.afterCaseChanged(caseIds),
    onError: (error, detail) => logger.warn({ err: error, what: detail.what }, 'service request step failed'),
  })

  const audit = createAuditLog(handle.db)
  // Busy inboxes open many cases at once: their view entries go in with one statement, and
  // each request is answered once its own entry is stored.
  const viewAudits = createMicroBatch<AuditEntry, undefined>({
    run: async (entries) => {
      await audit.recordMany(entries)
      return entries.map(() => undefined)
    },
    maxSize: 200,
    maxInFlight: 2,
  })
  const attachmentStore = createAttachmentStore(handle.db)
  const attachments = createAttachments({
    store: attachmentStore,
    clock,
    newId,
    maxBytes: config.ATTACHMENT_MAX_BYTES,
  })
  const cases = {
    reads: createCaseReads({
      queries: createCaseQueries(handle.db),
      clock,
      audit: (entry) => viewAudits.submit(entry),
    }),
    commands: createCaseCommands({
      store: createCaseCommandStore(handle.db),
      directory,
      dispatcher,
      clock,
      newId,
      afterChange: (caseId) => deadlines.afterCaseChanged([caseId]),
    }),
  }
  const sendPace = createSendPace(producer, config.QUEUE_PREFIX, clock)
  const broadcastQueue = createBroadcastQueue(queues)
  const broadcastDeps = {
    store: createBroadcastStore(handle.db),
    queue: broadcastQueue,
    counter: sendPace.counter,
    directory,
    clock,
    newId,
    publish: (event: LiveEvent) => dispatcher.publish(event),
    pictures: attachments,
    settings: {
      approvalThreshold: config.BROADCAST_APPROVAL_THRESHOLD,
      maxTextBytes: config.BROADCAST_MAX_TEXT_BYTES,
      quietHours: config.BROADCAST_QUIET_HOURS,
    },
  }
  const broadcasts: AppContext['broadcasts'] = {
    compose: createComposer(broadcastDeps),
    commands: createBroadcastCommands(broadcastDeps),
    reads: createBroadcastReads({ ...broadcastDeps, audit: audit.record }),
    runner: createBroadcastRunner({
      ...broadcastDeps,
      store: createRunnerStore(handle.db),
      audit: audit.record,
      settings: {
        quietHours: config.BROADCAST_QUIET_HOURS,
        lostAfterMs: config.BROADCAST_LOST_AFTER,
        tickMs: config.BROADCAST_TICK,
      },
    }),
    queue: broadcastQueue,
    sendStore: createDeliverySendStore(handle.db),
  }

  const deliveryNotifier: LiveNotifier = {
    async deliveryChanged({ messageId, caseId, state }) {
      if (!caseId) return
      const scope = await handle.db
        .selectFrom('cases')
        .select(['station_id', 'assignee_officer_id', 'beat_id'])
        .where('id', '=', caseId)
        .executeTakeFirst()
      if (!scope) return
      await dispatcher.publish({
        type: 'message.delivery',
        caseId,
        stationId: scope.station_id,
        assigneeId: scope.assignee_officer_id,
        beatId: scope.beat_id,
        messageId,
        state,
      })
    },
  }

  return {
    config,
    logger,
    clock,
    database: {
      ...handle,
      ping: async () => {
        await handle.runScript('SELECT 1')
      },
    },
    redis: { producer, worker, subscriber },
    queues,
    dispatcher,
    directory,
    inboundStore,
    inboundEvents,
    outboundStore: createOutboundStore(handle.db),
    webChat: createWebChatStore(handle.db),
    hub,
    inboundDeps,
    sessions: createSessionStore({
      redis: producer,
      prefix: config.QUEUE_PREFIX,
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
      clock,
    }),
    loginLimiter: createLoginLimiter({ redis: producer, prefix: config.QUEUE_PREFIX }),
    officerLogins: createOfficerLogins(handle.db),
    cases,
    deadlines,
    serviceRequests,
    canned: createCannedReplies(handle.db),
    audit,
    attachments,
    attachmentStore,
    sendPace,
    broadcasts,
    deliveryNotifier,
    ingest: (raw) => ingest(ingestPorts, raw),
    park,
    async close() {
      await queues.close()
      await hub.close()
      producer.disconnect()
      worker.disconnect()
      await handle.close()
    },
  }
}

function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not become ready within 10 s')), 10_000)
    client.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
