import { randomBytes } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import { sql } from 'kysely'
import { pino } from 'pino'
import { hashPassword } from '../src/auth/passwords.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { type AppContext, createContext } from '../src/context.ts'
import { OPEN_STATUSES } from '../src/domain/case-status.ts'
import type { CaseStatus } from '../src/domain/types.ts'
import { buildApp } from '../src/http/app.ts'
import { SESSION_COOKIE } from '../src/http/plugins/auth.ts'
import { createLogger } from '../src/logger.ts'
import { seedStations } from '../src/store/seed.ts'
import { readStationFile } from '../src/store/station-file.ts'
import { say } from './lib/bench.ts'
import { seededRandom } from './lib/corpus.ts'
import { DEFAULT_DATABASE_URL, prepareDatabase } from './lib/database.ts'
import { explainInboxQueries } from './lib/inbox-explain.ts'
import { InboxLoad } from './lib/inbox-load.ts'
import {
  epochMs,
  type HttpPacedReport,
  type HttpPhaseReport,
  type HttpTarget,
  sseEventId,
} from './lib/inbox-protocol.ts'
import { type CaseTarget, sampleCases, seedInboxData } from './lib/inbox-seed.ts'
import { PhaseProfiler } from './lib/profile.ts'
import { deletePrefix } from './lib/redis-keys.ts'
import { ServerCpu } from './lib/server-cpu.ts'
import { describeLatency, describeMeter, type Meter, ProcessMeter, round, summarize } from './lib/stats.ts'

export const description =
  'officer inbox on a large station: case list and open-case requests under load, 1,000 live streams, against a bare Fastify route'

const STATION_FILES = ['seeds/changqing.yaml', 'seeds/fengqiao.yaml']
const STATION_CODE = 'CQ'

interface Options {
  engine: 'postgres' | 'pglite'
  cases: number
  messages: number
  concurrency: number
  /** Requests a second offered in the open-loop latency phase. */
  rate: number
  seconds: number
  maxRequests: number
  sse: number
  events: number
  eventIntervalMs: number
  pool?: number
  explain: boolean
  profile?: string
  keep: boolean
  /** A schema kept by an earlier run (`--keep`), used again without seeding. */
  schema?: string
  logLevel: string
  dropIndexes: string[]
}

