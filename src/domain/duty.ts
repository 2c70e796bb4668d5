import type { Language, Officer, WeeklyShift } from './types.ts'

const MINUTES_PER_DAY = 1440
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
const MS_PER_DAY = 86_400_000

/** Wall-clock reading of an instant in a time zone. */
export interface LocalParts {
  year: number
  /** 1 = January. */
  month: number
  day: number
  /** 0 = Sunday … 6 = Saturday, as in WeeklyShift. */
  weekday: number
  hour: number
  minute: number
  second: number
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }

// Building a DateTimeFormat costs far more than using one, and routing asks for every message.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/**
 * Reads the wall clock of `timeZone` (an IANA name such as Asia/Shanghai) at
 * the instant `at`. Throws a RangeError for an unknown time zone.
 */
export function localParts(at: Date, timeZone: string): LocalParts {
  const time = at.getTime()
  if (Number.isNaN(time)) return readParts(at, timeZone)
  // A zone's offset changes only on quarter hours (every transition since 1970 falls on one),
  // so one reading per zone and quarter hour serves every instant in it.
  const quarter = Math.floor(time / QUARTER_HOUR_MS)
  let offsets = offsetCache.get(timeZone)
  if (offsets === undefined || offsets.size > 4096) {
    offsets = new Map()
    offsetCache.set(timeZone, offsets)
  }
  let offset = offsets.get(quarter)
  if (offset === undefined) {
    const p = readParts(new Date(quarter * QUARTER_HOUR_MS), timeZone)
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - quarter * QUARTER_HOUR_MS
    offsets.set(quarter, offset)
  }
  const wall = new Date(time + offset)
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    weekday: wall.getUTCDay(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  }
}

const QUARTER_HOUR_MS = 15 * 60_000
/** Offset of local wall time from UTC (ms), per zone and quarter hour since the epoch. */
const offsetCache = new Map<string, Map<number, number>>()

function readParts(at: Date, timeZone: string): LocalParts {
  const parts: LocalParts = { year: 0, month: 0, day: 0, weekday: 0, hour: 0, minute: 0, second: 0 }
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    switch (part.type) {
      case 'year':
        parts.year = Number(part.value)
        break
      case 'month':
        parts.month = Number(part.value)
        break
      case 'day':
        parts.day = Number(part.value)
        break
      case 'weekday':
        parts.weekday = WEEKDAY_INDEX[part.value] ?? 0
        break
      case 'hour':
        parts.hour = Number(part.value)
        break
      case 'minute':
        parts.minute = Number(part.value)
        break
      case 'second':
        parts.second = Number(part.value)
        break
    }
  }
  return parts
}

/** Shifts whose end is not after their start are read as running past midnight. */
function shiftBounds(shift: WeeklyShift): [number, number] {
  const start = shift.day * MINUTES_PER_DAY + shift.startMinute
  let end = shift.day * MINUTES_PER_DAY + shift.endMinute
  if (end <= start) end += MINUTES_PER_DAY
  return [start, end]
}

function minuteOfWeek(parts: LocalParts): number {
  return parts.weekday * MINUTES_PER_DAY + parts.hour * 60 + parts.minute
}

function coversMinute(shifts: WeeklyShift[], minute: number): boolean {
  for (const shift of shifts) {
    const [start, end] = shiftBounds(shift)
    // A Saturday-night shift reaches into Sunday, which is the start of the next week.
    for (const m of [minute - MINUTES_PER_WEEK, minute, minute + MINUTES_PER_WEEK]) {
      if (m >= start && m < end) return true
    }
  }
  return false
}

/**
 * Whether the duty roster covers the instant `at` in the station's time zone.
 * An empty roster means the officer is always on duty.
 */
export function isOnDuty(shifts: WeeklyShift[], at: Date, timeZone: string): boolean {
  if (shifts.length === 0) return true
  return coversMinute(shifts, minuteOfWeek(localParts(at, timeZone)))
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return asUtc - Math.floor(instant / 1000) * 1000
}

/**
 * The instant at which the wall clock of `timeZone` shows the given local date
 * and minute (a minute past 1440 runs into the following days).
 */
export function instantOfLocal(
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay)
  const firstGuess = wall - offsetAt(wall, timeZone)
  // Near a daylight-saving change the offset at the guess can differ from the one at `wall`.
  const offset = offsetAt(firstGuess, timeZone)
  return new Date(wall - offset)
}

