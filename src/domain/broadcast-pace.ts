import { instantOfLocal, localParts } from './duty.ts'

/** Hours in which non-urgent notices wait, as minutes of the local day (the end may be on the next day). */
export interface QuietHours {
  startMinute: number
  endMinute: number
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startMinute: 22 * 60, endMinute: 7 * 60 }

const minuteOfDay = (at: Date, timeZone: string): number => {
  const p = localParts(at, timeZone)
  return p.hour * 60 + p.minute
}

export function inQuietHours(at: Date, timeZone: string, quiet: QuietHours | null): boolean {
  if (!quiet || quiet.startMinute === quiet.endMinute) return false
  const m = minuteOfDay(at, timeZone)
  return quiet.startMinute > quiet.endMinute
    ? m >= quiet.startMinute || m < quiet.endMinute
    : m >= quiet.startMinute && m < quiet.endMinute
}

/** When the quiet hours that `at` falls in end (`at` itself outside them). */
export function quietHoursEnd(at: Date, timeZone: string, quiet: QuietHours | null): Date {
  if (!quiet || !inQuietHours(at, timeZone, quiet)) return at
  const p = localParts(at, timeZone)
  const m = p.hour * 60 + p.minute
  // In the evening part of hours that wrap past midnight, the end is tomorrow's.
  const end =
    quiet.startMinute > quiet.endMinute && m >= quiet.startMinute ? 1440 + quiet.endMinute : quiet.endMinute
  return instantOfLocal(p.year, p.month, p.day, end, timeZone)
}

/** When the quiet hours next begin after `at`, which lies outside them. */
function nextQuietStart(at: Date, timeZone: string, quiet: QuietHours): Date {
  const p = localParts(at, timeZone)
  const m = p.hour * 60 + p.minute
  const start = m < quiet.startMinute ? quiet.startMinute : 1440 + quiet.startMinute
  return instantOfLocal(p.year, p.month, p.day, start, timeZone)
}

/** The local calendar day, YYYY-MM-DD: what a daily cap counts by. */
export function localDay(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

function nextLocalMidnight(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone)
  return instantOfLocal(p.year, p.month, p.day, 1440, timeZone)
}

/**
 * Jitter never takes more than this share of an account's interval, so an
 * account paced with it runs within 5% of its rate and never above it.
 */
export const JITTER_SHARE = 0.05

/**
 * The least time from one send of an account to its next: its interval plus
 * jitter that only ever lengthens it. Zero for an account without a limit.
 */
export function sendGapMs(
  ratePerMinute: number,
  jitterMs: number,
  random: () => number = Math.random,
): number {
  if (ratePerMinute <= 0) return 0
  const interval = 60_000 / ratePerMinute
  return interval + random() * Math.min(jitterMs, interval * JITTER_SHARE)
}

export interface AccountLoad {
  /** Sends still to make through the account. */
  sends: number
  /** 0: no limit. */
  ratePerMinute: number
  dailyCap: number
  sentToday: number
}

const MAX_DAYS = 366

/**
 * How long the sends take at the accounts' paces, their daily caps and the
 * quiet hours (null for an urgent notice): accounts send side by side, so the
 * slowest decides. An estimate: replies to residents share the pace too.
 */
export function estimateSeconds(
  accounts: readonly AccountLoad[],
  options: { now: Date; timeZone: string; quiet: QuietHours | null },
): number {
  let longest = 0
  for (const account of accounts) {
    if (account.sends <= 0) continue
    const end = finishAt(account, options)
    longest = Math.max(longest, (end - options.now.getTime()) / 1000)
  }
  return Math.ceil(longest)
}

function finishAt(
  account: AccountLoad,
  options: { now: Date; timeZone: string; quiet: QuietHours | null },
): number {
  const { timeZone, quiet } = options
  const perMs = account.ratePerMinute > 0 ? account.ratePerMinute / 60_000 : Number.POSITIVE_INFINITY
  let t = options.now.getTime()
  let left = account.sends
  let capLeft = Math.max(0, account.dailyCap - account.sentToday)
  let day = localDay(new Date(t), timeZone)
  for (let i = 0; i < MAX_DAYS * 3 && left > 0; i++) {
    t = quietHoursEnd(new Date(t), timeZone, quiet).getTime()
    const today = localDay(new Date(t), timeZone)
    if (today !== day) {
      day = today
      capLeft = account.dailyCap
    }
    const midnight = nextLocalMidnight(new Date(t), timeZone).getTime()
    const windowEnd = quiet
      ? Math.min(midnight, nextQuietStart(new Date(t), timeZone, quiet).getTime())
      : midnight
    const fits = perMs === Number.POSITIVE_INFINITY ? left : Math.floor((windowEnd - t) * perMs)
    const now = Math.min(left, capLeft, fits)
    if (now >= left) return t + left / perMs
    left -= now
    capLeft -= now
    t = capLeft <= 0 ? midnight : windowEnd
  }
  return t
}
