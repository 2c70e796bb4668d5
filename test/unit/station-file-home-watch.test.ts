import { describe, expect, it } from 'vitest'
import { minuteOfDay, parseStationFile } from '../../src/store/station-file.ts'
import { edit, lineOf, problemsOf } from '../helpers/station-file-text.ts'

/** A small station with its own home watch times; tests change one line of it. */
const FILE = `stations:
  - code: CQ
    name: 长庆派出所
    dutyDesk: { name: 长庆派出所值班室 }
    homeWatch:
      remindAt: "07:30"
      escalateAt: "18:45"
      summaryAt: "12:15"
    officers:
      - badge: "330104"
        name: 李明
    beats:
      - code: CQ-01
        name: 长寿桥社区
        primary: "330104"
`

describe('home watch times in the station file', () => {
  it('reads them as written, quoted or not', () => {
    expect(parseStationFile(FILE, 'test.yaml').stations[0]!.homeWatch).toEqual({
      remindAt: '07:30',
      escalateAt: '18:45',
      summaryAt: '12:15',
    })
    const bare = FILE.replace(/"(\d\d:\d\d)"/g, '$1')
    expect(bare).toContain('escalateAt: 18:45\n')
    expect(parseStationFile(bare, 'test.yaml').stations[0]!.homeWatch.escalateAt).toBe('18:45')
    expect(minuteOfDay('18:45')).toBe(18 * 60 + 45)
  })

  it('defaults to 09:00, 21:00 and 10:00, the whole map or a single time', () => {
    const without = FILE.replace(/ {4}homeWatch:\n(?: {6}.*\n)+/, '')
    expect(parseStationFile(without, 'test.yaml').stations[0]!.homeWatch).toEqual({
      remindAt: '09:00',
      escalateAt: '21:00',
      summaryAt: '10:00',
    })
    const noSummary = edit(FILE, '      summaryAt: "12:15"\n', '')
    expect(parseStationFile(noSummary, 'test.yaml').stations[0]!.homeWatch).toEqual({
      remindAt: '07:30',
      escalateAt: '18:45',
      summaryAt: '10:00',
    })
  })

  it('refuses a time that is not HH:MM at its line, naming the field and the form', () => {
    const text = edit(edit(FILE, '"07:30"', '"7.30am"'), '"12:15"', '"24:00"')
    const problems = problemsOf(text)
    expect(problems).toEqual([
      {
        line: lineOf(text, 'remindAt'),
        col: 17,
        path: 'stations[0].homeWatch.remindAt',
        message: expect.stringContaining('"7.30am" is not valid; expected a time of day as "HH:MM"'),
      },
      {
        line: lineOf(text, 'summaryAt'),
        col: 18,
        path: 'stations[0].homeWatch.summaryAt',
        message: expect.stringContaining('"24:00" is not valid'),
      },
    ])
    // The error names the file, line and field, as the service prints it when it refuses to start.
    expect(() => parseStationFile(text, 'cq.yaml')).toThrow(
      `cq.yaml:${lineOf(text, 'remindAt')}:17: stations[0].homeWatch.remindAt:`,
    )
  })

  it('refuses a number where a time belongs', () => {
    const text = edit(FILE, 'escalateAt: "18:45"', 'escalateAt: 1845')
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({
        line: lineOf(text, 'escalateAt'),
        path: 'stations[0].homeWatch.escalateAt',
        message: expect.stringContaining('got number 1845; expected a time of day as "HH:MM"'),
      }),
    ])
  })

  it('refuses an escalation that does not come after the reminder, at the escalation', () => {
    for (const escalateAt of ['"07:30"', '"06:00"']) {
      const text = edit(FILE, 'escalateAt: "18:45"', `escalateAt: ${escalateAt}`)
      expect(problemsOf(text)).toEqual([
        {
          line: lineOf(text, 'escalateAt'),
          col: 19,
          path: 'stations[0].homeWatch.escalateAt',
          message: expect.stringContaining(`${escalateAt} is not after remindAt ("07:30")`),
        },
      ])
    }
    // A reminder left at its default (09:00) still has to come first.
    const early = edit(edit(FILE, '      remindAt: "07:30"\n', ''), '"18:45"', '"08:00"')
    expect(problemsOf(early)[0]).toMatchObject({
      path: 'stations[0].homeWatch.escalateAt',
      message: expect.stringContaining('is not after remindAt ("09:00")'),
    })
  })

  it('refuses an unknown field in the map, listing the ones it takes', () => {
    const text = edit(FILE, 'summaryAt: "12:15"', 'summaryTime: "12:15"')
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({
        line: lineOf(text, 'summaryTime'),
        path: 'stations[0].homeWatch.summaryTime',
        message: expect.stringContaining('expected one of: remindAt, escalateAt, summaryAt'),
      }),
    ])
  })
})
