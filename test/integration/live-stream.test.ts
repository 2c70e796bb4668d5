import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { type AppContext, createContext } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import { createLogger } from '../../src/logger.ts'
import { liveChannel } from '../../src/queues/dispatcher.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

/** "Within a few seconds": how long a live event may take from one process to the other. */
const LIVE_MS = 5_000

interface SseEvent {
  id: string | null
  event: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read event payloads loosely and assert on them
  data: any
}

/** Reads a Server-Sent Events body as it arrives and keeps every event it has seen. */
class SseClient {
  readonly events: SseEvent[] = []
  connected = false
  private buffer = ''
  private readonly reading: Promise<void>

  constructor(
    response: Response,
    private readonly abort: AbortController,
  ) {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    this.reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          this.buffer += decoder.decode(value, { stream: true })
          this.drain()
        }
      } catch {
        // Aborted by close(): the stream simply ends.
      }
    })()
  }

  private drain() {
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      let id: string | null = null
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line === ': connected') this.connected = true
        else if (line.startsWith('id: ')) id = line.slice(4)
        else if (line.startsWith('event: ')) event = line.slice(7)
        else if (line.startsWith('data: ')) data.push(line.slice(6))
      }
      if (data.length) this.events.push({ id, event, data: JSON.parse(data.join('\n')) })
    }
  }

  /** Events about one case. */
  about(caseId: string): SseEvent[] {
    return this.events.filter((e) => e.data?.caseId === caseId)
  }

  waitFor(test: (e: SseEvent) => boolean, what: string): Promise<SseEvent> {
    return waitFor(() => this.events.find(test), what, LIVE_MS)
  }

  async close(): Promise<void> {
    this.abort.abort()
    await this.reading
  }
}

interface Session {
  officerId: string
  cookie: string
  csrf: string
}