const USAGE = `npm run bench -- inbox [options]

Phases, in order (all HTTP load from a separate client process with keep-alive):
  baseline     a bare Fastify route, --concurrency clients × --seconds, closed loop
               → baselineRequestsPerSec, baselineP99Ms
  capacity     closed loop: --concurrency clients, each sending its next request as soon as
               the last was answered, × --seconds for GET /api/cases (list) and again for
               GET /api/cases/:id (open). How many requests the machine serves; their latency
               is that of a saturated service (mostly queueing: clients / throughput)
               → requestsPerSec (both phases together), capacityListP99Ms, capacityOpenP99Ms,
                 ratio = requestsPerSec / baselineRequestsPerSec
  latency      open loop: list and open requests alternating, sent on a fixed schedule at
               --rate a second for --seconds whatever the answers, each timed from its
               scheduled send (a late client counts against the service). What an officer
               waits at that load → listP50Ms, listP99Ms, openP50Ms, openP99Ms, offeredRate;
               prints the sender lag (how late the client sent against its schedule)
  live         --sse streams on /api/stream, --events events broadcast → sseDeliveryP99Ms
Targets: list and open p99 of the latency phase under 50 ms, SSE delivery p99 under 100 ms.
The last line is one JSON object: bench, engine, cases, messages, listP50Ms, listP99Ms,
openP50Ms, openP99Ms, offeredRate, requestsPerSec, capacityListP99Ms, capacityOpenP99Ms,
sseConnections, sseDeliveryP99Ms, baselineRequestsPerSec, baselineP99Ms, ratio.

Options:
  --engine E          postgres (default; DATABASE_URL or ${DEFAULT_DATABASE_URL}) or pglite (embedded, in a new directory; smaller defaults)
  --cases N           cases seeded in station CQ (default 100000; 10000 with pglite)
  --messages N        messages seeded over those cases (default 1000000; 100000 with pglite)
  --concurrency N     HTTP clients in the baseline and capacity phases, each with a keep-alive connection (default 32)
  --rate N            requests a second offered in the latency phase (default 300)
  --seconds N         length of each load phase (default 15)
  --max-requests N    a load phase also ends after this many requests (default 500000)
  --sse N             concurrent live streams (default 1000)
  --events N          events broadcast to them (default 20)
  --event-interval MS between two broadcast events (default 200)
  --pool N            database pool size (default: DB_POOL_SIZE from config)
  --explain           print EXPLAIN (ANALYZE, BUFFERS) of the list and open-case queries
  --profile PREFIX    write CPU profiles of the service process in the capacity and latency phases
                      (PREFIX-list.cpuprofile, PREFIX-open.cpuprofile, PREFIX-latency.cpuprofile)
                      and print their busiest places
  --drop-index NAME   drop this index after migrating, to measure what it is worth (repeatable)
  --keep              keep the seeded schema (PostgreSQL) for a closer look with psql; drop it yourself
  --schema NAME       run against a schema an earlier --keep run left, without seeding (quick
                      iterations; audit entries of earlier runs stay, so figures drift a little)
  --log-level L       the service's LOG_LEVEL (default silent); at info, as in production, every
                      request writes two log lines (to /dev/null here), which the figures then include`

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      engine: { type: 'string' },
      cases: { type: 'string' },
      messages: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'max-requests': { type: 'string' },
      sse: { type: 'string' },
      events: { type: 'string' },
      'event-interval': { type: 'string' },
      pool: { type: 'string' },
      explain: { type: 'boolean' },
      profile: { type: 'string' },
      keep: { type: 'boolean' },
      schema: { type: 'string' },
      'log-level': { type: 'string' },
      'drop-index': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    say(USAGE)
    process.exit(0)
  }
  const positive = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} must be a positive whole number (got "${raw}")`)
    return n
  }
  const engine = values.engine ?? 'postgres'
  if (engine !== 'postgres' && engine !== 'pglite') {
    throw new Error(`--engine must be postgres or pglite (got "${engine}")`)
  }
  const small = engine === 'pglite'
  const options: Options = {
    engine,
    cases: positive('cases', values.cases, small ? 10_000 : 100_000),
    messages: positive('messages', values.messages, small ? 100_000 : 1_000_000),
    concurrency: positive('concurrency', values.concurrency, 32),
    rate: positive('rate', values.rate, 300),
    seconds: positive('seconds', values.seconds, 15),
    maxRequests: positive('max-requests', values['max-requests'], 500_000),
    sse: positive('sse', values.sse, 1000),
    events: positive('events', values.events, 20),
    eventIntervalMs: positive('event-interval', values['event-interval'], 200),
    pool: values.pool === undefined ? undefined : positive('pool', values.pool, 20),
    explain: values.explain ?? false,
    profile: values.profile,
    keep: values.keep ?? false,
    schema: values.schema,
    logLevel: values['log-level'] ?? 'silent',
    dropIndexes: values['drop-index'] ?? [],
  }
  if (options.schema !== undefined) {
    if (engine !== 'postgres') throw new Error('--schema needs the postgres engine')
    if (!/^bench_[a-f0-9]+$/.test(options.schema))
      throw new Error(`--schema takes the name of a kept bench schema, bench_… (got "${options.schema}")`)
  }
  for (const name of options.dropIndexes) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--drop-index takes an index name (got "${name}")`)
  }
  if (options.messages < options.cases)
    throw new Error('--messages must be at least --cases (one message a case)')
  return options
}

/** A signed-in member of the station, as the load phases use them. */
interface Member {
  officerId: string
  badge: string
  role: 'officer' | 'supervisor'
  beatIds: string[]
  /** The Cookie header of their session. */
  cookie: string
}

const cookieOf = (sessionId: string) => `${SESSION_COOKIE}=${sessionId}`

/**
 * Gives every officer and the supervisor of the station a login and signs
 * each in through the API, as the inbox page does.
 */
