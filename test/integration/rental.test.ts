import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectionTimerId, leaseTimerId } from '../../src/domain/forms/rental.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { RETENTION_PATTERN, RETENTION_SCHEDULER } from '../../workers/retention.worker.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, openSession, signIn } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'
import { type WechatResident, wechatResident } from '../helpers/wechat-resident.ts'

const LI = seedIds.officer('330104')
const CASE_NUMBER = /CQ-2026-\d{6}/
const TZ = 'Asia/Shanghai'

/** Valid mainland ID numbers (check characters computed), one with a wrong check character, a passport. */
const ID = '330102199001011234'
const ID_BAD = '330102199001011235'
const ID_X = '11010519491231002X'
const PASSPORT = 'E98765432'
const SECRETS = [ID, ID_BAD, ID_X, PASSPORT]

/** Whether the inbound path keeps a form's `storedText` (the masked answer) instead of the message. */
const inboundKeepsMaskedAnswers = readFileSync('src/app/plan-message.ts', 'utf8').includes('storedText')

/**
 * Rental registration end to end with every role running: a landlord fills
 * the form in by WeChat (the mock puppet) or on the web chat page, officers
 * review it, plan an inspection and hear of the tenancy, and the tenant's ID
 * number stays sealed, masked and out of logs, Redis and job payloads.
 */
