import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { homeWatchTimerId } from '../../src/domain/forms/home-watch.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { createWebChatResidents } from '../../src/store/web-chat-residents.repository.ts'
import { testEngines } from '../helpers/db.ts'
import { signIn } from '../helpers/officer-session.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'
import { wechatResident } from '../helpers/wechat-resident.ts'

const CQ = seedIds.station('CQ')
const LI = seedIds.officer('330104')
const CASE_NUMBER = /CQ-2026-\d{6}/

/**
 * Holiday home watch with every role running: the timer worker fires the
 * reminders, and (once the inbound path calls the form hook) a WeChat
 * resident fills the form in by chat through the mock puppet.
 */
for (const engine of testEngines()) {
  describe(`holiday home watch with every role (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `hwchat-${engine.name}` })
      stack.clock.set(ON_DUTY)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const noticesOf = (caseId: string) =>
      db()
        .selectFrom('officer_notices')
        .select('text')
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute()

    it('the timer worker reminds the officer of a day already begun, once', async () => {
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { language: 'zh' },
      })
      const found = await stack.ctx.webChat.findByToken(session.json().token as string)
      const who = await createWebChatResidents(db()).ensure({
        accountId: 'web-cq',
        sessionId: found!.id,
        displayName: null,
        language: 'zh',
      })
      const services = stack.ctx.serviceRequests
      for (const text of [
        '长假照看',
        '长寿桥小区7幢701',
        '今天',
        '12月1日',
        '王芳',
        '13912345678',
        '有',
        '无',
        '确认',
      ]) {
        const step = await services.step({
          residentId: who.residentId,
          stationId: CQ,
          timeZone: 'Asia/Shanghai',
          language: 'zh',
          text,
          now: stack.clock.now(),
          messageId: randomUUID(),
        })
        if (step)
          await services.afterCommit(step, {
            residentId: who.residentId,
            identityId: who.identityId,
            stationId: CQ,
          })
      }
      const request = await db()
        .selectFrom('service_requests')
        .select(['id', 'case_id'])
        .where('resident_id', '=', who.residentId)
        .executeTakeFirstOrThrow()
      // Today's reminder was due at 09:00: it is due at once, and the worker sends it.
      const reminder = await waitFor(
        async () => (await noticesOf(request.case_id)).find((n) => n.text.startsWith('长假照看')),
        'the reminder of today’s check',
      )
      expect(reminder.text).toContain('请在今天21:00前上门查看')
      const id = homeWatchTimerId(request.id, 'check-reminder', '2026-11-25')
      await waitFor(
        async () =>
          (
            await db()
              .selectFrom('service_request_timers')
              .select('state')
              .where('id', '=', id)
              .executeTakeFirst()
          )?.state === 'fired',
        'the reminder to be marked fired',
      )
      // The job again (a sweep, a redelivery) finds the timer fired and reminds no one.
      const queue = stack.ctx.queues.get(QueueNames.serviceTimers)
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the finished job to be removed')
      await queue.add('check-reminder', { timerId: id }, { jobId: id, removeOnComplete: true })
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the repeated job to finish')
      expect((await noticesOf(request.case_id)).filter((n) => n.text.startsWith('长假照看'))).toHaveLength(1)
    })

    // Runs once the inbound path calls the form hook (src/app/handle-inbound.ts).
    const wired = () => Object.keys(stack.ctx.inboundDeps).some((key) => /form|servicerequest/i.test(key))

    it('a WeChat resident asks for home watch by chat and hears of each check', async (context) => {
      if (!wired()) context.skip()
      const { ask, heard } = wechatResident(stack, '赵阿姨')
      // From the help menu: the services are numbered after the commands.
      await ask('帮助', '6 长假照看')
      await ask('6', '（1/7）')
      await ask('长寿桥小区8幢801', '（2/7）')
      await ask('今天', '（3/7）')
      await ask('昨天', '回来的日期要晚于出发日期')
      await ask('12月1日', '（4/7）')
      await ask('李强', '（5/7）')
      await ask('1380013800', '手机号应为11位数字')
      await ask('13800138000', '（6/7）')
      await ask('有', '（7/7）')
      await ask('无', '请核对您的「长假照看」')
      const confirmed = await ask('确认', CASE_NUMBER)
      expect(confirmed).toContain('李明警官（长寿桥社区）')
      const number = CASE_NUMBER.exec(confirmed)?.[0]
      const row = await db()
        .selectFrom('cases')
        .select(['id', 'category', 'assignee_officer_id'])
        .where('number', '=', number!)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({ category: 'home_watch', assignee_officer_id: LI })

      const li = await signIn(stack.ctx, stack.app!, '330104')
      const before = heard.length
      expect((await li.request('POST', `/api/cases/${row.id}/home-watch/checks`, {})).status).toBe(201)
      const told = await waitFor(
        () => heard.slice(before).find((t) => t.includes('查看了您的住所')),
        'the check',
      )
      expect(told).toBe('李明警官 10:00 查看了您的住所：一切正常。')

      await ask('提前结束', '长假照看已提前结束')
      expect(
        (await db().selectFrom('cases').select('status').where('id', '=', row.id).executeTakeFirstOrThrow())
          .status,
      ).toBe('resolved')
    })
  })
}
