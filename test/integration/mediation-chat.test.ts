import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sessionTimerId } from '../../src/domain/forms/mediation.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { signIn } from '../helpers/officer-session.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'
import { wechatResident } from '../helpers/wechat-resident.ts'

const LI = seedIds.officer('330104')
const CASE_NUMBER = /CQ-2026-\d{6}/

/**
 * Mediation with every role running: a WeChat resident asks for it by chat
 * through the mock puppet, an officer arranges a session through the API,
 * and the timer worker reminds the resident (and the officer) by itself.
 * The service's clock runs at real speed here, so a reminder due in seconds fires.
 */
for (const engine of testEngines()) {
  describe(`mediation by chat with every role (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `medchat-${engine.name}` })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db

    it('a WeChat resident asks for mediation by chat and is reminded of the session by the worker, once', async () => {
      const { ask, heard } = wechatResident(stack, '孙大姐')
      await ask('帮助', /\d+ 矛盾纠纷调解/)
      await ask('调解', '（1/4）')
      await ask('13912345678', '这里请填写对方的姓名或称呼')
      await ask('隔壁王大爷', '（2/4）')
      await ask('不知道', '（3/4）')
      await ask('他家的狗天天半夜叫', '（4/4）')
      await ask('都可以', '请核对您的「矛盾纠纷调解」')
      const confirmed = await ask('确认', CASE_NUMBER)
      expect(confirmed).toContain('已收到您的调解申请')
      const number = CASE_NUMBER.exec(confirmed)?.[0]
      const row = await db()
        .selectFrom('cases as c')
        .innerJoin('mediations as m', 'm.case_id', 'c.id')
        .select(['c.id', 'c.category', 'm.request_id', 'm.mediator_team'])
        .where('c.number', '=', number!)
        .executeTakeFirstOrThrow()
      // Changqing has no mediation team: nobody is named until an officer is.
      expect(row).toMatchObject({ category: 'mediation', mediator_team: null })

      const li = await signIn(stack.ctx, stack.app!, '330104')
      const named = await li.request('PUT', `/api/cases/${row.id}/mediation/mediator`, { officerId: LI })
      expect(named.status).toBe(200)
      // The session starts an hour and a few seconds from now: the hour-before reminder is due in seconds.
      const startsAt = new Date(stack.clock.now().getTime() + 3_600_000 + 3_000)
      const before = heard.length
      const made = await li.request('POST', `/api/cases/${row.id}/mediation/sessions`, {
        at: startsAt.toISOString(),
        place: '长寿桥社区警务室',
      })
      expect(made.status).toBe(201)
      await waitFor(() => heard.slice(before).find((t) => t.includes('调解会已安排')), 'the session’s notice')
      const reminder = await waitFor(
        () => heard.slice(before).find((t) => t.startsWith('提醒：调解会将于')),
        'the hour-before reminder',
        20_000,
      )
      expect(reminder).toContain(`在长寿桥社区警务室开始（案件 ${number}）`)
      const id = sessionTimerId(row.request_id, made.body.session.id, 'session-hour-before')
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
      const notices = await db()
        .selectFrom('officer_notices')
        .select(['officer_id', 'text'])
        .where('case_id', '=', row.id)
        .where('text', 'like', '调解会提醒%')
        .execute()
      expect(notices).toEqual([
        { officer_id: LI, text: expect.stringContaining(`调解会提醒 ${number}：一小时后`) },
      ])
      // The job again (a sweep, a redelivery) finds the timer fired and reminds no one.
      const queue = stack.ctx.queues.get(QueueNames.serviceTimers)
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the finished job to be removed')
      await queue.add('session-hour-before', { timerId: id }, { jobId: id, removeOnComplete: true })
      await waitFor(async () => (await queue.getJob(id)) === undefined, 'the repeated job to finish')
      const sent = await db()
        .selectFrom('messages')
        .select('text')
        .where('case_id', '=', row.id)
        .where('text', 'like', '提醒：%')
        .execute()
      expect(sent).toHaveLength(1)
      expect(heard.filter((t) => t.startsWith('提醒：'))).toHaveLength(1)
    })
  })
}
