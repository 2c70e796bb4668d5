import { Agent, request as httpRequest } from 'node:http'
import type { WebResident, WebSend } from './corpus.ts'
import { type OfferReport, offerClosed, offerOpen } from './offer.ts'

/**
 * The web chat load generator, run as a child process so that its HTTP client
 * neither shares the service's event loop nor counts in the service's RSS.
 * It speaks to the Fastify app over real HTTP with keep-alive connections,
 * and to the parent over IPC.
 */

export type ClientRequest =
  | { id: number; kind: 'sessions'; baseUrl: string; residents: WebResident[]; concurrency: number }
  | {
      id: number
      kind: 'send'
      baseUrl: string
      tokens: string[]
      messages: WebSend[]
      /** Closed loop with this many in flight, or open loop at a rate from an epoch-ms start. */
      pacing: { concurrency: number } | { perSecond: number; startAt: number }
    }

export type ClientReply =
  | { id: number; ok: true; tokens?: string[]; report?: OfferReport }
  | { id: number; ok: false; error: string }

/*
 * Plain node:http with a keep-alive agent rather than fetch: fetch costs the
 * client several times the CPU per request, and on a two-core machine what the
 * load generator burns is taken from the service it measures.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 })

function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: unknown }> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          try {
            resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null })
          } catch (error) {
            reject(error)
          }
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

function failure(status: number, json: unknown): Error {
  const code = (json as { code?: unknown } | null)?.code
  return new Error(`HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}`)
}

async function createSessions(request: Extract<ClientRequest, { kind: 'sessions' }>): Promise<string[]> {
  const tokens: string[] = new Array(request.residents.length)
  const indexed = request.residents.map((resident, i) => ({ resident, i }))
  const report = await offerClosed(indexed, request.concurrency, async ({ resident, i }) => {
    const { status, json } = await post(`${request.baseUrl}/chat/api/sessions`, resident)
    if (status !== 201) throw failure(status, json)
    tokens[i] = (json as { token: string }).token
  })
  if (report.failed) throw new Error(`${report.failed} sessions failed: ${JSON.stringify(report.errors)}`)
  return tokens
}

async function send(request: Extract<ClientRequest, { kind: 'send' }>): Promise<OfferReport> {
  const url = `${request.baseUrl}/chat/api/messages`
  const one = async (message: WebSend) => {
    const token = request.tokens[message.resident]
    const { status, json } = await post(
      url,
      { text: message.text, clientMessageId: message.clientMessageId },
      token,
    )
    if (status !== 202) throw failure(status, json)
  }
  const { pacing } = request
  const cpu = process.cpuUsage()
  const report = await ('concurrency' in pacing
    ? offerClosed(request.messages, pacing.concurrency, one)
    : offerOpen(request.messages, pacing.perSecond, pacing.startAt, one))
  const used = process.cpuUsage(cpu)
  return { ...report, cpuMs: (used.user + used.system) / 1000 }
}

process.on('message', (request: ClientRequest) => {
  const reply = (message: ClientReply) => process.send?.(message)
  const work =
    request.kind === 'sessions'
      ? createSessions(request).then((tokens) => reply({ id: request.id, ok: true, tokens }))
      : send(request).then((report) => reply({ id: request.id, ok: true, report }))
  work.catch((error: unknown) =>
    reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  )
})
process.on('disconnect', () => process.exit(0))
