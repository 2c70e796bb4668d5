import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines } from '../helpers/db.ts'
import { residentMessages, residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

/** Mock contacts are event emitters whose typings do not resolve under NodeNext: listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

/** Residents' commands through the whole pipeline: web chat in, worker, replies out. */
for (const engine of testEngines()) {
  describe(`resident self-service by chat (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `selfsvc-${engine.name}` })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const app = () => stack.app!
    let sent = 0
    const say = async (token: string, text: string) => {
      const res = await app().inject({
        method: 'POST',
        url: '/chat/api/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { text, clientMessageId: `m-${sent++}` },
      })
      expect(res.statusCode).toBe(202)
    }
    /** Writes and waits for the next reply, which it answers. */
    const ask = async (token: string, text: string) => {
      const before = (await residentMessages(app(), token)).filter((m) => m.direction === 'outbound').length
      await say(token, text)
      const replies = await waitFor(async () => {
        const out = (await residentMessages(app(), token)).filter((m) => m.direction === 'outbound')
        return out.length > before ? out : null
      }, `a reply to "${text}"`)
      return replies[replies.length - 1]!.text
    }
    const caseRow = (number: string) =>
      stack.ctx.database.db
        .selectFrom('cases')
        .select(['id', 'status', 'cancel_reason'])
        .where('number', '=', number)
        .executeTakeFirstOrThrow()

    it('answers 进度 with the open case and its officer, and 帮助 with the menu, opening no case', async () => {
      const { token, caseNumber } = await residentWrites(app(), '我住柳营巷12号，楼上每天半夜装修')
      const status = await ask(token, '进度')
      expect(status).toContain(caseNumber)
      expect(status).toContain('李明')
      const menu = await ask(token, '帮助')
      expect(menu).toContain('110')
      // Commands open no case: the resident still has the one they started with.
      const theirs = await stack.ctx.database.db
        .selectFrom('messages')
        .innerJoin('cases', 'cases.resident_id', 'messages.resident_id')
        .select('cases.number')
        .distinct()
        .where('messages.text', '=', '帮助')
        .where('messages.direction', '=', 'inbound')
        .execute()
      expect(theirs.map((c) => c.number)).toEqual([caseNumber])
    })

    it('withdraws the open case after the resident confirms, and the officer sees why', async () => {
      const { token, caseNumber } = await residentWrites(app(), '我住王马小区，电动车充电线被人剪了')
      const question = await ask(token, '取消，已经找到是谁了')
      expect(question).toContain(caseNumber)
      expect((await caseRow(caseNumber)).status).not.toBe('closed')
      await ask(token, '确认')
      const closed = await caseRow(caseNumber)
      expect(closed.status).toBe('closed')
      expect(closed.cancel_reason).toContain('已经找到是谁了')
      // The next message is a new request, not a note on the closed one.
      await say(token, '另外楼下路灯也坏了')
      const next = await waitFor(async () => {
        const rows = await stack.ctx.database.db
          .selectFrom('cases')
          .innerJoin('messages', 'messages.case_id', 'cases.id')
          .select('cases.number')
          .where('messages.text', '=', '另外楼下路灯也坏了')
          .execute()
        return rows[0]?.number
      }, 'the new case')
      expect(next).not.toBe(caseNumber)
    })

    it('unsubscribes from one broadcast category and back, in English', async () => {
      const { token } = await residentWrites(app(), 'I live in Changshouqiao, my bike was stolen', {
        language: 'en',
      })
      const off = await ask(token, 'unsubscribe fraud')
      expect(off.toLowerCase()).toContain('fraud')
      const rows = () =>
        stack.ctx.database.db
          .selectFrom('resident_opt_outs')
          .innerJoin('channel_identities as ci', 'ci.resident_id', 'resident_opt_outs.resident_id')
          .innerJoin('web_chat_sessions as s', 's.id', 'ci.contact_ref')
          .select('resident_opt_outs.category')
          .execute()
      expect((await rows()).map((r) => r.category)).toContain('anti_fraud')
      await ask(token, 'subscribe fraud')
      expect((await rows()).map((r) => r.category)).not.toContain('anti_fraud')
    })

    it('answers 进度 and 帮助 on WeChat too', async () => {
      const mocker = stack.mockers.get('cq-station')!
      const bot = mocker.ContactMock.load(mocker.puppet.currentUserId)
      const contact = mocker.createContact({ name: '微信居民' })
      const heard: string[] = []
      ;(contact as unknown as MessageSource).on('message', (message) => {
        const text = message.text()
        if (message.talker().id === bot.id && text !== undefined) heard.push(text)
      })
      contact.say('我住柳营巷12号，楼上每天半夜装修').to(bot)
      const ack = await waitFor(() => heard.find((t) => /CQ-2026-\d{6}/.test(t)), 'the acknowledgement')
      const number = /CQ-2026-\d{6}/.exec(ack)![0]
      contact.say('进度').to(bot)
      const status = await waitFor(() => heard.find((t) => t !== ack && t.includes(number)), 'the status')
      expect(status).toContain('李明')
      contact.say('帮助').to(bot)
      expect(await waitFor(() => heard.find((t) => t.includes('110') && t !== ack), 'the menu')).toMatch(
        /^1 /m,
      )
    })

    it('answers 进度 in the middle of a form and keeps the form where it was', async () => {
      const { token, caseNumber } = await residentWrites(app(), '我住柳营巷7号，楼下的狗整夜叫')
      expect(await ask(token, '长假照看')).toContain('长假照看')
      const status = await ask(token, '进度')
      expect(status).toContain(caseNumber)
      // The form is still open: "取消" leaves it, rather than asking to withdraw the case.
      const cancelled = await ask(token, '取消')
      expect(cancelled).toContain('已取消「')
      expect(cancelled).not.toContain('撤回')
    })
  })
}
