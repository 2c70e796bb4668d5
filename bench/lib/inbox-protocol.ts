import { performance } from 'node:perf_hooks'

/**
 * What the bench process and its load generator child (inbox-client.ts) say to
 * each other over IPC, and the id format of the broadcast events they time.
 */

export interface HttpTarget {
  path: string
  /** The whole Cookie header. */
  cookie?: string
  /** Latencies are summarized per label. */
  label: string
}

export interface HttpPhaseRequest {
  kind: 'http'
  baseUrl: string
  /** Clients, each with one keep-alive connection, sending the next request as soon as the last was answered. */
  concurrency: number
  durationMs: number
  /** The phase also ends after this many requests. */
  maxRequests: number
  /** Taken in order, round and round: the parent shuffles them. */
  targets: HttpTarget[]
}

export interface HttpPhaseReport {
  elapsedMs: number
  requests: number
  /** Latency in ms of every answered request, by label. */
  latencies: Record<string, number[]>
  /** Answers that were not 200, and requests that failed, by description. */
  errors: Array<[string, number]>
  cpuMs: number
}

/**
 * Open-loop load: request i goes out at the phase start + i / perSecond,
 * whether or not earlier ones were answered.
 */
export interface HttpPacedRequest {
  kind: 'http-paced'
  baseUrl: string
  perSecond: number
  /** perSecond × durationMs / 1000 requests are scheduled, at most maxRequests. */
  durationMs: number
  maxRequests: number
  /** Keep-alive sockets the client may open; enough that it never has to queue a request itself. */
  maxSockets: number
  /** Taken in order, round and round. */
  targets: HttpTarget[]
}

/**
 * `elapsedMs` runs from the first scheduled send to the last answer;
 * latencies run from each request's scheduled send time, so a late client
 * counts against the service rather than hiding a stall.
 */
export interface HttpPacedReport extends HttpPhaseReport {
  /** The furthest a request got its socket behind its schedule, in ms: the client itself lagging. */
  maxLagMs: number
  /** Distinct sockets the requests went over. */
  socketsUsed: number
  /** The most requests awaiting their answer at one time. */
  maxInFlight: number
  /** Requests that had to wait in the agent for a free socket (the client queueing: should be 0). */
  queuedInClient: number
}

export type ClientRequest =
  | ({ id: number } & HttpPhaseRequest)
  | ({ id: number } & HttpPacedRequest)
  | { id: number; kind: 'sse-open'; baseUrl: string; cookies: string[]; parallel: number }
  | { id: number; kind: 'sse-wait'; events: number; timeoutMs: number }
  | { id: number; kind: 'sse-close' }

export interface SseOpenReport {
  open: number
  failed: Array<[string, number]>
  elapsedMs: number
}

export interface SseWaitReport {
  /** Publish → receipt in ms, for every delivery. */
  latencies: number[]
  /** Connections that received every event exactly once. */
  complete: number
  missing: number
  duplicates: number
  /** Streams that ended before the phase did. */
  ended: number
}

export type ClientReply =
  | {
      id: number
      ok: true
      http?: HttpPhaseReport
      httpPaced?: HttpPacedReport
      sseOpen?: SseOpenReport
      sseWait?: SseWaitReport
    }
  | { id: number; ok: false; error: string }

/** Epoch ms with sub-millisecond precision, comparable with the parent's. */
export const epochMs = (): number => performance.timeOrigin + performance.now()

/** The id the bench gives each broadcast event: its sequence number and when it was published. */
export const sseEventId = (sequence: number, publishedAt: number): string =>
  `bench-${sequence}-${publishedAt.toFixed(3)}`

/** The sequence number and publish time an event id carries, or null for other events. */
export function parseEventId(id: unknown): { sequence: number; publishedAt: number } | null {
  const match = typeof id === 'string' ? /^bench-(\d+)-([\d.]+)$/.exec(id) : null
  return match ? { sequence: Number(match[1]), publishedAt: Number(match[2]) } : null
}
