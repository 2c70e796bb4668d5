import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { WebResident, WebSend } from './corpus.ts'
import type { OfferReport } from './offer.ts'
import type { ClientReply, ClientRequest } from './web-chat-client.ts'

type Pacing = Extract<ClientRequest, { kind: 'send' }>['pacing']
type Payload<K> = K extends ClientRequest['kind'] ? Omit<Extract<ClientRequest, { kind: K }>, 'id'> : never

/** The parent's handle on the web chat load generator child process. */
export class WebChatLoad {
  private nextId = 1
  private readonly pending = new Map<number, { resolve(r: ClientReply): void; reject(e: Error): void }>()

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ClientReply) => {
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      waiter?.resolve(reply)
    })
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`web chat client exited (${code})`))
      this.pending.clear()
    })
  }

  /** Starts the child with this process's loader flags (tsx), so it runs the TypeScript source. */
  static start(): WebChatLoad {
    const entry = fileURLToPath(new URL('./web-chat-client.ts', import.meta.url))
    return new WebChatLoad(fork(entry, [], { execArgv: process.execArgv, serialization: 'advanced' }))
  }

  private async call<K extends ClientRequest['kind']>(payload: Payload<K>): Promise<ClientReply> {
    const id = this.nextId++
    const reply = await new Promise<ClientReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ ...payload, id })
    })
    if (!reply.ok) throw new Error(`web chat client: ${reply.error}`)
    return reply
  }

  /** One session per resident, in order; returns their bearer tokens. */
  async createSessions(baseUrl: string, residents: WebResident[], concurrency: number): Promise<string[]> {
    const reply = await this.call<'sessions'>({ kind: 'sessions', baseUrl, residents, concurrency })
    return reply.ok && reply.tokens ? reply.tokens : []
  }

  async send(baseUrl: string, tokens: string[], messages: WebSend[], pacing: Pacing): Promise<OfferReport> {
    const reply = await this.call<'send'>({ kind: 'send', baseUrl, tokens, messages, pacing })
    if (!reply.ok || !reply.report) throw new Error('web chat client returned no report')
    return reply.report
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect()
  }
}
