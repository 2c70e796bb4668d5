import { lastOf } from '../last-of.ts'
import {
  addDays,
  daysBetween,
  isRealDate,
  type LocalDate,
  localDate,
  localDateOf,
  weekdayOf,
} from './local-date.ts'

/**
 * Readers of residents' free-text answers. Each answers the value in one
 * canonical form, or a problem code (with the figures a message needs) that
 * the form turns into a specific re-ask: never a guess the resident did not say.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem }

export interface Problem {
  code: string
  params?: Record<string, string | number>
}

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
export const fail = <T = never>(code: string, params?: Problem['params']): Parsed<T> => ({
  ok: false,
  problem: params ? { code, params } : { code },
})

/** Full-width forms folded, spaces collapsed, ends trimmed; case kept. */
export const tidy = lastOf((text: string): string =>
  text
    .normalize('NFKC')
    .replace(/\uFE0F/g, '')
    .replace(/\s+/g, ' ')
    .trim(),
)

/** Punctuation residents put around a short answer ("好的！", "“明天”", "yes."). */
const EDGE =
  /^[\s"'“”‘’「」『』【】《》()[\]<>.,!?;:。、~…·]+|[\s"'“”‘’「」『』【】《》()[\]<>.,!?;:。、~…·]+$/gu

export function bare(text: string): string {
  return tidy(text).replace(EDGE, '')
}

// ---------------------------------------------------------------- dates

const CHINESE_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}

/** "5", "十二", "二十一", "三十" as a number up to 99; null when it is not one. */
export function readSmallNumber(text: string): number | null {
  if (/^\d{1,2}$/.test(text)) return Number(text)
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/u.exec(text)
  if (!m || text === '') return null
  const [, tens, ten, units] = m
  if (!ten) return tens && !units ? (CHINESE_DIGIT[tens] ?? null) : null
  return (tens ? (CHINESE_DIGIT[tens] ?? 0) : 1) * 10 + (units ? (CHINESE_DIGIT[units] ?? 0) : 0)
}

const WEEKDAY_ZH: Record<string, number> = {
  日: 0,
  天: 0,
  七: 0,
  '7': 0,
  一: 1,
  '1': 1,
  二: 2,
  '2': 2,
  三: 3,
  '3': 3,
  四: 4,
  '4': 4,
  五: 5,
  '5': 5,
  六: 6,
  '6': 6,
}

const WEEKDAY_EN: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  weds: 3,
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

const MONTH_EN: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
}

const RELATIVE_DAYS: Record<string, number> = {
  前天: -2,
  昨天: -1,
  昨日: -1,
  yesterday: -1,
  今天: 0,
  今日: 0,
  明天: 1,
  明日: 1,
  后天: 2,
  大后天: 3,
  today: 0,
  tonight: 0,
  tomorrow: 1,
  tmr: 1,
  'day after tomorrow': 2,
  'the day after tomorrow': 2,
}

