import { randomBytes } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import type { InboundOutcome } from '../src/app/handle-inbound.ts'
import type { Clock } from '../src/app/ports.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { type AppContext, createContext } from '../src/context.ts'
import { buildApp } from '../src/http/app.ts'
import { createLogger } from '../src/logger.ts'
import { QueueNames } from '../src/queues/names.ts'
import type { InboundJob } from '../src/queues/payloads.ts'
import { seedStations } from '../src/store/seed.ts'
import { readStationFile } from '../src/store/station-file.ts'
import { startInbound } from '../workers/index.ts'
import { runBaseline } from './lib/baseline.ts'
import { say, UsageError } from './lib/bench.ts'
import { Breakdown, instrumentPipeline } from './lib/breakdown.ts'
import { Completions } from './lib/completions.ts'
import { buildCorpus, type Corpus, type WechatSend } from './lib/corpus.ts'
import { DEFAULT_DATABASE_URL, prepareDatabase } from './lib/database.ts'
import { describeOffer, type OfferReport } from './lib/offer.ts'
import { PhaseProfiler } from './lib/profile.ts'
import { deletePrefix } from './lib/redis-keys.ts'
import { ServerCpu } from './lib/server-cpu.ts'
import { ServiceProcess } from './lib/service-load.ts'
import type { WorkerReport } from './lib/service-process.ts'
import { runSkeleton, type SkeletonResult } from './lib/skeleton.ts'
import { describeLatency, describeMeter, ProcessMeter, RssSampler, round, summarize } from './lib/stats.ts'
import { WebChatLoad } from './lib/web-chat-load.ts'
import { offerWechat, type Pacing } from './lib/wechat-send.ts'

export const description =
  'resident messages (web chat over HTTP + WeChat normalization) through the inbound pipeline, against a bare BullMQ queue'

const STATION_FILES = ['seeds/changqing.yaml', 'seeds/fengqiao.yaml']
/** Requests (web) and ingests (WeChat) in flight each while offering as fast as possible. */
const PRODUCERS_PER_CHANNEL = 64
/** A Wednesday, 10:00 in Hangzhou: every community officer is on duty, so routing takes every branch. */
const BENCH_DAY = Date.parse('2026-11-25T02:00:00Z')

interface Options {
  messages: number
  engine: 'postgres' | 'pglite'
  concurrency?: number
  pool?: number
  rate: number
  seconds: number
  breakdown: boolean
  skeleton: boolean
  profile?: string
  /**
   * single: the service as `npm start` runs it, bundled, one child process with every role the
   * bench needs; split: two such children, a worker and a front; in-process: the service in this
   * process, from its sources (what --breakdown and --profile need, and PGlite).
   */
  layout: 'single' | 'split' | 'in-process'
}

const USAGE = `npm run bench -- inbound [options]
  --messages N      messages offered as fast as possible (default 20000)
  --engine E        postgres (default; DATABASE_URL or ${DEFAULT_DATABASE_URL}) or pglite (embedded, in a new directory)
  --concurrency N   inbound worker concurrency (default: INBOUND_CONCURRENCY from config)
  --pool N          database pool size (default: DB_POOL_SIZE from config)
  --rate N          offered load of the latency phase, messages a second (default 300)
  --seconds N       length of the latency phase (default 10)
  --breakdown       time every step of the pipeline (store, transaction, queues) and print where time goes
  --skeleton        also run the skeleton pipeline (the least work the design asks of a message, no
                    application logic; PostgreSQL only): a ceiling for the pipeline on this machine
  --profile FILE    write CPU profiles of the throughput phase (FILE) and the latency phase (FILE with
                    .latency before its extension) and print their busiest places
  --split           deploy as two child processes: a worker (ROLES=worker) and a front (ROLES=api: the
                    app, and WeChat normalize + ingest); PostgreSQL only
  --in-process      run the service in this process, from its sources under tsx (so do --breakdown,
                    --profile and --engine pglite); by default it runs as npm start runs it, bundled,
                    in a child process (ROLES=api,worker), and this process only offers and measures`