/**
 * When the officer is next on duty, for telling a resident when to expect an
 * answer: `at` itself when on duty now, otherwise the start of the next shift.
 * Returns null for an empty roster, which means always on duty.
 */
export function nextOnDuty(shifts: WeeklyShift[], at: Date, timeZone: string): Date | null {
  if (shifts.length === 0) return null
  const now = localParts(at, timeZone)
  const current = minuteOfWeek(now)
  if (coversMinute(shifts, current)) return new Date(at.getTime())

  let wait = Number.POSITIVE_INFINITY
  for (const shift of shifts) {
    const [start] = shiftBounds(shift)
    const delta = (((start - current) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK
    if (delta > 0 && delta < wait) wait = delta
  }
  if (!Number.isFinite(wait)) return null

  const target = now.hour * 60 + now.minute + wait
  const date = new Date(Date.UTC(now.year, now.month - 1, now.day + Math.floor(target / MINUTES_PER_DAY)))
  return instantOfLocal(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    target % MINUTES_PER_DAY,
    timeZone,
  )
}

/** What duty depends on: the weekly pattern and its exceptions. */
export type Rostered = Pick<Officer, 'duty' | 'exceptions'>

/**
 * Whether the officer is on duty at `now`: an exception that takes them off
 * (leave, sick, training, a shift swapped away) wins over everything; a
 * swapped-in shift puts them on duty outside their pattern; otherwise their
 * weekly pattern in the station's time zone decides.
 */
export function officerOnDuty(officer: Rostered, now: Date, timeZone: string): boolean {
  const t = now.getTime()
  let swappedIn = false
  for (const e of officer.exceptions ?? []) {
    if (e.startsAt.getTime() <= t && t < e.endsAt.getTime()) {
      if (!e.onDuty) return false
      swappedIn = true
    }
  }
  return swappedIn || isOnDuty(officer.duty, now, timeZone)
}

// Each step jumps to the end of a leave, the next shift or the next swap-in, so this is plenty.
const MAX_STEPS = 1000

/**
 * When the officer is next on duty, honouring exceptions: `now` itself when on
 * duty now (an always-on pattern included), otherwise the first instant after
 * it at which {@link officerOnDuty} holds, e.g. the first shift after a leave
 * ends. Null only when no such instant can be found.
 */
export function officerNextOnDuty(officer: Rostered, now: Date, timeZone: string): Date | null {
  const exceptions = officer.exceptions ?? []
  let at = now.getTime()
  for (let step = 0; step < MAX_STEPS; step++) {
    let offUntil = Number.NEGATIVE_INFINITY
    let swappedIn = false
    for (const e of exceptions) {
      if (e.startsAt.getTime() <= at && at < e.endsAt.getTime()) {
        if (e.onDuty) swappedIn = true
        else offUntil = Math.max(offUntil, e.endsAt.getTime())
      }
    }
    if (Number.isFinite(offUntil)) {
      at = offUntil
      continue
    }
    if (swappedIn || isOnDuty(officer.duty, new Date(at), timeZone)) return new Date(at)
    // Off by the pattern: whichever comes first, the next shift or the next swap-in.
    let next = nextOnDuty(officer.duty, new Date(at), timeZone)?.getTime() ?? Number.POSITIVE_INFINITY
    for (const e of exceptions) {
      const start = e.startsAt.getTime()
      if (e.onDuty && start > at && start < next) next = start
    }
    if (!Number.isFinite(next) || next <= at) return null
    at = next
  }
  return null
}

const WEEKDAY_NAMES: Record<Language, string[]> = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/**
 * A time as a resident would say it, relative to `now`: "今天 14:00" /
 * "today 14:00", "明天 08:30" / "tomorrow 08:30", a weekday name within the
 * coming week ("周一 08:30" / "Monday 08:30"), otherwise the date.
 */
export function formatLocalTime(
  at: Date,
  timeZone: string,
  language: Language,
  now: Date = new Date(),
): string {
  const target = localParts(at, timeZone)
  const today = localParts(now, timeZone)
  const days = Math.round(
    (Date.UTC(target.year, target.month - 1, target.day) - Date.UTC(today.year, today.month - 1, today.day)) /
      MS_PER_DAY,
  )
  const clock = `${pad(target.hour)}:${pad(target.minute)}`
  const zh = language === 'zh'

  let when: string
  if (days === 0) when = zh ? '今天' : 'today'
  else if (days === 1) when = zh ? '明天' : 'tomorrow'
  else if (days === -1) when = zh ? '昨天' : 'yesterday'
  else if (days > 1 && days < 7) when = WEEKDAY_NAMES[language][target.weekday] ?? ''
  else if (zh)
    when = `${target.year === today.year ? '' : `${target.year}年`}${target.month}月${target.day}日`
  else {
    const month = MONTH_NAMES[target.month - 1] ?? ''
    when = `${target.day} ${month}${target.year === today.year ? '' : ` ${target.year}`}`
  }
  return `${when} ${clock}`
}

const DAY_NAMES: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
}

const DAY_GROUPS: Record<string, number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  everyday: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
}

