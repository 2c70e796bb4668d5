import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { insertReportCases, type ReportCase } from '../helpers/report-cases.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

/** Wednesday 25 November 2026, 10:00 in Hangzhou (UTC+8). */
const NOW = new Date('2026-11-25T02:00:00Z')
/** 20–24 November in Hangzhou: from 2026-11-19T16:00Z up to, not including, 2026-11-24T16:00Z. */
const PERIOD = 'from=2026-11-20&to=2026-11-24'

const HE = seedIds.officer('681001')
const JIANG = seedIds.officer('681011')
const SI = seedIds.officer('681012')
const CHEN = seedIds.officer('681013')

interface MediationCase {
  station?: 'FQ' | 'CQ'
  /** An officer id, 'team', or null for nobody named. */
  mediator: string | 'team' | null
  opened: string
  concluded?: { at: string; result: 'settled' } | { at: string; result: 'not_settled'; next: string }
  followUpAt?: string
}

/**
 * Hand-counted mediations of Fengqiao. Jiang: J1, J3, J4 opened in the period;
 * J1, J2 settled and J3 not (to the committee) concluded in it, so 2 of 3;
 * J1's follow-up visit in it. Si: S1 opened in it but settled at the midnight
 * after; S2 opened before, concluded in it unsettled (to court): 0 of 1.
 */
const MEDIATIONS: Record<string, MediationCase> = {
  J1: {
    mediator: JIANG,
    opened: '2026-11-20T01:00:00Z',
    concluded: { at: '2026-11-21T02:00:00Z', result: 'settled' },
    followUpAt: '2026-11-23T03:00:00Z',
  },
  // 23:59:59 on 19 November in Hangzhou: opened outside, concluded inside; its follow-up is after.
  J2: {
    mediator: JIANG,
    opened: '2026-11-19T15:59:59Z',
    concluded: { at: '2026-11-22T02:00:00Z', result: 'settled' },
    followUpAt: '2026-11-25T01:00:00Z',
  },
  J3: {
    mediator: JIANG,
    opened: '2026-11-21T02:00:00Z',
    concluded: { at: '2026-11-22T06:00:00Z', result: 'not_settled', next: 'committee' },
  },
  // The last second of 24 November in Hangzhou: inside, still running.
  J4: { mediator: JIANG, opened: '2026-11-24T15:59:59Z' },
  // Settled at midnight starting 25 November in Hangzhou: outside.
  S1: {
    mediator: SI,
    opened: '2026-11-22T02:00:00Z',
    concluded: { at: '2026-11-24T16:00:00Z', result: 'settled' },
  },
  S2: {
    mediator: SI,
    opened: '2026-11-10T02:00:00Z',
    concluded: { at: '2026-11-20T00:00:00Z', result: 'not_settled', next: 'court' },
  },
  T1: {
    mediator: 'team',
    opened: '2026-11-21T03:00:00Z',
    concluded: { at: '2026-11-23T03:00:00Z', result: 'settled' },
  },
  T2: { mediator: 'team', opened: '2026-11-22T03:00:00Z' },
  // A community officer, not of the team, who mediated one himself.
  H1: {
    mediator: HE,
    opened: '2026-11-23T01:00:00Z',
    concluded: { at: '2026-11-23T08:00:00Z', result: 'not_settled', next: 'police' },
  },
  N1: { mediator: null, opened: '2026-11-20T05:00:00Z' },
  // Changqing's, in the same period: never in Fengqiao's report.
  C1: {
    station: 'CQ',
    mediator: seedIds.officer('330104'),
    opened: '2026-11-21T02:00:00Z',
    concluded: { at: '2026-11-21T05:00:00Z', result: 'settled' },
  },
}

