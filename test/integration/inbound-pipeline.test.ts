import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inboundEventId } from '../../src/app/ingest.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

interface ChatMessage {
  id: string
  direction: 'inbound' | 'outbound'
  text: string
  createdAt: string
  caseNumber?: string
}

for (const engine of testEngines()) {
  describe(`inbound pipeline through web chat (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `pipe-${engine.name}`,
        roles: ['api', 'worker', 'bot'],
      })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${stack.baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : null }
    }
    const newSession = async (language?: 'zh' | 'en') => {
      const res = await api('POST', '/chat/api/sessions', {
        name: '测试居民',
        ...(language ? { language } : {}),
      })
      expect(res.status).toBe(201)
      return res.body.token as string
    }
    const conversation = async (token: string): Promise<ChatMessage[]> =>
      (await api('GET', '/chat/api/messages', undefined, token)).body.messages
    const replyTo = (token: string, count = 1) =>
      waitFor(async () => {
        const messages = await conversation(token)
        const replies = messages.filter((m) => m.direction === 'outbound')
        return replies.length >= count ? messages : null
      }, `${count} reply(ies)`)
    const caseOf = (number: string) =>
      stack.ctx.database.db
        .selectFrom('cases')
        .selectAll()
        .where('number', '=', number)
        .executeTakeFirstOrThrow()

    it('answers /healthz and /readyz', async () => {
      expect((await api('GET', '/healthz')).status).toBe(200)
      const ready = await api('GET', '/readyz')
      expect(ready.status).toBe(200)
      expect(ready.body.checks).toEqual({ redis: 'ok', database: 'ok' })
    })

    it('routes a message with an address to the beat officer and acknowledges it with case number and officer', async () => {
      const token = await newSession()
      const sent = await api(
        'POST',
        '/chat/api/messages',
        { text: '我住柳营巷12号，楼上每天半夜装修，太吵了', clientMessageId: 'c1' },
        token,
      )
      expect(sent.status).toBe(202)
      expect(sent.body.messageId).toMatch(/^in-/)

      const messages = await replyTo(token)
      const ack = messages.find((m) => m.direction === 'outbound')!
      expect(ack.caseNumber).toMatch(/^CQ-2026-\d{6}$/)
      expect(ack.text).toContain(ack.caseNumber)
      expect(ack.text).toContain('李明')
      expect(ack.text).toContain('110')
      const inbound = messages.find((m) => m.id === sent.body.messageId)!
      expect(inbound.text).toContain('柳营巷12号')
      expect(inbound.caseNumber).toBe(ack.caseNumber)

      const row = await caseOf(ack.caseNumber!)
      expect(row.assignee_officer_id).toBe(seedIds.officer('330104'))
      expect(row.category).toBe('noise')
      expect(row.status).toBe('assigned')
      expect(row.beat_id).toBe(seedIds.beat('CQ-01'))
      // "我住…" says where they live: the resident is bound to that compound for next time.
      const resident = await stack.ctx.database.db
        .selectFrom('residents')
        .select('beat_id')
        .where('id', '=', row.resident_id)
        .executeTakeFirstOrThrow()
      expect(resident.beat_id).toBe(seedIds.beat('CQ-01'))
      const job = await stack.ctx.queues.get(`officer-${seedIds.officer('330104')}`).getJob(`case-${row.id}`)
      expect(job?.data).toMatchObject({ caseId: row.id })
      // The job carries ids only: no text, no names.
      expect(JSON.stringify(job?.data)).not.toMatch(/柳营|测试居民/)
      const deliveryState = async () =>
        (
          await stack.ctx.database.db
            .selectFrom('messages')
            .select('delivery_state')
            .where('case_id', '=', row.id)
            .where('direction', '=', 'outbound')
            .executeTakeFirstOrThrow()
        ).delivery_state
      await waitFor(async () => (await deliveryState()) === 'sent', 'the acknowledgement to be marked sent')
    })

    it('treats a repeated clientMessageId as the same message', async () => {
      const token = await newSession()
      const first = await api(
        'POST',
        '/chat/api/messages',
        { text: '请问居住证怎么办理', clientMessageId: 'same' },
        token,
      )
      const again = await api(
        'POST',
        '/chat/api/messages',
        { text: '请问居住证怎么办理', clientMessageId: 'same' },
        token,
      )
      expect(again.status).toBe(202)
      expect(again.body.messageId).toBe(first.body.messageId)
      const messages = await replyTo(token)
      expect(messages.filter((m) => m.direction === 'inbound')).toHaveLength(1)
    })

    it('stores and acknowledges an event delivered 100 times concurrently exactly once', async () => {
      const now = new Date().toISOString()
      const event = {
        channel: 'wechat',
        accountId: 'cq-station',
        externalId: 'wx-dup-1',
        sender: { ref: 'wxid_dup_resident', displayName: '重复居民' },
        kind: 'text',
        text: '我家在孩儿巷，电动车被偷了',
        sentAt: now,
        receivedAt: now,
      }
      const results = await Promise.all(Array.from({ length: 100 }, () => stack.ctx.ingest(event)))
      expect(results.filter((r) => r.accepted && !r.duplicate)).toHaveLength(1)
      const id = inboundEventId('wechat', 'cq-station', 'wx-dup-1')
      const db = stack.ctx.database.db
      await waitFor(
        async () =>
          (await db.selectFrom('inbound_events').select('status').where('id', '=', id).executeTakeFirst())
            ?.status === 'done',
        'event processed',
      )
      const stored = await db
        .selectFrom('messages')
        .select(['id', 'case_id'])
        .where('external_id', '=', 'wx-dup-1')
        .execute()
      expect(stored).toHaveLength(1)
      const replies = await db.selectFrom('messages').select('id').where('in_reply_to', '=', id).execute()
      expect(replies).toHaveLength(1)
    })

    it('tells a resident in an emergency to call 110 and raises the case to the duty desk', async () => {
      const token = await newSession()
      await api(
        'POST',
        '/chat/api/messages',
        { text: '救命！楼下有人打人，流血了', clientMessageId: 'e1' },
        token,
      )
      const messages = await replyTo(token)
      const reply = messages.find((m) => m.direction === 'outbound')!
      expect(reply.text).toContain('110')
      const row = await caseOf(reply.caseNumber!)
      expect(row.priority).toBe('emergency')
      expect(row.category).toBe('emergency')
      expect(row.queue).toBe(`desk-${seedIds.station('CQ')}`)
      const job = await stack.ctx.queues.get(row.queue).getJob(`case-${row.id}`)
      expect(job?.opts.priority).toBe(1)
    })

    it('asks where the resident lives when it cannot tell, and binds the answer', async () => {
      const token = await newSession('en')
      await api(
        'POST',
        '/chat/api/messages',
        { text: 'Someone keeps parking in front of my garage', clientMessageId: 'a1' },
        token,
      )
      const first = await replyTo(token)
      const ask = first.find((m) => m.direction === 'outbound')!
      expect(ask.text).toMatch(/which compound or village you live in/)
      const pending = await caseOf(ask.caseNumber!)
      expect(pending.awaiting_address).toBe(true)
      expect(pending.queue).toBe(`desk-${seedIds.station('CQ')}`)

      await api(
        'POST',
        '/chat/api/messages',
        { text: 'I live in Changshouqiao', clientMessageId: 'a2' },
        token,
      )
      const second = await replyTo(token, 2)
      const ack = second.filter((m) => m.direction === 'outbound')[1]!
      expect(ack.text).toContain('Officer Li Ming')
      expect(ack.caseNumber).toBe(ask.caseNumber)
      const routed = await caseOf(ask.caseNumber!)
      expect(routed.assignee_officer_id).toBe(seedIds.officer('330104'))
      expect(routed.awaiting_address).toBe(false)
      const resident = await stack.ctx.database.db
        .selectFrom('residents')
        .select(['beat_id', 'language'])
        .where('id', '=', routed.resident_id)
        .executeTakeFirstOrThrow()
      expect(resident).toEqual({ beat_id: seedIds.beat('CQ-01'), language: 'en' })
      // Moved from the desk's queue to the officer's.
      expect(
        await stack.ctx.queues.get(`desk-${seedIds.station('CQ')}`).getJob(`case-${routed.id}`),
      ).toBeUndefined()
      expect(
        await stack.ctx.queues.get(`officer-${seedIds.officer('330104')}`).getJob(`case-${routed.id}`),
      ).toBeDefined()
    })

    it('refuses bad input with a clear 4xx and stores nothing', async () => {
      const token = await newSession()
      const cases: Array<[unknown, number, RegExp]> = [
        [{ text: '   ', clientMessageId: 'b1' }, 400, /text: must not be empty/],
        [{ text: 'x'.repeat(4001), clientMessageId: 'b2' }, 400, /text: must be at most 4000 characters/],
        [{ text: 'hello' }, 400, /clientMessageId: is required/],
        [{ text: 42, clientMessageId: 'b3' }, 400, /text: is required and must be text/],
        ['{not json', 400, /JSON/i],
      ]
      for (const [body, status, message] of cases) {
        const res = await api('POST', '/chat/api/messages', body, token)
        expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(status)
        expect(res.body.error.message).toMatch(message)
      }
      const noToken = await api('POST', '/chat/api/messages', { text: 'hi', clientMessageId: 'b4' })
      expect(noToken.status).toBe(401)
      const wrongToken = await api('GET', '/chat/api/messages', undefined, 'not-a-token')
      expect(wrongToken.status).toBe(401)
      expect(wrongToken.body.error.code).toBe('UNAUTHORIZED')
      const badSession = await api('POST', '/chat/api/sessions', { language: 'fr' })
      expect(badSession.status).toBe(400)
      expect(badSession.body.error.message).toMatch(/language/)
      expect(await conversation(token)).toEqual([])
    })

    it('parks a malformed platform event in the dead-letter queue instead of dropping it', async () => {
      const result = await stack.ctx.ingest({
        channel: 'wechat',
        accountId: 'cq-station',
        kind: 'text',
        text: '没有发送人',
      })
      expect(result.accepted).toBe(false)
      if (result.accepted) return
      expect(result.reason).toMatch(/externalId/)
      const parked = await stack.ctx.database.db
        .selectFrom('parked_events')
        .selectAll()
        .where('id', '=', result.parkedId)
        .executeTakeFirstOrThrow()
      expect(parked.account_id).toBe('cq-station')
      const job = await stack.ctx.queues.get('dead-letter').getJob(result.parkedId)
      expect(job?.data.parkedId).toBe(result.parkedId)
      expect(JSON.stringify(job?.data)).not.toContain('没有发送人')
    })
  })
}
