import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type {
  ClientReply,
  ClientRequest,
  HttpPacedReport,
  HttpPacedRequest,
  HttpPhaseReport,
  HttpPhaseRequest,
  SseOpenReport,
  SseWaitReport,
} from './inbox-protocol.ts'

type Payload = ClientRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never

/** The bench's handle on the inbox load generator child process (inbox-client.ts). */
export class InboxLoad {
  private nextId = 1
  private readonly pending = new Map<number, { resolve(r: ClientReply): void; reject(e: Error): void }>()

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ClientReply) => {
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      waiter?.resolve(reply)
    })
    child.on('exit', (code) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`inbox load client exited (${code})`))
      this.pending.clear()
    })
  }

  /** Starts the child with this process's loader flags (tsx), so it runs the TypeScript source. */
  static start(): InboxLoad {
    const entry = fileURLToPath(new URL('./inbox-client.ts', import.meta.url))
    return new InboxLoad(fork(entry, [], { execArgv: process.execArgv, serialization: 'advanced' }))
  }

  private async call(payload: Payload): Promise<Extract<ClientReply, { ok: true }>> {
    const id = this.nextId++
    const reply = await new Promise<ClientReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ ...payload, id })
    })
    if (!reply.ok) throw new Error(`inbox load client: ${reply.error}`)
    return reply
  }

  /** Closed-loop load: `concurrency` clients for a time or a number of requests, whichever ends first. */
  async http(request: Omit<HttpPhaseRequest, 'kind'>): Promise<HttpPhaseReport> {
    const reply = await this.call({ kind: 'http', ...request })
    if (!reply.http) throw new Error('inbox load client returned no HTTP report')
    return reply.http
  }

  /** Open-loop load: requests sent on a fixed schedule at `perSecond`, whatever the answers. */
  async httpPaced(request: Omit<HttpPacedRequest, 'kind'>): Promise<HttpPacedReport> {
    const reply = await this.call({ kind: 'http-paced', ...request })
    if (!reply.httpPaced) throw new Error('inbox load client returned no paced HTTP report')
    return reply.httpPaced
  }

  /** Opens one event stream per cookie, `parallel` at a time; resolves when they are open (or failed). */
  async openStreams(baseUrl: string, cookies: string[], parallel: number): Promise<SseOpenReport> {
    const reply = await this.call({ kind: 'sse-open', baseUrl, cookies, parallel })
    if (!reply.sseOpen) throw new Error('inbox load client returned no stream report')
    return reply.sseOpen
  }

  /** Waits until every open stream has received `events` bench events (or the time is up). */
  async waitForEvents(events: number, timeoutMs: number): Promise<SseWaitReport> {
    const reply = await this.call({ kind: 'sse-wait', events, timeoutMs })
    if (!reply.sseWait) throw new Error('inbox load client returned no delivery report')
    return reply.sseWait
  }

  async closeStreams(): Promise<void> {
    await this.call({ kind: 'sse-close' })
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect()
  }
}