async function signInStation(ctx: AppContext, baseUrl: string, stationId: string): Promise<Member[]> {
  const rows = await ctx.database.db
    .selectFrom('officers')
    .select(['id', 'badge', 'role'])
    .where('station_id', '=', stationId)
    .where('active', '=', true)
    .where('role', 'in', ['officer', 'supervisor'])
    .orderBy('badge')
    .execute()
  const members: Member[] = []
  for (const row of rows) {
    const username = `bench${row.badge}`
    const password = `bench-${randomBytes(9).toString('base64url')}`
    const passwordHash = await hashPassword(password)
    if (await ctx.officerLogins.get(row.id)) await ctx.officerLogins.setPassword(row.id, passwordHash)
    else await ctx.officerLogins.create({ officerId: row.id, username, passwordHash })
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    const body = (await response.json()) as { officer?: { beatIds: string[] } }
    const session = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    if (response.status !== 200 || !session || !body.officer)
      throw new Error(`sign-in of officer ${row.badge} failed: HTTP ${response.status}`)
    members.push({
      officerId: row.id,
      badge: row.badge,
      role: row.role as Member['role'],
      beatIds: body.officer.beatIds,
      cookie: session,
    })
  }
  if (!members.some((m) => m.role === 'supervisor'))
    throw new Error('the station has no supervisor to sign in')
  return members
}

/** A closed list of `count` items drawn from `pick`, for the load client to take in order. */
function draw<T>(count: number, pick: () => T): T[] {
  return Array.from({ length: count }, pick)
}

function listTargets(members: Member[], random: () => number): HttpTarget[] {
  const kinds = members.flatMap((m) =>
    (['mine', 'all'] as const).map((queue) => ({
      path: `/api/cases?queue=${queue}`,
      cookie: m.cookie,
      label: `${m.role} queue=${queue}`,
    })),
  )
  return draw(4000, () => kinds[Math.floor(random() * kinds.length)] as HttpTarget)
}

/**
 * Opening cases as officers do: an open case by whoever may work it (its
 * assignee, else an officer of the station for an unassigned one), a closed
 * one (looked up from history) by the officer who handled it or the supervisor.
 */
function openTargets(
  members: Member[],
  open: CaseTarget[],
  closed: CaseTarget[],
  random: () => number,
): HttpTarget[] {
  const byId = new Map(members.map((m) => [m.officerId, m]))
  const officers = members.filter((m) => m.role === 'officer')
  const supervisor = members.find((m) => m.role === 'supervisor') as Member
  const sessionFor = (c: CaseTarget): Member =>
    (c.assigneeId && byId.get(c.assigneeId)) ||
    (c.assigneeId === null ? (officers[Math.floor(random() * officers.length)] ?? supervisor) : supervisor)
  return draw(6000, () => {
    const isOpen = random() < 0.7 || closed.length === 0
    const list = isOpen ? open : closed
    const c = list[Math.floor(random() * list.length)] as CaseTarget
    return {
      path: `/api/cases/${c.id}`,
      cookie: sessionFor(c).cookie,
      label: isOpen ? 'open case' : 'closed case',
    }
  })
}

interface PhaseFigures {
  requestsPerSec: number
  all: ReturnType<typeof summarize>
  report: HttpPhaseReport
}

/**
 * Runs `drive` with the service's CPU, the servers' CPU and (with a path) a
 * CPU profile of the service measured around it.
 */
async function measured<R extends HttpPhaseReport>(
  servers: ServerCpu | null,
  profilePath: string | undefined,
  drive: () => Promise<R>,
): Promise<{ report: R; service: Meter; hotspots: string[] }> {
  await servers?.start()
  const profiler = profilePath ? new PhaseProfiler() : null
  await profiler?.start()
  const meter = new ProcessMeter()
  const report = await drive()
  const service = meter.lap()
  const hotspots = profiler && profilePath ? await profiler.stop(profilePath) : []
  return { report, service, hotspots }
}

/**
 * The lines every HTTP phase ends with: latency by target label, what the
 * service, the load client and the servers spent a request, the profile;
 * then fails on any answer other than 200.
 */
