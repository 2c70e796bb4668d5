import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../src/app/ports.ts'
import { loadConfig } from '../../src/config.ts'
import { type AppContext, createContext } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import { createLogger } from '../../src/logger.ts'
import type { WechatSend } from './corpus.ts'
import type { OfferReport } from './offer.ts'
import { type Meter, ProcessMeter, RssSampler } from './stats.ts'
import { offerWechat, type Pacing } from './wechat-send.ts'

/**
 * The front of the inbound bench's split layout, run as a child process: the
 * service as `ROLES=api` runs it (the Fastify app, which web chat reaches over
 * HTTP) plus the WeChat adapter's normalize + ingest, which the bench drives
 * over IPC. Its config comes from the environment the bench forks it with.
 */

export type FrontRequest =
  | { id: number; kind: 'start'; clockOffsetMs: number }
  /** Hands a corpus over before its phase, so copying it over IPC is not timed. */
  | { id: number; kind: 'load'; key: number; messages: WechatSend[] }
  | { id: number; kind: 'offer'; key: number; pacing: Pacing }
  | { id: number; kind: 'lap' }
  | { id: number; kind: 'rss' }
  | { id: number; kind: 'stop' }

export type FrontReply =
  | {
      id: number
      ok: true
      baseUrl?: string
      report?: OfferReport
      meter?: Meter
      rss?: { phaseMaxMb: number; maxMb: number }
    }
  | { id: number; ok: false; error: string }

type Answer = Omit<Extract<FrontReply, { ok: true }>, 'id' | 'ok'>

const meter = new ProcessMeter()
const rss = new RssSampler(200)
const corpora = new Map<number, WechatSend[]>()
let service: { ctx: AppContext; app: FastifyInstance | null } | null = null

async function start(clockOffsetMs: number): Promise<string> {
  const config = loadConfig(process.env)
  // The bench's clock, so receipt stamps convert back to real time as the worker's do.
  const clock: Clock = { now: () => new Date(Date.now() + clockOffsetMs) }
  const ctx = await createContext(config, createLogger({ level: config.LOG_LEVEL }), { clock })
  service = { ctx, app: null }
  try {
    service.app = await buildApp(ctx)
    return await service.app.listen({ port: 0, host: '127.0.0.1' })
  } catch (error) {
    await stop()
    throw error
  }
}

/** Stops taking requests, then lets go of the database and Redis. */
async function stop(): Promise<void> {
  const current = service
  service = null
  await current?.app?.close()
  await current?.ctx.close()
}

async function handle(request: FrontRequest): Promise<Answer> {
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

process.on('message', (request: FrontRequest) => {
  const finish = (reply: FrontReply) => {
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
