import { describe, expect, it } from 'vitest'
import { reportPeriod, startOfLocalDay } from '../../src/domain/report-period.ts'
import { csvCell, share, toCsv } from '../../src/domain/report-table.ts'
import { scaleTicks } from '../../src/web/inbox/src/charts.tsx'
import { formatDuration, shiftDate, todayIn } from '../../src/web/inbox/src/report-strings.ts'

const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000

describe('report period', () => {
  const now = new Date('2026-11-24T17:30:00Z') // already the 25th in Hangzhou, still the 24th in UTC

  it('defaults to the last seven days ending today on the station’s wall clock', () => {
    const result = reportPeriod({}, now, 'Asia/Shanghai')
    expect(result).toEqual({
      ok: true,
      period: {
        from: '2026-11-19',
        to: '2026-11-25',
        start: new Date('2026-11-18T16:00:00Z'),
        end: new Date('2026-11-25T16:00:00Z'),
        days: 7,
      },
    })
    expect(reportPeriod({}, now, 'UTC')).toMatchObject({ period: { from: '2026-11-18', to: '2026-11-24' } })
  })

  it('starts six days before a given end when no start is given', () => {
    expect(reportPeriod({ to: '2026-03-02' }, now, 'Asia/Shanghai')).toMatchObject({
      period: { from: '2026-02-24', to: '2026-03-02', days: 7 },
    })
  })

  it('finds local midnight across daylight saving changes', () => {
    // Berlin moves to summer time on 29 March 2026: that day is 23 hours long.
    expect(startOfLocalDay(day('2026-03-29'), 'Europe/Berlin')).toEqual(new Date('2026-03-28T23:00:00Z'))
    expect(startOfLocalDay(day('2026-03-30'), 'Europe/Berlin')).toEqual(new Date('2026-03-29T22:00:00Z'))
    expect(startOfLocalDay(day('2026-11-01'), 'America/New_York')).toEqual(new Date('2026-11-01T04:00:00Z'))
    expect(startOfLocalDay(day('2026-11-02'), 'America/New_York')).toEqual(new Date('2026-11-02T05:00:00Z'))
  })

  it('refuses impossible dates, reversed periods and more than a year, saying why', () => {
    const tz = 'Asia/Shanghai'
    expect(reportPeriod({ from: '2026-02-29', to: '2026-03-01' }, now, tz)).toEqual({
      ok: false,
      message: 'from: "2026-02-29" is not a date; use YYYY-MM-DD',
    })
    expect(reportPeriod({ from: '2026-03-02', to: '2026-03-01' }, now, tz)).toEqual({
      ok: false,
      message: 'from (2026-03-02) must not be after to (2026-03-01)',
    })
    expect(reportPeriod({ from: '2026-01-01', to: '2027-01-02' }, now, tz)).toMatchObject({ ok: false })
    expect(reportPeriod({ from: '2027-01-01', to: '2027-12-31' }, now, tz)).toMatchObject({
      ok: true,
      period: { days: 365 },
    })
  })
})

describe('report CSV', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(csvCell('李明')).toBe('李明')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(null)).toBe('')
  })

  it('starts with a byte order mark and ends every line with CRLF', () => {
    expect(
      toCsv([
        ['a', 1],
        ['b', null],
      ]),
    ).toBe('\uFEFFa,1\r\nb,\r\n')
  })

  it('rounds shares to four decimals and has none without cases', () => {
    expect(share(2, 3)).toBe(0.6667)
    expect(share(0, 0)).toBeNull()
  })
})

describe('reports view helpers', () => {
  it('reads durations in seconds, minutes or hours', () => {
    expect(formatDuration(45, 'zh')).toBe('45 秒')
    expect(formatDuration(744, 'en')).toBe('12.4 min')
    expect(formatDuration(120, 'en')).toBe('2 min')
    expect(formatDuration(9000, 'zh')).toBe('2.5 小时')
    expect(formatDuration(null, 'en')).toBe('—')
  })

  it('shifts dates across month ends and reads today in the station’s zone', () => {
    expect(shiftDate('2026-03-01', -1)).toBe('2026-02-28')
    expect(shiftDate('2026-12-25', 29)).toBe('2027-01-23')
    expect(todayIn('Asia/Shanghai', new Date('2026-11-24T17:30:00Z'))).toBe('2026-11-25')
  })

  it('puts chart grid lines on round numbers, whole ones for counts', () => {
    expect(scaleTicks(2, { integer: true })).toEqual([0, 1, 2])
    expect(scaleTicks(13.7)).toEqual([0, 5, 10, 15])
    expect(scaleTicks(9, { integer: true })).toEqual([0, 5, 10])
    expect(scaleTicks(0.62, { max: 1 })).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(scaleTicks(0, { integer: true })).toEqual([0, 1])
  })
})