for (const engine of testEngines()) {
  describe(`rental registration (${engine.name})`, () => {
    let stack: TestStack
    const logs: string[] = []
    const reg = { caseId: '', requestId: '' }
    let li: OfficerClient
    let heard: string[] = []
    let landlord: WechatResident

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `rental-${engine.name}`,
        env: { LOG_LEVEL: 'trace' },
        logDestination: { write: (line) => void logs.push(line) },
      })
      stack.clock.set(ON_DUTY)
      li = await signIn(stack.ctx, stack.app!, '330104')
      landlord = wechatResident(stack, '房东周先生')
      heard = landlord.heard
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const rental = () => stack.ctx.serviceRequests.rental
    const ask = (text: string, expected: string | RegExp) => landlord.ask(text, expected)
    const hear = (expected: string, since: number) =>
      waitFor(() => heard.slice(since).find((t) => t.includes(expected)), `a message with "${expected}"`)
    const request = () =>
      db()
        .selectFrom('service_requests')
        .selectAll()
        .where('id', '=', reg.requestId)
        .executeTakeFirstOrThrow()
    const caseRow = () =>
      db().selectFrom('cases').selectAll().where('id', '=', reg.caseId).executeTakeFirstOrThrow()
    const timer = (id: string) =>
      db().selectFrom('service_request_timers').selectAll().where('id', '=', id).executeTakeFirst()
    const fireAt = async (at: Date, id: string) => {
      stack.clock.set(at)
      return rental().fire(id)
    }
    /** Sessions run on the service's clock: after a jump ahead, the officer signs in again. */
    const liNow = () => signIn(stack.ctx, stack.app!, '330104')

    it('a landlord registers a tenant by WeChat: bad answers are re-asked, the case goes to the flat’s officer', async () => {
      await ask('出租登记', '（1/9）')
      await ask('火星小区', '没有找到“火星小区”')
      await ask('长寿桥', '（2/9）')
      await ask('3幢', '（3/9）')
      await ask('2单元501', '（4/9）')
      await ask('张伟', '（5/9）')
      await ask('1391234567', '手机号应为11位数字')
      await ask('13912345678', '（6/9）')
      await ask('11月20日', '（7/9）')
      await ask('11月1日', '租约到期日要晚于入住日期')
      await ask('2027年11月19日', '（8/9）')
      await ask(ID_BAD, '最后一位（校验位）对不上')
      const summary = await ask(ID, '请核对您的「出租登记」')
      expect(summary).toContain('8 证件号码：3301**********1234')
      expect(summary).not.toContain(ID)
      const confirmed = await ask('确认', CASE_NUMBER)
      expect(confirmed).toContain('李明警官（长寿桥社区）')
      expect(confirmed).toContain('长寿桥小区 3幢 2单元501')

      const row = await db()
        .selectFrom('cases')
        .innerJoin('service_requests as sr', 'sr.case_id', 'cases.id')
        .select([
          'cases.id',
          'cases.category',
          'cases.assignee_officer_id',
          'cases.resident_id',
          'sr.id as request_id',
          'sr.answers',
        ])
        .where('cases.number', '=', CASE_NUMBER.exec(confirmed)![0])
        .executeTakeFirstOrThrow()
      Object.assign(reg, { caseId: row.id, requestId: row.request_id })
      expect(row).toMatchObject({ category: 'rental_registration', assignee_officer_id: LI })
      const answers = row.answers as { tenantId: { kind: string; masked: string; sealed: string } }
      expect(answers.tenantId).toMatchObject({ kind: 'mainland', masked: '3301**********1234' })
      expect(answers.tenantId.sealed).toMatch(/^v1\./)
      expect(JSON.stringify(row.answers)).not.toContain(ID)
      // The flat's compound routes the case; the landlord is not taken to live there.
      const landlordRow = await db()
        .selectFrom('residents')
        .select('compound_id')
        .where('id', '=', row.resident_id)
        .executeTakeFirstOrThrow()
      expect(landlordRow.compound_id).toBeNull()
      // Lease question and end are planned from the start.
      expect((await timer(leaseTimerId(reg.requestId, 'lease-ask', '2027-11-19')))?.state).toBe('scheduled')
    })

    it('officers read it masked; the number only on request, audited; another station gets 404', async () => {
      const view = await li.request('GET', `/api/cases/${reg.caseId}/rental`)
      expect(view.status).toBe(200)
      expect(view.body.rental.tenant.document).toEqual({
        kind: 'mainland',
        masked: '3301**********1234',
        purged: false,
      })
      expect(JSON.stringify(view.body)).not.toContain(ID)

      const revealed = await li.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)
      expect(revealed).toMatchObject({ status: 200, body: { document: { kind: 'mainland', number: ID } } })
      const audit = await db()
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'personal_data.revealed')
        .where('subject_id', '=', reg.requestId)
        .execute()
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({ actor: LI, station_id: seedIds.station('CQ') })
      expect(audit[0]?.at).toBeInstanceOf(Date)
      expect(JSON.stringify(audit[0]?.detail)).not.toContain(ID)

      const fengqiao = await signIn(stack.ctx, stack.app!, '681001')
      expect((await fengqiao.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)).status).toBe(404)
      expect((await fengqiao.request('GET', `/api/cases/${reg.caseId}/rental`)).status).toBe(404)
      const otherBeat = await signIn(stack.ctx, stack.app!, '330107')
      expect((await otherBeat.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)).status).toBe(403)
      const { cookie } = await openSession(stack.ctx, stack.app!, '330104')
      const noCsrf = await stack.app!.inject({
        method: 'POST',
        url: `/api/cases/${reg.caseId}/rental/reveal`,
        cookies: { mb_session: cookie },
      })
      expect(noCsrf.statusCode).toBe(403)
      expect(noCsrf.json().error.code).toBe('CSRF')
      const signedOut = await stack.app!.inject({
        method: 'POST',
        url: `/api/cases/${reg.caseId}/rental/reveal`,
      })
      expect(signedOut.statusCode).toBe(401)
      const supervisor = await signIn(stack.ctx, stack.app!, '330110')
      expect((await supervisor.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)).status).toBe(200)
      // Refused reveals leave no trace of a reveal; the two granted ones do.
      expect(
        await db()
          .selectFrom('audit_events')
          .select('actor')
          .where('action', '=', 'personal_data.revealed')
          .where('subject_id', '=', reg.requestId)
          .execute(),
      ).toHaveLength(2)
    })

    it('a correction reopens the form at the field named; the corrected registration goes back to the officer', async () => {
      const before = heard.length
      const asked = await li.request('POST', `/api/cases/${reg.caseId}/rental/review`, {
        decision: 'needs-correction',
        reason: `身份证号${ID}与租客证件不符`,
        fields: ['idNumber'],
      })
      expect(asked.status).toBe(200)
      expect(asked.body.rental.review).toMatchObject({ state: 'needs-correction', fields: ['idNumber'] })
      const told = await hear('需要修改', before)
      expect(told).toContain('身份证号3301**********1234与租客证件不符')
      expect(told).toContain('请修改：证件号码。')
      expect(told).toContain('（8/9）')
      expect(told).not.toContain(ID)
      expect((await caseRow()).status).toBe('awaiting_resident')

      const summary = await ask(ID_X, '请核对您的「出租登记」')
      expect(summary).toContain('8 证件号码：1101**********002X')
      expect(summary).toContain('1 小区：长寿桥小区')
      await ask('确认', '已收到您修改后的出租登记')
      await waitFor(async () => (await caseRow()).status === 'in_progress', 'the case back with the officer')
      const answers = (await request()).answers as { tenantId: { masked: string } }
      expect(answers.tenantId.masked).toBe('1101**********002X')
      const view = await li.request('GET', `/api/cases/${reg.caseId}/rental`)
      expect(view.body.rental.review.state).toBe('submitted')
      const notices = await db()
        .selectFrom('officer_notices')
        .select('text')
        .where('case_id', '=', reg.caseId)
        .execute()
      expect(notices.map((n) => n.text).join('\n')).toContain('房东已按要求修改')
      expect((await li.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)).body.document.number).toBe(
        ID_X,
      )
    })

    it('verified: the landlord is told and the case resolves; a second verdict is refused', async () => {
      const before = heard.length
      const verified = await li.request('POST', `/api/cases/${reg.caseId}/rental/review`, {
        decision: 'verified',
      })
      expect(verified.status).toBe(200)
      expect(await hear('已核验通过', before)).toContain('租约到期前7天')
      expect((await caseRow()).status).toBe('resolved')
      const again = await li.request('POST', `/api/cases/${reg.caseId}/rental/review`, {
        decision: 'verified',
      })
      expect(again.status).toBe(409)
      const bad = await li.request('POST', `/api/cases/${reg.caseId}/rental/review`, {
        decision: 'needs-correction',
        fields: ['nope'],
        reason: 'x',
      })
      expect(bad.status).toBe(400)
    })

    it('an inspection visit: the landlord is told now and reminded the day before, once; moving it cancels the old reminder', async () => {
      const past = await li.request('POST', `/api/cases/${reg.caseId}/rental/inspection`, {
        at: '2026-11-20T14:00',
      })
      expect(past.status).toBe(400)
      expect(past.body.error.message).toContain('future')
      const before = heard.length
      expect(
        (await li.request('POST', `/api/cases/${reg.caseId}/rental/inspection`, { at: '2026-11-28T14:00' }))
          .status,
      ).toBe(200)
      expect(await hear('安全检查', before)).toContain('11月28日（周六） 14:00')
      const first = inspectionTimerId(reg.requestId, new Date('2026-11-28T06:00:00Z'), TZ)
      expect(await timer(first)).toMatchObject({
        state: 'scheduled',
        due_at: new Date('2026-11-27T02:00:00Z'),
      })

      const moved = await li.request('POST', `/api/cases/${reg.caseId}/rental/inspection`, {
        at: '2026-11-30T09:30',
      })
      expect(moved.body.rental.inspection.at).toBe('2026-11-30T01:30:00.000Z')
      const second = inspectionTimerId(reg.requestId, new Date('2026-11-30T01:30:00Z'), TZ)
      expect((await timer(first))?.state).toBe('cancelled')
      expect(await fireAt(new Date('2026-11-27T02:00:00Z'), first)).toEqual({ outcome: 'cancelled' })

      const reminded = heard.length
      expect(await fireAt(new Date('2026-11-29T02:00:01Z'), second)).toEqual({ outcome: 'fired' })
      expect(await hear('提醒：社区民警将于', reminded)).toContain('11月30日（周一） 09:30')
      expect(await rental().fire(second)).toEqual({ outcome: 'already-fired' })
      // The job again (a sweep, a redelivery) finds the timer fired and reminds no one.
      const queue = stack.ctx.queues.get(QueueNames.serviceTimers)
      // The delayed job of the reminder, run now, finds it fired and reminds no one.
      await (await queue.getJob(second))?.promote()
      await waitFor(async () => (await queue.getJob(second)) === undefined, 'the delayed job to run')
      await queue.add('inspection-reminder', { timerId: second }, { jobId: second, removeOnComplete: true })
      await waitFor(async () => (await queue.getJob(second)) === undefined, 'the repeated job to finish')
      const reminders = await db()
        .selectFrom('messages')
        .select('id')
        .where('case_id', '=', reg.caseId)
        .where('text', 'like', '提醒：社区民警将于%')
        .execute()
      expect(reminders).toHaveLength(1)
    })

    it('before the lease ends the landlord is asked; “续租到…” moves the lease, “已搬走” ends it and its timers', async () => {
      const ask1 = leaseTimerId(reg.requestId, 'lease-ask', '2027-11-19')
      const asked = heard.length
      expect(await fireAt(new Date('2027-11-12T02:00:00Z'), ask1)).toEqual({ outcome: 'fired' })
      expect(await hear('租约将于', asked)).toContain('租客张伟')
      await ask('续租', '续租到哪天')
      await ask('续租到2027年11月1日', '要晚于原来的到期日')
      await ask('续租到2028年11月19日', '已记录：长寿桥小区 3幢 2单元501的租客续租到')
      await waitFor(
        async () => ((await request()).answers as { leaseEnd: string }).leaseEnd === '2028-11-19',
        'the new lease end',
      )
      expect((await timer(leaseTimerId(reg.requestId, 'lease-end', '2027-11-19')))?.state).toBe('cancelled')
      expect((await timer(leaseTimerId(reg.requestId, 'lease-ask', '2028-11-19')))?.state).toBe('scheduled')

      const ask2 = leaseTimerId(reg.requestId, 'lease-ask', '2028-11-19')
      const asked2 = heard.length
      expect(await fireAt(new Date('2028-11-12T02:00:00Z'), ask2)).toEqual({ outcome: 'fired' })
      await hear('租约将于', asked2)
      await ask('已搬走', '租客已搬走')
      await waitFor(async () => (await request()).state === 'ended', 'the registration to end')
      expect((await request()).end_reason).toBe('tenant moved out')
      const end2 = leaseTimerId(reg.requestId, 'lease-end', '2028-11-19')
      expect((await timer(end2))?.state).toBe('cancelled')
      expect(await fireAt(new Date('2028-11-20T02:00:00Z'), end2)).toEqual({ outcome: 'cancelled' })
      const notices = await db()
        .selectFrom('officer_notices')
        .select('text')
        .where('case_id', '=', reg.caseId)
        .execute()
      expect(notices.map((n) => n.text).join('\n')).toContain('房东告知租客已搬走')
      const tenancy = await (await liNow()).request('GET', `/api/cases/${reg.caseId}/rental`)
      expect(tenancy.body.rental.tenancy).toMatchObject({
        answer: 'moved-out',
        forLeaseEnd: '2028-11-19',
        by: 'landlord',
      })
    })

    it('the web chat form registers a passport holder; a bad number comes back for its field', async () => {
      stack.clock.set(ON_DUTY)
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { language: 'en' },
      })
      const token = session.json().token as string
      const auth = { authorization: `Bearer ${token}` }
      const forms = await stack.app!.inject({ method: 'GET', url: '/chat/api/forms', headers: auth })
      expect(forms.json().forms).toContainEqual(
        expect.objectContaining({ id: 'rental-registration', available: true }),
      )
      const answers = {
        compound: '长寿桥小区',
        building: '5幢',
        unit: '1单元302',
        tenantName: 'John Smith',
        phone: '13812345678',
        moveIn: '2026-11-24',
        leaseEnd: '2027-05-31',
        idNumber: 'E1',
        nationality: '',
      }
      const bad = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/rental-registration',
        headers: auth,
        payload: { answers, submissionId: 'web-rental-1' },
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.fields.idNumber).toContain('passport number is 5 to 20 letters')
      const noNationality = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/rental-registration',
        headers: auth,
        payload: { answers: { ...answers, idNumber: `passport ${PASSPORT}` }, submissionId: 'web-rental-1' },
      })
      expect(Object.keys(noNationality.json().error.fields)).toEqual(['nationality'])
      const made = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/rental-registration',
        headers: auth,
        payload: {
          answers: { ...answers, idNumber: PASSPORT, nationality: 'United Kingdom' },
          submissionId: 'web-rental-1',
        },
      })
      expect(made.statusCode).toBe(201)
      const row = await db()
        .selectFrom('service_requests')
        .select(['answers', 'case_id'])
        .where('id', '=', made.json().requestId)
        .executeTakeFirstOrThrow()
      expect(row.answers).toMatchObject({
        tenantId: { kind: 'passport', masked: 'E9*****32' },
        nationality: 'United Kingdom',
      })
      const thread = await stack.app!.inject({ method: 'GET', url: '/chat/api/messages', headers: auth })
      expect(JSON.stringify(thread.json())).toContain('We have your rental registration')
      const view = await (await liNow()).request('GET', `/api/cases/${row.case_id}/rental`)
      expect(view.body.rental.fields.map((f: { key: string }) => f.key)).toContain('nationality')
    })

    it('closed requests lose their ID number after the retention period, through the daily job', async () => {
      const queue = stack.ctx.queues.get(QueueNames.retention)
      const schedulers = await queue.getJobSchedulers(0, -1, true)
      expect(schedulers).toContainEqual(
        expect.objectContaining({
          key: RETENTION_SCHEDULER,
          pattern: RETENTION_PATTERN,
          tz: 'Asia/Shanghai',
        }),
      )
      const ended = (await request()).ended_at!
      // Within the period nothing goes; after it, the ended registration's number does, the running one's stays.
      stack.clock.set(new Date(ended.getTime() + 89 * 86_400_000))
      await queue.add('purge', {}, { jobId: 'purge-early', removeOnComplete: false })
      await waitFor(async () => (await queue.getJob('purge-early'))?.finishedOn, 'the early purge')
      expect(
        ((await request()).answers as { tenantId: { sealed: string | null } }).tenantId.sealed,
      ).not.toBeNull()

      stack.clock.set(new Date(ended.getTime() + 91 * 86_400_000))
      await queue.add('purge', {}, { jobId: 'purge-due', removeOnComplete: false })
      await waitFor(async () => (await queue.getJob('purge-due'))?.finishedOn, 'the purge')
      const answers = (await request()).answers as { tenantId: { masked: string; sealed: string | null } }
      expect(answers.tenantId).toEqual({ kind: 'mainland', masked: '1101**********002X', sealed: null })
      const purged = await db()
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'personal_data.purged')
        .where('subject_id', '=', reg.requestId)
        .execute()
      expect(purged).toHaveLength(1)
      expect(purged[0]?.actor).toBe('system')
      const running = await db()
        .selectFrom('service_requests')
        .select('answers')
        .where('kind', '=', 'rental-registration')
        .where('state', '=', 'active')
        .execute()
      expect(running.length).toBeGreaterThan(0)
      for (const r of running)
        expect((r.answers as { tenantId: { sealed: string | null } }).tenantId.sealed).not.toBeNull()
      const officer = await liNow()
      const reveal = await officer.request('POST', `/api/cases/${reg.caseId}/rental/reveal`)
      expect(reveal.status).toBe(409)
      expect(reveal.body.error.message).toContain('retention period')
      expect(
        (await officer.request('GET', `/api/cases/${reg.caseId}/rental`)).body.rental.tenant.document.purged,
      ).toBe(true)
    })

    it('the ID numbers were never in the logs, Redis, job payloads, notices or the audit trail', async () => {
      expect(logs.length).toBeGreaterThan(50)
      const logText = logs.join('')
      for (const secret of SECRETS) expect(logText).not.toContain(secret)

      const redis = new Redis(TEST_REDIS_URL)
      try {
        const prefix = stack.ctx.config.QUEUE_PREFIX
        let cursor = '0'
        let keys = 0
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
          cursor = next
          for (const key of found) {
            keys += 1
            const type = await redis.type(key)
            const value =
              type === 'string'
                ? await redis.get(key)
                : type === 'hash'
                  ? JSON.stringify(await redis.hgetall(key))
                  : type === 'list'
                    ? JSON.stringify(await redis.lrange(key, 0, -1))
                    : type === 'set'
                      ? JSON.stringify(await redis.smembers(key))
                      : type === 'zset'
                        ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                        : type === 'stream'
                          ? JSON.stringify(await redis.xrange(key, '-', '+'))
                          : ''
            for (const secret of SECRETS) expect(value ?? '', key).not.toContain(secret)
          }
        } while (cursor !== '0')
        expect(keys).toBeGreaterThan(0)
      } finally {
        redis.disconnect()
      }

      const tables = [
        'service_requests',
        'audit_events',
        'officer_notices',
        'rental_registrations',
        'service_request_timers',
        'inbound_events',
      ]
      if (inboundKeepsMaskedAnswers) tables.push('messages')
      for (const table of tables) {
        const rows = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table)} t`.execute(
          db(),
        )
        for (const secret of SECRETS)
          expect(rows.rows.map((r) => r.row).join('\n'), table).not.toContain(secret)
      }
      // Whatever the inbound path keeps of the resident's own message, the officers' lines and replies are masked.
      const ours = await db()
        .selectFrom('messages')
        .select('text')
        .where('direction', 'in', ['outbound', 'system'])
        .execute()
      for (const secret of SECRETS) expect(ours.map((m) => m.text).join('\n')).not.toContain(secret)
    })
  })
}
