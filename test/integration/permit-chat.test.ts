import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { permitReminderId } from '../../src/domain/forms/permit-slots.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { testEngines } from '../helpers/db.ts'
import { residentMessages } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'
import { wechatResident } from '../helpers/wechat-resident.ts'

const CASE_NUMBER = /CQ-2026-\d{6}/
/** A local time in Hangzhou in November 2026. */
const hz = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))

/** The number before a time in a listed choice. */
function numberOf(list: string, time: string): string {
  const line = list.split('\n').find((l) => l.includes(time))
  if (!line) throw new Error(`${time} is not offered:\n${list}`)
  return line.split('.')[0] as string
}

/**
 * Residence-permit appointments with every role running: a WeChat resident
 * books, moves and cancels through the mock puppet, the timer worker sends
 * the reminder the day before, and a web chat resident books through the
 * chat page's message API.
 */
for (const engine of testEngines()) {
  describe(`residence-permit appointments by chat (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `permitchat-${engine.name}` })
      // Wednesday 09:00: Thursday's slots are far enough ahead to be reminded of.
      stack.clock.set(hz(25, 9))
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db

    it('books, is reminded the day before, moves and cancels over WeChat', async () => {
      const { ask, heard } = wechatResident(stack, '周先生')
      expect(await ask('帮助', '居住证预约')).toContain('“居住证”')
      await ask('居住证', '（1/3）')
      await ask('周杰', '（2/3）')
      await ask('1381234', '手机号应为11位数字')
      const list = await ask('13812345678', '（3/3）')
      expect(list).toContain('1. 11月25日（周三）10:00–10:30')
      await ask('99', '请回复列表中时段前的编号（1到10）')
      await ask(numberOf(list, '11月26日（周四）09:00–09:30'), '请核对您的「居住证预约」')
      const confirmed = await ask('确认', CASE_NUMBER)
      expect(confirmed).toContain('11月26日（周四）09:00–09:30')
      expect(confirmed).toContain('居民身份证原件')
      const number = CASE_NUMBER.exec(confirmed)?.[0]
      const booked = await db()
        .selectFrom('cases as c')
        .innerJoin('service_requests as sr', 'sr.case_id', 'c.id')
        .select(['c.id', 'c.category', 'sr.id as request_id'])
        .where('c.number', '=', number!)
        .executeTakeFirstOrThrow()
      expect(booked.category).toBe('residence_permit')

      // At 10:00 the day before, the timer worker sends the reminder once.
      const id = permitReminderId(booked.request_id, 0)
      stack.clock.set(hz(25, 10))
      const queue = stack.ctx.queues.get(QueueNames.serviceTimers)
      await (await queue.getJob(id))?.promote()
      const reminder = await waitFor(() => heard.find((t) => t.startsWith('提醒')), 'the reminder')
      expect(reminder).toContain('明天 11月26日（周四）09:00–09:30')
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the finished job to be removed')
      await queue.add('permit-reminder', { timerId: id }, { jobId: id, removeOnComplete: true })
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the repeated job to finish')
      expect(heard.filter((t) => t.startsWith('提醒'))).toHaveLength(1)

      const moving = await ask('改约', '想改到哪个时段')
      expect(moving).toContain('您现在的预约是11月26日（周四）09:00–09:30')
      await ask(numberOf(moving, '11月26日（周四）10:00–10:30'), '请核对您的「改约」')
      expect(await ask('确认', '已改约')).toContain('新的时间是 11月26日（周四）10:00–10:30')

      expect(await ask('取消预约', '已取消您')).toContain('11月26日（周四）10:00–10:30')
      const closed = await db()
        .selectFrom('cases')
        .select(['status', 'cancel_reason'])
        .where('id', '=', booked.id)
        .executeTakeFirstOrThrow()
      expect(closed).toEqual({ status: 'closed', cancel_reason: 'cancelled by the resident' })
      const states = await db()
        .selectFrom('service_request_timers')
        .select(['id', 'state'])
        .where('request_id', '=', booked.request_id)
        .orderBy('created_at')
        .execute()
      // Moved at 10:00, the new time's reminder (10:00 the day before) had passed: there is no second one.
      expect(states).toEqual([{ id, state: 'fired' }])
    })

    it('books through the web chat page’s messages', async () => {
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { name: 'Alex', language: 'en' },
      })
      const token = session.json().token as string
      // The clock stands still, so messages are told apart by id, not by order.
      const send = async (text: string, expected: string | RegExp) => {
        const seen = new Set((await residentMessages(stack.app!, token)).map((m) => m.id))
        const sent = await stack.app!.inject({
          method: 'POST',
          url: '/chat/api/messages',
          headers: { authorization: `Bearer ${token}` },
          payload: { text, clientMessageId: randomUUID() },
        })
        expect(sent.statusCode).toBe(202)
        return waitFor(
          async () =>
            (await residentMessages(stack.app!, token)).find(
              (m) =>
                !seen.has(m.id) &&
                m.direction === 'outbound' &&
                (typeof expected === 'string' ? m.text.includes(expected) : expected.test(m.text)),
            ),
          `the answer to "${text}"`,
        )
      }
      await send('residence permit', '(1/3)')
      await send('Alex Chen', '(2/3)')
      const list = await send('13912345678', '(3/3)')
      await send(
        numberOf(list.text, 'Wed 25 Nov 16:00–16:30'),
        'Please check your residence permit appointment',
      )
      const confirmed = await send('confirm', CASE_NUMBER)
      expect(confirmed.text).toContain('Wed 25 Nov 16:00–16:30')
      expect(confirmed.text).toContain('Proof of address')
      expect(confirmed.caseNumber).toMatch(CASE_NUMBER)
    })
  })
}
