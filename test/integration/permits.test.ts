import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConversationStep } from '../../src/app/forms/conversation.ts'
import { permitReminderId } from '../../src/domain/forms/permit-slots.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds, seedStations } from '../../src/store/seed.ts'
import { readStationFile } from '../../src/store/station-file.ts'
import { createWebChatResidents } from '../../src/store/web-chat-residents.repository.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { residentMessages } from '../helpers/resident.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const CQ = seedIds.station('CQ')
const TZ = 'Asia/Shanghai'
/** A local time in Hangzhou in November 2026 (the stack starts on Wednesday 25th, 10:00). */
const hz = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))
const slotOf = (day: number, hh: number, mm = 0) =>
  `ps-${CQ}-${hz(day, hh, mm).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`

/**
 * Residence-permit appointments on the service's own parts: the conversation
 * hook and its after-commit work driven as the inbound path drives them, the
 * web form and the office's API. Changqing opens Monday to Friday,
 * 09:00–11:30 and 14:00–16:30, in slots of 30 minutes for 3 residents each.
 * No worker role runs, so timers fire only when a test fires them.
 */
for (const engine of testEngines()) {
  describe(`residence-permit appointments (${engine.name})`, () => {
    let stack: TestStack
    const logs: string[] = []
    const asSupervisor = (): Promise<OfficerClient> => signIn(stack.ctx, stack.app!, '330110')
    const asOfficer = (): Promise<OfficerClient> => signIn(stack.ctx, stack.app!, '330104')

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `permits-${engine.name}`,
        roles: ['api', 'bot'],
        env: { LOG_LEVEL: 'debug', BOT_ACCOUNTS: 'web-cq' },
        logDestination: { write: (line) => void logs.push(line) },
      })
      stack.clock.set(ON_DUTY)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const services = () => stack.ctx.serviceRequests

    async function newResident(language: 'zh' | 'en' = 'zh') {
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { name: '测试居民', language },
      })
      const token = session.json().token as string
      const found = await stack.ctx.webChat.findByToken(token)
      const resident = await createWebChatResidents(db()).ensure({
        accountId: 'web-cq',
        sessionId: found!.id,
        displayName: '测试居民',
        language,
      })
      return { token, ...resident }
    }
    type Resident = Awaited<ReturnType<typeof newResident>>

    /** One message through the hook and, as after the inbound commit, its after-commit work. */
    async function say(
      who: Resident,
      text: string,
      language: 'zh' | 'en' = 'zh',
    ): Promise<ConversationStep | null> {
      const step = await services().step({
        residentId: who.residentId,
        stationId: CQ,
        timeZone: TZ,
        language,
        text,
        now: stack.clock.now(),
        messageId: randomUUID(),
      })
      if (step)
        await services().afterCommit(step, {
          residentId: who.residentId,
          identityId: who.identityId,
          stationId: CQ,
        })
      return step
    }
    const reply = (step: ConversationStep | null) => step?.replies.join('\n') ?? ''
    /** The number before a time in the listed choices. */
    const numberOf = (list: string, time: string) => {
      const line = list.split('\n').find((l) => l.includes(time))
      if (!line) throw new Error(`${time} is not offered:\n${list}`)
      return line.split('.')[0] as string
    }

    /** What the resident was sent outside the hook's own replies (confirmations, re-asks, reminders). */
    const sentTo = async (who: Resident) =>
      (
        await db()
          .selectFrom('messages')
          .select(['text', 'case_id'])
          .where('resident_id', '=', who.residentId)
          .where('direction', '=', 'outbound')
          .orderBy('created_at')
          .execute()
      ).map((m) => ({ text: m.text ?? '', caseId: m.case_id }))
    const appointmentOf = (who: Resident) =>
      db()
        .selectFrom('permit_appointments as a')
        .innerJoin('service_requests as sr', 'sr.id', 'a.request_id')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .select([
          'a.request_id',
          'a.slot_id',
          'a.state',
          'a.moves',
          'sr.state as request_state',
          'c.id as case_id',
          'c.number',
          'c.status',
          'c.category',
          'c.cancel_reason',
          'c.first_responded_at',
        ])
        .where('a.resident_id', '=', who.residentId)
        .orderBy('a.created_at', 'desc')
        .executeTakeFirst()
    const timersOf = (requestId: string) =>
      db()
        .selectFrom('service_request_timers')
        .select(['id', 'state', 'due_at'])
        .where('request_id', '=', requestId)
        .orderBy('created_at')
        .execute()

    /** Name and phone answered; the next answer picks the time. */
    async function upToTheSlot(who: Resident, language: 'zh' | 'en' = 'zh') {
      await say(who, language === 'en' ? 'residence permit' : '居住证', language)
      await say(who, language === 'en' ? 'Zhao Min' : '赵敏', language)
      return say(who, '13812345678', language)
    }

    it('books by chat: the free times as a numbered list, a case, the place taken, what to bring', async () => {
      const who = await newResident()
      const started = await say(who, '居住证')
      expect(reply(started)).toContain('居住证预约')
      expect(reply(started)).toContain('（1/3）')
      const asked = await upToTheSlot(who)
      const list = reply(asked)
      expect(list).toContain('（3/3）')
      // Wednesday 10:00: the first time still offered is 11:00 (an hour's notice), then the afternoon.
      expect(list).toContain('1. 11月25日（周三）11:00–11:30')
      expect(list).toContain('2. 11月25日（周三）14:00–14:30')
      expect(list).toContain('10. 11月26日（周四）10:30–11:00')
      expect(list).not.toContain('11.')
      const summary = reply(await say(who, '2'))
      expect(summary).toContain('3 预约时段：11月25日（周三）14:00–14:30')
      expect(summary).toContain('1 申请人姓名：赵敏')
      await say(who, '确认')
      const booked = await appointmentOf(who)
      expect(booked).toMatchObject({
        slot_id: slotOf(25, 14),
        state: 'booked',
        request_state: 'active',
        category: 'residence_permit',
        status: 'new',
      })
      // The booking answered the resident: no first-response deadline nags anyone.
      expect(booked?.first_responded_at).not.toBeNull()
      const told = await waitFor(
        async () =>
          (await residentMessages(stack.app!, who.token)).find((m) => m.caseNumber === booked?.number),
        'the confirmation on the web chat',
      )
      expect(told.text).toContain('居住证办理预约成功')
      expect(told.text).toContain('11月25日（周三）14:00–14:30')
      for (const thing of ['身份证', '租赁合同', '证件照']) expect(told.text).toContain(thing)
      // Booked today: the reminder the day before has passed, so there is none.
      expect(await timersOf(booked!.request_id)).toEqual([])
      const line = await db()
        .selectFrom('messages')
        .select('text')
        .where('case_id', '=', booked!.case_id)
        .where('direction', '=', 'system')
        .executeTakeFirstOrThrow()
      expect(line.text).toBe('居住证预约：申请人 赵敏，电话 13812345678，时段 11月25日（周三）14:00–14:30。')
    })

    it('answers the keyword again with the booking, not a second form', async () => {
      const who = await newResident()
      await upToTheSlot(who)
      await say(who, '1')
      await say(who, '确认')
      const again = await say(who, '居住证')
      expect(reply(again)).toContain('您已预约 11月25日（周三）11:00–11:30')
      expect(reply(again)).toContain('改约')
      expect(again?.caseId).toBe((await appointmentOf(who))?.case_id)
    })

    it('re-asks with the next free times when the picked one filled up while answering', async () => {
      const supervisor = await asSupervisor()
      // The 11:00 slot takes one resident more, and no more.
      const taken = (
        await supervisor.request('GET', '/api/permit-slots?from=2026-11-25&to=2026-11-25')
      ).body.slots.find((s: { id: string }) => s.id === slotOf(25, 11))
      const narrowed = await supervisor.request('POST', '/api/permit-slots', {
        startsAt: '2026-11-25T11:00',
        minutes: 30,
        capacity: taken.taken + 1,
      })
      expect(narrowed.status).toBe(200)
      const slow = await newResident()
      const list = reply(await upToTheSlot(slow))
      expect(list).toContain('1. 11月25日（周三）11:00–11:30')
      // Meanwhile someone else takes the last place on the web page.
      const quick = await newResident()
      const web = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/residence-permit',
        headers: { authorization: `Bearer ${quick.token}` },
        payload: {
          answers: { name: '钱多', phone: '13912340000', slot: slotOf(25, 11) },
          submissionId: 'q1',
        },
      })
      expect(web.statusCode).toBe(201)
      const again = reply(await say(slow, '1'))
      expect(again).toContain('这个时段刚刚约满了')
      // The fresh list starts at 14:00 now; "1" means 14:00 from here on.
      expect(again).toContain('1. 11月25日（周三）14:00–14:30')
      expect(reply(await say(slow, '1'))).toContain('11月25日（周三）14:00–14:30')
      await say(slow, '确认')
      expect((await appointmentOf(slow))?.slot_id).toBe(slotOf(25, 14))
    })

    it('gives the last place to one of two residents confirming at once, and re-asks the other', async () => {
      const supervisor = await asSupervisor()
      expect(
        (
          await supervisor.request('POST', '/api/permit-slots', {
            startsAt: '2026-11-25T15:00',
            minutes: 30,
            capacity: 1,
          })
        ).status,
      ).toBe(200)
      const one = await newResident()
      const two = await newResident()
      for (const who of [one, two]) {
        const list = reply(await upToTheSlot(who))
        expect(reply(await say(who, numberOf(list, '11月25日（周三）15:00–15:30')))).toContain('15:00–15:30')
      }
      await Promise.all([say(one, '确认'), say(two, '确认')])
      const holders = await db()
        .selectFrom('permit_appointments')
        .select('resident_id')
        .where('slot_id', '=', slotOf(25, 15))
        .where('state', '=', 'booked')
        .execute()
      expect(holders).toHaveLength(1)
      const loser = holders[0]?.resident_id === one.residentId ? two : one
      expect(await appointmentOf(loser)).toBeUndefined()
      const told = (await sentTo(loser)).map((m) => m.text).join('\n')
      expect(told).toContain('您选的时段（11月25日（周三）15:00–15:30）刚刚被约满了')
      expect(told).toContain('想哪个时间') // the question again, with the list
      expect(told).not.toContain('1. 11月25日（周三）15:00–15:30')
      // The re-asked resident carries on from the time question: name and phone are kept.
      expect(reply(await say(loser, '1'))).toContain('1 申请人姓名：赵敏')
      await say(loser, '确认')
      expect((await appointmentOf(loser))?.state).toBe('booked')
    })

    it('refuses a full slot on the web page with the field named, and two pages at once get one place', async () => {
      const supervisor = await asSupervisor()
      await supervisor.request('POST', '/api/permit-slots', {
        startsAt: '2026-11-25T15:30',
        minutes: 30,
        capacity: 1,
      })
      const [a, b] = [await newResident(), await newResident()]
      const post = (who: Resident, id: string) =>
        stack.app!.inject({
          method: 'POST',
          url: '/chat/api/forms/residence-permit',
          headers: { authorization: `Bearer ${who.token}` },
          payload: {
            answers: { name: '孙立', phone: '13900001111', slot: slotOf(25, 15, 30) },
            submissionId: id,
          },
        })
      const answers = await Promise.all([post(a, 'a1'), post(b, 'b1')])
      expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 400])
      const refused = answers.find((r) => r.statusCode === 400)!.json().error
      expect(refused.fields.slot).toContain('刚刚约满了')
      // The page asks for the form again: the full time is no longer offered.
      const described = await stack.app!.inject({
        method: 'GET',
        url: '/chat/api/forms/residence-permit',
        headers: { authorization: `Bearer ${a.token}` },
      })
      const slot = described.json().form.fields.find((f: { key: string }) => f.key === 'slot')
      expect(slot.type).toBe('choice')
      expect(slot.options.length).toBe(10)
      expect(slot.options.map((o: { value: string }) => o.value)).not.toContain(slotOf(25, 15, 30))
      // 11:00, 14:00 and 15:00 are full by now.
      expect(slot.options[0].label).toEqual({
        zh: '11月25日（周三）14:30–15:00',
        en: 'Wed 25 Nov 14:30–15:00',
      })
    })

    it('reminds the resident the day before, once, and not after a cancellation', async () => {
      stack.clock.set(hz(25, 9))
      const who = await newResident()
      const list = reply(await upToTheSlot(who))
      await say(who, numberOf(list, '11月26日（周四）09:00–09:30'))
      await say(who, '确认')
      const booked = (await appointmentOf(who))!
      const id = permitReminderId(booked.request_id, 0)
      expect(await timersOf(booked.request_id)).toEqual([{ id, state: 'scheduled', due_at: hz(25, 10) }])
      const permits = services().permits
      expect(await permits.fire(id)).toMatchObject({ outcome: 'early' })
      stack.clock.set(hz(25, 10))
      expect(await permits.fire(id)).toEqual({ outcome: 'fired' })
      expect(await permits.fire(id)).toEqual({ outcome: 'already-fired' })
      const reminders = (await sentTo(who)).filter((m) => m.text.startsWith('提醒'))
      expect(reminders.map((m) => m.text.split('\n')[0])).toEqual([
        '提醒：您预约了明天 11月26日（周四）09:00–09:30 到社区警务室办理居住证。',
      ])

      // Another booking, cancelled before its reminder: the reminder never goes out.
      stack.clock.set(hz(25, 9))
      const other = await newResident()
      const again = reply(await upToTheSlot(other))
      await say(other, numberOf(again, '11月26日（周四）09:30–10:00'))
      await say(other, '确认')
      const second = (await appointmentOf(other))!
      // A bare 取消 is the withdrawal command, not this one: the hook leaves it alone.
      expect(await say(other, '取消')).toBeNull()
      expect(await say(other, '取消预约')).not.toBeNull()
      const cancelled = (await appointmentOf(other))!
      expect(cancelled).toMatchObject({
        state: 'cancelled',
        request_state: 'cancelled',
        status: 'closed',
        cancel_reason: 'cancelled by the resident',
      })
      expect((await timersOf(second.request_id)).map((t) => t.state)).toEqual(['cancelled'])
      stack.clock.set(hz(25, 10))
      expect(await permits.fire(permitReminderId(second.request_id, 0))).toEqual({ outcome: 'cancelled' })
      const sent = (await sentTo(other)).map((m) => m.text)
      expect(sent.filter((t) => t.startsWith('提醒'))).toEqual([])
      expect(sent).toContain(
        '已取消您 11月26日（周四）09:30–10:00 的居住证预约。需要时再发“居住证”重新预约。',
      )
      // The place is free again.
      const free = await stack.ctx.serviceRequests.choicesFor('residence-permit', CQ)
      expect(free?.slot.map((c) => c.value)).toContain(slotOf(26, 9, 30))
      stack.clock.set(ON_DUTY)
    })

    it('stops at its reminder when an officer resolved the case meanwhile, and frees the place', async () => {
      stack.clock.set(hz(25, 9))
      const who = await newResident()
      await say(who, numberOf(reply(await upToTheSlot(who)), '11月26日（周四）09:00–09:30'))
      await say(who, '确认')
      const booked = (await appointmentOf(who))!
      const supervisor = await asSupervisor()
      const version = (
        await db()
          .selectFrom('cases')
          .select('version')
          .where('id', '=', booked.case_id)
          .executeTakeFirstOrThrow()
      ).version
      const resolved = await supervisor.request('POST', `/api/cases/${booked.case_id}/status`, {
        version,
        status: 'resolved',
      })
      expect(resolved.status).toBe(200)
      stack.clock.set(hz(25, 10))
      expect(await services().permits.fire(permitReminderId(booked.request_id, 0))).toEqual({
        outcome: 'stopped',
      })
      expect(await appointmentOf(who)).toMatchObject({ state: 'cancelled', request_state: 'cancelled' })
      expect((await sentTo(who)).filter((m) => m.text.startsWith('提醒'))).toEqual([])
      // The place is no longer held, and the resident may book anew.
      const holders = await db()
        .selectFrom('permit_appointments')
        .select('resident_id')
        .where('slot_id', '=', booked.slot_id)
        .where('state', '<>', 'cancelled')
        .execute()
      expect(holders.map((h) => h.resident_id)).not.toContain(who.residentId)
      expect(reply(await upToTheSlot(who))).toContain('（3/3）')
      stack.clock.set(ON_DUTY)
    })

    it('moves an appointment by chat: the new time is booked, the reminder follows it', async () => {
      stack.clock.set(hz(25, 9))
      const who = await newResident('en')
      const list = reply(await upToTheSlot(who, 'en'))
      expect(list).toContain('1. Wed 25 Nov 10:00–10:30')
      await say(who, numberOf(list, 'Thu 26 Nov 09:00–09:30'), 'en')
      await say(who, 'confirm', 'en')
      const before = (await appointmentOf(who))!
      const moving = reply(await say(who, 'move my appointment', 'en'))
      expect(moving).toContain('Your appointment is on Thu 26 Nov 09:00–09:30')
      expect(reply(await say(who, numberOf(moving, 'Thu 26 Nov 09:30–10:00'), 'en'))).toContain(
        'Thu 26 Nov 09:30–10:00',
      )
      await say(who, 'confirm', 'en')
      const after = (await appointmentOf(who))!
      expect(after).toMatchObject({
        request_id: before.request_id,
        slot_id: slotOf(26, 9, 30),
        moves: 1,
        state: 'booked',
      })
      expect((await timersOf(after.request_id)).map((t) => [t.id, t.state])).toEqual([
        [permitReminderId(after.request_id, 0), 'cancelled'],
        [permitReminderId(after.request_id, 1), 'scheduled'],
      ])
      expect((await sentTo(who)).map((m) => m.text.split('\n')[0])).toContain(
        'Your appointment has been moved to Thu 26 Nov 09:30–10:00 at the community police office.',
      )
      // A move dropped halfway leaves the booking as it is.
      expect(reply(await say(who, 'reschedule', 'en'))).toContain(
        'Your appointment is on Thu 26 Nov 09:30–10:00',
      )
      expect(reply(await say(who, 'cancel', 'en'))).toContain('has been cancelled')
      expect(await appointmentOf(who)).toMatchObject({ slot_id: slotOf(26, 9, 30), state: 'booked' })
      stack.clock.set(ON_DUTY)
    })

    it("lists the day's appointments for the office and marks who came and who did not", async () => {
      const who = await newResident()
      await say(who, numberOf(reply(await upToTheSlot(who)), '11月25日（周三）14:30–15:00'))
      await say(who, '确认')
      const booked = (await appointmentOf(who))!
      const supervisor = await asSupervisor()
      const day = await supervisor.request('GET', '/api/permit-appointments?date=2026-11-25')
      expect(day.status).toBe(200)
      const slot = day.body.slots.find((s: { id: string }) => s.id === booked.slot_id)
      expect(slot.appointments.map((a: { caseNumber: string }) => a.caseNumber)).toContain(booked.number)
      const mine = slot.appointments.find((a: { caseNumber: string }) => a.caseNumber === booked.number)
      expect(mine).toMatchObject({ name: '赵敏', phone: '13812345678', state: 'booked' })
      // Not begun yet: a no-show cannot be marked.
      const early = await supervisor.request('POST', `/api/cases/${booked.case_id}/permit/attendance`, {
        outcome: 'no_show',
      })
      expect(early.status).toBe(409)
      const officer = await asOfficer()
      const came = await officer.request('POST', `/api/cases/${booked.case_id}/permit/attendance`, {
        outcome: 'attended',
      })
      expect(came.status).toBe(200)
      expect(came.body.appointment.state).toBe('attended')
      expect(came.body.appointment.markedBy.id).toBe(seedIds.officer('330104'))
      expect((await appointmentOf(who))?.status).toBe('resolved')
      expect((await sentTo(who)).some((m) => m.text.includes('感谢您前来办理居住证'))).toBe(true)
      const twice = await officer.request('POST', `/api/cases/${booked.case_id}/permit/attendance`, {
        outcome: 'attended',
      })
      expect(twice.status).toBe(409)
      const bad = await officer.request('POST', `/api/cases/${booked.case_id}/permit/attendance`, {
        outcome: 'maybe',
      })
      expect(bad.status).toBe(400)

      // Another resident does not come: once the slot has begun, the office says so.
      const absent = await newResident()
      await say(absent, numberOf(reply(await upToTheSlot(absent)), '11月25日（周三）14:30–15:00'))
      await say(absent, '确认')
      const missed = (await appointmentOf(absent))!
      stack.clock.set(hz(25, 14, 40))
      const noShow = await (await asOfficer()).request(
        'POST',
        `/api/cases/${missed.case_id}/permit/attendance`,
        {
          outcome: 'no_show',
        },
      )
      expect(noShow.status).toBe(200)
      expect(await appointmentOf(absent)).toMatchObject({
        state: 'no_show',
        status: 'closed',
        cancel_reason: 'no-show',
      })
      expect((await sentTo(absent)).some((m) => m.text.includes('本次预约已失效'))).toBe(true)
      const audit = await db()
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', 'in', [booked.case_id, missed.case_id])
        .where('action', 'like', 'permit.%')
        .execute()
      expect(audit.map((a) => a.action).sort()).toEqual(['permit.attended', 'permit.no_show'])
      stack.clock.set(ON_DUTY)
    })

    it('keeps other stations out: their slots and cases answer 404, an admin reads no appointments', async () => {
      const who = await newResident()
      await upToTheSlot(who)
      await say(who, '4')
      await say(who, '确认')
      const booked = (await appointmentOf(who))!
      const fqBadge = (
        await db()
          .selectFrom('officers')
          .select('badge')
          .where('station_id', '=', seedIds.station('FQ'))
          .where('role', '=', 'supervisor')
          .orderBy('badge')
          .executeTakeFirstOrThrow()
      ).badge
      const fq = await signIn(stack.ctx, stack.app!, fqBadge)
      expect((await fq.request('GET', `/api/cases/${booked.case_id}/permit`)).status).toBe(404)
      expect(
        (await fq.request('POST', `/api/cases/${booked.case_id}/permit/attendance`, { outcome: 'attended' }))
          .status,
      ).toBe(404)
      expect((await fq.request('DELETE', `/api/permit-slots/${booked.slot_id}`)).status).toBe(404)
      const theirDay = await fq.request('GET', '/api/permit-appointments?date=2026-11-25')
      expect(JSON.stringify(theirDay.body)).not.toContain(booked.number)
      const cqAdmin = (
        await db()
          .selectFrom('officers')
          .select('badge')
          .where('station_id', '=', CQ)
          .where('role', '=', 'admin')
          .executeTakeFirstOrThrow()
      ).badge
      const admin = await signIn(stack.ctx, stack.app!, cqAdmin)
      expect((await admin.request('GET', '/api/permit-appointments')).status).toBe(403)
      expect((await admin.request('GET', `/api/cases/${booked.case_id}/permit`)).status).toBe(403)
    })

    it('lets supervisors add, change and remove slots; a booked slot stays', async () => {
      const supervisor = await asSupervisor()
      const officer = await asOfficer()
      const listed = await officer.request('GET', '/api/permit-slots?from=2026-11-27&to=2026-11-29')
      expect(listed.status).toBe(200)
      // Friday's ten slots; the weekend has none.
      expect(listed.body.slots).toHaveLength(10)
      expect(listed.body.slots[0]).toMatchObject({ id: slotOf(27, 9), capacity: 3, taken: 0, source: 'file' })
      expect(
        (
          await officer.request('POST', '/api/permit-slots', {
            startsAt: '2026-11-28T09:00',
            minutes: 60,
            capacity: 2,
          })
        ).status,
      ).toBe(403)
      const saturday = await supervisor.request('POST', '/api/permit-slots', {
        startsAt: '2026-11-28T09:00',
        minutes: 60,
        capacity: 2,
      })
      expect(saturday.status).toBe(201)
      expect(saturday.body.slot).toMatchObject({
        id: slotOf(28, 9),
        capacity: 2,
        source: 'api',
        endsAt: hz(28, 10).toISOString(),
      })
      for (const body of [
        { startsAt: '2026-11-20T09:00', minutes: 30, capacity: 1 },
        { startsAt: 'tomorrow', minutes: 30, capacity: 1 },
        { startsAt: '2026-11-28T10:00', minutes: 0, capacity: 1 },
        { startsAt: '2026-11-28T10:00', minutes: 30, capacity: -1 },
      ]) {
        const refused = await supervisor.request('POST', '/api/permit-slots', body)
        expect(refused.status).toBe(400)
        expect(refused.body.error.message).toMatch(/startsAt|minutes|capacity/)
      }
      expect(
        (await supervisor.request('GET', '/api/permit-slots?from=2026-11-29&to=2026-11-28')).status,
      ).toBe(400)
      // Removed, it is offered no more and a reseed does not bring it back.
      const friday = slotOf(27, 9)
      expect((await supervisor.request('DELETE', `/api/permit-slots/${friday}`)).status).toBe(204)
      expect((await supervisor.request('DELETE', `/api/permit-slots/${friday}`)).status).toBe(404)
      await seedStations(db(), await readStationFile('seeds/changqing.yaml'))
      const after = await officer.request('GET', '/api/permit-slots?from=2026-11-27&to=2026-11-28')
      expect(after.body.slots.map((s: { id: string }) => s.id)).not.toContain(friday)
      expect(after.body.slots.map((s: { id: string }) => s.id)).toContain(slotOf(28, 9))
      // A slot someone is booked in cannot be removed.
      const booked = await db()
        .selectFrom('permit_appointments')
        .select('slot_id')
        .where('state', '=', 'booked')
        .executeTakeFirstOrThrow()
      const kept = await supervisor.request('DELETE', `/api/permit-slots/${booked.slot_id}`)
      expect(kept.status).toBe(409)
      expect(kept.body.error.message).toMatch(/booked in this slot/)
      const docs = await stack.app!.inject({ method: 'GET', url: '/docs/json' })
      expect(Object.keys(docs.json().paths)).toEqual(
        expect.arrayContaining([
          '/api/permit-slots',
          '/api/permit-slots/{id}',
          '/api/permit-appointments',
          '/api/cases/{id}/permit',
          '/api/cases/{id}/permit/attendance',
        ]),
      )
    })

    it('never wrote a name or phone number into the logs or job payloads', async () => {
      expect(logs.length).toBeGreaterThan(0)
      const all = logs.join('\n')
      for (const secret of ['13812345678', '赵敏', '钱多', '13912340000']) expect(all).not.toContain(secret)
      const jobs = await stack.ctx.queues.get(QueueNames.serviceTimers).getJobs(['delayed', 'wait'])
      expect(jobs.length).toBeGreaterThan(0)
      for (const job of jobs) expect(Object.keys(job.data)).toEqual(['timerId'])
    })
  })
}
