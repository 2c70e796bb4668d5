import { describe, expect, it } from 'vitest'
import { parseStationFile } from '../../src/store/station-file.ts'
import { edit, lineOf, problemsOf } from '../helpers/station-file-text.ts'

/** A small station whose first officer lists duty exceptions; tests change one line of it. */
const FILE = `stations:
  - code: CQ
    name: 长庆派出所
    dutyDesk: { name: 长庆派出所值班室 }
    officers:
      - badge: "330104"
        name: 李明
        duty: ["mon-fri 08:30-17:30"]
        exceptions:
          - { kind: leave, from: 2027-02-05, to: 2027-02-12, note: 春节休假 }
          - { kind: swap_on, from: "2027-02-13 09:00", to: "2027-02-13 17:00" }
    beats:
      - code: CQ-01
        name: 长寿桥社区
        primary: "330104"
`

describe('duty exceptions in the station file', () => {
  it('reads them as written, and defaults to none', () => {
    const officer = parseStationFile(FILE, 'test.yaml').stations[0]!.officers[0]!
    expect(officer.exceptions).toEqual([
      { kind: 'leave', from: '2027-02-05', to: '2027-02-12', note: '春节休假' },
      { kind: 'swap_on', from: '2027-02-13 09:00', to: '2027-02-13 17:00' },
    ])
    const without = FILE.replace(/ {8}exceptions:\n(?: {10}- .*\n)+/, '')
    expect(parseStationFile(without, 'test.yaml').stations[0]!.officers[0]!.exceptions).toEqual([])
  })

  it('refuses an unknown kind at its line, naming the kinds it takes', () => {
    const text = edit(FILE, 'kind: swap_on', 'kind: holiday')
    const [problem, ...rest] = problemsOf(text)
    expect(rest).toEqual([])
    expect(problem).toMatchObject({
      line: lineOf(text, 'kind: holiday'),
      path: 'stations[0].officers[0].exceptions[1].kind',
    })
    expect(problem!.message).toContain('"holiday" is not valid')
    expect(problem!.message).toContain('leave, sick, swap_off, swap_on, training')
  })

  it('refuses a date that does not exist and a time in the wrong form', () => {
    const text = edit(
      edit(FILE, 'from: 2027-02-05', 'from: 2027-02-30'),
      'to: "2027-02-13 17:00"',
      'to: "5pm"',
    )
    const problems = problemsOf(text)
    expect(problems.map((p) => p.path)).toEqual([
      'stations[0].officers[0].exceptions[0].from',
      'stations[0].officers[0].exceptions[1].to',
    ])
    expect(problems[0]!.message).toContain('"2027-02-30" is not valid')
    expect(problems[1]!.message).toContain('"5pm" is not valid; expected a date or date and time')
  })

  it('refuses an end before the start, at the end', () => {
    const text = edit(FILE, 'to: "2027-02-13 17:00"', 'to: "2027-02-13 08:00"')
    const problems = problemsOf(text)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      line: lineOf(text, '2027-02-13 08:00'),
      path: 'stations[0].officers[0].exceptions[1].to',
      message: expect.stringContaining('is not after from'),
    })
  })

  it('refuses two exceptions of one officer that share time, citing the first', () => {
    const text = edit(FILE, 'from: "2027-02-13 09:00"', 'from: "2027-02-12 09:00"')
    const problems = problemsOf(text)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      line: lineOf(text, '2027-02-12 09:00'),
      path: 'stations[0].officers[0].exceptions[1]',
    })
    expect(problems[0]!.message).toContain('overlaps exception 1')
    expect(problems[0]!.message).toContain(`see line ${lineOf(text, 'kind: leave')}`)
  })
})
