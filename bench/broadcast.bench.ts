import { randomBytes } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import type { Worker } from 'bullmq'
import { sql } from 'kysely'
import type { BroadcastDraft } from '../src/app/broadcasts/compose.ts'
import { createDeliverySender } from '../src/app/broadcasts/send-delivery.ts'
import type { Sender } from '../src/app/send-outbound.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { type AppContext, createContext } from '../src/context.ts'
import type { Actor } from '../src/domain/access.ts'
import { createLogger } from '../src/logger.ts'
import { seedIds } from '../src/store/seed.ts'
import { startBroadcastWorker } from '../workers/broadcast.worker.ts'
import { startOutboundWorker } from '../workers/outbound.worker.ts'
import { runBaseline } from './lib/baseline.ts'
import { say, UsageError } from './lib/bench.ts'
import { accountIds, BENCH_STATION, seedBenchStation } from './lib/broadcast-seed.ts'
import { DEFAULT_DATABASE_URL, prepareDatabase } from './lib/database.ts'
import { deletePrefix } from './lib/redis-keys.ts'
import { RssSampler, round } from './lib/stats.ts'

export const description =
  'plans a broadcast to 100,000 residents over 20 WeChat accounts and sends it (limits lifted, then real limits), against a bare BullMQ queue'

interface Options {
  residents: number
  accounts: number
  limitedSeconds: number
  limitedRate: number
}

const USAGE = `npm run bench -- broadcast [options]   (PostgreSQL: DATABASE_URL or ${DEFAULT_DATABASE_URL})
  --residents N        residents of the station (default 100000)
  --accounts N         WeChat accounts they are spread over (default 20)
  --limited-seconds N  length of the phase with real limits (default 30)
  --limited-rate N     each account's limit in that phase, sends a minute (default 60)`

