import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { insertReportCases, type ReportCase } from '../helpers/report-cases.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

/** Wednesday 25 November 2026, 10:00 in Hangzhou (UTC+8). */
const NOW = new Date('2026-11-25T02:00:00Z')
/** 20–24 November in Hangzhou: from 2026-11-19T16:00Z up to, not including, 2026-11-24T16:00Z. */
const PERIOD = 'from=2026-11-20&to=2026-11-24'

const LI = seedIds.officer('330104')
const WANG = seedIds.officer('330105')
const ZHANG = seedIds.officer('330106')
const CHEN = seedIds.officer('330107')
const CQ01 = seedIds.beat('CQ-01')
const CQ02 = seedIds.beat('CQ-02')
const CQ03 = seedIds.beat('CQ-03')

/**
 * Hand-counted cases. Li, CQ-01, opened in the period: first responses after
 * 60, 120 and 900 s and one never answered past its deadline, so median 120 s,
 * p90 120 + 0.8 × 780 = 744 s, 2 of 4 within the deadline.
 */
const CASES: Record<string, ReportCase> = {
  // Local midnight starting 20 November: inside.
  L1: {
    officer: LI,
    beat: CQ01,
    opened: '2026-11-19T16:00:00Z',
    respondedAfter: 60,
    dueAfter: 600,
    resolved: '2026-11-20T00:00:00Z',
    rating: { score: 5, at: '2026-11-20T01:00:00Z' },
  },
  L2: {
    officer: LI,
    beat: CQ01,
    opened: '2026-11-21T02:00:00Z',
    respondedAfter: 120,
    dueAfter: 600,
    rating: { score: 4, at: '2026-11-21T03:00:00Z' },
  },
  L3: {
    officer: LI,
    beat: CQ01,
    opened: '2026-11-22T02:00:00Z',
    respondedAfter: 900,
    dueAfter: 600,
    escalated: '2026-11-22T02:10:00Z',
    rating: { score: 2, at: '2026-11-22T05:00:00Z' },
  },
  // 23:59:59 on 24 November in Hangzhou: inside; never answered, deadline long past.
  L4: { officer: LI, beat: CQ01, opened: '2026-11-24T15:59:59Z', dueAfter: 600 },
  // Midnight starting 25 November in Hangzhou: outside.
  L5: { officer: LI, beat: CQ01, opened: '2026-11-24T16:00:00Z', respondedAfter: 30, dueAfter: 600 },
  // Opened 23:59:59 on 19 November (outside), resolved inside, rated before the period.
  L6: {
    officer: LI,
    beat: CQ01,
    opened: '2026-11-19T15:59:59Z',
    respondedAfter: 10,
    dueAfter: 600,
    resolved: '2026-11-20T03:00:00Z',
    rating: { score: 1, at: '2026-11-19T15:59:30Z' },
  },
  W1: { officer: WANG, beat: CQ02, opened: '2026-11-23T01:00:00Z', respondedAfter: 300, dueAfter: 600 },
  W2: { officer: WANG, beat: CQ02, opened: '2026-11-23T05:00:00Z', respondedAfter: 300, dueAfter: 600 },
  // Not answered, but due only after now: neither within nor missed yet.
  W3: { officer: WANG, beat: CQ02, opened: '2026-11-24T10:00:00Z', dueAfter: 70_000 },
  // Zhang covers Wang's beat as backup.
  Z1: {
    officer: ZHANG,
    beat: CQ02,
    opened: '2026-11-22T08:00:00Z',
    respondedAfter: 60,
    dueAfter: 600,
    resolved: '2026-11-22T09:00:00Z',
    rating: { score: 3, at: '2026-11-23T00:00:00Z' },
  },
  // The duty desk: no officer, no beat, no deadline.
  D1: {
    officer: null,
    beat: null,
    opened: '2026-11-21T00:00:00Z',
    respondedAfter: 600,
    escalated: '2026-11-21T00:05:00Z',
  },
  // Another station's case, in the same period: never in Changqing's report.
  F1: {
    station: 'FQ',
    officer: seedIds.officer('681001'),
    beat: null,
    opened: '2026-11-22T02:00:00Z',
    respondedAfter: 5,
    dueAfter: 600,
    escalated: '2026-11-22T02:01:00Z',
  },
}