/** Words around a date that do not change it: "从2月10号", "2月20日回来", "on Feb 20", "back on Friday". */
const DATE_PREFIX = /^(?:从|自|到|至|于|在|是|大概|大约|(?:back )?on |from |until |till |by |it's |its )+/u
const DATE_SUFFIX =
  /(?:出发|动身|离开|离家|走|回来|回家|返回|回|到家|左右|前后|那天|当天|吧|了| or so| morning| evening| night)+$/u

/** Within this many days before today, a date without a year is this year's (and so in the past). */
const RECENT_PAST_DAYS = 60

/**
 * A day named in Chinese or English, read relative to now in the station's
 * time zone: "今天", "明天", "后天", "3天后", "周五" (the coming one, today
 * included), "这周五", "下周五" (Friday of next week, weeks starting Monday),
 * "2月20日", "12月3号", "二月二十日", "2/20", "2026-02-20", "2026年2月20日",
 * "today", "tomorrow", "in 3 days", "Friday", "this Friday", "next Friday",
 * "Feb 20", "20th February 2027". A day and month without a year is the next
 * such day, unless it was within the last two months: then it is this year's,
 * and a check for "in the past" can say so instead of silently moving it a year.
 * Problems: `unreadable`, `no-such-date` (with `month` and `day`).
 */
export function parseDate(text: string, now: Date, timeZone: string): Parsed<LocalDate> {
  const today = localDateOf(now, timeZone)
  const t = bare(text).toLowerCase().replace(DATE_PREFIX, '').replace(DATE_SUFFIX, '').trim()
  if (!t) return fail('unreadable')

  const relative = RELATIVE_DAYS[t]
  if (relative !== undefined) return ok(addDays(today, relative))

  const later = /^(\d{1,3}|[一二两三四五六七八九十]+) ?天(?:后|以后|之后)$/u.exec(t)
  const laterEn = /^in (\d{1,3}) days?$|^(\d{1,3}) days? (?:from now|later)$/.exec(t)
  const laterDays = later?.[1] ? readSmallNumber(later[1]) : laterEn ? Number(laterEn[1] ?? laterEn[2]) : null
  if (laterDays !== null) return ok(addDays(today, laterDays))

  const weekdayZh = /^(下下|下|这|本|这个|下个)?(?:周|星期|礼拜)([一二三四五六日天七1-7])$/u.exec(t)
  if (weekdayZh) {
    const which = weekdayZh[1] ?? ''
    const weekday = WEEKDAY_ZH[weekdayZh[2] ?? ''] ?? 0
    const weeksAhead = which.startsWith('下下') ? 2 : which.startsWith('下') ? 1 : which ? 0 : null
    return ok(weekdayDate(today, weekday, weeksAhead))
  }
  const weekdayEn = /^(next|this|coming|the coming)? ?([a-z]+)$/.exec(t)
  if (weekdayEn && WEEKDAY_EN[weekdayEn[2] ?? ''] !== undefined) {
    const weekday = WEEKDAY_EN[weekdayEn[2] ?? ''] ?? 0
    const which = weekdayEn[1]
    return ok(weekdayDate(today, weekday, which === 'next' ? 1 : which === 'this' ? 0 : null))
  }

  const full = /^(\d{4}) ?[年\-/.] ?(\d{1,2}) ?[月\-/.] ?(\d{1,2}) ?[日号]?$/u.exec(t)
  if (full) return exact(Number(full[1]), Number(full[2]), Number(full[3]))

  const monthDayZh =
    /^(\d{1,2}|[一二三四五六七八九十]{1,3}) ?月 ?(\d{1,2}|[一二三四五六七八九十]{1,3}) ?[日号]?$/u.exec(t)
  if (monthDayZh) {
    const month = readSmallNumber(monthDayZh[1] ?? '')
    const day = readSmallNumber(monthDayZh[2] ?? '')
    if (month !== null && day !== null) return yearless(today, month, day)
  }

  const slashed = /^(\d{1,2})[/.](\d{1,2})$/.exec(t)
  if (slashed) {
    const a = Number(slashed[1])
    const b = Number(slashed[2])
    // Month first, as written in China; "20/2" cannot be, so it is day first.
    return a > 12 && b <= 12 ? yearless(today, b, a) : yearless(today, a, b)
  }

  const monthFirst = /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$/.exec(t)
  const dayFirst = /^(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?(?:,? (\d{4}))?$/.exec(t)
  const english = monthFirst
    ? { month: monthFirst[1], day: monthFirst[2], year: monthFirst[3] }
    : dayFirst
      ? { month: dayFirst[2], day: dayFirst[1], year: dayFirst[3] }
      : null
  const monthNo = english ? MONTH_EN[english.month ?? ''] : undefined
  if (english && monthNo !== undefined) {
    const day = Number(english.day)
    return english.year ? exact(Number(english.year), monthNo, day) : yearless(today, monthNo, day)
  }
  return fail('unreadable')
}

function exact(year: number, month: number, day: number): Parsed<LocalDate> {
  return isRealDate(year, month, day) ? ok(localDate(year, month, day)) : fail('no-such-date', { month, day })
}

function yearless(today: LocalDate, month: number, day: number): Parsed<LocalDate> {
  const year = Number(today.slice(0, 4))
  // 29 February is a real day in some years: look at this year and the next.
  const candidates = [year, year + 1].filter((y) => isRealDate(y, month, day))
  const first = candidates[0]
  if (first === undefined) return fail('no-such-date', { month, day })
  const thisYear = localDate(first, month, day)
  if (daysBetween(today, thisYear) >= -RECENT_PAST_DAYS) return ok(thisYear)
  const next = candidates.find((y) => y > year) ?? year + 1
  return isRealDate(next, month, day) ? ok(localDate(next, month, day)) : fail('no-such-date', { month, day })
}

/**
 * The weekday in a week counted from today's: `weeksAhead` null means the
 * coming one (today included), 0 this week's, 1 next week's (weeks start Monday).
 */
function weekdayDate(today: LocalDate, weekday: number, weeksAhead: number | null): LocalDate {
  const todayWeekday = weekdayOf(today)
  if (weeksAhead === null) return addDays(today, (weekday - todayWeekday + 7) % 7)
  const sinceMonday = (todayWeekday + 6) % 7
  const monday = addDays(today, -sinceMonday)
  return addDays(monday, weeksAhead * 7 + ((weekday + 6) % 7))
}

// ---------------------------------------------------------------- phones

export interface Phone {
  kind: 'mobile' | 'landline'
  /** Mobile: 11 digits; landline: area code, a dash, the local number ("0571-87654321"). */
  number: string
}

const PHONE_LABEL =
  /^(?:(?:我的|联系)?(?:手机号码|手机号|手机|电话号码|电话|号码|座机)(?:是|为)?|tel|phone|mobile|cell)[:：]?/iu

/**
 * A mainland mobile (1[3-9] and nine more digits, with or without +86) or a
 * landline with its area code (010 and 02x take eight digits, other codes
 * three-digit area plus seven or eight), spaces and dashes allowed.
 * Problems: `not-a-phone`, `mobile-length` (with `digits`), `needs-area-code`.
 */
export function parsePhone(text: string): Parsed<Phone> {
  const t = bare(text).replace(PHONE_LABEL, '').trim()
  if (!/^\+?[\d\s\-()（）.]+$/u.test(t)) return fail('not-a-phone')
  let digits = t.replace(/[^\d+]/g, '')
  const international = /^(?:\+86|0086)(\d+)$/.exec(digits) ?? /^86(1\d{10})$/.exec(digits)
  if (international) digits = international[1] ?? ''
  if (digits.includes('+')) return fail('not-a-phone')
  if (digits.startsWith('1')) {
    if (digits.length !== 11) return fail('mobile-length', { digits: digits.length })
    return /^1[3-9]\d{9}$/.test(digits) ? ok({ kind: 'mobile', number: digits }) : fail('not-a-phone')
  }
  if (digits.startsWith('0')) {
    const area = /^0(?:10|2\d)/.test(digits) ? digits.slice(0, 3) : digits.slice(0, 4)
    const local = digits.slice(area.length)
    if (/^0[3-9]\d{2}$|^0(?:10|2\d)$/.test(area) && /^[2-9]\d{6,7}$/.test(local)) {
      return ok({ kind: 'landline', number: `${area}-${local}` })
    }
    return fail('not-a-phone')
  }
  if (/^[2-9]\d{6,7}$/.test(digits)) return fail('needs-area-code')
  return fail('not-a-phone')
}

// ---------------------------------------------------------------- yes / no

const YES = new Set([
  '是',
  '是的',
  '好',
  '好的',
  '对',
  '对的',
  '有',
  '有的',
  '可以',
  '行',
  '嗯',
  '嗯嗯',
  '确认',
  '确定',
  '没错',
  'yes',
  'y',
  'yeah',
  'yep',
  'ok',
  'okay',
  'sure',
  'true',
  'correct',
  'right',
])

const NO = new Set([
  '不',
  '否',
  '不是',
  '不对',
  '没有',
  '没',
  '无',
  '不用',
  '不要',
  '不行',
  '不可以',
  '没有的',
  'no',
  'n',
  'nope',
  'none',
  'false',
  'not really',
])

/**
 * A yes or a no, in the words residents use: 是/好/对/有/可以/yes… and
 * 不/否/没有/无/no…; also a longer answer that starts with one ("有，我妹妹有钥匙",
 * "没有摄像头", "yes, my neighbour"). Problem: `not-yes-no`.
 */
export function parseYesNo(text: string): Parsed<boolean> {
  const t = bare(text).toLowerCase()
  if (YES.has(t)) return ok(true)
  if (NO.has(t)) return ok(false)
  if (/^(?:不知道|不清楚|不确定|不一定|说不准|not sure|don'?t know|maybe)/u.test(t)) return fail('not-yes-no')
  if (/^(?:没|无|不|否)/u.test(t)) return ok(false)
  if (/^(?:有|是|对|可以|好)/u.test(t)) return ok(true)
  if (/^(?:no|nope|not)\b/.test(t)) return ok(false)
  if (/^(?:yes|yeah|yep|sure)\b/.test(t)) return ok(true)
  return fail('not-yes-no')
}

// ---------------------------------------------------------------- free text

/** Counted as a resident would count them: one per character, emoji included. */
export const charCount = (text: string): number => [...text].length

/**
 * Free text, trimmed, with inner runs of spaces collapsed. Problems: `empty`,
 * `too-short` (with `min`), `too-long` (with `max` and `length`).
 */
export function parseText(text: string, limits: { min?: number; max: number }): Parsed<string> {
  const t = tidy(text)
  const length = charCount(t)
  if (length === 0) return fail('empty')
  if (limits.min && length < limits.min) return fail('too-short', { min: limits.min })
  if (length > limits.max) return fail('too-long', { max: limits.max, length })
  return ok(t)
}

const SKIP = new Set([
  '无',
  '没有',
  '没',
  '不用',
  '跳过',
  '略',
  '暂无',
  '没什么',
  '没有了',
  '不需要',
  'none',
  'no',
  'nothing',
  'skip',
  'n/a',
  'na',
  '-',
])

/** An answer that leaves an optional field empty: "无", "没有", "跳过", "none", "skip". */
export function isSkip(text: string): boolean {
  return SKIP.has(bare(text).toLowerCase())
}

// ---------------------------------------------------------------- ID numbers

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** The check character of the first 17 digits of a mainland ID number (ISO 7064 MOD 11-2). */
export function idCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0)
  return ID_CHECK[sum % 11] ?? ''
}

/**
 * An 18-digit mainland resident ID number: region, birth date (a real day,
 * not in the future), sequence and check character (X upper-cased).
 * Problems: `id-old-format` (15 digits), `id-length` (with `length`),
 * `id-format`, `id-region`, `id-birthdate`, `id-checksum`.
 */
export function parseIdNumber(text: string, now: Date, timeZone: string): Parsed<string> {
  const t = bare(text).replace(/[\s-]/g, '').toUpperCase()
  if (/^\d{15}$/.test(t)) return fail('id-old-format')
  if (!/^[\dX]+$/.test(t)) return fail('id-format')
  if (t.length !== 18) return fail('id-length', { length: t.length })
  if (!/^\d{17}[\dX]$/.test(t)) return fail('id-format')
  if (!/^[1-8][1-9]/.test(t)) return fail('id-region')
  const year = Number(t.slice(6, 10))
  const month = Number(t.slice(10, 12))
  const day = Number(t.slice(12, 14))
  if (year < 1900 || !isRealDate(year, month, day)) return fail('id-birthdate')
  if (localDate(year, month, day) > localDateOf(now, timeZone)) return fail('id-birthdate')
  if (idCheckCharacter(t.slice(0, 17)) !== t[17]) return fail('id-checksum')
  return ok(t)
}