async function finishPhase(
  label: string,
  phase: { report: HttpPhaseReport; service: Meter; hotspots: string[] },
  answered: number,
  servers: ServerCpu | null,
  profilePath?: string,
): Promise<void> {
  const { report, service, hotspots } = phase
  for (const [what, values] of Object.entries(report.latencies).sort()) {
    say(`  ${what.padEnd(24)} ${describeLatency(summarize(values))}`)
  }
  say(
    `  service process: ${describeMeter(service)}, ${(service.cpuMs / Math.max(1, answered)).toFixed(2)} ms CPU per request; ` +
      `load client ${(report.cpuMs / Math.max(1, report.requests)).toFixed(3)} ms CPU per request`,
  )
  if (servers) {
    const cpu = await servers.stop()
    const per = (ms: number | null) =>
      ms === null ? 'unknown' : `${(ms / Math.max(1, answered)).toFixed(2)} ms CPU per request`
    say(`  servers: PostgreSQL backends ${per(cpu.postgresMs)}, Redis ${per(cpu.redisMs)}`)
  }
  if (profilePath) {
    for (const line of hotspots) say(line)
    say(`  CPU profile written to ${profilePath}`)
  }
  if (report.errors.length) {
    const errors = report.errors.map(([what, n]) => `${n}× ${what}`).join('; ')
    throw new Error(`${label}: requests failed: ${errors}`)
  }
}

/** Runs one closed-loop phase and prints its figures; fails on any answer other than 200. */
async function loadPhase(
  label: string,
  client: InboxLoad,
  baseUrl: string,
  targets: HttpTarget[],
  options: Options,
  servers: ServerCpu | null,
  profilePath?: string,
): Promise<PhaseFigures> {
  const phase = await measured(servers, profilePath, () =>
    client.http({
      baseUrl,
      concurrency: options.concurrency,
      durationMs: options.seconds * 1000,
      maxRequests: options.maxRequests,
      targets,
    }),
  )
  const { report } = phase
  const answered = Object.values(report.latencies).flat()
  const all = summarize(answered)
  const requestsPerSec = (answered.length * 1000) / report.elapsedMs
  say(
    `${label}: ${answered.length} requests in ${(report.elapsedMs / 1000).toFixed(1)} s, ${Math.round(requestsPerSec)}/s; ` +
      describeLatency(all),
  )
  await finishPhase(label, phase, answered.length, servers, profilePath)
  return { requestsPerSec, all, report }
}

/** Keep-alive sockets the open-loop client may use: far more than 300/s needs, so it never queues a request. */
const PACED_SOCKETS = 256

interface PacedFigures {
  list: ReturnType<typeof summarize>
  open: ReturnType<typeof summarize>
  report: HttpPacedReport
}

/**
 * Runs the open-loop phase: list and open-case requests, alternating, sent
 * at `options.rate` a second on a fixed schedule whatever the answers, timed
 * from their scheduled send. Prints its figures; fails on any answer other than 200.
 */
async function pacedPhase(
  client: InboxLoad,
  baseUrl: string,
  lists: HttpTarget[],
  opens: HttpTarget[],
  options: Options,
  servers: ServerCpu | null,
  profilePath?: string,
): Promise<PacedFigures> {
  const label = `latency: list and open alternating at ${options.rate}/s, open loop`
  const length = 2 * Math.max(lists.length, opens.length)
  const targets = Array.from(
    { length },
    (_, i) =>
      (i % 2 === 0 ? lists[(i / 2) % lists.length] : opens[((i - 1) / 2) % opens.length]) as HttpTarget,
  )
  const phase = await measured(servers, profilePath, () =>
    client.httpPaced({
      baseUrl,
      perSecond: options.rate,
      durationMs: options.seconds * 1000,
      maxRequests: options.maxRequests,
      maxSockets: PACED_SOCKETS,
      targets,
    }),
  )
  const { report } = phase
  const listLabels = new Set(lists.map((t) => t.label))
  const pick = (isList: boolean) =>
    Object.entries(report.latencies)
      .filter(([what]) => listLabels.has(what) === isList)
      .flatMap(([, values]) => values)
  const listLatency = summarize(pick(true))
  const openLatency = summarize(pick(false))
  const answered = listLatency.count + openLatency.count
  say(
    `${label}: ${report.requests} requests offered over ${options.seconds} s, ${answered} answered ` +
      `(last answer ${(report.elapsedMs / 1000).toFixed(2)} s after the first send was due); from scheduled send ` +
      describeLatency(summarize([...pick(true), ...pick(false)])),
  )
  say(
    `  load client: sender lag max ${round(report.maxLagMs, 1)} ms, ${report.socketsUsed} sockets used ` +
      `(at most ${report.maxInFlight} requests in flight, ${PACED_SOCKETS} allowed)` +
      (report.queuedInClient
        ? `; ${report.queuedInClient} requests QUEUED in the client, figures overstated`
        : ''),
  )
  say(`  list: GET /api/cases        ${describeLatency(listLatency)}`)
  say(`  open: GET /api/cases/:id    ${describeLatency(openLatency)}`)
  await finishPhase(label, phase, answered, servers, profilePath)
  return { list: listLatency, open: openLatency, report }
}