for (const engine of testEngines()) {
  describe(`live stream across two API processes (${engine.name})`, () => {
    let stack: TestStack
    let second: { ctx: AppContext; app: FastifyInstance; baseUrl: string } | null = null
    const streams: SseClient[] = []

    /** Signs the officer in on instance A (the stack) with a login made here. */
    async function signInOnA(badge: string): Promise<Session> {
      const officerId = seedIds.officer(badge)
      const username = `live${badge}`
      const password = `live-${badge}-password`
      const existing = await stack.ctx.database.db
        .selectFrom('officer_logins')
        .select('officer_id')
        .where('officer_id', '=', officerId)
        .executeTakeFirst()
      if (!existing)
        await stack.ctx.officerLogins.create({
          officerId,
          username,
          passwordHash: await hashPassword(password),
        })
      const login = await stack.app!.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      })
      if (login.statusCode !== 200) throw new Error(`sign-in of ${badge} failed: ${login.body}`)
      return {
        officerId,
        cookie: login.cookies.find((c) => c.name === 'mb_session')!.value,
        csrf: (login.json() as { csrfToken: string }).csrfToken,
      }
    }

    /** Opens GET /api/stream on instance B with a session made on A. */
    async function streamOnB(session: Session): Promise<SseClient> {
      const abort = new AbortController()
      const response = await fetch(`${second!.baseUrl}/api/stream`, {
        headers: { cookie: `mb_session=${session.cookie}` },
        signal: abort.signal,
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      const client = new SseClient(response, abort)
      streams.push(client)
      await waitFor(() => client.connected, 'the stream to say it is connected', LIVE_MS)
      return client
    }

    const subscribers = async (stationCode: string) => {
      const channel = liveChannel(stack.ctx.config.QUEUE_PREFIX, seedIds.station(stationCode))
      const [, count] = (await stack.ctx.redis.producer.pubsub('NUMSUB', channel)) as [string, number]
      return Number(count)
    }

    /** A resident writes on instance A's web chat; returns their case once the acknowledgement names it. */
    async function residentWritesOnA(text: string) {
      const { caseNumber } = await residentWrites(stack.app!, text, { name: '直播居民' })
      return stack.ctx.database.db
        .selectFrom('cases')
        .select(['id', 'version', 'assignee_officer_id', 'beat_id'])
        .where('number', '=', caseNumber)
        .executeTakeFirstOrThrow()
    }

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `live-${engine.name}` })
      // Instance B: API only, the same Redis prefix and database; closing it must leave A's database open.
      const ctx = await createContext(
        { ...stack.ctx.config },
        createLogger({ level: stack.ctx.config.LOG_LEVEL }),
        { database: { ...stack.ctx.database, close: async () => {} }, clock: stack.clock },
      )
      try {
        const app = await buildApp(ctx)
        const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
        second = { ctx, app, baseUrl }
      } catch (error) {
        await ctx.close()
        throw error
      }
    })
    afterAll(async () => {
      for (const stream of streams) await stream.close()
      if (second) {
        await second.app.close()
        await second.ctx.close()
      }
      await stack?.stop()
    })

    it('carries case and delivery events from A to the officers who may see them on B', async () => {
      const li = await signInOnA('330104') // primary of CQ-01
      const chen = await signInOnA('330107') // CQ-04 and backup of CQ-03: not Li's beat
      const fqBadge = (
        await stack.ctx.database.db
          .selectFrom('officers')
          .select('badge')
          .where('station_id', '=', seedIds.station('FQ'))
          .where('role', '=', 'officer')
          .orderBy('badge')
          .executeTakeFirstOrThrow()
      ).badge
      const rural = await signInOnA(fqBadge)

      const liStream = await streamOnB(li)
      const chenStream = await streamOnB(chen)
      const ruralStream = await streamOnB(rural)
      // "connected" is written before B subscribes: wait until Redis has B's subscriptions.
      await waitFor(
        async () => (await subscribers('CQ')) >= 1 && (await subscribers('FQ')) >= 1,
        'instance B to subscribe to both stations',
      )

      // A resident of Li's beat writes on A: the new case reaches Li on B.
      const lisCase = await residentWritesOnA('我住柳营巷12号，楼上半夜一直在装修')
      expect(lisCase.assignee_officer_id).toBe(li.officerId)
      const opened = await liStream.waitFor(
        (e) => e.event === 'case' && e.data.caseId === lisCase.id,
        "Li's new case on B",
      )
      expect(opened.data.kind).toBe('opened')
      expect(opened.id).toBeTruthy()

      // Li replies on A: the reply's delivery reaches Li on B as sent.
      const reply = await stack.app!.inject({
        method: 'POST',
        url: `/api/cases/${lisCase.id}/replies`,
        cookies: { mb_session: li.cookie },
        headers: { 'x-csrf-token': li.csrf },
        payload: { text: '您好，我是李明，马上了解情况。', version: lisCase.version },
      })
      expect(reply.statusCode).toBe(201)
      const messageId = reply.json().message.id as string
      await liStream.waitFor(
        (e) => e.event === 'case' && e.data.caseId === lisCase.id && e.data.messageId === messageId,
        'the reply as a case event on B',
      )
      const delivered = await liStream.waitFor(
        (e) => e.event === 'delivery' && e.data.messageId === messageId && e.data.state === 'sent',
        'the delivery of the reply on B',
      )
      expect(delivered.data.caseId).toBe(lisCase.id)

      // Every outbound message of Li's case has been reported sent to Li before looking at the others.
      const outbound = await stack.ctx.database.db
        .selectFrom('messages')
        .select('id')
        .where('case_id', '=', lisCase.id)
        .where('direction', '=', 'outbound')
        .execute()
      expect(outbound.length).toBeGreaterThanOrEqual(2)
      for (const { id } of outbound) {
        await liStream.waitFor(
          (e) => e.event === 'delivery' && e.data.messageId === id && e.data.state === 'sent',
          `delivery of outbound message ${id} on B`,
        )
      }

      // A resident with no address lands on the duty desk: every officer of the station hears of it.
      const deskCase = await residentWritesOnA('你好，我想问一下办居住证要带什么材料')
      expect(deskCase.assignee_officer_id).toBeNull()
      await chenStream.waitFor(
        (e) => e.event === 'case' && e.data.caseId === deskCase.id,
        'the unassigned case for the officer of another beat',
      )
      await liStream.waitFor(
        (e) => e.event === 'case' && e.data.caseId === deskCase.id,
        'the unassigned case for Li',
      )

      // One subscriber hands each event to every stream of B in turn: what Li got, Chen was offered.
      expect(chenStream.about(lisCase.id)).toEqual([])
      expect(liStream.about(lisCase.id).length).toBeGreaterThanOrEqual(3)
      expect(ruralStream.connected).toBe(true)
      expect(ruralStream.events).toEqual([])
    })

    it('lets go of the Redis subscriptions when the streams close, and B closes cleanly', async () => {
      expect(streams.length).toBe(3)
      for (const stream of streams.splice(0)) await stream.close()
      await waitFor(
        async () => (await subscribers('CQ')) === 0 && (await subscribers('FQ')) === 0,
        'instance B to unsubscribe once its streams closed',
      )
      const { app, ctx } = second!
      second = null
      await app.close()
      await ctx.close()
      // A keeps serving with the shared database and Redis.
      const health = await stack.app!.inject({ method: 'GET', url: '/readyz' })
      expect(health.statusCode).toBe(200)
    })
  })
}
