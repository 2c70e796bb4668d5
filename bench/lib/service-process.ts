import type { FastifyInstance } from 'fastify'
import type { InboundOutcome } from '../../src/app/handle-inbound.ts'
import type { Clock } from '../../src/app/ports.ts'
import { loadConfig } from '../../src/config.ts'
import { type AppContext, createContext } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import { createLogger } from '../../src/logger.ts'
import type { InboundWorker } from '../../workers/inbound.worker.ts'
import { startInbound } from '../../workers/index.ts'
import type { WechatSend } from './corpus.ts'
import type { OfferReport } from './offer.ts'
import { type Meter, ProcessMeter, RssSampler } from './stats.ts'
import { offerWechat, type Pacing } from './wechat-send.ts'

/**
 * One of the service's processes in the inbound bench, run as a child as the service
 * is deployed (bundled, plain Node, `npm start`'s flags), in the roles its ROLES
 * names: `api`, the Fastify app that web chat reaches over HTTP, plus the WeChat
 * adapter's normalize + ingest, driven over IPC; `worker`, the inbound worker,
 * whose completions it reports to the bench as they happen.
 */

export type ServiceRequest =
  | { id: number; kind: 'start'; clockOffsetMs: number }
  /** Hands a corpus over before its phase, so copying it over IPC is not timed. */
  | { id: number; kind: 'load'; key: number; messages: WechatSend[] }
  | { id: number; kind: 'offer'; key: number; pacing: Pacing }
  | { id: number; kind: 'lap' }
  | { id: number; kind: 'rss' }
  | { id: number; kind: 'stop' }

/** An inbound job done: id, completed at, outcome, replies queued, added at, taken at (epoch ms). */
export type Completed = [
  jobId: string,
  at: number,
  outcome: string,
  replies: number,
  added: number,
  taken: number,
]

export type ServiceReply =
  | {
      id: number
      ok: true
      baseUrl?: string
      report?: OfferReport
      meter?: Meter
      rss?: { phaseMaxMb: number; maxMb: number }
    }
  | { id: number; ok: false; error: string }

/** Sent unasked by a worker process: what its inbound worker did since the last report. */
export interface WorkerReport {
  kind: 'report'
  completed: Completed[]
  /** Failed attempts, by error message (retried or given up). */
  failed: string[]
  /** Events parked as impossible to handle. */
  parked: string[]
}

type Answer = Omit<Extract<ServiceReply, { ok: true }>, 'id' | 'ok'>

/** How often a worker process reports its completions: often enough for progress lines, rarely enough to cost nothing. */
const REPORT_EVERY_MS = 50

const meter = new ProcessMeter()
const rss = new RssSampler(200)
const corpora = new Map<number, WechatSend[]>()
let service: { ctx: AppContext; app: FastifyInstance | null; inbound: InboundWorker | null } | null = null
const pending: WorkerReport = { kind: 'report', completed: [], failed: [], parked: [] }
let reporter: NodeJS.Timeout | null = null

async function start(clockOffsetMs: number): Promise<string> {
  const config = loadConfig(process.env)
  // The bench's clock, so receipt stamps convert back to real time as the bench's do.
  const clock: Clock = { now: () => new Date(Date.now() + clockOffsetMs) }
  const ctx = await createContext(config, createLogger({ level: config.LOG_LEVEL }), { clock })
  service = { ctx, app: null, inbound: null }
  try {
    if (config.ROLES.includes('worker')) service.inbound = await startWorker(ctx)
    if (!config.ROLES.includes('api')) return ''
    service.app = await buildApp(ctx)
    return await service.app.listen({ port: 0, host: '127.0.0.1' })
  } catch (error) {
    await stop()
    throw error
  }
}

/** The worker role's inbound worker (without the sweeper), reporting what it does. */
async function startWorker(ctx: AppContext): Promise<InboundWorker> {
  const inbound = startInbound(ctx, (reason) => pending.parked.push(reason))
  for (const worker of inbound.workers) {
    worker.on('completed', (job, result: InboundOutcome) => {
      if (!job.id) return
      const replies = result.outcome === 'duplicate' ? 0 : result.replies
      pending.completed.push([
        job.id,
        Date.now(),
        result.outcome,
        replies,
        job.timestamp,
        job.processedOn ?? 0,
      ])
    })
    worker.on('failed', (_job, error) => pending.failed.push(error.message))
  }
  await inbound.waitUntilReady()
  reporter = setInterval(report, REPORT_EVERY_MS)
  return inbound
}

function report(): void {
  if (!pending.completed.length && !pending.failed.length && !pending.parked.length) return
  process.send?.({ ...pending })
  pending.completed = []
  pending.failed = []
  pending.parked = []
}

/** Stops taking requests, finishes the jobs in hand, then lets go of the database and Redis. */
async function stop(): Promise<void> {
  const current = service
  service = null
  await current?.app?.close()
  await current?.inbound?.close()
  if (reporter) clearInterval(reporter)
  report()
  await current?.ctx.close()
}

async function handle(request: ServiceRequest): Promise<Answer> {
  switch (request.kind) {
    case 'start':
      return { baseUrl: await start(request.clockOffsetMs) }
    case 'load':
      corpora.set(request.key, request.messages)
      return {}
    case 'offer': {
      const messages = corpora.get(request.key)
      if (!service || !messages) throw new Error(`offer before start or of an unknown corpus ${request.key}`)
      return { report: await offerWechat(service.ctx, messages, request.pacing) }
    }
    case 'lap':
      return { meter: meter.lap() }
    case 'rss':
      return { rss: { phaseMaxMb: rss.phaseMaxMb(), maxMb: rss.maxMb } }
    case 'stop':
      await stop()
      return {}
  }
}

process.on('message', (request: ServiceRequest) => {
  const finish = (reply: ServiceReply) => {
    // After a stop (or a failed start) nothing is left to serve: exit once the answer is out.
    const last = request.kind === 'stop' || (request.kind === 'start' && !reply.ok)
    process.send?.(reply, undefined, undefined, () => {
      if (last) process.exit(reply.ok ? 0 : 1)
    })
  }
  handle(request).then(
    (answer) => finish({ id: request.id, ok: true, ...answer }),
    (error: unknown) =>
      finish({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  )
})
// The bench went away without stopping us: do not outlive it.
process.on('disconnect', () => {
  stop().finally(() => process.exit(0))
})
