import { instantOfLocal } from './duty.ts'
import type { DutyException, DutyExceptionKind, WeeklyShift } from './types.ts'

export const DUTY_EXCEPTION_KINDS = ['leave', 'sick', 'swap_off', 'swap_on', 'training'] as const

/** Only a swapped-in shift puts an officer on duty; every other exception takes them off. */
export function exceptionOnDuty(kind: DutyExceptionKind): boolean {
  return kind === 'swap_on'
}

/** Leave and sickness are absences long enough that the officer's open cases should be handed over. */
export function isAbsence(kind: DutyExceptionKind): boolean {
  return kind === 'leave' || kind === 'sick'
}

/**
 * A date or date and time as people write them: `2027-02-05`, `2027-02-05 08:30`
 * or `2027-02-05T08:30`, optionally with seconds, optionally with `Z` or an
 * offset such as `+08:00` (which then says which instant is meant).
 */
export const LOCAL_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:\d{2})?$/

/**
 * Reads a time written for a roster. Without an offset it is wall time in the
 * station's `timeZone`. A bare date means the start of that day, or with
 * `edge: 'end'` the end of it (`to: 2027-02-12` includes the 12th). Null when
 * the text is not such a time or names a day or hour that does not exist.
 */
export function parseRosterTime(text: string, timeZone: string, edge: 'start' | 'end'): Date | null {
  const m = LOCAL_TIME.exec(text.trim())
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const calendar = new Date(Date.UTC(year, month - 1, day))
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null
  const timed = m[4] !== undefined
  const hour = Number(m[4] ?? 0)
  const minute = Number(m[5] ?? 0)
  if (minute > 59 || hour > 24 || (hour === 24 && minute > 0)) return null
  if (m[7] !== undefined) {
    if (!timed) return null
    const at = new Date(text.trim().replace(' ', 'T'))
    return Number.isNaN(at.getTime()) ? null : at
  }
  const minuteOfDay = timed ? hour * 60 + minute : edge === 'end' ? 1440 : 0
  return instantOfLocal(year, month, day, minuteOfDay, timeZone)
}

const DAY_CODES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const MINUTES_PER_DAY = 1440
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

/** A minute of the day as "HH:MM" on the 24-hour clock. */
export function clockOfMinute(minute: number): string {
  const h = Math.floor(minute / 60)
  const m = minute % 60
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`
}

/** A shift's hours as written in a duty pattern: an overnight end wraps past midnight. */
function hours(shift: WeeklyShift): string {
  const end = shift.endMinute > MINUTES_PER_DAY ? shift.endMinute - MINUTES_PER_DAY : shift.endMinute
  return `${clockOfMinute(shift.startMinute)}-${clockOfMinute(end)}`
}

/** One shift as the station file writes it, e.g. `mon 08:30-17:30`. */
export function formatShift(shift: WeeklyShift): string {
  return `${DAY_CODES[shift.day] ?? '?'} ${hours(shift)}`
}

/**
 * Writes a weekly pattern back as duty patterns the station file accepts:
 * the same hours on consecutive days become a range (`mon-fri 08:30-17:30`),
 * every day becomes `daily`. The inverse of parsing, up to day order.
 */
export function formatShifts(shifts: readonly WeeklyShift[]): string[] {
  const byHours = new Map<string, Set<number>>()
  for (const shift of shifts) {
    const key = hours(shift)
    const days = byHours.get(key) ?? new Set<number>()
    days.add(shift.day)
    byHours.set(key, days)
  }
  const entries: Array<{ first: number; text: string }> = []
  for (const [time, days] of byHours) {
    if (days.size === 7) {
      entries.push({ first: 0, text: `daily ${time}` })
      continue
    }
    const sorted = [...days].sort((a, b) => a - b)
    let runStart = sorted[0] ?? 0
    for (let i = 0; i < sorted.length; i++) {
      const day = sorted[i] ?? 0
      const next = sorted[i + 1]
      if (next === day + 1) continue
      const span = runStart === day ? DAY_CODES[day] : `${DAY_CODES[runStart]}-${DAY_CODES[day]}`
      entries.push({ first: runStart, text: `${span} ${time}` })
      if (next !== undefined) runStart = next
    }
  }
  // Monday first, as a duty roster is read.
  const order = (day: number) => (day + 6) % 7
  return entries
    .sort((a, b) => order(a.first) - order(b.first) || a.text.localeCompare(b.text))
    .map((e) => e.text)
}

/** The first two shifts of a pattern that cover the same minute of the week, if any. */
export function overlappingShifts(shifts: readonly WeeklyShift[]): [WeeklyShift, WeeklyShift] | null {
  const spans = shifts.map((s) => {
    const start = s.day * MINUTES_PER_DAY + s.startMinute
    let end = s.day * MINUTES_PER_DAY + s.endMinute
    if (end <= start) end += MINUTES_PER_DAY
    return { shift: s, start, end }
  })
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!
      const b = spans[j]!
      // A Saturday-night shift reaches into the next week's Sunday.
      for (const shift of [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK]) {
        if (a.start < b.end + shift && b.start + shift < a.end) return [a.shift, b.shift]
      }
    }
  }
  return null
}

/** The first of `existing` that shares any time with [startsAt, endsAt). */
export function overlappingException<T extends Pick<DutyException, 'startsAt' | 'endsAt'>>(
  existing: readonly T[],
  startsAt: Date,
  endsAt: Date,
): T | null {
  return existing.find((e) => e.startsAt < endsAt && startsAt < e.endsAt) ?? null
}
