import { describe, expect, it } from 'vitest'
import { formatLocalTime, isOnDuty, localParts, nextOnDuty, parseShiftSpec } from '../../src/domain/duty.ts'

const SH = 'Asia/Shanghai'
/** An instant written as Shanghai wall time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`)

// 2026-03-02 is a Monday.
const officeHours = parseShiftSpec('mon-fri 08:30-17:30')

describe('localParts', () => {
  it('reads the wall clock of the given zone', () => {
    expect(localParts(new Date('2026-03-01T16:00:00Z'), SH)).toEqual({
      year: 2026,
      month: 3,
      day: 2,
      weekday: 1,
      hour: 0,
      minute: 0,
      second: 0,
    })
    expect(localParts(new Date('2026-03-01T16:00:00Z'), 'America/New_York')).toMatchObject({
      day: 1,
      weekday: 0,
      hour: 11,
    })
  })

  it('agrees with Intl at every minute around daylight-saving changes and odd offsets', () => {
    const intl = (at: Date, timeZone: string) => {
      const f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
      const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]))
      return [p.year, p.month, p.day, p.hour, p.minute, p.second]
    }
    const cases: Array<[string, string]> = [
      ['America/New_York', '2026-03-08T06:00:00Z'], // spring forward at 02:00 local
      ['America/New_York', '2026-11-01T05:00:00Z'], // fall back at 02:00 local
      ['Australia/Lord_Howe', '2026-04-04T14:30:00Z'], // a half-hour change at 02:00 local
      ['Asia/Kathmandu', '2026-06-01T00:00:00Z'], // +05:45
      ['Asia/Shanghai', '2026-12-31T15:00:00Z'], // the new year
    ]
    for (const [zone, around] of cases) {
      const start = new Date(around).getTime() - 2 * 3_600_000
      for (let minute = 0; minute <= 240; minute += 1) {
        const at = new Date(start + minute * 60_000 + 17_000)
        const p = localParts(at, zone)
        expect([p.year, p.month, p.day, p.hour, p.minute, p.second], `${zone} ${at.toISOString()}`).toEqual(
          intl(at, zone),
        )
      }
    }
  })

  it('throws on an unknown time zone', () => {
    expect(() => localParts(new Date(), 'Mars/Olympus')).toThrow(RangeError)
  })
})

describe('parseShiftSpec', () => {
  it('parses a weekday range', () => {
    expect(officeHours).toEqual([1, 2, 3, 4, 5].map((day) => ({ day, startMinute: 510, endMinute: 1050 })))
  })

  it('parses single days, overnight shifts and whole days', () => {
    expect(parseShiftSpec('sat 09:00-12:00')).toEqual([{ day: 6, startMinute: 540, endMinute: 720 }])
    expect(parseShiftSpec('sun 20:00-08:00')).toEqual([{ day: 0, startMinute: 1200, endMinute: 1920 }])
    expect(parseShiftSpec('daily 00:00-24:00')).toHaveLength(7)
    expect(parseShiftSpec('daily 00:00-24:00')[3]).toEqual({ day: 3, startMinute: 0, endMinute: 1440 })
  })

  it('parses several entries, day lists and ranges that wrap over the weekend', () => {
    expect(parseShiftSpec('mon-fri 08:30-17:30, sat 09:00-12:00; sun 20:00-08:00')).toHaveLength(7)
    expect(parseShiftSpec('Fri-Mon 10:00-11:00').map((s) => s.day)).toEqual([0, 1, 5, 6])
    expect(parseShiftSpec('mon,wed,friday 9:00 - 10:00').map((s) => s.day)).toEqual([1, 3, 5])
    expect(parseShiftSpec('weekends 10:00-16:00').map((s) => s.day)).toEqual([0, 6])
    expect(parseShiftSpec('always')).toEqual([])
  })

  it.each([
    ['', /empty/],
    ['xyz 08:00-09:00', /unknown day "xyz"/],
    ['mon 25:00-26:00', /bad time "25:00"/],
    ['mon 08:60-09:00', /bad time "08:60"/],
    ['mon 24:00-08:00', /bad time "24:00"/],
    ['mon 08:00', /cannot read "mon 08:00"/],
    ['mon 08:00-08:00', /same time/],
    ['mon-tue-wed 08:00-09:00', /bad day range/],
  ])('rejects %j with a clear message', (spec, message) => {
    expect(() => parseShiftSpec(spec)).toThrow(message)
    expect(() => parseShiftSpec(spec)).toThrow(/Invalid duty spec/)
  })
})

describe('isOnDuty', () => {
  it('treats an empty roster as always on duty', () => {
    expect(isOnDuty([], sh('2026-03-07T03:00:00'), SH)).toBe(true)
  })

  it('covers the start minute and excludes the end minute', () => {
    expect(isOnDuty(officeHours, sh('2026-03-02T08:29:59'), SH)).toBe(false)
    expect(isOnDuty(officeHours, sh('2026-03-02T08:30:00'), SH)).toBe(true)
    expect(isOnDuty(officeHours, sh('2026-03-02T17:29:59'), SH)).toBe(true)
    expect(isOnDuty(officeHours, sh('2026-03-02T17:30:00'), SH)).toBe(false)
    expect(isOnDuty(officeHours, sh('2026-03-07T10:00:00'), SH)).toBe(false)
  })

  it('follows a shift past midnight into the next day', () => {
    const night = parseShiftSpec('sun 20:00-08:00')
    expect(isOnDuty(night, sh('2026-03-01T19:59:00'), SH)).toBe(false)
    expect(isOnDuty(night, sh('2026-03-01T23:00:00'), SH)).toBe(true)
    expect(isOnDuty(night, sh('2026-03-02T07:59:00'), SH)).toBe(true)
    expect(isOnDuty(night, sh('2026-03-02T08:00:00'), SH)).toBe(false)
  })

  it('follows a Saturday night shift over the end of the week', () => {
    const night = parseShiftSpec('sat 22:00-06:00')
    expect(isOnDuty(night, sh('2026-03-07T23:00:00'), SH)).toBe(true)
    expect(isOnDuty(night, sh('2026-03-08T05:59:00'), SH)).toBe(true)
    expect(isOnDuty(night, sh('2026-03-08T06:00:00'), SH)).toBe(false)
  })

  it('reads the roster in the given time zone', () => {
    // Monday 09:00 in Shanghai is Sunday 20:00 in New York.
    const at = sh('2026-03-02T09:00:00')
    const night = parseShiftSpec('sun 20:00-08:00')
    expect(isOnDuty(night, at, SH)).toBe(false)
    expect(isOnDuty(night, at, 'America/New_York')).toBe(true)
    expect(isOnDuty(officeHours, at, SH)).toBe(true)
    expect(isOnDuty(officeHours, at, 'America/New_York')).toBe(false)
  })
})

describe('nextOnDuty', () => {
  it('is null for an always-on roster and now when on duty', () => {
    const at = sh('2026-03-02T10:00:00')
    expect(nextOnDuty([], at, SH)).toBeNull()
    expect(nextOnDuty(officeHours, at, SH)?.toISOString()).toBe(at.toISOString())
  })

  it('finds the start of the next shift later the same day', () => {
    expect(nextOnDuty(officeHours, sh('2026-03-02T07:00:00'), SH)?.toISOString()).toBe(
      sh('2026-03-02T08:30:00').toISOString(),
    )
  })

  it('finds the next morning after the evening', () => {
    expect(nextOnDuty(officeHours, sh('2026-03-03T18:15:42'), SH)?.toISOString()).toBe(
      sh('2026-03-04T08:30:00').toISOString(),
    )
  })

  it('waits over the weekend, from Saturday night to Monday morning', () => {
    expect(nextOnDuty(officeHours, sh('2026-03-07T23:00:00'), SH)?.toISOString()).toBe(
      sh('2026-03-09T08:30:00').toISOString(),
    )
    expect(nextOnDuty(officeHours, sh('2026-03-06T17:30:00'), SH)?.toISOString()).toBe(
      sh('2026-03-09T08:30:00').toISOString(),
    )
  })

  it('wraps from the end of the week to a Sunday shift', () => {
    const sunday = parseShiftSpec('sun 20:00-08:00')
    expect(nextOnDuty(sunday, sh('2026-03-07T12:00:00'), SH)?.toISOString()).toBe(
      sh('2026-03-08T20:00:00').toISOString(),
    )
    expect(nextOnDuty(sunday, sh('2026-03-02T08:00:00'), SH)?.toISOString()).toBe(
      sh('2026-03-08T20:00:00').toISOString(),
    )
  })

  it('picks the nearest of several shifts', () => {
    const roster = parseShiftSpec('mon-fri 08:30-17:30; sat 09:00-12:00')
    expect(nextOnDuty(roster, sh('2026-03-06T20:00:00'), SH)?.toISOString()).toBe(
      sh('2026-03-07T09:00:00').toISOString(),
    )
  })

  it('gives the local wall time across a daylight-saving change', () => {
    // Europe/London moves to BST (UTC+1) at 01:00 UTC on Sunday 2026-03-29.
    const roster = parseShiftSpec('daily 09:00-17:00')
    const next = nextOnDuty(roster, new Date('2026-03-28T18:00:00Z'), 'Europe/London')
    expect(next?.toISOString()).toBe('2026-03-29T08:00:00.000Z')
    const ny = nextOnDuty(roster, new Date('2026-03-07T23:00:00Z'), 'America/New_York')
    expect(ny?.toISOString()).toBe('2026-03-08T13:00:00.000Z')
  })
})

describe('formatLocalTime', () => {
  const now = sh('2026-03-02T20:00:00')

  it.each([
    ['2026-03-02T22:00:00', '今天 22:00', 'today 22:00'],
    ['2026-03-03T08:30:00', '明天 08:30', 'tomorrow 08:30'],
    ['2026-03-01T09:05:00', '昨天 09:05', 'yesterday 09:05'],
    ['2026-03-07T09:00:00', '周六 09:00', 'Saturday 09:00'],
    ['2026-03-04T14:00:00', '周三 14:00', 'Wednesday 14:00'],
    ['2026-03-09T08:30:00', '3月9日 08:30', '9 Mar 08:30'],
    ['2027-01-04T08:30:00', '2027年1月4日 08:30', '4 Jan 2027 08:30'],
  ])('%s reads as %s / %s', (local, zh, en) => {
    expect(formatLocalTime(sh(local), SH, 'zh', now)).toBe(zh)
    expect(formatLocalTime(sh(local), SH, 'en', now)).toBe(en)
  })

  it('decides today and tomorrow by the local calendar, not UTC', () => {
    const at = new Date('2026-03-02T17:00:00Z')
    const before = new Date('2026-03-02T12:00:00Z')
    expect(formatLocalTime(at, SH, 'zh', before)).toBe('明天 01:00')
    expect(formatLocalTime(at, 'UTC', 'en', before)).toBe('today 17:00')
  })
})
