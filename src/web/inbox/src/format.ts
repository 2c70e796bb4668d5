import { t } from './i18n.ts'
import type { CannedReply, CaseSummary, DeliveryState, Lang, Message } from './types.ts'

const MINUTE = 60_000
const DAY_MINUTES = 24 * 60

/** How much time is left (or gone) before a case's first-response deadline. */
export interface DueLabel {
  text: string
  overdue: boolean
  /** Due within the next 15 minutes: worth a warning colour. */
  soon: boolean
}

/** A whole-minute span as "12 分钟", "2 小时 5 分", "3 天" (or the English short forms). */
export function formatSpan(minutes: number, lang: Lang): string {
  if (minutes < 60) return t(lang, 'unitMin', { n: minutes })
  if (minutes < DAY_MINUTES) {
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    return m === 0 ? t(lang, 'unitHour', { n: h }) : t(lang, 'unitHourMin', { h, m })
  }
  return t(lang, 'unitDay', { n: Math.floor(minutes / DAY_MINUTES) })
}

/**
 * "逾期 12 分钟" / "8 分钟后到期" for a deadline seen at `now`; null when the case
 * has no pending deadline. Time still left rounds up (30 s left is "1 min"), time
 * gone rounds down, so a label never claims more lateness than there is.
 */
export function formatDue(
  dueAt: string | null,
  now: number,
  lang: Lang,
  overdueFlag = false,
): DueLabel | null {
  if (!dueAt) return null
  const due = Date.parse(dueAt)
  if (Number.isNaN(due)) return null
  const diff = due - now
  if (diff <= 0 || overdueFlag) {
    const late = Math.floor(Math.max(0, -diff) / MINUTE)
    const text = late < 1 ? t(lang, 'overdueJust') : t(lang, 'overdueBy', { t: formatSpan(late, lang) })
    return { text, overdue: true, soon: false }
  }
  const left = Math.ceil(diff / MINUTE)
  return { text: t(lang, 'dueIn', { t: formatSpan(left, lang) }), overdue: false, soon: left <= 15 }
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

function startOfDay(time: number): number {
  const d = new Date(time)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
}

/** The date part alone: "3月12日" / "12 Mar", with the year when it is not this year's. */
export function formatDay(iso: string, now: number, lang: Lang): string {
  const d = new Date(iso)
  const sameYear = d.getFullYear() === new Date(now).getFullYear()
  const vars = { y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate(), mon: MONTHS_EN[d.getMonth()] ?? '' }
  return t(lang, sameYear ? 'dateMonthDay' : 'dateFull', vars)
}

/**
 * A message or list time as an officer reads it: "14:05" today,
 * "昨天 14:05" yesterday, "3月12日 14:05" earlier this year, with the year before that.
 * Uses the browser's time zone, which is the station's for a station's officers.
 */
export function formatClock(iso: string, now: number, lang: Lang): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  const d = new Date(time)
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  const days = Math.round((startOfDay(now) - startOfDay(time)) / (DAY_MINUTES * MINUTE))
  if (days === 0) return hm
  if (days === 1) return `${t(lang, 'yesterday')} ${hm}`
  return `${formatDay(iso, now, lang)} ${hm}`
}

function timeOf(iso: string | null): number {
  if (!iso) return Number.POSITIVE_INFINITY
  const time = Date.parse(iso)
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time
}

/**
 * The list order the server uses, so rows merged in from live events land where
 * a reload would put them: overdue first, then the nearest deadline (none last),
 * then the most recent message, then id for a stable order.
 */
export function compareCases(a: CaseSummary, b: CaseSummary): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1
  const due = timeOf(a.firstResponseDueAt) - timeOf(b.firstResponseDueAt)
  if (due !== 0 && !Number.isNaN(due)) return due < 0 ? -1 : 1
  const last = timeOf(b.lastMessageAt) - timeOf(a.lastMessageAt)
  if (last !== 0 && !Number.isNaN(last)) return last < 0 ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** A sorted copy of `cases`. */
export function sortCases(cases: readonly CaseSummary[]): CaseSummary[] {
  return [...cases].sort(compareCases)
}

/**
 * Puts `incoming` over `current` by id (incoming wins, nothing twice) and sorts
 * the result; used after a live event or a reconnect, when the same record may
 * arrive more than once.
 */
export function mergeById<T extends { id: string }>(
  current: readonly T[],
  incoming: readonly T[],
  compare: (a: T, b: T) => number,
): T[] {
  const byId = new Map<string, T>()
  for (const item of current) byId.set(item.id, item)
  for (const item of incoming) byId.set(item.id, item)
  return [...byId.values()].sort(compare)
}

