import { describe, expect, it } from 'vitest'
import { CATEGORY_LABELS_ZH, officerNoticeText } from '../../src/domain/officer-notice.ts'
import type { CaseCategory } from '../../src/domain/types.ts'
import { parseStationFile, StationFileError } from '../../src/store/station-file.ts'

describe('officerNoticeText', () => {
  it('names the case number, category and compound of a new case', () => {
    expect(
      officerNoticeText({
        kind: 'new',
        caseNumber: 'CQ-2026-000123',
        category: 'noise',
        place: '长寿桥小区',
      }),
    ).toBe('新案件 CQ-2026-000123（噪音扰民）· 长寿桥小区 · 请在收件箱查看')
  })

  it('says a handed-on case was transferred', () => {
    const text = officerNoticeText({
      kind: 'transferred',
      caseNumber: 'CQ-2026-000124',
      category: 'dispute',
      place: '流水社区',
    })
    expect(text).toBe('转交案件 CQ-2026-000124（纠纷调解）· 流水社区 · 请在收件箱查看')
  })

  it('leaves the place out when the case has none yet', () => {
    expect(
      officerNoticeText({ kind: 'new', caseNumber: 'FQ-2026-000001', category: 'consultation', place: null }),
    ).toBe('新案件 FQ-2026-000001（咨询）· 请在收件箱查看')
  })

  it('has a Chinese label for every category', () => {
    const categories: CaseCategory[] = [
      'emergency',
      'dispute',
      'fraud',
      'noise',
      'lost_property',
      'consultation',
      'home_watch',
      'rental_registration',
      'residence_permit',
      'mediation',
    ]
    for (const category of categories) {
      const label = CATEGORY_LABELS_ZH[category]
      expect(label).toMatch(/^[\u4e00-\u9fff]+$/)
      expect(
        officerNoticeText({ kind: 'new', caseNumber: 'CQ-2026-000001', category, place: null }),
      ).toContain(`（${label}）`)
    }
    expect(new Set(Object.values(CATEGORY_LABELS_ZH)).size).toBe(categories.length)
  })
})

/** A small station with one bot account; `wechat` is spliced into the first officer. */
const stationWith = (wechat: string) => `stations:
  - code: CQ
    name: 长庆派出所
    dutyDesk: { name: 长庆派出所值班室 }
    officers:
      - badge: "330104"
        name: 李明
${wechat}
    beats:
      - code: CQ-01
        name: 长寿桥社区
        primary: "330104"
    accounts:
      - id: cq-station
        kind: wechaty
        owner: station
        puppet: mock
`

function problemsOf(text: string) {
  try {
    parseStationFile(text, 'station.yaml')
  } catch (error) {
    if (error instanceof StationFileError) return error.problems
    throw error
  }
  throw new Error('expected the file to be refused')
}

describe('the officer wechat field of a station file', () => {
  it('is optional and read when present', () => {
    expect(parseStationFile(stationWith(''), 'station.yaml').stations[0]?.officers[0]?.wechat).toBeUndefined()
    const file = parseStationFile(
      stationWith('        wechat: { account: cq-station, contact: "wxid_officer_li" }'),
      'station.yaml',
    )
    expect(file.stations[0]?.officers[0]?.wechat).toEqual({
      account: 'cq-station',
      contact: 'wxid_officer_li',
    })
  })

  it("refuses an account the station does not have, naming the station's accounts", () => {
    const text = stationWith('        wechat: { account: cq-nowhere, contact: "wxid_officer_li" }')
    const [problem, ...rest] = problemsOf(text)
    expect(rest).toEqual([])
    expect(problem).toMatchObject({
      line: 8,
      path: 'stations[0].officers[0].wechat.account',
    })
    expect(problem?.message).toContain('"cq-nowhere"')
    expect(problem?.message).toContain('cq-station')
  })

  it('refuses a missing contact and unknown fields', () => {
    const problems = problemsOf(stationWith('        wechat: { account: cq-station, phone: "138" }'))
    expect(problems.map((p) => p.path).sort()).toEqual([
      'stations[0].officers[0].wechat.contact',
      'stations[0].officers[0].wechat.phone',
    ])
  })
})
