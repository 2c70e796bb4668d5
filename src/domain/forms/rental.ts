import { localParts } from '../duty.ts'
import { keywordText } from './intents.ts'
import { addDays, instantOn, type LocalDate, localDateOf } from './local-date.ts'
import { bare } from './parsers.ts'

/**
 * A rental registration over time: the landlord reminded the day before a
 * safety-inspection visit, asked some days before the lease ends whether the
 * tenant stays or moves out, and, with no answer, the registration ended the
 * day after the lease did (so the tenant's ID number can be purged in time).
 */

export type RentalTimerKind = 'inspection-reminder' | 'lease-ask' | 'lease-end'

export interface RentalSchedule {
  /** Days before the lease ends that the landlord is asked whether the tenant stays. */
  askDaysBefore: number
  /** Minute of the day (station time) the question goes out. */
  askMinute: number
  /** Minute of the day after the lease ends at which an unanswered registration ends. */
  endMinute: number
  /** Minute of the day before an inspection visit at which the landlord is reminded. */
  remindMinute: number
}

export const DEFAULT_RENTAL_SCHEDULE: RentalSchedule = {
  askDaysBefore: 7,
  askMinute: 10 * 60,
  endMinute: 10 * 60,
  remindMinute: 10 * 60,
}

/** Whose timers these are, by id: the service-timers worker hands "rr-…" jobs to the rental service. */
export const RENTAL_TIMER_PREFIX = 'rr-'

export interface PlannedRentalTimer {
  /** Also the BullMQ job id (no ':'). */
  id: string
  kind: RentalTimerKind
  /** The lease's last day, or the day of the visit. */
  day: LocalDate
  dueAt: Date
}

const compact = (day: LocalDate) => day.replaceAll('-', '')
const pad = (n: number) => String(n).padStart(2, '0')

export function leaseTimerId(
  requestId: string,
  kind: 'lease-ask' | 'lease-end',
  leaseEnd: LocalDate,
): string {
  return `${RENTAL_TIMER_PREFIX}${requestId}-${kind === 'lease-ask' ? 'ask' : 'end'}-${compact(leaseEnd)}`
}

export function inspectionTimerId(requestId: string, visitAt: Date, timeZone: string): string {
  const p = localParts(visitAt, timeZone)
  return `${RENTAL_TIMER_PREFIX}${requestId}-visit-${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}`
}

/**
 * The lease timers of a registration made (or renewed) at `since`: the
 * question `askDaysBefore` days ahead of the lease end, when that is still
 * to come, and the end the day after the lease.
 */
export function planLeaseTimers(
  requestId: string,
  leaseEnd: LocalDate,
  schedule: RentalSchedule,
  timeZone: string,
  since: Date,
): PlannedRentalTimer[] {
  const out: PlannedRentalTimer[] = []
  const askAt = instantOn(addDays(leaseEnd, -schedule.askDaysBefore), schedule.askMinute, timeZone)
  if (askAt > since) {
    out.push({
      id: leaseTimerId(requestId, 'lease-ask', leaseEnd),
      kind: 'lease-ask',
      day: leaseEnd,
      dueAt: askAt,
    })
  }
  const endAt = instantOn(addDays(leaseEnd, 1), schedule.endMinute, timeZone)
  out.push({
    id: leaseTimerId(requestId, 'lease-end', leaseEnd),
    kind: 'lease-end',
    day: leaseEnd,
    dueAt: endAt > since ? endAt : since,
  })
  return out
}

/** The reminder of a visit, the day before it; none when that moment has passed (the landlord was just told). */
export function planInspectionReminder(
  requestId: string,
  visitAt: Date,
  schedule: RentalSchedule,
  timeZone: string,
  since: Date,
): PlannedRentalTimer | null {
  const day = localDateOf(visitAt, timeZone)
  const dueAt = instantOn(addDays(day, -1), schedule.remindMinute, timeZone)
  if (dueAt <= since) return null
  return { id: inspectionTimerId(requestId, visitAt, timeZone), kind: 'inspection-reminder', day, dueAt }
}

/** The landlord's answer to "does the tenant stay?". */
export type TenancyAnswer =
  | { kind: 'stays'; until: string }
  /** "续租" without the new end: asked for it. */
  | { kind: 'stays-without-date' }
  | { kind: 'moved-out' }

const STAYS_UNTIL_ZH =
  /^(?:租客)?(?:续租|续签|续约|继续租|继续住|还住|不搬)(?:了)?[,，]?\s*(?:到|至|租到|住到)(.+)$/u
const STAYS_UNTIL_EN =
  /^(?:the tenant )?(?:stays|is staying|renewed|renews|renewal|extended|will stay)(?: on)?,? (?:until|till|to) (.+)$/
const STAYS = new Set([
  '续租',
  '续签',
  '续约',
  '租客续租',
  '继续租',
  '继续住',
  '还住',
  '不搬',
  '不搬走',
  'stays',
  'staying',
  'renewed',
  'the tenant stays',
  'tenant stays',
  'renew',
])
const MOVED_OUT = new Set([
  '已搬走',
  '搬走了',
  '搬走',
  '已经搬走',
  '已经搬走了',
  '租客已搬走',
  '租客搬走了',
  '已搬离',
  '搬离',
  '已退租',
  '退租',
  '退租了',
  '不续租',
  '不续',
  '不续租了',
  'moved out',
  'moved',
  'has moved out',
  'the tenant moved out',
  'tenant moved out',
  'left',
  'not renewing',
  'no renewal',
])

/** "续租到2027年11月19日", "续租", "已搬走", "stays until 19 Nov 2027", "moved out"; null for anything else. */
export function parseTenancyAnswer(text: string): TenancyAnswer | null {
  const t = bare(text)
  if (t.length > 60) return null
  const lower = t.toLowerCase()
  const zh = STAYS_UNTIL_ZH.exec(t)
  if (zh?.[1]) return { kind: 'stays', until: zh[1] }
  const en = STAYS_UNTIL_EN.exec(lower)
  if (en?.[1]) return { kind: 'stays', until: en[1] }
  const word = keywordText(t)
  if (MOVED_OUT.has(lower) || MOVED_OUT.has(word)) return { kind: 'moved-out' }
  if (STAYS.has(lower) || STAYS.has(word)) return { kind: 'stays-without-date' }
  return null
}

const CORRECT = new Set([
  '修改登记',
  '修改出租登记',
  '更正登记',
  '改登记',
  'correct registration',
  'fix registration',
])

/** "修改登记": the landlord takes up a correction an officer asked for. */
export function isCorrectionRequest(text: string): boolean {
  const t = bare(text).toLowerCase()
  return CORRECT.has(t) || CORRECT.has(keywordText(t))
}