/** Conversation order: oldest first, ties broken by id. */
export function compareMessages(a: Message, b: Message): number {
  const diff = timeOf(a.createdAt) - timeOf(b.createdAt)
  if (diff !== 0 && !Number.isNaN(diff)) return diff < 0 ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Moves the case at `currentId` by `step` (+1 next, −1 previous) within the list, stopping at the ends. */
export function neighbourId(
  cases: readonly { id: string }[],
  currentId: string | null,
  step: 1 | -1,
): string | null {
  if (cases.length === 0) return null
  const index = currentId ? cases.findIndex((c) => c.id === currentId) : -1
  if (index === -1) return step === 1 ? (cases[0]?.id ?? null) : (cases[cases.length - 1]?.id ?? null)
  const next = Math.min(cases.length - 1, Math.max(0, index + step))
  return cases[next]?.id ?? null
}

/** The values a canned reply's `{resident}`, `{case}` and `{officer}` stand for. */
export interface CannedVars {
  resident: string
  case: string
  officer: string
}

/** Fills the known variables of a canned reply body; unknown `{…}` stay as written. */
export function fillCanned(body: string, vars: CannedVars): string {
  return body.replace(/\{(resident|case|officer)\}/g, (_whole, name: keyof CannedVars) => vars[name])
}

/** The canned-reply shortcut being typed just before the caret, if any. */
export interface CannedTrigger {
  /** Index of the "/" or "#" that opened it. */
  start: number
  /** What follows the trigger character, lower-cased. */
  query: string
}

/**
 * Finds a shortcut being typed: "/" or "#" at the start of the text or after
 * whitespace, followed by anything but whitespace, up to the caret.
 */
export function findCannedTrigger(text: string, caret: number): CannedTrigger | null {
  const before = text.slice(0, caret)
  const match = /(^|\s)([/#])([^\s/#]*)$/.exec(before)
  if (!match) return null
  const start = match.index + (match[1]?.length ?? 0)
  return { start, query: (match[3] ?? '').toLowerCase() }
}

function bareShortcut(shortcut: string): string {
  return shortcut.replace(/^[/#]+/, '').toLowerCase()
}

/**
 * Canned replies matching a typed query: shortcuts starting with it first, then
 * shortcuts or titles containing it; an empty query lists them all by shortcut.
 */
export function filterCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.trim().toLowerCase()
  const rank = (reply: CannedReply): number => {
    const shortcut = bareShortcut(reply.shortcut)
    if (q === '') return 1
    if (shortcut === q) return 0
    if (shortcut.startsWith(q)) return 1
    if (shortcut.includes(q)) return 2
    if (reply.title.toLowerCase().includes(q)) return 3
    return -1
  }
  return replies
    .map((reply) => ({ reply, score: rank(reply) }))
    .filter((entry) => entry.score >= 0)
    .sort(
      (a, b) =>
        a.score - b.score || bareShortcut(a.reply.shortcut).localeCompare(bareShortcut(b.reply.shortcut)),
    )
    .map((entry) => entry.reply)
}

/** Replaces the typed shortcut (from `trigger.start` to the caret) with `insert`; returns the text and the new caret. */
export function applyCanned(
  text: string,
  caret: number,
  trigger: CannedTrigger,
  insert: string,
): { text: string; caret: number } {
  const next = text.slice(0, trigger.start) + insert + text.slice(caret)
  return { text: next, caret: trigger.start + insert.length }
}

/** Whole minutes to wait before trying again, from a Retry-After header (seconds or an HTTP date). */
export function retryAfterMinutes(header: string | null, now: number): number | null {
  if (!header) return null
  const seconds = Number(header)
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now
  if (!Number.isFinite(wait) || wait <= 0) return null
  return Math.max(1, Math.ceil(wait / MINUTE))
}

const DELIVERY_ORDER: Record<DeliveryState, number> = { received: 0, queued: 1, sent: 2, failed: 2 }

/**
 * The delivery state to show after a live update. Events may arrive out of
 * order, so "queued" never overwrites "sent"; a retry takes "failed" back to "queued".
 */
export function nextDeliveryState(current: DeliveryState, incoming: DeliveryState): DeliveryState {
  if (current === 'failed' && incoming === 'queued') return incoming
  return DELIVERY_ORDER[incoming] >= DELIVERY_ORDER[current] ? incoming : current
}