/** A bare Fastify route answering a small JSON: what HTTP alone costs on this machine. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false })
  app.get('/bare', async () => ({ ok: true, service: 'baseline' }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => app.close() }
}

function describeLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

interface SseFigures {
  connections: number
  delivery: ReturnType<typeof summarize>
}

/**
 * Opens `options.sse` live streams over officer sessions, broadcasts
 * `options.events` events about an unassigned case (so every stream of the
 * station may receive them) and times each delivery from publish to receipt.
 */
async function ssePhase(
  ctx: AppContext,
  client: InboxLoad,
  baseUrl: string,
  members: Member[],
  stationId: string,
  options: Options,
): Promise<SseFigures> {
  const cookies: string[] = []
  for (let i = 0; i < options.sse; i++) {
    const m = members[i % members.length] as Member
    const { id } = await ctx.sessions.create({ officerId: m.officerId, stationId, role: m.role })
    cookies.push(cookieOf(id))
  }
  const opened = await client.openStreams(baseUrl, cookies, 50)
  say(
    `live streams: ${opened.open} of ${options.sse} open in ${(opened.elapsedMs / 1000).toFixed(1)} s` +
      (opened.failed.length ? `; FAILED: ${opened.failed.map(([w, n]) => `${n}× ${w}`).join('; ')}` : ''),
  )
  if (opened.open !== options.sse)
    throw new Error(`only ${opened.open} of ${options.sse} live streams opened`)

  const target = await ctx.database.db
    .selectFrom('cases')
    .select(['id', 'beat_id'])
    .where('station_id', '=', stationId)
    .where('assignee_officer_id', 'is', null)
    .where('status', 'in', [...OPEN_STATUSES] as CaseStatus[])
    .limit(1)
    .executeTakeFirstOrThrow()
  const meter = new ProcessMeter()
  for (let sequence = 1; sequence <= options.events; sequence++) {
    const publishedAt = epochMs()
    await ctx.dispatcher.publish({
      type: 'case.updated',
      stationId,
      caseId: target.id,
      assigneeId: null,
      beatId: target.beat_id,
      messageId: sseEventId(sequence, publishedAt),
    })
    await new Promise((resolve) => setTimeout(resolve, options.eventIntervalMs))
  }
  const result = await client.waitForEvents(options.events, 30_000)
  const service = meter.lap()
  const delivery = summarize(result.latencies)
  say(
    `live delivery: ${options.events} events × ${opened.open} streams, publish → received ${describeLatency(delivery)}`,
  )
  say(
    `  ${result.complete} streams got every event exactly once; ${result.missing} deliveries missing, ` +
      `${result.duplicates} duplicates, ${result.ended} streams ended early`,
  )
  say(`  service process while broadcasting: ${describeMeter(service)}`)
  await client.closeStreams()
  if (result.complete !== opened.open || result.missing || result.duplicates) {
    throw new Error(
      `live delivery incomplete: ${result.complete}/${opened.open} streams complete, ${result.missing} missing, ${result.duplicates} duplicates`,
    )
  }
  return { connections: opened.open, delivery }
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args)
  const prefix = `bench-inbox-${randomBytes(4).toString('hex')}`
  const database = await prepareDatabase(options.engine, options.schema)
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...database.env,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: options.logLevel,
    PORT: '0',
    HOST: '127.0.0.1',
    ROLES: 'api',
    STATION_FILES: '',
    ...(options.pool ? { DB_POOL_SIZE: String(options.pool) } : {}),
  }
  let config: Config
  try {
    config = loadConfig(env)
  } catch (error) {
    await database.drop()
    throw error
  }
  say(
    `inbox bench: ${options.cases} cases, ${options.messages} messages; ${options.concurrency} clients × ${options.seconds} s a capacity phase, ` +
      `${options.rate}/s × ${options.seconds} s open loop; ` +
      `${options.sse} live streams; node ${process.version}, ${availableParallelism()} cores, load average ${describeLoad()}`,
  )
  say(
    `  database: ${database.where}; pool ${config.DB_POOL_SIZE}; Redis ${config.REDIS_URL.replace(/\/\/[^@]*@/, '//***@')} prefix ${prefix}`,
  )

  let ctx: AppContext | null = null
  let app: Awaited<ReturnType<typeof buildApp>> | null = null
  let baseline: Awaited<ReturnType<typeof startBaseline>> | null = null
  let client: InboxLoad | null = null
  let result: Record<string, unknown>
  try {
    ctx = await createContext(
      config,
      createLogger({
        level: config.LOG_LEVEL,
        destination: pino.destination({ dest: '/dev/null', sync: false }),
      }),
    )
    for (const file of STATION_FILES) await seedStations(ctx.database.db, await readStationFile(file))
    ctx.directory.invalidate()
    for (const name of options.dropIndexes) {
      await sql.raw(`DROP INDEX ${name}`).execute(ctx.database.db)
      say(`  dropped index ${name} (for comparison)`)
    }
    let stationId: string
    if (options.schema) {
      const station = await ctx.database.db
        .selectFrom('stations')
        .select('id')
        .where('code', '=', STATION_CODE)
        .executeTakeFirstOrThrow()
      stationId = station.id
      say(`  reusing the seeded schema ${options.schema}`)
    } else {
      const seeded = await seedInboxData(ctx.database.db, {
        stationCode: STATION_CODE,
        cases: options.cases,
        messages: options.messages,
        say,
      })
      say(
        `seeded: ${seeded.residents} residents, ${seeded.cases} cases (${seeded.openCases} open), ${seeded.messages} messages, ` +
          `${seeded.auditEvents} audit events in ${(seeded.ms / 1000).toFixed(1)} s`,
      )
      stationId = seeded.stationId
    }

    app = await buildApp(ctx)
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    const members = await signInStation(ctx, baseUrl, stationId)
    say(
      `  signed in: ${members.filter((m) => m.role === 'officer').length} officers and ${members.filter((m) => m.role === 'supervisor').length} supervisor; app at ${baseUrl}`,
    )
    const openCases = await sampleCases(ctx.database.db, stationId, true, 5000)
    const closedCases = await sampleCases(ctx.database.db, stationId, false, 3000)

    if (options.explain && !config.DATABASE_URL) say('  --explain needs PostgreSQL; skipped')
    if (options.explain && config.DATABASE_URL) {
      const supervisor = members.find((m) => m.role === 'supervisor') as Member
      const officer = members.find((m) => m.role === 'officer') as Member
      const sample = openCases.find((c) => c.assigneeId === officer.officerId) ?? (openCases[0] as CaseTarget)
      const actorOf = (m: Member) => ({ id: m.officerId, role: m.role, stationId, beatIds: m.beatIds })
      const plans = await explainInboxQueries(
        ctx.database.db,
        config.DATABASE_URL,
        [
          { label: `officer ${officer.badge}`, actor: actorOf(officer) },
          { label: `supervisor ${supervisor.badge}`, actor: actorOf(supervisor) },
        ],
        { id: sample.id, officerId: officer.officerId },
      )
      for (const p of plans) {
        say(`explain: ${p.label}: ${round(p.executionMs, 2)} ms`)
        say(`  ${p.sql.replace(/\s+/g, ' ')}`)
        for (const line of p.plan) say(`    ${line}`)
      }
    }

    const random = seededRandom(20_261_127)
    const lists = listTargets(members, random)
    const opens = openTargets(members, openCases, closedCases, random)
    client = InboxLoad.start()
    const servers =
      options.engine === 'postgres'
        ? new ServerCpu(database.serverUrl, database.applicationName, config.REDIS_URL)
        : null

    // Pool connections, caches and the JIT warm up before anything is timed.
    await client.http({
      baseUrl,
      concurrency: options.concurrency,
      durationMs: 3000,
      maxRequests: options.maxRequests,
      targets: lists.slice(0, 500).flatMap((t, i) => [t, opens[i] as HttpTarget]),
    })

    baseline = await startBaseline()
    const bare = await loadPhase(
      'baseline (bare Fastify route)',
      client,
      baseline.url,
      [{ path: '/bare', label: 'bare route' }],
      options,
      null,
    )
    await baseline.close()
    baseline = null

    const profileOf = (phase: string) =>
      options.profile ? `${options.profile}-${phase}.cpuprofile` : undefined
    const list = await loadPhase(
      'capacity, list: GET /api/cases',
      client,
      baseUrl,
      lists,
      options,
      servers,
      profileOf('list'),
    )
    const open = await loadPhase(
      'capacity, open: GET /api/cases/:id',
      client,
      baseUrl,
      opens,
      options,
      servers,
      profileOf('open'),
    )
    say(`  load average ${describeLoad()}`)
    const paced = await pacedPhase(client, baseUrl, lists, opens, options, servers, profileOf('latency'))
    say(`  load average ${describeLoad()}`)

    const live = await ssePhase(ctx, client, baseUrl, members, stationId, options)

    const requests = list.report.requests + open.report.requests
    const requestsPerSec = (requests * 1000) / (list.report.elapsedMs + open.report.elapsedMs)
    const verdicts = [
      [`list p99 at ${options.rate}/s`, paced.list.p99, 50],
      [`open p99 at ${options.rate}/s`, paced.open.p99, 50],
      ['SSE delivery p99', live.delivery.p99, 100],
    ] as const
    say(
      `targets: ${verdicts.map(([what, value, limit]) => `${what} ${round(value, 1)} ms ${value < limit ? '<' : '≥'} ${limit} ms ${value < limit ? 'met' : 'MISSED'}`).join('; ')}` +
        `; for reference, not targets: capacity phases (${options.concurrency} clients, saturated) list p99 ` +
        `${round(list.all.p99, 1)} ms, open p99 ${round(open.all.p99, 1)} ms`,
    )
    result = {
      bench: 'inbox',
      engine: options.engine,
      cases: options.cases,
      messages: options.messages,
      listP50Ms: round(paced.list.p50, 1),
      listP99Ms: round(paced.list.p99, 1),
      openP50Ms: round(paced.open.p50, 1),
      openP99Ms: round(paced.open.p99, 1),
      offeredRate: options.rate,
      requestsPerSec: Math.round(requestsPerSec),
      capacityListP99Ms: round(list.all.p99, 1),
      capacityOpenP99Ms: round(open.all.p99, 1),
      sseConnections: live.connections,
      sseDeliveryP99Ms: round(live.delivery.p99, 1),
      baselineRequestsPerSec: Math.round(bare.requestsPerSec),
      baselineP99Ms: round(bare.all.p99, 1),
      ratio: round(requestsPerSec / bare.requestsPerSec, 4),
    }
  } finally {
    client?.stop()
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['stop the baseline server', async () => baseline?.close()],
      ['stop the API', async () => app?.close()],
      ['close the service', async () => ctx?.close()],
      [
        'drop the database (its schema, or its directory)',
        async () => (options.keep ? undefined : database.drop()),
      ],
      ['delete the Redis keys', () => deletePrefix(config.REDIS_URL, prefix)],
    ]
    let clean = true
    for (const [what, step] of steps) {
      try {
        await step()
      } catch (error) {
        clean = false
        say(`  cleanup: could not ${what}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const schemaFate =
      options.keep || options.schema ? `schema KEPT (${database.where}), ` : 'schema dropped, '
    if (clean)
      say(
        `  cleaned up: service stopped, ${database.engine === 'postgres' ? schemaFate : ''}Redis keys deleted`,
      )
  }
  say(JSON.stringify(result))
}
