import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConversationStep } from '../../src/app/forms/conversation.ts'
import { FORM_STATE_TTL_MS } from '../../src/app/forms/conversation.ts'
import { homeWatchTimerId } from '../../src/domain/forms/home-watch.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { createWebChatResidents } from '../../src/store/web-chat-residents.repository.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { residentMessages } from '../helpers/resident.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const CQ = seedIds.station('CQ')
const LI = seedIds.officer('330104')
const TZ = 'Asia/Shanghai'
/** A local time in Hangzhou on a day of November 2026 (the stack starts on Wednesday 25th, 10:00). */
const hz = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))

/**
 * Holiday home watch end to end on the service's own parts: the conversation
 * hook and submission driven as the inbound path will drive them, the
 * officer's API, the timers fired as their jobs would fire them. No worker
 * role runs, so nothing fires behind the test's back.
 */
for (const engine of testEngines()) {
  describe(`holiday home watch (${engine.name})`, () => {
    let stack: TestStack
    // Sessions end by the service's clock, which these tests move on by days: sign in afresh each time.
    const asLi = (): Promise<OfficerClient> => signIn(stack.ctx, stack.app!, '330104')
    const asOtherBeat = (): Promise<OfficerClient> => signIn(stack.ctx, stack.app!, '330107')
    const logs: string[] = []

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `homewatch-${engine.name}`,
        stationFiles: ['seeds/changqing.yaml', 'seeds/fengqiao.yaml'],
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

    /** A web chat resident of Changqing, as the inbound path would have created them. */
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
        prefill: services().prefill(await stack.ctx.directory.get(), who.compoundId),
      })
      if (step)
        await services().afterCommit(step, {
          residentId: who.residentId,
          identityId: who.identityId,
          stationId: CQ,
        })
      return step
    }

    async function requestHomeWatch(who: Resident, answers: string[]) {
      await say(who, '长假照看')
      for (const answer of answers) await say(who, answer)
      await say(who, '确认')
      return db()
        .selectFrom('service_requests as sr')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .select([
          'sr.id as requestId',
          'sr.state',
          'sr.answers',
          'c.id as caseId',
          'c.number',
          'c.status',
          'c.category',
          'c.assignee_officer_id',
          'c.beat_id',
          'c.escalated',
        ])
        .where('sr.resident_id', '=', who.residentId)
        .orderBy('sr.created_at', 'desc')
        .executeTakeFirstOrThrow()
    }

    const timersOf = (requestId: string) =>
      db()
        .selectFrom('service_request_timers')
        .select(['id', 'kind', 'day', 'state', 'due_at'])
        .where('request_id', '=', requestId)
        .orderBy('due_at')
        .orderBy('id')
        .execute()
    const noticesOf = (caseId: string) =>
      db()
        .selectFrom('officer_notices')
        .select(['officer_id', 'text'])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute()
    const outboundOf = (caseId: string) =>
      db()
        .selectFrom('messages')
        .select(['text', 'author_officer_id'])
        .where('case_id', '=', caseId)
        .where('direction', '=', 'outbound')
        .orderBy('created_at')
        .execute()
    const job = (id: string) => stack.ctx.queues.get(QueueNames.serviceTimers).getJob(id)
    /** The running home watches the conversation hook knows of (Redis), by request id. */
    const indexed = async (residentId: string) => {
      const redis = new Redis(TEST_REDIS_URL)
      try {
        return Object.keys(await redis.hgetall(`${stack.ctx.config.QUEUE_PREFIX}:home-watch:${residentId}`))
      } finally {
        redis.disconnect()
      }
    }

    let first: { requestId: string; caseId: string; number: string }
    let firstResident: Resident

    it('turns a finished chat form into a home-watch case for the beat officer, with a timer for each day', async () => {
      firstResident = await newResident()
      // The resident has a case open already: a home watch runs beside it.
      const ordinary = randomUUID()
      await db()
        .insertInto('cases')
        .values({
          id: ordinary,
          number: `CQ-2026-9${Math.floor(Math.random() * 1e5)}`,
          station_id: CQ,
          resident_id: firstResident.residentId,
          identity_id: firstResident.identityId,
          category: 'noise',
          priority: 'normal',
          status: 'assigned',
          assignee_officer_id: LI,
          queue: `officer-${LI}`,
        })
        .execute()
      const row = await requestHomeWatch(firstResident, [
        '长寿桥小区3幢501',
        '明天',
        '下周一',
        '王芳',
        '139 1234 5678',
        '有',
        '阳台门锁坏了',
      ])
      first = row
      expect(row).toMatchObject({
        state: 'active',
        status: 'assigned',
        category: 'home_watch',
        assignee_officer_id: LI,
        beat_id: seedIds.beat('CQ-01'),
      })
      expect(row.answers).toEqual({
        address: '长寿桥小区3幢501',
        awayFrom: '2026-11-26',
        backOn: '2026-11-30',
        contactName: '王芳',
        contactPhone: '13912345678',
        keyHolderOrCamera: true,
        notes: '阳台门锁坏了',
      })
      // Thursday to Sunday: a reminder and a deadline each, and the end on Monday.
      const timers = await timersOf(row.requestId)
      expect(timers.map((t) => `${t.day} ${t.kind}`)).toEqual([
        '2026-11-26 check-reminder',
        '2026-11-26 check-missed',
        '2026-11-27 check-reminder',
        '2026-11-27 check-missed',
        '2026-11-28 check-reminder',
        '2026-11-28 check-missed',
        '2026-11-29 check-reminder',
        '2026-11-29 check-missed',
        '2026-11-30 end',
      ])
      expect(timers[0]?.due_at.toISOString()).toBe(hz(26, 9).toISOString())
      expect(timers[1]?.due_at.toISOString()).toBe(hz(26, 21).toISOString())
      const delayed = await job(homeWatchTimerId(row.requestId, 'check-reminder', '2026-11-27'))
      expect(delayed?.data).toEqual({
        timerId: homeWatchTimerId(row.requestId, 'check-reminder', '2026-11-27'),
      })
      expect(await delayed?.isDelayed()).toBe(true)
      // The resident is told the case number and who looks after the home; the officer is noticed.
      const told = await waitFor(
        async () =>
          (await residentMessages(stack.app!, firstResident.token)).find((m) => m.caseNumber === row.number),
        'the confirmation on the web chat',
      )
      expect(told.text).toContain(`案件编号 ${row.number}`)
      expect(told.text).toContain('李明警官（长寿桥社区）')
      expect(told.text).toContain('11月26日（周四）至11月30日（周一）')
      expect((await noticesOf(row.caseId)).map((n) => [n.officer_id, n.text])).toEqual([
        [LI, `新案件 ${row.number}（长假照看）· 长寿桥小区 · 请在收件箱查看`],
      ])
      expect(await indexed(firstResident.residentId)).toEqual([row.requestId])
      // The address answer bound the resident to their compound.
      const resident = await db()
        .selectFrom('residents')
        .select('compound_id')
        .where('id', '=', firstResident.residentId)
        .executeTakeFirstOrThrow()
      expect(resident.compound_id).toBe(seedIds.compound('CQ', '长寿桥小区'))
      // The officer reads the whole request in the conversation, as a line never sent.
      const line = await db()
        .selectFrom('messages')
        .select(['text', 'delivery_state'])
        .where('case_id', '=', row.caseId)
        .where('direction', '=', 'system')
        .executeTakeFirstOrThrow()
      expect(line.text).toContain('紧急联系人：王芳，13912345678')
    })

    it('keeps the form state in Redis under the service prefix with a day to live, and clears it when done', async () => {
      const who = await newResident()
      await say(who, '长假照看')
      await say(who, '长寿桥小区3幢501')
      const redis = new Redis(TEST_REDIS_URL)
      try {
        const key = `${stack.ctx.config.QUEUE_PREFIX}:form:${who.residentId}`
        const ttl = await redis.pttl(key)
        expect(ttl).toBeGreaterThan(FORM_STATE_TTL_MS - 60_000)
        expect(ttl).toBeLessThanOrEqual(FORM_STATE_TTL_MS)
        const state = JSON.parse((await redis.hget(key, 'state')) ?? '{}')
        expect(state).toMatchObject({
          form: 'home-watch',
          index: 1,
          answers: { address: '长寿桥小区3幢501' },
        })
        await say(who, '取消')
        expect(await redis.exists(key)).toBe(0)
      } finally {
        redis.disconnect()
      }
    })

    it('lets the officer record a check; the resident is told at once who checked and when', async () => {
      stack.clock.set(hz(26, 14, 5))
      const res = await (await asLi()).request('POST', `/api/cases/${first.caseId}/home-watch/checks`, {
        photoRef: 'photos/cq/0001.jpg',
      })
      expect(res.status).toBe(201)
      expect(res.body.check).toMatchObject({
        day: '2026-11-26',
        result: 'secure',
        photoRef: 'photos/cq/0001.jpg',
        officer: { id: LI, name: '李明' },
      })
      const sent = await outboundOf(first.caseId)
      expect(sent.at(-1)).toEqual({
        text: '李明警官 14:05 查看了您的住所：一切正常。',
        author_officer_id: LI,
      })
      await waitFor(
        async () =>
          (await residentMessages(stack.app!, firstResident.token)).some((m) =>
            m.text.startsWith('李明警官 14:05'),
          ),
        'the check on the resident’s phone',
      )
      const day = res.body.homeWatch.days.find((d: { date: string }) => d.date === '2026-11-26')
      expect(day.status).toBe('checked')
      const after = await db()
        .selectFrom('cases')
        .select(['status', 'first_responded_at'])
        .where('id', '=', first.caseId)
        .executeTakeFirstOrThrow()
      expect(after.status).toBe('in_progress')
      expect(after.first_responded_at).not.toBeNull()
      const audit = await db()
        .selectFrom('audit_events')
        .select(['actor', 'detail'])
        .where('action', '=', 'home_watch.checked')
        .where('subject_id', '=', first.caseId)
        .execute()
      expect(audit).toHaveLength(1)
      expect(audit[0]?.actor).toBe(LI)
    })

    it('refuses bad checks with a clear 4xx, and keeps other beats and stations out', async () => {
      const url = `/api/cases/${first.caseId}/home-watch/checks`
      const noNote = await (await asLi()).request('POST', url, { result: 'attention' })
      expect(noNote.status).toBe(400)
      expect(noNote.body.error.message).toContain('note')
      const outside = await (await asLi()).request('POST', url, { at: '2026-12-05T10:00:00+08:00' })
      expect(outside.status).toBe(400)
      const future = await (await asLi()).request('POST', url, { at: '2026-11-26T18:00:00+08:00' })
      expect(future.status).toBe(400)
      expect(future.body.error.message).toContain('future')
      expect((await (await asOtherBeat()).request('POST', url, {})).status).toBe(403)
      expect(
        (await (await asOtherBeat()).request('GET', `/api/cases/${first.caseId}/home-watch`)).status,
      ).toBe(403)
      const fq = await signIn(
        stack.ctx,
        stack.app!,
        (
          await db()
            .selectFrom('officers')
            .select('badge')
            .where('station_id', '=', seedIds.station('FQ'))
            .where('role', '=', 'officer')
            .orderBy('badge')
            .executeTakeFirstOrThrow()
        ).badge,
      )
      expect((await fq.request('GET', `/api/cases/${first.caseId}/home-watch`)).status).toBe(404)
      expect((await fq.request('POST', url, {})).status).toBe(404)
      // A case that is no home watch has none to show.
      const view = await (await asLi()).request('GET', '/api/cases/no-such-case/home-watch')
      expect(view.status).toBe(404)
    })

    it('reminds the officer once a day, not again on a replay, and not for a day already checked', async () => {
      const checked = homeWatchTimerId(first.requestId, 'check-reminder', '2026-11-26')
      stack.clock.set(hz(26, 14, 10))
      expect(await services().homeWatch.fire(checked)).toEqual({ outcome: 'not-needed' })
      const reminder = homeWatchTimerId(first.requestId, 'check-reminder', '2026-11-27')
      expect(await services().homeWatch.fire(reminder)).toMatchObject({ outcome: 'early' })
      stack.clock.set(hz(27, 9))
      const before = (await noticesOf(first.caseId)).length
      expect(await services().homeWatch.fire(reminder)).toEqual({ outcome: 'fired' })
      expect(await services().homeWatch.fire(reminder)).toEqual({ outcome: 'already-fired' })
      const notices = await noticesOf(first.caseId)
      expect(notices.slice(before).map((n) => [n.officer_id, n.text])).toEqual([
        [LI, `长假照看 ${first.number}（长寿桥小区）：请在今天21:00前上门查看，并在工作台记录。`],
      ])
    })

    it('escalates a day that passed without a check, as a missed deadline', async () => {
      stack.clock.set(hz(27, 21))
      const missed = homeWatchTimerId(first.requestId, 'check-missed', '2026-11-27')
      expect(await services().homeWatch.fire(missed)).toEqual({ outcome: 'fired' })
      const c = await db()
        .selectFrom('cases')
        .select(['escalated', 'escalated_at'])
        .where('id', '=', first.caseId)
        .executeTakeFirstOrThrow()
      expect(c.escalated).toBe(true)
      expect(c.escalated_at?.toISOString()).toBe(hz(27, 21).toISOString())
      const audit = await db()
        .selectFrom('audit_events')
        .select('detail')
        .where('action', '=', 'case.escalated')
        .where('subject_id', '=', first.caseId)
        .execute()
      expect(audit.map((a) => a.detail)).toEqual([
        expect.objectContaining({ reason: 'home-watch-check-missed', day: '2026-11-27' }),
      ])
      const notices = await noticesOf(first.caseId)
      expect(notices.at(-1)?.text).toBe(
        `长假照看 ${first.number}：11月27日的上门查看没有记录，已升级，请尽快处理。`,
      )
    })

    it('extends by chat: new days get their timers, the old end is cancelled', async () => {
      stack.clock.set(hz(28, 8))
      const step = await say(firstResident, '延长到12月2日')
      expect(step?.change).toMatchObject({ kind: 'extend', backOn: '2026-12-02' })
      const timers = await timersOf(first.requestId)
      const byId = new Map(timers.map((t) => [`${t.day} ${t.kind}`, t.state]))
      expect(byId.get('2026-11-30 end')).toBe('cancelled')
      expect(byId.get('2026-11-30 check-reminder')).toBe('scheduled')
      expect(byId.get('2026-12-01 check-missed')).toBe('scheduled')
      expect(byId.get('2026-12-02 end')).toBe('scheduled')
      expect(await job(homeWatchTimerId(first.requestId, 'end', '2026-11-30'))).toBeUndefined()
      const answers = (
        await db()
          .selectFrom('service_requests')
          .select('answers')
          .where('id', '=', first.requestId)
          .executeTakeFirstOrThrow()
      ).answers as { backOn: string }
      expect(answers.backOn).toBe('2026-12-02')
      expect((await outboundOf(first.caseId)).at(-1)?.text).toContain('已延长到12月2日（周三）')
    })

    it('ends early by chat: the summary goes out, the case resolves, and no timer fires after it', async () => {
      stack.clock.set(hz(29, 10))
      await say(firstResident, '提前结束')
      const row = await db()
        .selectFrom('cases')
        .select(['status', 'resolved_at'])
        .where('id', '=', first.caseId)
        .executeTakeFirstOrThrow()
      expect(row.status).toBe('resolved')
      const request = await db()
        .selectFrom('service_requests')
        .select(['state', 'end_reason'])
        .where('id', '=', first.requestId)
        .executeTakeFirstOrThrow()
      expect(request).toEqual({ state: 'ended', end_reason: 'ended early by resident' })
      const summary = (await outboundOf(first.caseId)).at(-1)?.text ?? ''
      expect(summary).toContain('长假照看已提前结束（11月26日至11月29日）')
      expect(summary).toContain('民警共上门查看1次')
      expect(summary).toContain(`案件 ${first.number} 已办结`)
      const scheduled = (await timersOf(first.requestId)).filter((t) => t.state === 'scheduled')
      expect(scheduled).toEqual([])
      const before = (await noticesOf(first.caseId)).length
      stack.clock.set(hz(30, 9))
      const next = homeWatchTimerId(first.requestId, 'check-reminder', '2026-11-30')
      expect(await services().homeWatch.fire(next)).toEqual({ outcome: 'cancelled' })
      expect(await job(next)).toBeUndefined()
      expect(await noticesOf(first.caseId)).toHaveLength(before)
      expect(await indexed(firstResident.residentId)).toEqual([])
      // Over is over: a later "提前结束" is no longer a command.
      expect(await say(firstResident, '提前结束')).toBeNull()
    })

    it('on the return day sends the summary and resolves the case', async () => {
      stack.clock.set(hz(29, 10))
      const who = await newResident()
      const row = await requestHomeWatch(who, [
        '长寿桥小区5幢101',
        '明天',
        '12月2日',
        '李强',
        '13800138000',
        '没有',
        '无',
      ])
      expect(row.answers).toMatchObject({ awayFrom: '2026-11-30', backOn: '2026-12-02' })
      stack.clock.set(new Date('2026-12-02T02:00:00Z'))
      const end = homeWatchTimerId(row.requestId, 'end', '2026-12-02')
      expect(await services().homeWatch.fire(end)).toEqual({ outcome: 'fired' })
      const c = await db()
        .selectFrom('cases')
        .select('status')
        .where('id', '=', row.caseId)
        .executeTakeFirstOrThrow()
      expect(c.status).toBe('resolved')
      expect((await outboundOf(row.caseId)).at(-1)?.text).toContain(
        '长假照看已结束（11月30日至12月2日）：民警共上门查看0次，一切正常。欢迎回家！',
      )
      expect((await timersOf(row.requestId)).filter((t) => t.state === 'scheduled')).toEqual([])
    })

    it('stops when the officer resolves the case by hand: the next timer cancels the rest', async () => {
      stack.clock.set(hz(30, 10))
      const who = await newResident()
      const row = await requestHomeWatch(who, [
        '长寿桥小区6幢601',
        '明天',
        '12月3日',
        '李强',
        '13800138000',
        '有',
        '无',
      ])
      const version = (
        await db()
          .selectFrom('cases')
          .select('version')
          .where('id', '=', row.caseId)
          .executeTakeFirstOrThrow()
      ).version
      expect(
        (
          await (
            await asLi()
          ).request('POST', `/api/cases/${row.caseId}/status`, { version, status: 'resolved' })
        ).status,
      ).toBe(200)
      stack.clock.set(new Date('2026-12-01T01:00:00Z'))
      const reminder = homeWatchTimerId(row.requestId, 'check-reminder', '2026-12-01')
      expect(await services().homeWatch.fire(reminder)).toEqual({ outcome: 'stopped' })
      const request = await db()
        .selectFrom('service_requests')
        .select('state')
        .where('id', '=', row.requestId)
        .executeTakeFirstOrThrow()
      expect(request.state).toBe('cancelled')
      expect((await timersOf(row.requestId)).filter((t) => t.state === 'scheduled')).toEqual([])
      // Only the notice of the new case: no reminder after it was resolved.
      expect((await noticesOf(row.caseId)).map((n) => n.text)).toEqual([expect.stringContaining('新案件')])
    })

    it('lets the officer end it early through the API', async () => {
      stack.clock.set(hz(29, 10))
      const who = await newResident('en')
      await say(who, 'home watch', 'en')
      for (const answer of [
        'Block 2, Changshouqiao',
        'tomorrow',
        'Dec 3',
        'Wang Fang',
        '13912345678',
        'yes',
        'none',
      ])
        await say(who, answer, 'en')
      await say(who, 'confirm', 'en')
      const row = await db()
        .selectFrom('service_requests')
        .select(['case_id'])
        .where('resident_id', '=', who.residentId)
        .executeTakeFirstOrThrow()
      stack.clock.set(hz(30, 15, 30))
      const check = await (await asLi()).request('POST', `/api/cases/${row.case_id}/home-watch/checks`, {})
      expect(check.status).toBe(201)
      expect((await outboundOf(row.case_id)).at(-1)?.text).toBe(
        'Officer Li checked your home at 15:30: all secure.',
      )
      const ended = await (await asLi()).request('POST', `/api/cases/${row.case_id}/home-watch/end`)
      expect(ended.status).toBe(200)
      expect(ended.body.homeWatch.state).toBe('ended')
      expect((await outboundOf(row.case_id)).at(-1)?.text).toContain(
        'Your holiday home watch (30 Nov to 30 Nov) has been ended early',
      )
      expect((await (await asLi()).request('POST', `/api/cases/${row.case_id}/home-watch/end`)).status).toBe(
        409,
      )
      expect(
        (await (await asLi()).request('POST', `/api/cases/${row.case_id}/home-watch/checks`, {})).status,
      ).toBe(409)
    })

    it('fills the web form: describes it, refuses bad answers per field, submits once per submission id', async () => {
      // Monday morning: Li is on duty.
      stack.clock.set(hz(30, 10))
      const who = await newResident()
      const auth = { authorization: `Bearer ${who.token}` }
      const list = await stack.app!.inject({ method: 'GET', url: '/chat/api/forms', headers: auth })
      expect(list.json().forms).toContainEqual({
        id: 'home-watch',
        title: { zh: '长假照看', en: 'holiday home watch' },
        available: true,
      })
      const described = await stack.app!.inject({
        method: 'GET',
        url: '/chat/api/forms/home-watch',
        headers: auth,
      })
      expect(described.statusCode).toBe(200)
      expect(described.json().form.fields.map((f: { key: string }) => f.key)).toEqual([
        'address',
        'awayFrom',
        'backOn',
        'contactName',
        'contactPhone',
        'keyHolderOrCamera',
        'notes',
      ])
      const answers = {
        address: '柳营巷12号',
        awayFrom: '2026-12-01',
        backOn: '2026-11-30',
        contactName: '王芳',
        contactPhone: '1391234567',
        keyHolderOrCamera: 'yes',
        notes: '',
      }
      const bad = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: auth,
        payload: { answers, submissionId: 'w1' },
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.code).toBe('INVALID_INPUT')
      expect(Object.keys(bad.json().error.fields).sort()).toEqual(['backOn', 'contactPhone'])
      expect(bad.json().error.fields.backOn).toContain('回来的日期要晚于出发日期')
      const english = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: auth,
        payload: { answers, submissionId: 'w1', language: 'en' },
      })
      expect(english.json().error.fields.contactPhone).toContain('A mobile number has 11 digits')
      const good = { ...answers, backOn: '2026-12-04', contactPhone: '13912345678' }
      const made = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: auth,
        payload: { answers: good, submissionId: 'w2' },
      })
      expect(made.statusCode).toBe(201)
      const again = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: auth,
        payload: { answers: good, submissionId: 'w2' },
      })
      expect(again.statusCode).toBe(200)
      expect(again.json().caseNumber).toBe(made.json().caseNumber)
      const cases = await db()
        .selectFrom('cases')
        .select(['number', 'assignee_officer_id'])
        .where('resident_id', '=', who.residentId)
        .execute()
      expect(cases).toEqual([{ number: made.json().caseNumber, assignee_officer_id: LI }])
      // Now bound to 柳营巷, the form offers that address next time.
      const bound = await stack.app!.inject({
        method: 'GET',
        url: '/chat/api/forms/home-watch',
        headers: auth,
      })
      expect(bound.json().form.fields[0].value).toBe('柳营巷')
      const unknown = await stack.app!.inject({
        method: 'GET',
        url: '/chat/api/forms/no-such-form',
        headers: auth,
      })
      expect(unknown.statusCode).toBe(404)
      const anonymous = await stack.app!.inject({ method: 'GET', url: '/chat/api/forms/home-watch' })
      expect(anonymous.statusCode).toBe(401)
    })

    it('never wrote an answer into the logs', () => {
      expect(logs.length).toBeGreaterThan(0)
      const all = logs.join('\n')
      for (const secret of ['13912345678', '139 1234 5678', '长寿桥小区3幢501', '阳台门锁坏了', '王芳'])
        expect(all).not.toContain(secret)
    })
  })
}
