import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { homeWatchTimerId } from '../../src/domain/forms/home-watch.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { signIn } from '../helpers/officer-session.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const HT = seedIds.station('HT')
const HD = seedIds.station('HD')
const AILI = seedIds.officer('880001')
/** A wall-clock time in Urumqi (UTC+6, no daylight saving) on a day of November 2026. */
const urumqi = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 6, mm))
/** The same in Hangzhou (UTC+8). */
const hangzhou = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))

/**
 * Home watch times are station settings: a station file's `homeWatch` moves
 * the officer's reminder, the escalation and the return-day summary to its own
 * wall-clock times, and a station without them keeps 09:00, 21:00 and 10:00.
 * No worker runs: the test fires the timers itself, so nothing fires behind its back.
 */
for (const engine of testEngines()) {
  describe(`home watch times per station (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `hwtimes-${engine.name}`,
        stationFiles: ['test/fixtures/home-watch-times-station.yaml'],
        roles: ['api'],
      })
      stack.clock.set(ON_DUTY)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db

    /** A resident of the station asks for a home watch on the web chat page's form. */
    async function requestHomeWatch(station: string, address: string, awayFrom: string, backOn: string) {
      const session = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { station, language: 'zh' },
      })
      expect(session.statusCode).toBe(201)
      const submitted = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: { authorization: `Bearer ${session.json().token}` },
        payload: {
          submissionId: `times-${station}`,
          answers: {
            address,
            awayFrom,
            backOn,
            contactName: '王芳',
            contactPhone: '13912345678',
            keyHolderOrCamera: 'no',
          },
        },
      })
      expect(submitted.statusCode, submitted.body).toBe(201)
      return db()
        .selectFrom('service_requests as sr')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .select(['sr.id as requestId', 'c.id as caseId', 'c.number', 'c.assignee_officer_id'])
        .where('c.number', '=', submitted.json().caseNumber)
        .executeTakeFirstOrThrow()
    }

    const timersOf = (requestId: string) =>
      db()
        .selectFrom('service_request_timers')
        .select(['id', 'kind', 'day', 'due_at'])
        .where('request_id', '=', requestId)
        .orderBy('due_at')
        .execute()
    const plan = (timers: Awaited<ReturnType<typeof timersOf>>) =>
      timers.map((t) => `${t.day} ${t.kind} ${t.due_at.toISOString()}`)

    it('loads each station’s times into the station rows and the directory', async () => {
      const rows = await db()
        .selectFrom('stations')
        .select(['id', 'home_watch_remind_minute', 'home_watch_escalate_minute', 'home_watch_summary_minute'])
        .where('id', 'in', [HT, HD])
        .orderBy('id')
        .execute()
      expect(rows).toEqual([
        {
          id: HD,
          home_watch_remind_minute: 540,
          home_watch_escalate_minute: 1260,
          home_watch_summary_minute: 600,
        },
        {
          id: HT,
          home_watch_remind_minute: 7 * 60 + 30,
          home_watch_escalate_minute: 18 * 60 + 45,
          home_watch_summary_minute: 12 * 60 + 15,
        },
      ])
      const dir = await stack.ctx.directory.get()
      expect(dir.stations.get(HT)?.homeWatch).toEqual({ remindMinute: 450, dueMinute: 1125, endMinute: 735 })
      expect(dir.stations.get(HD)?.homeWatch).toEqual({ remindMinute: 540, dueMinute: 1260, endMinute: 600 })
    })

    it('plans the reminders, escalations and summary at the station’s own local times', async () => {
      const ht = await requestHomeWatch('HT', '红山小区2幢301', '2026-11-26', '2026-11-28')
      expect(ht.assignee_officer_id).toBe(AILI)
      expect(plan(await timersOf(ht.requestId))).toEqual([
        `2026-11-26 check-reminder ${urumqi(26, 7, 30).toISOString()}`,
        `2026-11-26 check-missed ${urumqi(26, 18, 45).toISOString()}`,
        `2026-11-27 check-reminder ${urumqi(27, 7, 30).toISOString()}`,
        `2026-11-27 check-missed ${urumqi(27, 18, 45).toISOString()}`,
        `2026-11-28 end ${urumqi(28, 12, 15).toISOString()}`,
      ])
      // The jobs wait for the same instants.
      const job = await stack.ctx.queues
        .get(QueueNames.serviceTimers)
        .getJob(homeWatchTimerId(ht.requestId, 'check-reminder', '2026-11-27'))
      expect(job?.opts.delay).toBe(urumqi(27, 7, 30).getTime() - ON_DUTY.getTime())

      const hd = await requestHomeWatch('HD', '默认小区5幢101', '2026-11-26', '2026-11-27')
      expect(plan(await timersOf(hd.requestId))).toEqual([
        `2026-11-26 check-reminder ${hangzhou(26, 9).toISOString()}`,
        `2026-11-26 check-missed ${hangzhou(26, 21).toISOString()}`,
        `2026-11-27 end ${hangzhou(27, 10).toISOString()}`,
      ])
    })

    it('reminds the officer at the station’s time of its own deadline, and counts a day missed after it', async () => {
      const ht = await db()
        .selectFrom('service_requests as sr')
        .innerJoin('cases as c', 'c.id', 'sr.case_id')
        .select(['sr.id as requestId', 'c.id as caseId', 'c.number'])
        .where('c.station_id', '=', HT)
        .executeTakeFirstOrThrow()
      const homeWatch = stack.ctx.serviceRequests.homeWatch
      const reminder = homeWatchTimerId(ht.requestId, 'check-reminder', '2026-11-26')
      stack.clock.set(urumqi(26, 7, 29))
      expect(await homeWatch.fire(reminder)).toEqual({ outcome: 'early', retryInMs: 60_000 })
      stack.clock.set(urumqi(26, 7, 30))
      expect(await homeWatch.fire(reminder)).toEqual({ outcome: 'fired' })
      const notices = await db()
        .selectFrom('officer_notices')
        .select(['officer_id', 'text'])
        .where('case_id', '=', ht.caseId)
        .orderBy('created_at')
        .execute()
      const told = notices.filter((n) => n.text.includes('18:45'))
      expect(told).toHaveLength(1)
      expect(told[0]!.officer_id).toBe(AILI)
      expect(notices.some((n) => n.text.includes('21:00'))).toBe(false)

      const dayOf = async () => {
        const res = await (await signIn(stack.ctx, stack.app!, '880001')).request(
          'GET',
          `/api/cases/${ht.caseId}/home-watch`,
        )
        expect(res.status).toBe(200)
        return res.body.homeWatch.days.find((d: { date: string }) => d.date === '2026-11-26').status
      }
      stack.clock.set(urumqi(26, 18, 44))
      expect(await dayOf()).toBe('due')
      stack.clock.set(urumqi(26, 18, 46))
      expect(await dayOf()).toBe('missed')

      // The escalation fires at 18:45 Urumqi time, not at 21:00.
      const missed = homeWatchTimerId(ht.requestId, 'check-missed', '2026-11-26')
      expect(await homeWatch.fire(missed)).toEqual({ outcome: 'fired' })
      const escalated = await db()
        .selectFrom('cases')
        .select(['escalated', 'escalated_at'])
        .where('id', '=', ht.caseId)
        .executeTakeFirstOrThrow()
      expect(escalated.escalated).toBe(true)
      expect(escalated.escalated_at?.toISOString()).toBe(urumqi(26, 18, 46).toISOString())
    })
  })
}
