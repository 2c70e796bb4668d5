import { Agent, request as httpRequest, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import {
  type ClientReply,
  type ClientRequest,
  epochMs,
  type HttpPacedReport,
  type HttpPacedRequest,
  type HttpPhaseReport,
  type HttpPhaseRequest,
  type HttpTarget,
  parseEventId,
  type SseOpenReport,
  type SseWaitReport,
} from './inbox-protocol.ts'

/**
 * The inbox load generator, run as a child process so that its HTTP clients
 * and a thousand SSE sockets neither share the service's event loop nor count
 * in its CPU. Plain node:http with a keep-alive agent: cheaper per request
 * than fetch, so the client is not what limits the baseline. Talks to the
 * parent over IPC.
 */

function tally(map: Map<string, number>, what: string): void {
  map.set(what, (map.get(what) ?? 0) + 1)
}

function record(latencies: Record<string, number[]>, label: string, ms: number): void {
  const list = latencies[label] ?? []
  list.push(ms)
  latencies[label] = list
}

/** Sends a GET for the target; `done` is called once, with null for a 200 or with what went wrong. */
function getTarget(base: URL, agent: Agent, target: HttpTarget, done: (failure: string | null) => void) {
  let settled = false
  const finish = (failure: string | null) => {
    if (settled) return
    settled = true
    done(failure)
  }
  const req = httpRequest(
    {
      host: base.hostname,
      port: base.port,
      path: target.path,
      agent,
      headers: target.cookie ? { cookie: target.cookie } : {},
    },
    (res: IncomingMessage) => {
      res.on('data', () => {})
      res.on('end', () => finish(res.statusCode === 200 ? null : `HTTP ${res.statusCode}`))
      res.on('error', (error) => finish(error.message))
    },
  )
  req.on('error', (error) => finish(error.message))
  req.end()
  return req
}

async function httpPhase(request: HttpPhaseRequest): Promise<HttpPhaseReport> {
  const base = new URL(request.baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: request.concurrency })
  const latencies: Record<string, number[]> = {}
  const errors = new Map<string, number>()
  const cpu = process.cpuUsage()
  const startedAt = performance.now()
  const deadline = startedAt + request.durationMs
  let next = 0
  let sent = 0

  const one = (target: HttpTarget) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      getTarget(base, agent, target, (failure) => {
        if (failure) tally(errors, `${target.label}: ${failure}`)
        else record(latencies, target.label, performance.now() - t0)
        resolve()
      })
    })

  const lane = async () => {
    while (performance.now() < deadline && sent < request.maxRequests) {
      const target = request.targets[next++ % request.targets.length] as HttpTarget
      sent++
      await one(target)
    }
  }
  await Promise.all(Array.from({ length: request.concurrency }, lane))
  const elapsedMs = performance.now() - startedAt
  agent.destroy()
  const used = process.cpuUsage(cpu)
  return {
    elapsedMs,
    requests: sent,
    latencies,
    errors: [...errors],
    cpuMs: (used.user + used.system) / 1000,
  }
}

/** How long the open-loop phase waits for its last answers before counting them as failed. */
const ANSWER_TIMEOUT_MS = 30_000

