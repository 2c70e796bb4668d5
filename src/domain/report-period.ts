import { localParts } from './duty.ts'

/** The longest period a report may cover: a year, leap years included. */
export const MAX_REPORT_DAYS = 366
/** Without a period, a report covers the last week: today and the six days before. */
export const DEFAULT_REPORT_DAYS = 7

const MS_PER_DAY = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Whole calendar days in the station's time zone, from the start of `from` to
 * the end of `to`, and the instants that bound them (`end` is the midnight
 * after `to`, excluded), so a case opened at 23:59 local time on the last day
 * counts and one at midnight after it does not.
 */
export interface ReportPeriod {
  from: string
  to: string
  start: Date
  end: Date
  days: number
}

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; message: string }

/** Days since the epoch of a calendar date, or null for text that is not one (2026-02-30). */
function dayNumber(text: string): number | null {
  const m = DATE.exec(text)
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const ms = Date.UTC(year, month - 1, day)
  const back = new Date(ms)
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day)
    return null
  return ms / MS_PER_DAY
}

const dateText = (dayNo: number): string => new Date(dayNo * MS_PER_DAY).toISOString().slice(0, 10)

/**
 * The instant the calendar day `dayNo` begins in `timeZone`. The zone's offset
 * is read at a first guess and corrected once more, which settles days on
 * which daylight saving time starts or ends.
 */
export function startOfLocalDay(dayNo: number, timeZone: string): Date {
  const wall = dayNo * MS_PER_DAY
  let at = wall
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(at), timeZone)
    at += wall - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  }
  return new Date(at)
}

/**
 * Reads a report period from optional `from` and `to` dates (YYYY-MM-DD, in
 * the station's time zone). Without `to` it ends today; without `from` it
 * starts six days before `to`. Refused, with the reason, when a date is not
 * one, `from` is after `to`, or the period is longer than a year.
 */
export function reportPeriod(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  timeZone: string,
): PeriodResult {
  const today = localParts(now, timeZone)
  const todayNo = Date.UTC(today.year, today.month - 1, today.day) / MS_PER_DAY
  const toNo = input.to === undefined ? todayNo : dayNumber(input.to)
  if (toNo === null) return { ok: false, message: `to: "${input.to}" is not a date; use YYYY-MM-DD` }
  const fromNo = input.from === undefined ? toNo - (DEFAULT_REPORT_DAYS - 1) : dayNumber(input.from)
  if (fromNo === null) return { ok: false, message: `from: "${input.from}" is not a date; use YYYY-MM-DD` }
  const from = dateText(fromNo)
  const to = dateText(toNo)
  if (fromNo > toNo) return { ok: false, message: `from (${from}) must not be after to (${to})` }
  const days = toNo - fromNo + 1
  if (days > MAX_REPORT_DAYS)
    return {
      ok: false,
      message: `the period from ${from} to ${to} spans ${days} days; a report covers at most ${MAX_REPORT_DAYS}`,
    }
  return {
    ok: true,
    period: {
      from,
      to,
      start: startOfLocalDay(fromNo, timeZone),
      end: startOfLocalDay(toNo + 1, timeZone),
      days,
    },
  }
}