function parseOptions(args: string[]): Options {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args,
      strict: true,
      options: {
        residents: { type: 'string' },
        accounts: { type: 'string' },
        'limited-seconds': { type: 'string' },
        'limited-rate': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  if (values.help) {
    say(USAGE)
    process.exit(0)
  }
  const positive = (name: string, fallback: number): number => {
    const raw = values[name]
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--${name} must be a positive whole number (got "${raw}")`)
    return n
  }
  return {
    residents: positive('residents', 100_000),
    accounts: positive('accounts', 20),
    limitedSeconds: positive('limited-seconds', 30),
    limitedRate: positive('limited-rate', 60),
  }
}

const describeLoad = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** A channel that takes every send at once: what is measured is maplebridge's side of sending. */
const instantSender: Sender = {
  send: async (_ref, message) => ({ externalId: `ext-${message.id}` }),
  isPermanent: () => false,
}

/** The bot role's outbound workers, one per account, as bots/index.ts starts them but over the instant channel. */
function startSenders(ctx: AppContext, accounts: string[], ratePerMinute: number): Worker[] {
  return accounts.map((accountId) => {
    const pace = ctx.sendPace.forAccount({
      accountId,
      ratePerMinute,
      jitterMs: ctx.config.OUTBOUND_JITTER_MS,
      timeZone: 'Asia/Shanghai',
    })
    return startOutboundWorker({
      accountId,
      connection: ctx.redis.worker,
      prefix: ctx.config.QUEUE_PREFIX,
      logger: ctx.logger,
      store: ctx.outboundStore,
      sender: instantSender,
      perMinute: ratePerMinute,
      jitterMs: ctx.config.OUTBOUND_JITTER_MS,
      pace,
      broadcasts: createDeliverySender({
        store: ctx.broadcasts.sendStore,
        sender: instantSender,
        pace,
        clock: ctx.clock,
        quietHours: ctx.config.BROADCAST_QUIET_HOURS,
        publish: (event) => ctx.dispatcher.publish(event),
        audit: (entry) => ctx.audit.record(entry),
        newToken: () => randomBytes(12).toString('hex'),
      }),
    })
  })
}

async function counts(ctx: AppContext, broadcastId: string): Promise<Record<string, number>> {
  const rows = await ctx.database.db
    .selectFrom('broadcast_deliveries')
    .select(['state', sql<number>`count(*)::int`.as('n')])
    .where('broadcast_id', '=', broadcastId)
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}

/** Composes a broadcast as an officer and has a supervisor approve it, through the use cases the API runs. */
async function composeApproved(ctx: AppContext, draft: BroadcastDraft): Promise<string> {
  const station = seedIds.station(BENCH_STATION)
  const officer: Actor = { id: seedIds.officer('660001'), role: 'officer', stationId: station, beatIds: [] }
  const supervisor: Actor = {
    id: seedIds.officer('669001'),
    role: 'supervisor',
    stationId: station,
    beatIds: [],
  }
  const created = await ctx.broadcasts.compose.create(officer, draft)
  if (created.state === 'pending_approval') await ctx.broadcasts.commands.approve(supervisor, created.id)
  return created.id
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args)
  const rss = new RssSampler(200)
  const prefix = `bench-broadcast-${randomBytes(4).toString('hex')}`
  const database = await prepareDatabase('postgres')
  const env = {
    ...process.env,
    ...database.env,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ROLES: 'worker,bot',
    BROADCAST_TICK: '250ms',
  }
  let config: Config
  try {
    config = loadConfig(env)
  } catch (error) {
    await database.drop()
    throw error
  }
  say(
    `broadcast bench: ${options.residents} residents over ${options.accounts} accounts; ` +
      `node ${process.version}, ${availableParallelism()} cores, load average ${describeLoad()}`,
  )
  say(`  database: ${database.where}; pool ${config.DB_POOL_SIZE}`)
  const logger = createLogger({ level: config.LOG_LEVEL })
  // A Wednesday, 10:00 in Hangzhou at real speed: outside quiet hours whenever the bench runs.
  const offset = Date.parse('2026-11-25T02:00:00Z') - Date.now()
  const ctx = await createContext(config, logger, { clock: { now: () => new Date(Date.now() + offset) } })
  const stops: Array<() => Promise<unknown>> = []
  try {
    const db = ctx.database.db
    const accounts = accountIds(options.accounts)
    const seedStart = Date.now()
    const seeded = await seedBenchStation(db, options)
    ctx.directory.invalidate()
    say(
      `seed: ${options.residents} residents in ${((Date.now() - seedStart) / 1000).toFixed(1)} s; RSS ${Math.round(rss.phaseMaxMb())} MB`,
    )

    const baseline = await runBaseline({
      redisUrl: config.REDIS_URL,
      prefix,
      jobs: 20_000,
      concurrency: 16,
      producers: 64,
      latency: { perSecond: 500, seconds: 2 },
    })
    say(
      `baseline: ${Math.round(baseline.jobsPerSec)} bare BullMQ jobs/s; RSS ${Math.round(rss.phaseMaxMb())} MB`,
    )

    // Phase 1: plan the whole station. No worker runs yet, so the plan below is the one that counts.
    const previewStart = Date.now()
    const id = await composeApproved(ctx, {
      title: '警惕冒充公检法诈骗',
      text: {
        zh: '公检法机关不会通过电话办案，更不会要求转账到“安全账户”。',
        en: 'Police never ask you to move money.',
      },
      category: 'anti_fraud',
      targets: { station: true },
    })
    say(
      `compose (preview counts of ${options.residents} residents) and approve: ${Date.now() - previewStart} ms`,
    )
    const planStart = performance.now()
    const planned = await ctx.broadcasts.runner.plan(id)
    const planSeconds = (performance.now() - planStart) / 1000
    const afterPlan = await counts(ctx, id)
    const pending = afterPlan.pending ?? 0
    say(
      `plan: ${planned}, ${JSON.stringify(afterPlan)} in ${planSeconds.toFixed(2)} s; RSS ${Math.round(rss.phaseMaxMb())} MB`,
    )
    if (pending + (afterPlan.skipped ?? 0) !== options.residents || afterPlan.skipped !== seeded.optedOut) {
      throw new Error(`planning wrote ${JSON.stringify(afterPlan)} for ${options.residents} residents`)
    }

    // Phase 2: send it with the limits lifted (no pace, no daily cap), through the real outbound path.
    await db
      .updateTable('bot_accounts')
      .set({ rate_per_minute: 0, daily_cap: 2_000_000_000 })
      .where('id', 'in', accounts)
      .execute()
    const sendStart = performance.now()
    const senders = startSenders(ctx, accounts, 0)
    stops.push(() => Promise.all(senders.map((w) => w.close())))
    const role = startBroadcastWorker({
      connection: ctx.redis.worker,
      redis: ctx.redis.producer,
      prefix,
      logger,
      runner: ctx.broadcasts.runner,
      tickMs: config.BROADCAST_TICK,
    })
    stops.push(() => role.close())
    let sent = 0
    let lastPrint = performance.now()
    for (;;) {
      const c = await counts(ctx, id)
      sent = c.sent ?? 0
      if ((c.pending ?? 0) + (c.sending ?? 0) === 0) break
      if (performance.now() - lastPrint > 5000) {
        say(
          `  sending: ${sent} of ${pending} sent; RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
        )
        lastPrint = performance.now()
      }
      if (performance.now() - sendStart > 600_000) throw new Error(`sending stalled at ${sent} of ${pending}`)
      await sleep(250)
    }
    const sendSeconds = (performance.now() - sendStart) / 1000
    const final = await counts(ctx, id)
    const sendPerSec = sent / sendSeconds
    say(
      `send, limits lifted: ${sent} in ${sendSeconds.toFixed(1)} s = ${Math.round(sendPerSec)}/s; ${JSON.stringify(final)}`,
    )
    if (sent !== pending) throw new Error(`${pending} deliveries were due and ${sent} were sent`)
    const sendRssMb = rss.phaseMaxMb()
    await Promise.all(senders.map((w) => w.close()))
    stops.pop()

    // Phase 3: real limits. Each account at --limited-rate a minute, jitter as configured; the daily
    // cap stays out of the way (phase 2 used up today's count), this phase measures the pace.
    await db
      .updateTable('bot_accounts')
      .set({ rate_per_minute: options.limitedRate, daily_cap: 2_000_000_000 })
      .where('id', 'in', accounts)
      .execute()
    const limitedSenders = startSenders(ctx, accounts, options.limitedRate)
    stops.push(() => Promise.all(limitedSenders.map((w) => w.close())))
    const limitedId = await composeApproved(ctx, {
      title: '出租房屋消防检查通知',
      text: { zh: '本周起开展出租房屋消防安全检查，请房东配合。' },
      category: 'fire_safety',
      targets: { tags: ['landlord'] },
    })
    const phaseStart = Date.now()
    await sleep(options.limitedSeconds * 1000)
    await ctx.broadcasts.commands.cancel(
      {
        id: seedIds.officer('669001'),
        role: 'supervisor',
        stationId: seedIds.station(BENCH_STATION),
        beatIds: [],
      },
      limitedId,
    )
    const grants = await db
      .selectFrom('broadcast_deliveries')
      .select(['account_id', 'send_started_at'])
      .where('broadcast_id', '=', limitedId)
      .where('send_started_at', 'is not', null)
      .execute()
    const byAccount = new Map<string, number[]>()
    for (const g of grants) {
      const list = byAccount.get(g.account_id ?? '') ?? []
      list.push(g.send_started_at!.getTime())
      byAccount.set(g.account_id ?? '', list)
    }
    const limitPerSec = options.limitedRate / 60
    let ratePerSec = 0
    let highestShare = 0
    let closestGapMs = Number.POSITIVE_INFINITY
    for (const times of byAccount.values()) {
      times.sort((a, b) => a - b)
      if (times.length < 2) continue
      // Gaps over the account's span: n sends make n - 1 gaps.
      const rate = ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!)
      ratePerSec += rate
      highestShare = Math.max(highestShare, rate / limitPerSec)
      for (let i = 1; i < times.length; i++) closestGapMs = Math.min(closestGapMs, times[i]! - times[i - 1]!)
    }
    const limitSumPerSec = limitPerSec * options.accounts
    const share = ratePerSec / limitSumPerSec
    say(
      `send, real limits (${options.limitedRate}/min each, jitter up to ${config.OUTBOUND_JITTER_MS} ms capped at 5% ` +
        `of the interval) for ${((Date.now() - phaseStart) / 1000).toFixed(0)} s: ${grants.length} sends over ` +
        `${byAccount.size} accounts, ${ratePerSec.toFixed(2)}/s against a sum of limits of ${limitSumPerSec.toFixed(2)}/s ` +
        `(${(share * 100).toFixed(1)}%); busiest account at ${(highestShare * 100).toFixed(1)}% of its limit; ` +
        `closest gap ${closestGapMs} ms (interval ${(60_000 / options.limitedRate).toFixed(0)} ms)`,
    )
    if (closestGapMs < 60_000 / options.limitedRate || highestShare > 1) {
      throw new Error('an account sent faster than its limit')
    }
    rss.stop()
    const peakRssMb = rss.maxMb
    say(
      `peak RSS ${Math.round(peakRssMb)} MB (sending phase ${Math.round(sendRssMb)} MB); load average ${describeLoad()}`,
    )
    say(
      `targets: planning under 10 s ${planSeconds < 10 ? 'met' : 'MISSED'}; peak RSS under 300 MB ${peakRssMb < 300 ? 'met' : 'MISSED'}; ` +
        `real-limit rate within 5% and never above ${share >= 0.95 && share <= 1 ? 'met' : 'MISSED'}`,
    )
    process.stdout.write(
      `${JSON.stringify({
        recipients: options.residents,
        accounts: options.accounts,
        planned: pending,
        planSeconds: round(planSeconds, 2),
        sendPerSec: round(sendPerSec, 0),
        peakRssMb: round(peakRssMb, 0),
        baselineJobsPerSec: round(baseline.jobsPerSec, 0),
        ratio: round(sendPerSec / baseline.jobsPerSec, 3),
        limitedRatePerSec: round(ratePerSec, 2),
        limitSumPerSec: round(limitSumPerSec, 2),
        limitedShare: round(share, 4),
        limitedAbove: highestShare > 1,
        loadAverage: loadavg().map((l) => round(l, 2)),
      })}\n`,
    )
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    await ctx.close()
    await deletePrefix(config.REDIS_URL, prefix)
    await database.drop()
  }
}