async function httpPacedPhase(request: HttpPacedRequest): Promise<HttpPacedReport> {
  const base = new URL(request.baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: request.maxSockets })
  const latencies: Record<string, number[]> = {}
  const errors = new Map<string, number>()
  const sockets = new Set<Socket>()
  /** Each request awaiting its answer, with what ends it. */
  const unanswered = new Map<ReturnType<typeof httpRequest>, (failure: string | null) => void>()
  const count = Math.min(request.maxRequests, Math.floor((request.perSecond * request.durationMs) / 1000))
  const cpu = process.cpuUsage()
  // A little slack, so that the first sends are not late merely for the IPC message that started the phase.
  const startAt = performance.now() + 20
  const due = (i: number) => startAt + (i * 1000) / request.perSecond
  let maxLagMs = 0
  let maxInFlight = 0
  let queuedInClient = 0
  let lastAnswerAt = startAt
  let drained: (() => void) | null = null

  const send = (target: HttpTarget, scheduledAt: number) => {
    // A request beyond the agent's sockets would wait inside the client, which the schedule is meant to rule out.
    if (unanswered.size >= request.maxSockets) queuedInClient++
    let settled = false
    const settle = (failure: string | null) => {
      if (settled) return
      settled = true
      unanswered.delete(req)
      if (failure) tally(errors, `${target.label}: ${failure}`)
      // From the scheduled time, not from when the client got round to it: no coordinated omission.
      else record(latencies, target.label, performance.now() - scheduledAt)
      lastAnswerAt = performance.now()
      if (unanswered.size === 0) drained?.()
    }
    const req = getTarget(base, agent, target, settle)
    // The socket is when the request can go out, so its delay covers both a busy loop and a queueing agent.
    req.on('socket', (socket: Socket) => {
      sockets.add(socket)
      maxLagMs = Math.max(maxLagMs, performance.now() - scheduledAt)
    })
    unanswered.set(req, settle)
    maxInFlight = Math.max(maxInFlight, unanswered.size)
  }

  let i = 0
  while (i < count) {
    const wait = due(i) - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)))
    const now = performance.now()
    while (i < count && due(i) <= now) {
      send(request.targets[i % request.targets.length] as HttpTarget, due(i))
      i++
    }
  }
  if (unanswered.size) {
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      drained = resolve
      timer = setTimeout(resolve, ANSWER_TIMEOUT_MS)
    })
    clearTimeout(timer)
    for (const [req, settle] of [...unanswered]) {
      settle(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`)
      req.destroy()
    }
  }
  agent.destroy()
  const used = process.cpuUsage(cpu)
  return {
    elapsedMs: lastAnswerAt - startAt,
    requests: count,
    latencies,
    errors: [...errors],
    cpuMs: (used.user + used.system) / 1000,
    maxLagMs,
    socketsUsed: sockets.size,
    maxInFlight,
    queuedInClient,
  }
}

/** One open event stream and what it has received. */
interface Stream {
  request: ReturnType<typeof httpRequest>
  seen: Set<number>
  duplicates: number
  ended: boolean
}

const streams: Stream[] = []
const deliveries: number[] = []

function openStream(base: URL, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const stream: Stream = { request: null as never, seen: new Set(), duplicates: 0, ended: false }
    let buffer = ''
    let connected = false
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        path: '/api/stream',
        // One socket per stream, as one browser tab per officer would have.
        agent: false,
        headers: { cookie, accept: 'text/event-stream' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          reject(new Error(`HTTP ${res.statusCode}`))
          return
        }
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          const at = epochMs()
          buffer += chunk
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            end = buffer.indexOf('\n\n')
            if (!connected && frame.includes(': connected')) {
              connected = true
              resolve(stream)
              continue
            }
            const data = frame.split('\n').find((line) => line.startsWith('data: '))
            if (!data || !frame.includes('event: case')) continue
            const parsed = parseEventId((JSON.parse(data.slice(6)) as { messageId?: unknown }).messageId)
            if (!parsed) continue
            if (stream.seen.has(parsed.sequence)) stream.duplicates++
            else {
              stream.seen.add(parsed.sequence)
              deliveries.push(at - parsed.publishedAt)
            }
          }
        })
        res.on('close', () => {
          stream.ended = true
          if (!connected) reject(new Error('stream closed before it was open'))
        })
      },
    )
    stream.request = req
    req.on('error', (error) => {
      stream.ended = true
      if (!connected) reject(error)
    })
    req.end()
  })
}

async function openStreams(baseUrl: string, cookies: string[], parallel: number): Promise<SseOpenReport> {
  const base = new URL(baseUrl)
  const failed = new Map<string, number>()
  const startedAt = performance.now()
  let next = 0
  const lane = async () => {
    while (next < cookies.length) {
      const cookie = cookies[next++] as string
      try {
        streams.push(await openStream(base, cookie))
      } catch (error) {
        tally(failed, error instanceof Error ? error.message : String(error))
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, lane))
  return { open: streams.length, failed: [...failed], elapsedMs: performance.now() - startedAt }
}

async function waitForEvents(events: number, timeoutMs: number): Promise<SseWaitReport> {
  const deadline = performance.now() + timeoutMs
  const done = () => streams.every((s) => s.seen.size >= events || s.ended)
  while (!done() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  let missing = 0
  let duplicates = 0
  let complete = 0
  for (const s of streams) {
    missing += Math.max(0, events - s.seen.size)
    duplicates += s.duplicates
    if (s.seen.size === events && s.duplicates === 0) complete++
  }
  return {
    latencies: deliveries.splice(0),
    complete,
    missing,
    duplicates,
    ended: streams.filter((s) => s.ended).length,
  }
}

function closeStreams(): void {
  for (const s of streams.splice(0)) s.request.destroy()
}

async function handle(request: ClientRequest): Promise<ClientReply> {
  switch (request.kind) {
    case 'http':
      return { id: request.id, ok: true, http: await httpPhase(request) }
    case 'http-paced':
      return { id: request.id, ok: true, httpPaced: await httpPacedPhase(request) }
    case 'sse-open':
      return {
        id: request.id,
        ok: true,
        sseOpen: await openStreams(request.baseUrl, request.cookies, request.parallel),
      }
    case 'sse-wait':
      return { id: request.id, ok: true, sseWait: await waitForEvents(request.events, request.timeoutMs) }
    case 'sse-close':
      closeStreams()
      return { id: request.id, ok: true }
  }
}

process.on('message', (request: ClientRequest) => {
  handle(request).then(
    (reply) => process.send?.(reply),
    (error: unknown) =>
      process.send?.({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  )
})
process.on('disconnect', () => {
  closeStreams()
  process.exit(0)
})