for (const engine of testEngines()) {
  describe(`station reports (${engine.name})`, () => {
    let stack: TestStack
    let supervisor: OfficerClient // 330110
    let admin: OfficerClient // 330111
    let li: OfficerClient
    let fqSupervisor: OfficerClient

    const get = (client: OfficerClient, url: string) => client.request('GET', url)
    /** A GET that keeps the raw answer (CSV), in a session of the officer with this badge. */
    const raw = async (badge: string, url: string) => {
      const officer = await stack.ctx.database.db
        .selectFrom('officers')
        .select(['id', 'station_id', 'role'])
        .where('id', '=', seedIds.officer(badge))
        .executeTakeFirstOrThrow()
      const { id } = await stack.ctx.sessions.create({
        officerId: officer.id,
        stationId: officer.station_id,
        role: officer.role,
      })
      return stack.app!.inject({ method: 'GET', url, cookies: { mb_session: id } })
    }

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `reports-${engine.name}`,
        roles: ['api'],
        at: NOW,
      })
      stack.clock.set(NOW)
      const db = stack.ctx.database.db
      await insertReportCases(db, CASES)
      supervisor = await signIn(stack.ctx, stack.app!, '330110')
      admin = await signIn(stack.ctx, stack.app!, '330111')
      li = await signIn(stack.ctx, stack.app!, '330104')
      const fq = await db
        .selectFrom('officers')
        .select('badge')
        .where('station_id', '=', seedIds.station('FQ'))
        .where('role', '=', 'supervisor')
        .orderBy('badge')
        .executeTakeFirstOrThrow()
      fqSupervisor = await signIn(stack.ctx, stack.app!, fq.badge)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('counts per officer exactly as hand-counted, with the whole days of the station’s time zone', async () => {
      const res = await get(supervisor, `/api/reports?${PERIOD}&by=officer`)
      expect(res.status).toBe(200)
      expect(res.body.period).toEqual({
        from: '2026-11-20',
        to: '2026-11-24',
        start: '2026-11-19T16:00:00.000Z',
        end: '2026-11-24T16:00:00.000Z',
        days: 5,
      })
      expect(res.body.station).toMatchObject({ code: 'CQ', timeZone: 'Asia/Shanghai' })
      const row = (id: string | null) =>
        res.body.rows.find((r: { subject: { id: string | null } }) => r.subject.id === id)
      expect(row(LI)).toEqual({
        subject: { kind: 'officer', id: LI, code: '330104', name: '李明', nameEn: 'Li Ming' },
        opened: 4,
        resolved: 2,
        responded: 3,
        firstResponseMedianSeconds: 120,
        firstResponseP90Seconds: 744,
        deadlineCases: 4,
        withinDeadline: 2,
        withinDeadlineShare: 0.5,
        escalations: 1,
        ratings: 3,
        satisfactionAverage: 3.67,
      })
      expect(row(WANG)).toMatchObject({
        opened: 3,
        resolved: 0,
        responded: 2,
        firstResponseMedianSeconds: 300,
        firstResponseP90Seconds: 300,
        deadlineCases: 2,
        withinDeadline: 2,
        withinDeadlineShare: 1,
        escalations: 0,
        ratings: 0,
        satisfactionAverage: null,
      })
      expect(row(ZHANG)).toMatchObject({ opened: 1, resolved: 1, ratings: 1, satisfactionAverage: 3 })
      // An officer with nothing in the period still has a row, of zeros.
      expect(row(CHEN)).toMatchObject({
        opened: 0,
        resolved: 0,
        firstResponseMedianSeconds: null,
        withinDeadlineShare: null,
      })
      const desk = res.body.rows.at(-1)
      expect(desk).toMatchObject({
        subject: { kind: 'desk', id: null, name: '长庆派出所值班室' },
        opened: 1,
        responded: 1,
        firstResponseMedianSeconds: 600,
        deadlineCases: 0,
        withinDeadlineShare: null,
        escalations: 1,
      })
      // The total is computed over all cases, not averaged from the rows.
      expect(res.body.total).toEqual({
        opened: 9,
        resolved: 3,
        responded: 7,
        firstResponseMedianSeconds: 300,
        firstResponseP90Seconds: 720,
        deadlineCases: 7,
        withinDeadline: 5,
        withinDeadlineShare: 0.7143,
        escalations: 2,
        ratings: 4,
        satisfactionAverage: 3.5,
      })
      const badges = res.body.rows.map((r: { subject: { code: string | null } }) => r.subject.code)
      expect(badges).toEqual(['330104', '330105', '330106', '330107', '330108', '330109', null])
    })

    it('counts per beat, with cases outside every beat on their own row', async () => {
      const res = await get(supervisor, `/api/reports?${PERIOD}&by=beat`)
      expect(res.status).toBe(200)
      const row = (id: string | null) =>
        res.body.rows.find((r: { subject: { id: string | null } }) => r.subject.id === id)
      expect(row(CQ01)).toMatchObject({
        subject: { kind: 'beat', code: 'CQ-01', name: '长寿桥社区' },
        opened: 4,
        resolved: 2,
        firstResponseMedianSeconds: 120,
        firstResponseP90Seconds: 744,
        withinDeadlineShare: 0.5,
        escalations: 1,
        satisfactionAverage: 3.67,
      })
      // Wang's three and Zhang's one: responses after 60, 300 and 300 s.
      expect(row(CQ02)).toMatchObject({
        opened: 4,
        resolved: 1,
        responded: 3,
        firstResponseMedianSeconds: 300,
        firstResponseP90Seconds: 300,
        deadlineCases: 3,
        withinDeadline: 3,
        ratings: 1,
        satisfactionAverage: 3,
      })
      expect(row(CQ03)).toMatchObject({ opened: 0, escalations: 0, satisfactionAverage: null })
      expect(row(null)).toMatchObject({ subject: { kind: 'no-beat' }, opened: 1, escalations: 1 })
      expect(res.body.total.opened).toBe(9)
    })

    it('covers the last seven days, today included, without a period', async () => {
      const res = await get(supervisor, '/api/reports')
      expect(res.status).toBe(200)
      expect(res.body.by).toBe('officer')
      expect(res.body.period).toMatchObject({ from: '2026-11-19', to: '2026-11-25', days: 7 })
      // Now L5 (opened at midnight starting the 25th) and L6 (late on the 19th) count too.
      expect(res.body.total.opened).toBe(11)
    })

    it('gives another station only its own cases', async () => {
      const res = await get(fqSupervisor, `/api/reports?${PERIOD}`)
      expect(res.status).toBe(200)
      expect(res.body.station.code).toBe('FQ')
      expect(res.body.total).toMatchObject({ opened: 1, escalations: 1, firstResponseMedianSeconds: 5 })
      const ids = res.body.rows.map((r: { subject: { id: string | null } }) => r.subject.id)
      expect(ids).not.toContain(LI)
    })

    it('refuses officers and lets the station admin read it', async () => {
      const refused = await get(li, `/api/reports?${PERIOD}`)
      expect(refused.status).toBe(403)
      expect(refused.body.error.code).toBe('FORBIDDEN')
      expect((await raw('330104', `/api/reports.csv?${PERIOD}`)).statusCode).toBe(403)
      const none = await stack.app!.inject({ method: 'GET', url: '/api/reports' })
      expect(none.statusCode).toBe(401)
      expect((await get(admin, `/api/reports?${PERIOD}`)).body.total.opened).toBe(9)
    })

    it('answers 400 with the reason for a bad period', async () => {
      const cases: Array<[string, RegExp]> = [
        ['from=2026-11-24&to=2026-11-20', /from \(2026-11-24\) must not be after to \(2026-11-20\)/],
        ['from=2026-02-30&to=2026-03-02', /from: "2026-02-30" is not a date/],
        ['from=2025-01-01&to=2026-01-02', /spans 367 days; a report covers at most 366/],
        ['from=yesterday', /from: .*YYYY-MM-DD/],
        ['by=team', /by/],
      ]
      for (const [query, message] of cases) {
        const res = await get(supervisor, `/api/reports?${query}`)
        expect(res.status, query).toBe(400)
        expect(res.body.error.code, query).toBe('INVALID_INPUT')
        expect(res.body.error.message, query).toMatch(message)
      }
      // A whole year, leap day included, is allowed.
      expect((await get(supervisor, '/api/reports?from=2027-03-01&to=2028-02-29')).status).toBe(200)
      expect((await raw('330110', '/api/reports.csv?from=2026-11-24&to=2026-11-20')).statusCode).toBe(400)
    })

    it('downloads the report as CSV for Excel: BOM, Chinese headers, a file name with station and period', async () => {
      const res = await raw('330110', `/api/reports.csv?${PERIOD}&by=officer`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="report-CQ-officer-2026-11-20_2026-11-24.csv"',
      )
      const bytes = res.rawPayload
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const lines = bytes.subarray(3).toString('utf8').split('\r\n')
      expect(lines.at(-1)).toBe('')
      expect(lines[0]).toBe(
        '民警,警号,收案数,办结数,已首次响应,首次响应中位数（分钟）,首次响应P90（分钟）,期限内响应,计入期限的案件,期限内响应率（%）,升级数,评价数,满意度均分',
      )
      // 120 s = 2 min, 744 s = 12.4 min, 2 of 4 = 50 %.
      expect(lines).toContain('李明,330104,4,2,3,2,12.4,2,4,50,1,3,3.67')
      expect(lines).toContain('陈静,330107,0,0,0,,,0,0,,0,0,')
      expect(lines).toContain('长庆派出所值班室,,1,0,1,10,10,0,0,,1,0,')
      expect(lines[8]).toBe('合计,,9,3,7,5,12,5,7,71.4,2,4,3.5')
      // Then the mediation table: a blank line, its title, header and total (Changqing has none).
      expect(lines).toHaveLength(1 + 7 + 1 + 4 + 1)
    })

    it('writes the CSV in English on request, per beat', async () => {
      const res = await raw('330110', `/api/reports.csv?${PERIOD}&by=beat&lang=en`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-disposition']).toContain('report-CQ-beat-2026-11-20_2026-11-24.csv')
      const lines = res.body.replace(/^\uFEFF/, '').split('\r\n')
      expect(lines[0]).toMatch(/^Beat,Code,Opened,Resolved,Responded,First response median \(min\),/)
      expect(lines).toContain('Changshouqiao community,CQ-01,4,2,3,2,12.4,2,4,50,1,3,3.67')
      expect(lines).toContain('No beat,,1,0,1,10,10,0,0,,1,0,')
      expect(lines).toContainEqual(expect.stringMatching(/^Total,,9,/))
    })

    it('notes who read which report in the audit log', async () => {
      const rows = await stack.ctx.database.db
        .selectFrom('audit_events')
        .select(['actor', 'subject_id', 'station_id'])
        .where('action', '=', 'report.viewed')
        .where('actor', '=', seedIds.officer('330110'))
        .execute()
      expect(rows).toContainEqual({
        actor: seedIds.officer('330110'),
        subject_id: 'officer:2026-11-20:2026-11-24',
        station_id: seedIds.station('CQ'),
      })
    })
  })
}
