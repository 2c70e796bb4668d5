import { instantOfLocal, localParts } from '../duty.ts'
import type { Language } from '../types.ts'

/**
 * A calendar day in a station's time zone, written "YYYY-MM-DD". Forms keep
 * dates as days, not instants: "back on 20 February" means that day wherever
 * the clock of the server happens to be.
 */
export type LocalDate = string

const MS_PER_DAY = 86_400_000
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/

const pad = (n: number) => String(n).padStart(2, '0')

export function localDate(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`
}

/** True when the year, month and day name a day that exists (no 30 February). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false
  if (month < 1 || month > 12 || day < 1) return false
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false
  const m = ISO_DAY.exec(value)
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))
}

export function dateParts(date: LocalDate): { year: number; month: number; day: number } {
  const m = ISO_DAY.exec(date)
  if (!m) throw new RangeError(`not a local date: ${date}`)
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
}

const dayNumber = (date: LocalDate) => {
  const { year, month, day } = dateParts(date)
  return Date.UTC(year, month - 1, day) / MS_PER_DAY
}

const fromDayNumber = (n: number): LocalDate => {
  const d = new Date(n * MS_PER_DAY)
  return localDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(date) + days)
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return dayNumber(to) - dayNumber(from)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(dayNumber(date) * MS_PER_DAY).getUTCDay()
}

/** The day it is at `at` on the wall clock of `timeZone`. */
export function localDateOf(at: Date, timeZone: string): LocalDate {
  const p = localParts(at, timeZone)
  return localDate(p.year, p.month, p.day)
}

/** The instant the wall clock of `timeZone` shows `minuteOfDay` on `date`. */
export function instantOn(date: LocalDate, minuteOfDay: number, timeZone: string): Date {
  const { year, month, day } = dateParts(date)
  return instantOfLocal(year, month, day, minuteOfDay, timeZone)
}

/** The days from `from` up to but not including `until`, in order. */
export function daysFrom(from: LocalDate, until: LocalDate): LocalDate[] {
  const out: LocalDate[] = []
  for (let d = from; d < until; d = addDays(d, 1)) out.push(d)
  return out
}

const WEEKDAYS_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * A day as a resident reads it, with its weekday so a misread "下周五" shows:
 * "2月20日（周五）" / "Fri 20 Feb"; the year only when it is not `today`'s.
 */
export function formatDate(date: LocalDate, language: Language, today?: LocalDate): string {
  const { year, month, day } = dateParts(date)
  const sameYear = today ? dateParts(today).year === year : true
  const weekday = weekdayOf(date)
  if (language === 'en') {
    return `${WEEKDAYS_EN[weekday]} ${day} ${MONTHS_EN[month - 1]}${sameYear ? '' : ` ${year}`}`
  }
  return `${sameYear ? '' : `${year}年`}${month}月${day}日（${WEEKDAYS_ZH[weekday]}）`
}

/** A short day without weekday: "2月20日" / "20 Feb". */
export function formatShortDate(date: LocalDate, language: Language): string {
  const { month, day } = dateParts(date)
  return language === 'en' ? `${day} ${MONTHS_EN[month - 1]}` : `${month}月${day}日`
}
