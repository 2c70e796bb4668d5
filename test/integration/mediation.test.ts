import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConversationStep } from '../../src/app/forms/conversation.ts'
import { followUpTimerId, sessionTimerId } from '../../src/domain/forms/mediation.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { createWebChatResidents } from '../../src/store/web-chat-residents.repository.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { residentMessages } from '../helpers/resident.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const FQ = seedIds.station('FQ')
const CQ = seedIds.station('CQ')
const TZ = 'Asia/Shanghai'
/** 楼志刚, primary of 枫源片 (FQ-02). */
const LOU = seedIds.officer('681002')
/** 蒋文斌 and 斯慧琴, of Fengqiao's mediation centre. */
const JIANG = seedIds.officer('681011')
const LI = seedIds.officer('330104')
/** A local time in Hangzhou on a day of November 2026 (the stack starts on Wednesday 25th, 10:00). */
const hz = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))

/**
 * Dispute mediation on the service's own parts: the chat form through the
 * conversation hook and submission, the officer's API, the timers fired as
 * their jobs would fire them (no worker runs, so nothing fires behind the
 * test's back). Fengqiao has a mediation team; Changqing has none.
 */
for (const engine of testEngines()) {
  describe(`dispute mediation (${engine.name})`, () => {
    let stack: TestStack
    const logs: string[] = []
    // Sessions end by the service's clock, which these tests move on by days: sign in afresh each time.
    const as = (badge: string): Promise<OfficerClient> => signIn(stack.ctx, stack.app!, badge)

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `mediation-${engine.name}`,
        roles: ['api'],
        env: { LOG_LEVEL: 'debug' },
        logDestination: { write: (line) => void logs.push(line) },
      })
      stack.clock.set(ON_DUTY)
      // Lou and Jiang hear of their mediations on WeChat.
      for (const [id, contact] of [
        [LOU, 'wxid_lou'],
        [JIANG, 'wxid_jiang'],
      ] as const) {
        await db()
          .updateTable('officers')
          .set({ notify_account_id: 'fq-station', notify_contact_ref: contact })
          .where('id', '=', id)
          .execute()
      }
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const services = () => stack.ctx.serviceRequests
    const mediation = () => stack.ctx.serviceRequests.mediation

    /** A web chat resident of the station, bound to a village or compound when one is given. */
    async function newResident(station: 'FQ' | 'CQ', name: string, compound?: string, language = 'zh') {
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { name, language, station },
      })
      const token = session.json().token as string
      const found = await stack.ctx.webChat.findByToken(token)
      const who = await createWebChatResidents(db()).ensure({
        accountId: `web-${station.toLowerCase()}`,
        sessionId: found!.id,
        displayName: name,
        language: language as 'zh' | 'en',
      })
      if (compound) {
        const c = await db()
          .selectFrom('compounds')
          .select(['id', 'beat_id'])
          .where('id', '=', seedIds.compound(station, compound))
          .executeTakeFirstOrThrow()
        await db()
          .updateTable('residents')
          .set({ compound_id: c.id, beat_id: c.beat_id })
          .where('id', '=', who.residentId)
          .execute()
      }
      const { code } = await db()
        .selectFrom('residents')
        .select('code')
        .where('id', '=', who.residentId)
        .executeTakeFirstOrThrow()
      return { token, code, ...who }
    }
    type Resident = Awaited<ReturnType<typeof newResident>>

    /** One message through the hook and, as after the inbound commit, its after-commit work. */
    async function say(who: Resident, text: string, stationId = FQ): Promise<ConversationStep | null> {
      const step = await services().step({
        residentId: who.residentId,
        stationId,
        timeZone: TZ,
        language: 'zh',
        text,
        now: stack.clock.now(),
        messageId: randomUUID(),
      })
      if (step) await services().afterCommit(step, { ...who, stationId })
      return step
    }

    const outboundTo = (caseId: string, residentId: string) =>
      db()
        .selectFrom('messages')
        .select(['text', 'author_officer_id'])
        .where('case_id', '=', caseId)
        .where('resident_id', '=', residentId)
        .where('direction', '=', 'outbound')
        .orderBy('created_at')
        .execute()
    const noticesOf = (caseId: string) =>
      db()
        .selectFrom('officer_notices')
        .select(['officer_id', 'text'])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('officer_id')
        .execute()
    const timersOf = (requestId: string) =>
      db()
        .selectFrom('service_request_timers')
        .select(['id', 'kind', 'day', 'state', 'due_at'])
        .where('request_id', '=', requestId)
        .orderBy('due_at')
        .execute()
    const caseRow = (caseId: string) =>
      db()
        .selectFrom('cases')
        .select(['status', 'version', 'first_responded_at', 'resolved_at', 'category'])
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow()
    const job = (id: string) => stack.ctx.queues.get(QueueNames.serviceTimers).getJob(id)
    const auditOf = (caseId: string, action: string) =>
      db()
        .selectFrom('audit_events')
        .select(['actor', 'detail'])
        .where('subject_id', '=', caseId)
        .where('action', '=', action)
        .execute()

    let applicant: Resident
    let neighbour: Resident
    let first: { caseId: string; requestId: string; number: string }

    it('opens a mediation case from the chat form, for the beat officer, mediated by the station team', async () => {
      applicant = await newResident('FQ', '居民甲', '枫源村')
      // The resident has an ordinary case open: a mediation asked for by chat runs beside it.
      await db()
        .insertInto('cases')
        .values({
          id: randomUUID(),
          number: `FQ-2026-9${Math.floor(Math.random() * 1e5)}`,
          station_id: FQ,
          resident_id: applicant.residentId,
          identity_id: applicant.identityId,
          category: 'noise',
          priority: 'normal',
          status: 'assigned',
          assignee_officer_id: LOU,
          queue: `officer-${LOU}`,
        })
        .execute()
      const intro = await say(applicant, '调解')
      expect(intro?.replies[0]).toContain('（1/4）')
      expect((await say(applicant, '13800138000'))?.replies[0]).toContain('这里请填写对方的姓名或称呼')
      await say(applicant, '楼上邻居张先生')
      expect((await say(applicant, '138001380'))?.replies[0]).toContain('手机号应为11位数字，您发的是9位')
      await say(applicant, '不知道')
      await say(applicant, '楼上卫生间漏水到我家，十月开始的')
      const summary = await say(applicant, '周六上午')
      expect(summary?.replies[0]).toContain('请核对您的「矛盾纠纷调解」')
      await say(applicant, '确认')

      const row = await db()
        .selectFrom('service_requests as sr')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .innerJoin('mediations as m', 'm.request_id', 'sr.id')
        .select([
          'sr.id as requestId',
          'sr.kind',
          'c.id as caseId',
          'c.number',
          'c.category',
          'c.status',
          'c.assignee_officer_id',
          'm.source',
          'm.state',
          'm.subject',
          'm.preferred_times',
          'm.mediator_team',
          'm.mediator_officer_id',
        ])
        .where('sr.resident_id', '=', applicant.residentId)
        .executeTakeFirstOrThrow()
      first = { caseId: row.caseId, requestId: row.requestId, number: row.number }
      expect(row).toMatchObject({
        kind: 'mediation',
        category: 'mediation',
        status: 'assigned',
        assignee_officer_id: LOU,
        source: 'chat',
        state: 'open',
        subject: '楼上卫生间漏水到我家,十月开始的',
        preferred_times: '周六上午',
        mediator_team: 'mediation',
        mediator_officer_id: null,
      })
      const parties = await db()
        .selectFrom('mediation_parties')
        .select(['role', 'resident_id', 'name', 'phone'])
        .where('request_id', '=', row.requestId)
        .orderBy('seq')
        .execute()
      expect(parties).toEqual([
        { role: 'applicant', resident_id: applicant.residentId, name: '居民甲', phone: null },
        { role: 'respondent', resident_id: null, name: '楼上邻居张先生', phone: null },
      ])
      const told = await outboundTo(row.caseId, applicant.residentId)
      expect(told.map((m) => m.text)).toEqual([
        `已收到您的调解申请，案件编号 ${row.number}。楼志刚警官（枫源片）会尽快与您和对方联系，约定调解时间；调解会前一天和开始前一小时都会提醒您。紧急情况请拨打110。`,
      ])
      const note = await db()
        .selectFrom('messages')
        .select('text')
        .where('case_id', '=', row.caseId)
        .where('direction', '=', 'system')
        .executeTakeFirstOrThrow()
      expect(note.text).toBe(
        '矛盾纠纷调解申请：对方：楼上邻居张先生；事由：楼上卫生间漏水到我家,十月开始的；方便时间：周六上午',
      )
      expect((await noticesOf(row.caseId)).map((n) => [n.officer_id, n.text])).toEqual([
        [LOU, `新案件 ${row.number}（调解申请）· 枫源村 · 请在收件箱查看`],
      ])
      expect(await auditOf(row.caseId, 'mediation.opened')).toEqual([
        {
          actor: 'system',
          detail: { requestId: row.requestId, source: 'chat', mediator: 'mediation' },
        },
      ])
    })

    it('shows the mediation to the beat officer and the mediation team; another beat gets 403, another station 404', async () => {
      const url = `/api/cases/${first.caseId}/mediation`
      const res = await (await as('681002')).request('GET', url)
      expect(res.status).toBe(200)
      expect(res.body.mediation).toMatchObject({
        caseNumber: first.number,
        source: 'chat',
        state: 'open',
        mediator: {
          kind: 'team',
          officerId: null,
          name: '调解团队',
          members: [
            { id: JIANG, name: '蒋文斌' },
            { id: seedIds.officer('681012'), name: '斯慧琴' },
            { id: seedIds.officer('681013'), name: '陈立新' },
          ],
        },
        outcome: null,
        followUp: null,
        sessions: [],
        timeZone: TZ,
      })
      expect(
        res.body.mediation.parties.map((p: { role: string; reachable: boolean }) => [p.role, p.reachable]),
      ).toEqual([
        ['applicant', true],
        ['respondent', false],
      ])
      // A member of the mediating team works it through this API though the case is not in their beat.
      expect((await (await as('681012')).request('GET', url)).status).toBe(200)
      expect((await (await as('681003')).request('GET', url)).status).toBe(403)
      expect((await (await as('681021')).request('GET', url)).status).toBe(403)
      expect((await (await as('330104')).request('GET', url)).status).toBe(404)
      expect(
        (await (await as('330104')).request('POST', `${url}/parties`, { role: 'other', name: '某' })).status,
      ).toBe(404)
      expect((await (await as('681002')).request('GET', '/api/cases/no-such-case/mediation')).status).toBe(
        404,
      )
      const viewed = await db()
        .selectFrom('audit_events')
        .select('actor')
        .where('action', '=', 'mediation.viewed')
        .where('subject_id', '=', first.requestId)
        .execute()
      expect(viewed.map((v) => v.actor)).toContain(LOU)
    })

    it('adds parties (a resident linked by code, a name and phone) and refuses bad ones with a reason', async () => {
      stack.clock.set(hz(25, 10, 30))
      neighbour = await newResident('FQ', '张先生', '枫溪村')
      const lou = await as('681002')
      const url = `/api/cases/${first.caseId}/mediation/parties`
      const linked = await lou.request('POST', url, { role: 'respondent', residentCode: neighbour.code })
      expect(linked.status).toBe(201)
      expect(linked.body.party).toMatchObject({
        name: '张先生',
        role: 'respondent',
        resident: { id: neighbour.residentId, code: neighbour.code },
        reachable: true,
      })
      const wife = await lou.request('POST', url, { role: 'other', name: '张太太', phone: '139 1234 5678' })
      expect(wife.status).toBe(201)
      expect(wife.body.party).toMatchObject({ name: '张太太', phone: '13912345678', reachable: false })
      const refused: Array<[unknown, number, RegExp]> = [
        [{ role: 'other', name: '李四', phone: '12345' }, 400, /^phone: /],
        [{ role: 'other' }, 400, /name/],
        [{ role: 'judge', name: '王五' }, 400, /role/],
        [{ role: 'other', residentCode: 'MBNOSUCH99' }, 404, /no resident MBNOSUCH99/],
        [{ role: 'other', residentCode: neighbour.code }, 409, /a party already/],
      ]
      for (const [body, status, message] of refused) {
        const res = await lou.request('POST', url, body)
        expect(res.status, JSON.stringify(body)).toBe(status)
        expect(res.body.error.message, JSON.stringify(body)).toMatch(message)
      }
      // A resident of Changqing is not Fengqiao's to link.
      const stranger = await newResident('CQ', '外站居民', '长寿桥小区')
      expect((await lou.request('POST', url, { role: 'other', residentCode: stranger.code })).status).toBe(
        404,
      )

      const parties = wife.body.mediation.parties as Array<{ id: string; role: string }>
      const own = parties.find((p) => p.role === 'applicant')!
      const kept = await lou.request('DELETE', `${url}/${own.id}`)
      expect(kept.status).toBe(409)
      expect(kept.body.error.message).toContain('stays a party')
      const removed = await lou.request('DELETE', `${url}/${wife.body.party.id}`)
      expect(removed.status).toBe(200)
      expect(removed.body.mediation.parties.map((p: { name: string }) => p.name)).toEqual([
        '居民甲',
        '楼上邻居张先生',
        '张先生',
      ])
      expect((await lou.request('DELETE', `${url}/${wife.body.party.id}`)).status).toBe(404)
      const added = await auditOf(first.caseId, 'mediation.party_added')
      expect(added).toHaveLength(2)
      // Ids and roles only: never a party's name or phone in the trail.
      expect(JSON.stringify(added)).not.toContain('张')
    })

    it('names a mediator, who hears of it; refuses an admin and an officer of another station', async () => {
      const lou = await as('681002')
      const url = `/api/cases/${first.caseId}/mediation/mediator`
      const named = await lou.request('PUT', url, { officerId: JIANG })
      expect(named.status).toBe(200)
      expect(named.body.mediation.mediator).toEqual({
        kind: 'officer',
        officerId: JIANG,
        name: '蒋文斌',
        members: [{ id: JIANG, name: '蒋文斌' }],
      })
      expect((await noticesOf(first.caseId)).at(-1)).toEqual({
        officer_id: JIANG,
        text: `调解 ${first.number}：您被指定为调解员，请在收件箱查看。`,
      })
      for (const body of [
        { officerId: seedIds.officer('681021') },
        { officerId: LI },
        {},
        { team: true, none: true },
      ]) {
        const res = await lou.request('PUT', url, body)
        expect(res.status, JSON.stringify(body)).toBe(400)
      }
      expect(await auditOf(first.caseId, 'mediation.mediator_set')).toEqual([
        { actor: LOU, detail: { from: 'mediation', to: JIANG } },
      ])
    })

    it('schedules a session: reachable parties are told at once, reminders planned the day before and the hour before', async () => {
      stack.clock.set(hz(25, 11))
      const jiang = await as('681011')
      const url = `/api/cases/${first.caseId}/mediation/sessions`
      const bad: Array<[unknown, RegExp]> = [
        [{ at: '2026-11-24T14:00', place: '调解室' }, /at: that time has passed/],
        [{ at: '2026-11-27', place: '调解室' }, /at: a time such as/],
        [{ at: 'friday 2pm', place: '调解室' }, /at: /],
        [{ at: '2026-11-25T11:05', place: '调解室' }, /notice/],
        [{ at: '2026-11-27T14:00', place: '' }, /place/],
      ]
      for (const [body, message] of bad) {
        const res = await jiang.request('POST', url, body)
        expect(res.status, JSON.stringify(body)).toBe(400)
        expect(res.body.error.message, JSON.stringify(body)).toMatch(message)
      }
      const res = await jiang.request('POST', url, { at: '2026-11-27T14:00', place: '枫桥派出所调解室' })
      expect(res.status).toBe(201)
      expect(res.body.session).toMatchObject({
        at: hz(27, 14).toISOString(),
        place: '枫桥派出所调解室',
        state: 'scheduled',
        createdBy: { id: JIANG, name: '蒋文斌' },
      })
      const sessionId = res.body.session.id as string
      const scheduled = `调解会已安排（案件 ${first.number}）：11月27日（周五） 14:00，地点：枫桥派出所调解室。请准时参加；如不能到场，请直接回复本消息。`
      expect((await outboundTo(first.caseId, applicant.residentId)).at(-1)).toEqual({
        text: scheduled,
        author_officer_id: JIANG,
      })
      expect((await outboundTo(first.caseId, neighbour.residentId)).map((m) => m.text)).toEqual([scheduled])
      // The neighbour reads it on their own web chat, under the case number.
      const onPhone = await residentMessages(stack.app!, neighbour.token)
      expect(onPhone.find((m) => m.text === scheduled)?.caseNumber).toBe(first.number)
      const timers = await timersOf(first.requestId)
      expect(timers.map((t) => [t.id, t.kind, t.day, t.due_at.toISOString(), t.state])).toEqual([
        [
          sessionTimerId(first.requestId, sessionId, 'session-day-before'),
          'session-day-before',
          '2026-11-27',
          hz(26, 14).toISOString(),
          'scheduled',
        ],
        [
          sessionTimerId(first.requestId, sessionId, 'session-hour-before'),
          'session-hour-before',
          '2026-11-27',
          hz(27, 13).toISOString(),
          'scheduled',
        ],
      ])
      const delayed = await job(timers[0]!.id)
      expect(delayed?.data).toEqual({ timerId: timers[0]!.id })
      expect(await delayed?.isDelayed()).toBe(true)
      // Telling the applicant counts as the first response.
      const c = await caseRow(first.caseId)
      expect(c.status).toBe('in_progress')
      expect(c.first_responded_at?.toISOString()).toBe(hz(25, 11).toISOString())
    })

    it('reminds every reachable party and the officers the day before, once', async () => {
      const [dayBefore] = await timersOf(first.requestId)
      stack.clock.set(hz(26, 13, 59))
      expect(await mediation().fire(dayBefore!.id)).toMatchObject({ outcome: 'early' })
      stack.clock.set(hz(26, 14))
      const noticesBefore = (await noticesOf(first.caseId)).length
      expect(await mediation().fire(dayBefore!.id)).toEqual({ outcome: 'fired' })
      expect(await mediation().fire(dayBefore!.id)).toEqual({ outcome: 'already-fired' })
      const reminder = `提醒：调解会定于明天 14:00在枫桥派出所调解室举行（案件 ${first.number}），请准时参加。`
      expect((await outboundTo(first.caseId, applicant.residentId)).at(-1)?.text).toBe(reminder)
      expect(
        (await outboundTo(first.caseId, neighbour.residentId)).filter((m) => m.text === reminder),
      ).toHaveLength(1)
      const notices = (await noticesOf(first.caseId)).slice(noticesBefore)
      expect(notices).toEqual([
        {
          officer_id: LOU,
          text: `调解会提醒 ${first.number}：明天（14:00）有调解会，请在收件箱查看当事人和地点。`,
        },
        {
          officer_id: JIANG,
          text: `调解会提醒 ${first.number}：明天（14:00）有调解会，请在收件箱查看当事人和地点。`,
        },
      ])
      const audit = await auditOf(first.caseId, 'mediation.reminded')
      expect(audit).toHaveLength(1)
      expect(audit[0]?.detail).toMatchObject({ timerId: dayBefore!.id, parties: 2 })
    })

    it('calls a session off: its reminders are cancelled and the parties told', async () => {
      stack.clock.set(hz(26, 15))
      const jiang = await as('681011')
      const url = `/api/cases/${first.caseId}/mediation/sessions`
      const made = await jiang.request('POST', url, { at: '2026-11-28T10:00', place: '枫源村村委会' })
      expect(made.status).toBe(201)
      const sessionId = made.body.session.id as string
      const d1 = sessionTimerId(first.requestId, sessionId, 'session-day-before')
      expect(await job(d1)).toBeDefined()
      const off = await jiang.request('POST', `${url}/${sessionId}/cancel`, { reason: '对方出差' })
      expect(off.status).toBe(200)
      expect(off.body.mediation.sessions.map((s: { state: string }) => s.state)).toEqual([
        'scheduled',
        'cancelled',
      ])
      expect((await outboundTo(first.caseId, neighbour.residentId)).at(-1)?.text).toBe(
        `原定11月28日（周六） 10:00的调解会已取消（案件 ${first.number}）。原因：对方出差。新的时间确定后会再通知您。`,
      )
      const states = (await timersOf(first.requestId))
        .filter((t) => t.id.includes(sessionId))
        .map((t) => t.state)
      expect(states).toEqual(['cancelled', 'cancelled'])
      expect(await job(d1)).toBeUndefined()
      stack.clock.set(hz(27, 10))
      expect(await mediation().fire(d1)).toEqual({ outcome: 'cancelled' })
      const again = await as('681011')
      const twice = await again.request('POST', `${url}/${sessionId}/cancel`)
      expect(twice.status, JSON.stringify(twice.body)).toBe(409)
      expect((await again.request('POST', `${url}/no-such-session/cancel`)).status).toBe(404)
    })

    it('records the settlement: parties told the terms, the case resolved, a follow-up planned in thirty days', async () => {
      stack.clock.set(hz(27, 13))
      const [, hourBefore] = (await timersOf(first.requestId)).filter((t) => t.state !== 'cancelled')
      expect(await mediation().fire(hourBefore!.id)).toEqual({ outcome: 'fired' })
      expect((await outboundTo(first.caseId, applicant.residentId)).at(-1)?.text).toBe(
        `提醒：调解会将于今天 14:00在枫桥派出所调解室开始（案件 ${first.number}），请准时到场。`,
      )
      stack.clock.set(hz(27, 16))
      const jiang = await as('681011')
      const url = `/api/cases/${first.caseId}/mediation/outcome`
      for (const body of [
        { result: 'settled' },
        { result: 'settled', terms: '  ' },
        { result: 'not_settled', nextStep: 'mayor' },
        { result: 'maybe' },
      ]) {
        const res = await jiang.request('POST', url, body)
        expect(res.status, JSON.stringify(body)).toBe(400)
        expect(res.body.error.code).toBe('INVALID_INPUT')
      }
      const terms = '张先生12月5日前修好卫生间防水，并赔偿居民甲维修费500元'
      const res = await jiang.request('POST', url, { result: 'settled', terms })
      expect(res.status).toBe(200)
      expect(res.body.mediation).toMatchObject({
        state: 'settled',
        outcome: { result: 'settled', terms, nextStep: null, by: { id: JIANG, name: '蒋文斌' } },
        followUp: { dueAt: '2026-12-27T01:00:00.000Z', at: null, result: null },
      })
      const settled = `调解成功（案件 ${first.number}）。双方达成的协议：${terms}。请各方按协议履行；约30天后调解员会回访。`
      expect((await outboundTo(first.caseId, applicant.residentId)).at(-1)?.text).toBe(settled)
      expect((await outboundTo(first.caseId, neighbour.residentId)).at(-1)?.text).toBe(settled)
      const c = await caseRow(first.caseId)
      expect(c.status).toBe('resolved')
      expect(c.resolved_at?.toISOString()).toBe(hz(27, 16).toISOString())
      expect(
        (await timersOf(first.requestId)).filter((t) => t.state === 'scheduled').map((t) => [t.id, t.kind]),
      ).toEqual([[followUpTimerId(first.requestId), 'follow-up']])
      // Concluded is concluded: no second outcome, no new parties or sessions.
      expect((await jiang.request('POST', url, { result: 'settled', terms })).status).toBe(409)
      expect(
        (
          await jiang.request('POST', `/api/cases/${first.caseId}/mediation/parties`, {
            role: 'other',
            name: '某',
          })
        ).status,
      ).toBe(409)
      expect(
        (
          await jiang.request('POST', `/api/cases/${first.caseId}/mediation/sessions`, {
            at: '2026-12-01T10:00',
            place: '调解室',
          })
        ).status,
      ).toBe(409)
      expect(await auditOf(first.caseId, 'mediation.concluded')).toEqual([
        { actor: JIANG, detail: { result: 'settled', nextStep: null, told: 2 } },
      ])
    })

    it('reminds the officers of the follow-up visit on the thirtieth day, and records what it found', async () => {
      const id = followUpTimerId(first.requestId)
      stack.clock.set(new Date('2026-12-27T00:59:00Z'))
      expect(await mediation().fire(id)).toMatchObject({ outcome: 'early' })
      stack.clock.set(new Date('2026-12-27T01:00:00Z'))
      const before = (await noticesOf(first.caseId)).length
      expect(await mediation().fire(id)).toEqual({ outcome: 'fired' })
      expect(await mediation().fire(id)).toEqual({ outcome: 'already-fired' })
      const text = `调解回访 ${first.number}：调解协议已满30天，请回访当事人，并在收件箱记录回访结果。`
      expect((await noticesOf(first.caseId)).slice(before)).toEqual([
        { officer_id: LOU, text },
        { officer_id: JIANG, text },
      ])
      const jiang = await as('681011')
      const url = `/api/cases/${first.caseId}/mediation/follow-up`
      expect((await jiang.request('POST', url, { result: 'fine' })).status).toBe(400)
      const res = await jiang.request('POST', url, { result: 'kept', note: '防水已修好，赔偿已付' })
      expect(res.status).toBe(200)
      expect(res.body.mediation.followUp).toMatchObject({
        at: '2026-12-27T01:00:00.000Z',
        result: 'kept',
        note: '防水已修好，赔偿已付',
        by: { id: JIANG },
      })
      expect((await jiang.request('POST', url, { result: 'kept' })).status).toBe(409)
      const request = await db()
        .selectFrom('service_requests')
        .select(['state', 'end_reason'])
        .where('id', '=', first.requestId)
        .executeTakeFirstOrThrow()
      expect(request).toEqual({ state: 'ended', end_reason: 'followed up' })
    })

    describe('at a station without a mediation team', () => {
      let disputeCase: { id: string; number: string }
      let resident: Resident

      /** A dispute a resident reported by chat, with Li, as the inbound path leaves it. */
      async function disputeOf(who: Resident, category = 'dispute') {
        const id = randomUUID()
        const number = `CQ-2026-8${Math.floor(Math.random() * 1e5)}`
        await db()
          .insertInto('cases')
          .values({
            id,
            number,
            station_id: CQ,
            resident_id: who.residentId,
            identity_id: who.identityId,
            beat_id: seedIds.beat('CQ-01'),
            category,
            priority: 'normal',
            status: 'assigned',
            assignee_officer_id: LI,
            queue: `officer-${LI}`,
          })
          .execute()
        return { id, number }
      }

      it('turns an open dispute case into a mediation through the API, once', async () => {
        stack.clock.set(hz(30, 10))
        resident = await newResident('CQ', '王阿姨', '长寿桥小区')
        disputeCase = await disputeOf(resident)
        const li = await as('330104')
        const url = `/api/cases/${disputeCase.id}/mediation`
        const { version } = await caseRow(disputeCase.id)
        const stale = await li.request('POST', url, { version: version + 1, subject: '邻里噪音纠纷' })
        expect(stale.status).toBe(409)
        expect(stale.body.error.message).toContain('reload')
        const team = await li.request('POST', url, {
          version,
          subject: '邻里噪音纠纷',
          mediator: { team: true },
        })
        expect(team.status).toBe(400)
        expect(team.body.error.message).toContain('no mediation team')
        expect((await li.request('POST', url, { version })).status).toBe(400)
        expect(
          (await (await as('330107')).request('POST', url, { version, subject: '邻里噪音纠纷' })).status,
        ).toBe(403)
        const made = await li.request('POST', url, {
          version,
          subject: '邻里噪音纠纷',
          preferredTimes: '晚上',
        })
        expect(made.status).toBe(201)
        expect(made.body.mediation).toMatchObject({
          source: 'officer',
          state: 'open',
          subject: '邻里噪音纠纷',
          preferredTimes: '晚上',
          mediator: null,
          parties: [{ name: '王阿姨', role: 'applicant', reachable: true }],
        })
        expect((await outboundTo(disputeCase.id, resident.residentId)).at(-1)?.text).toBe(
          `您反映的纠纷（案件 ${disputeCase.number}）已转入调解。约定调解时间后我们会通知您，并在调解会前一天和开始前一小时提醒您。`,
        )
        // The case stays the resident's conversation: a dispute, one version on.
        const after = await caseRow(disputeCase.id)
        expect(after).toMatchObject({ category: 'dispute', status: 'in_progress', version: version + 1 })
        const again = await li.request('POST', url, { version: after.version, subject: '再来一次' })
        expect(again.status).toBe(409)
        const other = await disputeOf(await newResident('CQ', '邻居', '长寿桥小区'), 'noise')
        const notDispute = await li.request('POST', `/api/cases/${other.id}/mediation`, {
          version: (await caseRow(other.id)).version,
          subject: '噪音',
        })
        expect(notDispute.status).toBe(409)
        expect(notDispute.body.error.message).toContain('not a dispute')
      })

      it('stops the reminders of a case someone resolved by hand', async () => {
        const li = await as('330104')
        const res = await li.request('POST', `/api/cases/${disputeCase.id}/mediation/sessions`, {
          at: '2026-12-02T19:00:00+08:00',
          place: '长寿桥社区警务室',
        })
        expect(res.status).toBe(201)
        const requestId = (
          await db()
            .selectFrom('mediations')
            .select('request_id')
            .where('case_id', '=', disputeCase.id)
            .executeTakeFirstOrThrow()
        ).request_id
        const { version } = await caseRow(disputeCase.id)
        expect(
          (await li.request('POST', `/api/cases/${disputeCase.id}/status`, { version, status: 'resolved' }))
            .status,
        ).toBe(200)
        const [dayBefore] = await timersOf(requestId)
        stack.clock.set(new Date('2026-12-01T11:00:00Z'))
        const told = (await outboundTo(disputeCase.id, resident.residentId)).length
        expect(await mediation().fire(dayBefore!.id)).toEqual({ outcome: 'stopped' })
        expect((await timersOf(requestId)).map((t) => t.state)).toEqual(['cancelled', 'cancelled'])
        expect(await outboundTo(disputeCase.id, resident.residentId)).toHaveLength(told)
      })

      it('records a failed mediation with where it goes next; no follow-up for it', async () => {
        stack.clock.set(hz(30, 11))
        const who = await newResident('CQ', '赵先生', '长寿桥小区')
        const c = await disputeOf(who)
        const li = await as('330104')
        const made = await li.request('POST', `/api/cases/${c.id}/mediation`, {
          version: (await caseRow(c.id)).version,
          subject: '借款纠纷',
          mediator: { officerId: LI },
        })
        expect(made.status).toBe(201)
        const follow = await li.request('POST', `/api/cases/${c.id}/mediation/follow-up`, { result: 'kept' })
        expect(follow.status).toBe(409)
        const res = await li.request('POST', `/api/cases/${c.id}/mediation/outcome`, {
          result: 'not_settled',
          nextStep: 'committee',
          note: '双方分歧较大',
        })
        expect(res.status).toBe(200)
        expect(res.body.mediation).toMatchObject({
          state: 'not_settled',
          outcome: { result: 'not_settled', terms: null, nextStep: 'committee', note: '双方分歧较大' },
          followUp: null,
        })
        expect((await outboundTo(c.id, who.residentId)).at(-1)?.text).toBe(
          `本次调解未能达成协议（案件 ${c.number}）。已移交人民调解委员会继续调解，他们会与您联系。`,
        )
        const request = await db()
          .selectFrom('service_requests')
          .select(['id', 'state', 'end_reason'])
          .where('case_id', '=', c.id)
          .executeTakeFirstOrThrow()
        expect(request).toMatchObject({ state: 'ended', end_reason: 'not settled: committee' })
        expect(await timersOf(request.id)).toEqual([])
        expect((await caseRow(c.id)).status).toBe('resolved')
      })
    })

    it('takes the web form with the same checks, once per submission id', async () => {
      stack.clock.set(hz(30, 10))
      const who = await newResident('FQ', '居民乙', '陈家村')
      const auth = { authorization: `Bearer ${who.token}` }
      const described = await stack.app!.inject({
        method: 'GET',
        url: '/chat/api/forms/mediation',
        headers: auth,
      })
      expect(described.statusCode).toBe(200)
      expect(
        described.json().form.fields.map((f: { key: string; optional: boolean }) => [f.key, f.optional]),
      ).toEqual([
        ['otherParty', false],
        ['otherPartyPhone', true],
        ['subject', false],
        ['preferredTimes', true],
      ])
      const answers = {
        otherParty: '隔壁老陈',
        otherPartyPhone: '0575-1234',
        subject: '宅基地',
        preferredTimes: '',
      }
      const bad = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/mediation',
        headers: auth,
        payload: { answers, submissionId: 'm1' },
      })
      expect(bad.statusCode).toBe(400)
      expect(Object.keys(bad.json().error.fields).sort()).toEqual(['otherPartyPhone', 'subject'])
      const good = { ...answers, otherPartyPhone: '0575-87654321', subject: '宅基地边界有争议' }
      const made = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/mediation',
        headers: auth,
        payload: { answers: good, submissionId: 'm2' },
      })
      expect(made.statusCode).toBe(201)
      const again = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/mediation',
        headers: auth,
        payload: { answers: good, submissionId: 'm2' },
      })
      expect(again.statusCode).toBe(200)
      const rows = await db()
        .selectFrom('mediations as m')
        .innerJoin('cases as c', 'c.id', 'm.case_id')
        .select(['c.number', 'c.assignee_officer_id'])
        .where('c.resident_id', '=', who.residentId)
        .execute()
      // 陈家村 is 宣丽萍's beat.
      expect(rows).toEqual([
        { number: made.json().caseNumber, assignee_officer_id: seedIds.officer('681003') },
      ])
    })

    it('never wrote a party’s name, phone or words into the logs', () => {
      expect(logs.length).toBeGreaterThan(0)
      const all = logs.join('\n')
      for (const secret of [
        '楼上邻居张先生',
        '张太太',
        '13912345678',
        '漏水',
        '500元',
        '0575-87654321',
        '对方出差',
      ])
        expect(all).not.toContain(secret)
    })
  })
}
