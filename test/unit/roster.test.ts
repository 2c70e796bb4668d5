import { describe, expect, it } from 'vitest'
import { officerNextOnDuty, officerOnDuty, parseShiftSpec } from '../../src/domain/duty.ts'
import {
  exceptionOnDuty,
  formatShifts,
  overlappingException,
  overlappingShifts,
  parseRosterTime,
} from '../../src/domain/roster.ts'
import type { DutyException, DutyExceptionKind } from '../../src/domain/types.ts'

const SH = 'Asia/Shanghai'
/** An instant written as Shanghai wall time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`)

// 2026-03-02 is a Monday.
const officeHours = parseShiftSpec('mon-fri 08:30-17:30')

let counter = 0
function exception(kind: DutyExceptionKind, from: Date, to: Date): DutyException {
  return {
    id: `dx-${++counter}`,
    kind,
    onDuty: exceptionOnDuty(kind),
    startsAt: from,
    endsAt: to,
    note: null,
    source: 'api',
  }
}

describe('officerOnDuty', () => {
  it('follows the weekly pattern when there are no exceptions (absent or empty)', () => {
    expect(officerOnDuty({ duty: officeHours }, sh('2026-03-02T10:00:00'), SH)).toBe(true)
    expect(officerOnDuty({ duty: officeHours, exceptions: [] }, sh('2026-03-02T20:00:00'), SH)).toBe(false)
  })

  it('takes an officer on leave off duty during a shift, and only while the leave lasts', () => {
    const leave = exception('leave', sh('2026-03-03T00:00:00'), sh('2026-03-05T00:00:00'))
    const officer = { duty: officeHours, exceptions: [leave] }
    expect(officerOnDuty(officer, sh('2026-03-02T10:00:00'), SH)).toBe(true)
    expect(officerOnDuty(officer, sh('2026-03-03T10:00:00'), SH)).toBe(false)
    expect(officerOnDuty(officer, sh('2026-03-04T17:00:00'), SH)).toBe(false)
    // The end is exclusive: back on the pattern at that instant.
    expect(officerOnDuty(officer, sh('2026-03-05T10:00:00'), SH)).toBe(true)
  })

  it('takes an always-on officer off duty when sick', () => {
    const sick = exception('sick', sh('2026-03-02T00:00:00'), sh('2026-03-03T00:00:00'))
    expect(officerOnDuty({ duty: [], exceptions: [sick] }, sh('2026-03-02T12:00:00'), SH)).toBe(false)
    expect(officerOnDuty({ duty: [], exceptions: [sick] }, sh('2026-03-03T12:00:00'), SH)).toBe(true)
  })

  it('puts an officer on duty for a shift swapped in outside the pattern', () => {
    // Saturday is outside mon-fri.
    const swap = exception('swap_on', sh('2026-03-07T09:00:00'), sh('2026-03-07T17:00:00'))
    const officer = { duty: officeHours, exceptions: [swap] }
    expect(officerOnDuty(officer, sh('2026-03-07T08:59:00'), SH)).toBe(false)
    expect(officerOnDuty(officer, sh('2026-03-07T12:00:00'), SH)).toBe(true)
    expect(officerOnDuty(officer, sh('2026-03-07T17:00:00'), SH)).toBe(false)
  })

  it('lets an off exception win over a swap-in covering the same time', () => {
    const swap = exception('swap_on', sh('2026-03-07T09:00:00'), sh('2026-03-07T17:00:00'))
    const sick = exception('sick', sh('2026-03-07T00:00:00'), sh('2026-03-08T00:00:00'))
    expect(
      officerOnDuty({ duty: officeHours, exceptions: [swap, sick] }, sh('2026-03-07T12:00:00'), SH),
    ).toBe(false)
  })

  it('reads the pattern in the station time zone and the exceptions as instants', () => {
    // Monday 09:00 in Shanghai is Sunday 20:00 in New York: the leave covers the instant either way.
    const at = sh('2026-03-02T09:00:00')
    const night = parseShiftSpec('sun 20:00-08:00')
    expect(officerOnDuty({ duty: night }, at, 'America/New_York')).toBe(true)
    const leave = exception('leave', sh('2026-03-02T08:00:00'), sh('2026-03-02T10:00:00'))
    expect(officerOnDuty({ duty: night, exceptions: [leave] }, at, 'America/New_York')).toBe(false)
  })
})

describe('officerNextOnDuty', () => {
  it('is now when on duty, an always-on officer included', () => {
    const at = sh('2026-03-02T10:00:00')
    expect(officerNextOnDuty({ duty: officeHours }, at, SH)?.toISOString()).toBe(at.toISOString())
    expect(officerNextOnDuty({ duty: [] }, at, SH)?.toISOString()).toBe(at.toISOString())
  })

  it('skips a leave period to the first shift after it', () => {
    // Leave from Tuesday morning to the end of Thursday: back on Friday 08:30.
    const leave = exception('leave', sh('2026-03-03T00:00:00'), sh('2026-03-06T00:00:00'))
    const next = officerNextOnDuty({ duty: officeHours, exceptions: [leave] }, sh('2026-03-03T10:00:00'), SH)
    expect(next?.toISOString()).toBe(sh('2026-03-06T08:30:00').toISOString())
  })

  it('comes back mid-shift when the leave ends during one', () => {
    const leave = exception('leave', sh('2026-03-03T08:00:00'), sh('2026-03-03T12:15:00'))
    const next = officerNextOnDuty({ duty: officeHours, exceptions: [leave] }, sh('2026-03-03T09:00:00'), SH)
    expect(next?.toISOString()).toBe(sh('2026-03-03T12:15:00').toISOString())
  })

  it('skips a leave that runs into the next one, and a weekend after both', () => {
    const leave = exception('leave', sh('2026-03-04T00:00:00'), sh('2026-03-05T00:00:00'))
    const training = exception('training', sh('2026-03-05T00:00:00'), sh('2026-03-07T00:00:00'))
    const next = officerNextOnDuty(
      { duty: officeHours, exceptions: [training, leave] },
      sh('2026-03-04T10:00:00'),
      SH,
    )
    expect(next?.toISOString()).toBe(sh('2026-03-09T08:30:00').toISOString())
  })

  it('finds a swapped-in shift before the next shift of the pattern', () => {
    const swap = exception('swap_on', sh('2026-03-07T09:00:00'), sh('2026-03-07T17:00:00'))
    const next = officerNextOnDuty({ duty: officeHours, exceptions: [swap] }, sh('2026-03-06T20:00:00'), SH)
    expect(next?.toISOString()).toBe(sh('2026-03-07T09:00:00').toISOString())
  })

  it('brings an always-on officer back when their sick leave ends', () => {
    const sick = exception('sick', sh('2026-03-02T00:00:00'), sh('2026-03-04T00:00:00'))
    const next = officerNextOnDuty({ duty: [], exceptions: [sick] }, sh('2026-03-02T12:00:00'), SH)
    expect(next?.toISOString()).toBe(sh('2026-03-04T00:00:00').toISOString())
  })

  it('gives the first shift after a leave in local wall time of another zone', () => {
    // New York: leave until Friday 6 March 2026 ends; the next 09:00 shift is Monday 9 March, after DST began (UTC-4).
    const daily = parseShiftSpec('mon-fri 09:00-17:00')
    const leave = exception('leave', new Date('2026-03-02T05:00:00Z'), new Date('2026-03-07T05:00:00Z'))
    const next = officerNextOnDuty(
      { duty: daily, exceptions: [leave] },
      new Date('2026-03-03T15:00:00Z'),
      'America/New_York',
    )
    expect(next?.toISOString()).toBe('2026-03-09T13:00:00.000Z')
  })
})

describe('parseRosterTime', () => {
  it('reads local dates and times in the station time zone', () => {
    expect(parseRosterTime('2027-02-05', SH, 'start')?.toISOString()).toBe('2027-02-04T16:00:00.000Z')
    // A bare end date includes that whole day.
    expect(parseRosterTime('2027-02-12', SH, 'end')?.toISOString()).toBe('2027-02-12T16:00:00.000Z')
    expect(parseRosterTime('2027-02-13 09:00', SH, 'start')?.toISOString()).toBe('2027-02-13T01:00:00.000Z')
    expect(parseRosterTime('2027-02-13T09:00', 'Europe/London', 'end')?.toISOString()).toBe(
      '2027-02-13T09:00:00.000Z',
    )
    expect(parseRosterTime('2027-07-13T09:00', 'Europe/London', 'end')?.toISOString()).toBe(
      '2027-07-13T08:00:00.000Z',
    )
  })

  it('takes an explicit offset as the instant it names', () => {
    expect(parseRosterTime('2027-02-13T09:00:00Z', SH, 'start')?.toISOString()).toBe(
      '2027-02-13T09:00:00.000Z',
    )
    expect(parseRosterTime('2027-02-13T09:00+01:00', SH, 'start')?.toISOString()).toBe(
      '2027-02-13T08:00:00.000Z',
    )
  })

  it.each([
    '2027-02-30',
    '2027-13-01',
    '2027-02-05 25:00',
    '2027-02-05 08:60',
    'tomorrow',
    '2027-02-05Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseRosterTime(text, SH, 'start')).toBeNull()
  })
})

describe('weekly patterns', () => {
  it('writes shifts back as the duty patterns they came from', () => {
    expect(formatShifts(parseShiftSpec('mon-fri 08:30-17:30; sat 09:00-12:00'))).toEqual([
      'mon-fri 08:30-17:30',
      'sat 09:00-12:00',
    ])
    expect(formatShifts(parseShiftSpec('daily 20:00-08:00'))).toEqual(['daily 20:00-08:00'])
    expect(formatShifts(parseShiftSpec('mon,wed,fri 09:00-24:00; sun 10:00-11:00'))).toEqual([
      'mon 09:00-24:00',
      'wed 09:00-24:00',
      'fri 09:00-24:00',
      'sun 10:00-11:00',
    ])
    expect(formatShifts([])).toEqual([])
  })

  it('round-trips through the parser', () => {
    const spec = 'tue-sat 08:30-17:30; sun 20:00-08:00'
    expect(parseShiftSpec(formatShifts(parseShiftSpec(spec)).join('; '))).toEqual(parseShiftSpec(spec))
  })

  it('finds overlapping shifts, over midnight and over the end of the week too', () => {
    expect(overlappingShifts(parseShiftSpec('mon-fri 08:30-17:30; sat 09:00-12:00'))).toBeNull()
    expect(overlappingShifts(parseShiftSpec('mon 08:00-12:00; mon 11:00-13:00'))).not.toBeNull()
    expect(overlappingShifts(parseShiftSpec('mon 22:00-06:00; tue 05:00-09:00'))).not.toBeNull()
    expect(overlappingShifts(parseShiftSpec('sat 22:00-06:00; sun 05:00-09:00'))).not.toBeNull()
    // Back to back is not an overlap.
    expect(overlappingShifts(parseShiftSpec('mon 08:00-12:00; mon 12:00-18:00'))).toBeNull()
  })

  it('finds the exception that shares time with a new one', () => {
    const leave = exception('leave', sh('2026-03-03T00:00:00'), sh('2026-03-06T00:00:00'))
    expect(overlappingException([leave], sh('2026-03-05T00:00:00'), sh('2026-03-07T00:00:00'))).toBe(leave)
    expect(overlappingException([leave], sh('2026-03-06T00:00:00'), sh('2026-03-07T00:00:00'))).toBeNull()
  })
})