function parseOptions(args: string[]): Options {
  const parse = () =>
    parseArgs({
      args,
      strict: true,
      options: {
        messages: { type: 'string' },
        engine: { type: 'string' },
        concurrency: { type: 'string' },
        pool: { type: 'string' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        breakdown: { type: 'boolean' },
        skeleton: { type: 'boolean' },
        profile: { type: 'string' },
        split: { type: 'boolean' },
        'in-process': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    })
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse().values
  } catch (error) {
    // parseArgs says which option it did not know or that lacked a value.
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  if (values.help) {
    say(USAGE)
    process.exit(0)
  }
  const positive = (name: string, raw: string | undefined, fallback?: number): number | undefined => {
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--${name} must be a positive whole number (got "${raw}")`)
    return n
  }
  const engine = values.engine ?? 'postgres'
  if (engine !== 'postgres' && engine !== 'pglite') {
    throw new UsageError(`--engine must be postgres or pglite (got "${engine}")`)
  }
  const split = values.split ?? false
  if (split && engine === 'pglite') {
    throw new UsageError(
      '--split needs --engine postgres (a PGlite database cannot be shared by two processes)',
    )
  }
  if (split && (values.breakdown || values.profile || values['in-process'])) {
    throw new UsageError(
      '--breakdown, --profile and --in-process look inside this process: they cannot be combined with --split',
    )
  }
  // The bench seeds and verifies the database itself: a PGlite database must be in this process.
  const inProcess = values['in-process'] || values.breakdown || values.profile || engine === 'pglite'
  return {
    messages: positive('messages', values.messages, 20_000) as number,
    engine,
    concurrency: positive('concurrency', values.concurrency),
    pool: positive('pool', values.pool),
    rate: positive('rate', values.rate, 300) as number,
    seconds: positive('seconds', values.seconds, 10) as number,
    breakdown: values.breakdown ?? false,
    skeleton: values.skeleton ?? false,
    profile: values.profile,
    layout: split ? 'split' : inProcess ? 'in-process' : 'single',
  }
}

/**
 * The service as `ROLES=api,worker` runs it in this process (in-process), or only what the bench
 * needs to seed and verify (the service runs in child processes): no bot role, so acknowledgements
 * stay queued.
 */
interface Stack {
  ctx: AppContext
  /** Where the app listens; null when the service runs in child processes. */
  baseUrl: string | null
  completions: Completions<InboundJob, InboundOutcome>
  tally: {
    outcomes: Map<string, number>
    replies: number
    permanent: string[]
    /** When each job was added and taken by the worker (epoch ms), by job id. */
    jobTimes: Map<string, [added: number, taken: number]>
  }
  breakdown: Breakdown | null
  /** The service clock runs this many ms ahead of the real one: receipt times it stamps, minus this, are real. */
  clockOffsetMs: number
  stop(): Promise<void>
}

async function startStack(
  env: Record<string, string | undefined>,
  options: { timed: boolean; inProcess: boolean },
): Promise<Stack> {
  const config = loadConfig(env)
  const logger = createLogger({ level: config.LOG_LEVEL })
  // Time runs from the bench day at real speed, so deadlines and duty hours behave as they would.
  const clockOffsetMs = BENCH_DAY - Date.now()
  const clock: Clock = { now: () => new Date(Date.now() + clockOffsetMs) }
  const ctx = await createContext(config, logger, { clock })
  const stops: Array<() => Promise<void>> = [() => ctx.close()]
  const stop = async () => {
    for (const step of stops.reverse()) await step()
  }
  try {
    for (const file of STATION_FILES) await seedStations(ctx.database.db, await readStationFile(file))
    ctx.directory.invalidate()
    const breakdown = options.timed ? new Breakdown() : null
    if (breakdown) instrumentPipeline(ctx, breakdown)

    const tally: Stack['tally'] = { outcomes: new Map(), replies: 0, permanent: [], jobTimes: new Map() }
    // Run by child processes, the worker reports its completions (see absorb).
    if (!options.inProcess)
      return { ctx, baseUrl: null, completions: new Completions(), tally, breakdown, clockOffsetMs, stop }
    // The worker role's inbound worker (without the sweeper, which only re-queues events
    // older than a minute), so its events can be heard.
    const worker = startInbound(ctx, (reason) => tally.permanent.push(reason))
    stops.push(() => worker.close())
    const completions = new Completions<InboundJob, InboundOutcome>(worker.workers, (job, result) => {
      if (job.id && job.processedOn) tally.jobTimes.set(job.id, [job.timestamp, job.processedOn])
      tally.outcomes.set(result.outcome, (tally.outcomes.get(result.outcome) ?? 0) + 1)
      if (result.outcome !== 'duplicate') tally.replies += result.replies
    })
    await worker.waitUntilReady()

    const app = await buildApp(ctx)
    stops.push(() => app.close())
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    return { ctx, baseUrl, completions, tally, breakdown, clockOffsetMs, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

interface PhaseResult {
  web: OfferReport
  wechat: OfferReport
}

/** Where the load goes: the app's address, and who normalizes and ingests WeChat messages. */
interface Target {
  baseUrl: string
  wechat(messages: WechatSend[], pacing: Pacing): Promise<OfferReport>
}

/** Offers one corpus: web chat from the client process, WeChat in the app's process, at the same time. */
async function offer(
  target: Target,
  client: WebChatLoad,
  corpus: Corpus,
  tokens: string[],
  pacing: Pacing,
): Promise<PhaseResult> {
  if ('concurrency' in pacing) {
    const [web, wechat] = await Promise.all([
      client.send(target.baseUrl, tokens, corpus.web, pacing),
      target.wechat(corpus.wechat, pacing),
    ])
    return { web, wechat }
  }
  // Each channel paced in proportion to its share, so both finish together at the total rate.
  const total = corpus.web.length + corpus.wechat.length
  const share = (n: number) => ({ perSecond: (pacing.perSecond * n) / total, startAt: pacing.startAt })
  const [web, wechat] = await Promise.all([
    client.send(target.baseUrl, tokens, corpus.web, share(corpus.web.length)),
    target.wechat(corpus.wechat, share(corpus.wechat.length)),
  ])
  return { web, wechat }
}

function checkOffered(label: string, phase: PhaseResult, expected: number): void {
  say(describeOffer(`${label} web chat (HTTP)`, phase.web))
  say(describeOffer(`${label} WeChat (normalize + ingest)`, phase.wechat))
  const accepted = phase.web.sent + phase.wechat.sent
  if (accepted !== expected || phase.web.failed || phase.wechat.failed) {
    throw new Error(`${label}: ${accepted} of ${expected} messages were accepted`)
  }
}

interface Latencies {
  /** Receipt (the event's receivedAt, stored as the message's created_at) to the job's completion. */
  total: number[]
  /** Receipt to the inbound job being added (the adapter's part: store the event, queue its id). */
  ingest: number[]
  /** Added to taken by the worker. */
  waiting: number[]
  /** Taken to completed: stored, routed, on the officer's queue, acknowledgement queued. */
  processing: number[]
}

/** Latencies of every inbound message received in [from, to) (real epoch ms). */
async function latencies(stack: Stack, from: number, to: number): Promise<Latencies> {
  const offset = stack.clockOffsetMs
  const rows = await stack.ctx.database.db
    .selectFrom('messages')
    .select(['id', 'created_at'])
    .where('direction', '=', 'inbound')
    .where('created_at', '>=', new Date(from + offset))
    .where('created_at', '<', new Date(to + offset))
    .execute()
  const out: Latencies = { total: [], ingest: [], waiting: [], processing: [] }
  for (const row of rows) {
    const completedAt = stack.completions.at.get(row.id)
    if (completedAt === undefined) throw new Error(`message ${row.id} is stored but its job never completed`)
    const receivedAt = new Date(row.created_at).getTime() - offset
    out.total.push(completedAt - receivedAt)
    const times = stack.tally.jobTimes.get(row.id)
    if (!times) continue
    out.ingest.push(times[0] - receivedAt)
    out.waiting.push(times[1] - times[0])
    out.processing.push(completedAt - times[1])
  }
  return out
}

function describeSplit(l: Latencies): string {
  const part = (name: string, values: number[]) => {
    const s = summarize(values)
    return `${name} p50 ${round(s.p50, 1)} / p99 ${round(s.p99, 1)} ms`
  }
  return `  split: ${part('ingest', l.ingest)}; ${part('waiting', l.waiting)}; ${part('processing', l.processing)}`
}

function describeServers(
  cpu: { postgresMs: number | null; redisMs: number | null },
  messages: number,
): string {
  const per = (ms: number | null) =>
    ms === null ? 'unknown' : `${(ms / messages).toFixed(2)} ms CPU per message`
  return `PostgreSQL backends ${per(cpu.postgresMs)}, Redis server ${per(cpu.redisMs)} (all its clients)`
}

function printBreakdown(stack: Stack, wallMs: number): void {
  if (!stack.breakdown) return
  say('  breakdown (busy = average number of calls in progress):')
  for (const line of stack.breakdown.lines(wallMs)) say(line)
  stack.breakdown.clear()
}

/**
 * Officer notices (an officer told on their own WeChat of a new case) wait on the same outbound
 * queues as acknowledgements; a schema without them has none.
 */
async function countQueuedNotices(ctx: AppContext): Promise<number> {
  const { db } = ctx.database
  const table = await sql<{ t: string | null }>`select to_regclass('officer_notices')::text as t`.execute(db)
  if (!table.rows[0]?.t) return 0
  const queued = await sql<{ n: number }>`
    select count(*)::int as n from officer_notices where delivery_state = 'queued'`.execute(db)
  return queued.rows[0]?.n ?? 0
}

/** Counts what the database and the queues hold, and fails unless every message went all the way. */
async function verify(stack: Stack, expected: { messages: number; residents: number }): Promise<void> {
  const { ctx, tally } = stack
  const counts = await sql<{
    inbound: number
    acks: number
    cases: number
    done: number
    parked: number
  }>`select
      (select count(*)::int from messages where direction = 'inbound') as inbound,
      (select count(*)::int from messages where direction = 'outbound' and delivery_state = 'queued') as acks,
      (select count(*)::int from cases) as cases,
      (select count(*)::int from inbound_events where status = 'done') as done,
      (select count(*)::int from parked_events) as parked`.execute(ctx.database.db)
  const row = counts.rows[0]
  if (!row) throw new Error('verification query returned nothing')
  const queuedNotices = await countQueuedNotices(ctx)
  const byQueue = await ctx.database.db
    .selectFrom('cases')
    .select(['queue', sql<number>`count(*)::int`.as('n')])
    .groupBy('queue')
    .execute()

  const waitingIn = async (name: string) => {
    const c = await ctx.queues.get(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active')
    return Object.values(c).reduce((sum, n) => sum + n, 0)
  }
  let caseJobs = 0
  const queueMismatches: string[] = []
  for (const { queue, n } of byQueue) {
    const jobs = await waitingIn(queue)
    caseJobs += jobs
    if (jobs !== n) queueMismatches.push(`${queue}: ${n} cases, ${jobs} jobs`)
  }
  let outboundJobs = 0
  for (const accountId of (await ctx.directory.get()).accounts.keys()) {
    outboundJobs += await waitingIn(QueueNames.outbound(accountId))
  }
  const routed = tally.outcomes.get('routed') ?? 0
  const officerCases = byQueue.filter((q) => q.queue.startsWith('officer-')).reduce((s, q) => s + q.n, 0)

  say(
    `verify: ${row.inbound} inbound messages stored, ${row.done} events done, ${routed} jobs routed (expected ${expected.messages} each)`,
  )
  say(
    `verify: ${row.cases} cases for ${expected.residents} residents; ${caseJobs} case jobs on ${byQueue.length} officer/desk queues ` +
      `(${officerCases} with officers, ${row.cases - officerCases} with duty desks)`,
  )
  say(
    `verify: ${row.acks} acknowledgements queued in the database, ${tally.replies} reported by the worker, ` +
      `${queuedNotices} officer notices queued, ${outboundJobs} jobs on outbound queues; ${row.parked} parked`,
  )
  const problems = [
    row.inbound !== expected.messages && `inbound messages ${row.inbound} ≠ ${expected.messages}`,
    row.done !== expected.messages && `events done ${row.done} ≠ ${expected.messages}`,
    routed !== expected.messages &&
      `routed outcomes ${routed} ≠ ${expected.messages} (${JSON.stringify([...tally.outcomes])})`,
    row.cases !== expected.residents && `cases ${row.cases} ≠ residents ${expected.residents}`,
    caseJobs !== row.cases && `case jobs ${caseJobs} ≠ cases ${row.cases}`,
    row.acks !== tally.replies && `acks in database ${row.acks} ≠ replies ${tally.replies}`,
    outboundJobs !== row.acks + queuedNotices &&
      `outbound jobs ${outboundJobs} ≠ acks ${row.acks} + officer notices ${queuedNotices}`,
    row.acks < row.cases && `fewer acks (${row.acks}) than cases (${row.cases})`,
    row.parked !== 0 && `${row.parked} events parked`,
    tally.permanent.length > 0 && `${tally.permanent.length} permanent failures`,
    ...queueMismatches,
  ].filter((p): p is string => typeof p === 'string')
  if (problems.length) throw new Error(`verification failed:\n  ${problems.join('\n  ')}`)
}

/** The service's child processes (none in-process): the front serves the app; workers report completions. */
interface Children {
  all: ServiceProcess[]
  front: ServiceProcess
}

/** What a worker process reports, taken in as this process's own worker's events would be. */
function absorb(stack: Stack, report: WorkerReport): void {
  const { completions, tally } = stack
  for (const [jobId, at, outcome, replies, added, taken] of report.completed) {
    completions.record(jobId, at)
    tally.jobTimes.set(jobId, [added, taken])
    tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1)
    tally.replies += replies
  }
  for (const message of report.failed) completions.fail(message)
  tally.permanent.push(...report.parked)
}

/** Starts the service as the layout deploys it, on the bench's clock, once the stations are seeded. */
async function startChildren(
  layout: 'single' | 'split',
  env: Record<string, string | undefined>,
  stack: Stack,
): Promise<Children> {
  const roles: Array<[name: string, roles: string]> =
    layout === 'split'
      ? [
          ['worker process', 'worker'],
          ['front process', 'api'],
        ]
      : [['service process', 'api,worker']]
  const all: ServiceProcess[] = []
  try {
    for (const [name, ROLES] of roles) {
      const started = await ServiceProcess.start(name, { ...env, ROLES }, stack.clockOffsetMs, (report) =>
        absorb(stack, report),
      )
      all.push(started)
    }
    const front = all.find((p) => p.baseUrl)
    if (!front) throw new Error('no service process answered an address')
    return { all, front }
  } catch (error) {
    await stopChildren(all).catch(() => {})
    throw error
  }
}

/** The front first, as a deployment stops taking requests before its workers; throws what failed. */
async function stopChildren(all: ServiceProcess[]): Promise<void> {
  const failures: string[] = []
  const frontFirst = [...all.filter((p) => p.baseUrl), ...all.filter((p) => !p.baseUrl)]
  for (const p of frontFirst) await p.stop().catch((error: Error) => failures.push(error.message))
  if (failures.length) throw new Error(failures.join('; '))
}

/** The highest RSS since the last call: of this process, or of the service's processes together (the deployment's memory). */
async function describeRss(label: string, rss: RssSampler, children: Children | null): Promise<string> {
  if (!children) return `${label} ${Math.round(rss.phaseMaxMb())} MB`
  const each: Array<[string, number]> = []
  for (const p of children.all) each.push([p.name, Math.round((await p.rss()).phaseMaxMb)])
  const sum = each.reduce((total, [, mb]) => total + mb, 0)
  return `${label} ${sum} MB (${each.map(([name, mb]) => `${name} ${mb}`).join(' + ')})`
}

/** How busy the service was since the last lap: this process, or each of the service's. */
async function describeMeters(meter: ProcessMeter, children: Children | null, messages: number) {
  if (!children) return [`  service process: ${describeMeter(meter.lap(), messages)}`]
  const lines: string[] = []
  for (const p of children.all) lines.push(`  ${p.name}: ${describeMeter(await p.lap(), messages)}`)
  return lines
}

/** Starts a phase's CPU laps in every process that meters the service. */
async function lapAll(meter: ProcessMeter, children: Children | null): Promise<void> {
  meter.lap()
  for (const p of children?.all ?? []) await p.lap()
}

/** Other work on the machine skews every figure here; the load average shows whether there was any. */
function describeLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args)
  const rss = new RssSampler(200)
  const prefix = `bench-inbound-${randomBytes(4).toString('hex')}`
  const database = await prepareDatabase(options.engine)
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...database.env,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    ROLES: 'api,worker',
    STATION_FILES: '',
    ...(options.concurrency ? { INBOUND_CONCURRENCY: String(options.concurrency) } : {}),
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
    `inbound bench: ${options.messages} messages as fast as possible, then ${options.rate * options.seconds} at ${options.rate}/s; ` +
      `node ${process.version}, ${availableParallelism()} cores, load average ${describeLoad()}`,
  )
  say(
    `  database: ${database.where}; pool ${config.DB_POOL_SIZE}; inbound concurrency ${config.INBOUND_CONCURRENCY}; ` +
      `Redis ${config.REDIS_URL.replace(/\/\/[^@]*@/, '//***@')} prefix ${prefix}`,
  )
  say(
    {
      single:
        '  layout: single; a child process runs the bundled service as npm start does (ROLES=api,worker)',
      split:
        '  layout: split; two child processes run the bundled service, a worker (ROLES=worker) and a front (ROLES=api)',
      'in-process': '  layout: in-process; the service runs in this process, from its sources',
    }[options.layout],
  )

  let stack: Stack | null = null
  let children: Children | null = null
  let client: WebChatLoad | null = null
  let result: Record<string, unknown>
  try {
    const files = await Promise.all(STATION_FILES.map((f) => readStationFile(f)))
    const bulk = buildCorpus(files, { messages: options.messages, seed: 20_261_125, idPrefix: 'tp' })
    const paced = buildCorpus(files, { messages: options.rate * options.seconds, seed: 110, idPrefix: 'lat' })
    stack = await startStack(env, { timed: options.breakdown, inProcess: options.layout === 'in-process' })
    let target: Target
    if (options.layout !== 'in-process') {
      children = await startChildren(options.layout, env, stack)
      const { front } = children
      // Handed over now, so that copying them over IPC is not timed.
      await front.load(bulk.wechat)
      await front.load(paced.wechat)
      target = { baseUrl: front.baseUrl, wechat: (messages, pacing) => front.offerWechat(messages, pacing) }
    } else {
      const ctx = stack.ctx
      target = {
        baseUrl: stack.baseUrl as string,
        wechat: (messages, pacing) => offerWechat(ctx, messages, pacing),
      }
    }
    client = WebChatLoad.start()
    const [bulkTokens, pacedTokens] = [
      await client.createSessions(target.baseUrl, bulk.webResidents, 32),
      await client.createSessions(target.baseUrl, paced.webResidents, 32),
    ]
    say(
      `  ready: ${bulk.residents + paced.residents} residents (${bulkTokens.length + pacedTokens.length} web chat sessions), ` +
        `app at ${target.baseUrl}; ${await describeRss('RSS', rss, children)}`,
    )

    say('baseline: bare BullMQ queue, no-op worker')
    const baseline = await runBaseline({
      redisUrl: config.REDIS_URL,
      prefix,
      jobs: options.messages,
      concurrency: config.INBOUND_CONCURRENCY,
      producers: PRODUCERS_PER_CHANNEL * 2,
      latency: { perSecond: options.rate, seconds: options.seconds },
    })
    say(`baseline: ${Math.round(baseline.jobsPerSec)} jobs/s; ${await describeRss('RSS max', rss, children)}`)

    let skeleton: SkeletonResult | undefined
    if (options.skeleton && database.engine !== 'postgres') {
      say('skeleton: skipped (it stores its rows in PostgreSQL; run it with --engine postgres)')
    } else if (options.skeleton) {
      say('skeleton: event stored, id queued; batched worker: message, case, acknowledgement, two jobs')
      skeleton = await runSkeleton({
        redisUrl: config.REDIS_URL,
        databaseUrl: database.env.DATABASE_URL as string,
        serverUrl: database.serverUrl,
        applicationName: database.applicationName,
        prefix,
        messages: options.messages,
        concurrency: config.INBOUND_CONCURRENCY,
        producers: PRODUCERS_PER_CHANNEL * 2,
        latency: { perSecond: options.rate, seconds: options.seconds },
      })
      const per = (ms: number | null) => (ms === null ? 'unknown' : ms.toFixed(2))
      say(
        `skeleton: ${Math.round(skeleton.msgsPerSec)} msgs/s; CPU ms a message: process ${per(skeleton.cpuMs.process)}, ` +
          `PostgreSQL ${per(skeleton.cpuMs.postgres)}, Redis ${per(skeleton.cpuMs.redis)}; ` +
          `p99 at ${options.rate}/s ${round(skeleton.latency.p99, 1)} ms`,
      )
    }

    say('pipeline, throughput: offered as fast as possible')
    const profiler = options.profile ? new PhaseProfiler() : null
    await profiler?.start()
    const servers = new ServerCpu(database.serverUrl, database.applicationName, config.REDIS_URL)
    await servers.start()
    const meter = new ProcessMeter()
    await lapAll(meter, children)
    const bulkStart = Date.now()
    const bulkOffer = offer(target, client, bulk, bulkTokens, { concurrency: PRODUCERS_PER_CHANNEL })
    // Offering errors surface through checkOffered; waiting must not hide them behind a stall.
    const bulkDone = stack.completions.waitFor(options.messages, 'pipeline')
    checkOffered('throughput', await bulkOffer, options.messages)
    await bulkDone
    const msgsPerSec = (options.messages * 1000) / (stack.completions.lastAt - bulkStart)
    const bulkLatency = await latencies(stack, bulkStart, Date.now())
    say(
      `pipeline: ${Math.round(msgsPerSec)} msgs/s end to end; latency under that backlog ${describeLatency(summarize(bulkLatency.total))}; ` +
        `${await describeRss('RSS max', rss, children)}`,
    )
    say(describeSplit(bulkLatency))
    for (const line of await describeMeters(meter, children, options.messages)) say(line)
    say(`  servers: ${describeServers(await servers.stop(), options.messages)}`)
    printBreakdown(stack, stack.completions.lastAt - bulkStart)
    if (profiler && options.profile) {
      for (const line of await profiler.stop(options.profile)) say(line)
      say(`  CPU profile written to ${options.profile}`)
    }

    const pacedCount = paced.web.length + paced.wechat.length
    say(`pipeline, latency: ${pacedCount} messages at ${options.rate}/s (open loop)`)
    const pacedProfiler = options.profile ? new PhaseProfiler() : null
    await pacedProfiler?.start()
    await servers.start()
    await lapAll(meter, children)
    const pacedStart = Date.now() + 300
    const pacedOffer = offer(target, client, paced, pacedTokens, {
      perSecond: options.rate,
      startAt: pacedStart,
    })
    const pacedDone = stack.completions.waitFor(options.messages + pacedCount, 'pipeline at rate')
    checkOffered('latency', await pacedOffer, pacedCount)
    await pacedDone
    const pacedLatency = await latencies(stack, pacedStart, Date.now() + 1)
    const latency = summarize(pacedLatency.total)
    if (latency.count !== pacedCount)
      throw new Error(`latency phase: ${latency.count} of ${pacedCount} measured`)
    say(`pipeline at ${options.rate}/s: receipt → on officer's queue ${describeLatency(latency)}`)
    say(describeSplit(pacedLatency))
    for (const line of await describeMeters(meter, children, pacedCount)) say(line)
    say(`  servers: ${describeServers(await servers.stop(), pacedCount)}`)
    say(`  ${await describeRss('RSS max', rss, children)}; load average ${describeLoad()}`)
    printBreakdown(stack, stack.completions.lastAt - pacedStart)
    if (pacedProfiler && options.profile) {
      const file = options.profile.replace(/(\.[^./]*)?$/, '.latency$1')
      for (const line of await pacedProfiler.stop(file)) say(line)
      say(`  CPU profile written to ${file}`)
    }

    await verify(stack, {
      messages: options.messages + pacedCount,
      residents: bulk.residents + paced.residents,
    })
    if (stack.completions.failures.size) {
      say(`  note: failed attempts that were retried: ${JSON.stringify([...stack.completions.failures])}`)
    }
    rss.stop()
    // In child processes, the service's memory is theirs (each at its own highest), not this one's.
    let rssMb = children ? 0 : rss.maxMb
    for (const p of children?.all ?? []) rssMb += (await p.rss()).maxMb
    result = {
      bench: 'inbound',
      engine: options.engine,
      layout: options.layout,
      messages: options.messages,
      msgsPerSec: Math.round(msgsPerSec),
      p50Ms: round(latency.p50, 1),
      p99Ms: round(latency.p99, 1),
      baselineJobsPerSec: Math.round(baseline.jobsPerSec),
      ratio: round(msgsPerSec / baseline.jobsPerSec, 3),
      rssMb: Math.round(rssMb),
      ...(skeleton
        ? {
            skeletonMsgsPerSec: Math.round(skeleton.msgsPerSec),
            skeletonP99Ms: round(skeleton.latency.p99, 1),
          }
        : {}),
    }
  } finally {
    client?.stop()
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['stop the service processes', async () => children && stopChildren(children.all)],
      ['stop the service', async () => stack?.stop()],
      ['drop the database (its schema, or its directory)', () => database.drop()],
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
    if (clean)
      say(
        `  cleaned up: service stopped, ${database.engine === 'postgres' ? 'schema dropped, ' : ''}Redis keys deleted`,
      )
  }
  say(JSON.stringify(result))
}