class ShiftSpecError extends Error {
  constructor(spec: string, problem: string) {
    super(
      `Invalid duty spec "${spec}": ${problem}. Expected entries like "mon-fri 08:30-17:30", ` +
        `"sat 09:00-12:00", "sun 20:00-08:00" or "daily 00:00-24:00", separated by ";" or ","`,
    )
    this.name = 'ShiftSpecError'
  }
}

function parseDay(spec: string, name: string): number {
  const day = DAY_NAMES[name]
  if (day === undefined) throw new ShiftSpecError(spec, `unknown day "${name}"`)
  return day
}

function parseDays(spec: string, text: string): number[] {
  const group = DAY_GROUPS[text]
  if (group !== undefined) return group
  const days: number[] = []
  for (const item of text.split(',')) {
    const range = item.split('-')
    if (range.length === 1) {
      days.push(parseDay(spec, item))
    } else if (range.length === 2) {
      const from = parseDay(spec, range[0] ?? '')
      const to = parseDay(spec, range[1] ?? '')
      // "fri-mon" wraps over the weekend.
      for (let d = from; ; d = (d + 1) % 7) {
        days.push(d)
        if (d === to) break
      }
    } else {
      throw new ShiftSpecError(spec, `bad day range "${item}"`)
    }
  }
  return days
}

function parseClock(spec: string, text: string, isEnd: boolean): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text)
  const hours = Number(m?.[1])
  const minutes = Number(m?.[2])
  if (m === null || minutes > 59 || hours > 24 || (hours === 24 && (minutes > 0 || !isEnd))) {
    throw new ShiftSpecError(spec, `bad time "${text}" (use HH:MM, 00:00 to 24:00)`)
  }
  return hours * 60 + minutes
}

/**
 * Parses a duty roster written by a station admin, e.g.
 * "mon-fri 08:30-17:30; sat 09:00-12:00; sun 20:00-08:00". Days are English
 * names or three-letter abbreviations, ranges (fri-mon wraps), comma lists,
 * or daily / weekdays / weekends. An end time before the start time is a
 * shift that runs past midnight. "always" gives the empty roster (always on
 * duty). Throws an Error naming the faulty part of the spec.
 */
export function parseShiftSpec(spec: string): WeeklyShift[] {
  const text = spec.trim().toLowerCase()
  if (text === '') throw new ShiftSpecError(spec, 'it is empty')
  if (text === 'always') return []

  // A comma right after a time separates entries; elsewhere it separates days.
  const entries = text
    .replace(/(\d)\s*,/g, '$1;')
    .split(/[;\n]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '')

  const shifts: WeeklyShift[] = []
  for (const entry of entries) {
    const m = /^([a-z,\s-]+?)\s+(\S+?)\s*-\s*(\S+)$/.exec(entry)
    if (m === null) throw new ShiftSpecError(spec, `cannot read "${entry}"`)
    const days = parseDays(spec, (m[1] ?? '').replace(/\s+/g, ''))
    const startMinute = parseClock(spec, m[2] ?? '', false)
    let endMinute = parseClock(spec, m[3] ?? '', true)
    if (endMinute === startMinute)
      throw new ShiftSpecError(spec, `"${entry}" starts and ends at the same time`)
    if (endMinute < startMinute) endMinute += MINUTES_PER_DAY
    for (const day of days) shifts.push({ day, startMinute, endMinute })
  }
  shifts.sort((a, b) => a.day - b.day || a.startMinute - b.startMinute)
  return shifts
}