/** Each mediation with a case and a service request of its own, written straight in with the given times. */
async function insertMediations(db: Database, mediations: Record<string, MediationCase>) {
  const cases: Record<string, ReportCase> = {}
  for (const [name, m] of Object.entries(mediations))
    cases[`M${name}`] = { station: m.station ?? 'FQ', officer: null, beat: null, opened: m.opened }
  await insertReportCases(db, cases)
  for (const [name, m] of Object.entries(mediations)) {
    const caseId = `cs-report-M${name}`
    const requestId = `sr-report-${name}`
    const stationId = seedIds.station(m.station ?? 'FQ')
    await db
      .insertInto('service_requests')
      .values({
        id: requestId,
        kind: 'mediation',
        station_id: stationId,
        resident_id: `rs-report-M${name}`,
        case_id: caseId,
        answers: JSON.stringify({}),
        submission_id: `report-${name}`,
        updated_at: new Date(m.opened),
      })
      .execute()
    const c = m.concluded
    await db
      .insertInto('mediations')
      .values({
        request_id: requestId,
        station_id: stationId,
        case_id: caseId,
        subject: '纠纷',
        source: 'officer',
        mediator_officer_id: m.mediator === 'team' ? null : m.mediator,
        mediator_team: m.mediator === 'team' ? 'mediation' : null,
        state: c ? c.result : 'open',
        opened_at: new Date(m.opened),
        concluded_at: c ? new Date(c.at) : null,
        agreement_terms: c?.result === 'settled' ? '协议' : null,
        next_step: c?.result === 'not_settled' ? c.next : null,
        follow_up_at: m.followUpAt ? new Date(m.followUpAt) : null,
        follow_up_result: m.followUpAt ? 'kept' : null,
        updated_at: new Date(m.opened),
      })
      .execute()
  }
}

for (const engine of testEngines()) {
  describe(`mediation in station reports (${engine.name})`, () => {
    let stack: TestStack
    let supervisor: OfficerClient
    const csv = async (query: string) => {
      const { id } = await stack.ctx.sessions.create({
        officerId: seedIds.officer('681020'),
        stationId: seedIds.station('FQ'),
        role: 'supervisor',
      })
      const res = await stack.app!.inject({
        method: 'GET',
        url: `/api/reports.csv?${query}`,
        cookies: { mb_session: id },
      })
      expect(res.statusCode).toBe(200)
      return res.body.replace(/^\uFEFF/, '').split('\r\n')
    }

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `medreport-${engine.name}`,
        roles: ['api'],
        at: NOW,
      })
      stack.clock.set(NOW)
      await insertMediations(stack.ctx.database.db, MEDIATIONS)
      supervisor = await signIn(stack.ctx, stack.app!, '681020')
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('counts mediations opened, concluded and settled per mediator, and the settlement rate, as hand-counted', async () => {
      const res = await supervisor.request('GET', `/api/reports?${PERIOD}`)
      expect(res.status).toBe(200)
      const { rows, total } = res.body.mediation
      const row = (kind: string, id: string | null) =>
        rows.find(
          (r: { mediator: { kind: string; id: string | null } }) =>
            r.mediator.kind === kind && r.mediator.id === id,
        )
      expect(row('officer', JIANG)).toEqual({
        mediator: { kind: 'officer', id: JIANG, code: '681011', name: '蒋文斌', nameEn: 'Jiang Wenbin' },
        opened: 3,
        concluded: 3,
        settled: 2,
        notSettled: 1,
        referredCommittee: 1,
        referredCourt: 0,
        referredPolice: 0,
        settlementRate: 0.6667,
        followUps: 1,
      })
      expect(row('officer', SI)).toMatchObject({
        opened: 1,
        concluded: 1,
        settled: 0,
        notSettled: 1,
        referredCourt: 1,
        settlementRate: 0,
        followUps: 0,
      })
      // A member of the team with nothing in the period still has a row, of zeros.
      expect(row('officer', CHEN)).toMatchObject({ opened: 0, concluded: 0, settlementRate: null })
      expect(row('officer', HE)).toMatchObject({
        opened: 1,
        concluded: 1,
        referredPolice: 1,
        settlementRate: 0,
      })
      expect(row('team', null)).toMatchObject({ opened: 2, concluded: 1, settled: 1, settlementRate: 1 })
      expect(row('none', null)).toMatchObject({ opened: 1, concluded: 0, settled: 0, settlementRate: null })
      expect(
        rows.map(
          (r: { mediator: { kind: string; code: string | null } }) => r.mediator.code ?? r.mediator.kind,
        ),
      ).toEqual(['681001', '681011', '681012', '681013', 'team', 'none'])
      // The station's own count: 3 of the 6 concluded in the period were settled.
      expect(total).toEqual({
        opened: 8,
        concluded: 6,
        settled: 3,
        notSettled: 3,
        referredCommittee: 1,
        referredCourt: 1,
        referredPolice: 1,
        settlementRate: 0.5,
        followUps: 1,
      })
      // The same section whatever the main table is grouped by.
      const byBeat = await supervisor.request('GET', `/api/reports?${PERIOD}&by=beat`)
      expect(byBeat.body.mediation).toEqual(res.body.mediation)
    })

    it('moves with the period: the last seven days count J2’s follow-up and S1’s settlement', async () => {
      const res = await supervisor.request('GET', '/api/reports')
      expect(res.body.period).toMatchObject({ from: '2026-11-19', to: '2026-11-25' })
      expect(res.body.mediation.total).toMatchObject({
        opened: 9,
        concluded: 7,
        settled: 4,
        settlementRate: 0.5714,
        followUps: 2,
      })
    })

    it('gives Changqing only its own mediation, and no team row where there is no team', async () => {
      const li = await signIn(stack.ctx, stack.app!, '330110')
      const res = await li.request('GET', `/api/reports?${PERIOD}`)
      expect(res.body.mediation).toEqual({
        rows: [
          {
            mediator: {
              kind: 'officer',
              id: seedIds.officer('330104'),
              code: '330104',
              name: '李明',
              nameEn: 'Li Ming',
            },
            opened: 1,
            concluded: 1,
            settled: 1,
            notSettled: 0,
            referredCommittee: 0,
            referredCourt: 0,
            referredPolice: 0,
            settlementRate: 1,
            followUps: 0,
          },
        ],
        total: expect.objectContaining({ opened: 1, settled: 1, settlementRate: 1 }),
      })
    })

    it('adds the mediation table to the CSV, as wide as the main one, in Chinese or English', async () => {
      const zh = await csv(`${PERIOD}&by=officer`)
      const width = zh[0]!.split(',').length
      const title = zh.indexOf(`矛盾纠纷调解（调解成功率 = 调解成功 ÷ 调解终结）${','.repeat(width - 1)}`)
      expect(title).toBeGreaterThan(0)
      expect(zh[title - 1]).toBe(','.repeat(width - 1))
      const pad = ','.repeat(width - 11)
      expect(zh.slice(title + 1, -1)).toEqual([
        `调解员,警号,受理调解,调解终结,调解成功,未成功,移交人民调解委员会,引导诉讼,转派出所处理,调解成功率（%）,回访${pad}`,
        `何建华,681001,1,1,0,1,0,0,1,0,0${pad}`,
        `蒋文斌,681011,3,3,2,1,1,0,0,66.7,1${pad}`,
        `斯慧琴,681012,1,1,0,1,0,1,0,0,0${pad}`,
        `陈立新,681013,0,0,0,0,0,0,0,,0${pad}`,
        `调解团队,,2,1,1,0,0,0,0,100,0${pad}`,
        `未指定调解员,,1,0,0,0,0,0,0,,0${pad}`,
        `合计,,8,6,3,3,1,1,1,50,1${pad}`,
      ])
      expect(zh.at(-1)).toBe('')
      const en = await csv(`${PERIOD}&by=beat&lang=en`)
      expect(en).toContain(
        `Dispute mediation (settlement rate = settled ÷ concluded)${','.repeat(width - 1)}`,
      )
      expect(en).toContain(`Jiang Wenbin,681011,3,3,2,1,1,0,0,66.7,1${pad}`)
      expect(en).toContain(`Mediation team,,2,1,1,0,0,0,0,100,0${pad}`)
      expect(en.at(-2)).toBe(`Total,,8,6,3,3,1,1,1,50,1${pad}`)
    })
  })
}
