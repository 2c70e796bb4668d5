import { keywordText } from './intents.ts'
import { daysFrom, instantOn, type LocalDate } from './local-date.ts'
import { bare } from './parsers.ts'

/**
 * Holiday home watch over time: one check a day from the day the family
 * leaves until the day before they are back, a reminder to the officer each
 * morning, an escalation when a day passes without a check, and a summary to
 * the resident on the day they are back.
 */

export type HomeWatchTimerKind = 'check-reminder' | 'check-missed' | 'end'

/** When, in the station's time zone, each day's timers fire. */
export interface HomeWatchSchedule {
  /** Minute of the day the officer is reminded of the day's check. */
  remindMinute: number
  /** Minute of the day by which the check must be recorded, else it is escalated. */
  dueMinute: number
  /** Minute of the return day at which the summary goes out and the case resolves. */
  endMinute: number
  /** A day whose check would be due sooner than this after the request is made is not asked for. */
  minNoticeMs: number
}

export const DEFAULT_HOME_WATCH_SCHEDULE: HomeWatchSchedule = {
  remindMinute: 9 * 60,
  dueMinute: 21 * 60,
  endMinute: 10 * 60,
  minNoticeMs: 2 * 3_600_000,
}

export interface PlannedHomeWatchTimer {
  /** Also the BullMQ job id: request, day and kind, no ':'. */
  id: string
  kind: HomeWatchTimerKind
  /** The day a check is for; for the end, the return day. */
  day: LocalDate
  dueAt: Date
}

/** The days the home is checked: from the day the family leaves to the day before they are back. */
export function checkDays(awayFrom: LocalDate, backOn: LocalDate): LocalDate[] {
  return daysFrom(awayFrom, backOn)
}

const compact = (day: LocalDate) => day.replaceAll('-', '')

export function homeWatchTimerId(requestId: string, kind: HomeWatchTimerKind, day: LocalDate): string {
  return kind === 'end'
    ? `hw-${requestId}-end-${compact(day)}`
    : `hw-${requestId}-${compact(day)}-${kind === 'check-reminder' ? 'remind' : 'missed'}`
}

/**
 * The timers of a home watch over `awayFrom`..`backOn`, for a request made
 * (or extended) at `since`: a reminder and a deadline for every check day
 * still far enough ahead to be done, and the end on the return day. A
 * reminder whose time has passed is due at once.
 */
export function planHomeWatchTimers(
  requestId: string,
  period: { awayFrom: LocalDate; backOn: LocalDate },
  schedule: HomeWatchSchedule,
  timeZone: string,
  since: Date,
): PlannedHomeWatchTimer[] {
  const out: PlannedHomeWatchTimer[] = []
  const atLeast = (at: Date) => (at < since ? since : at)
  for (const day of checkDays(period.awayFrom, period.backOn)) {
    const due = instantOn(day, schedule.dueMinute, timeZone)
    if (due.getTime() - since.getTime() < schedule.minNoticeMs) continue
    out.push({
      id: homeWatchTimerId(requestId, 'check-reminder', day),
      kind: 'check-reminder',
      day,
      dueAt: atLeast(instantOn(day, schedule.remindMinute, timeZone)),
    })
    out.push({ id: homeWatchTimerId(requestId, 'check-missed', day), kind: 'check-missed', day, dueAt: due })
  }
  out.push({
    id: homeWatchTimerId(requestId, 'end', period.backOn),
    kind: 'end',
    day: period.backOn,
    dueAt: atLeast(instantOn(period.backOn, schedule.endMinute, timeZone)),
  })
  return out
}

/** The day a check at `at` counts for, and whether the home watch covers it (the return day too). */
export function coversDay(period: { awayFrom: LocalDate; backOn: LocalDate }, day: LocalDate): boolean {
  return day >= period.awayFrom && day <= period.backOn
}

/** What a resident with a home watch running can say by chat. */
export type HomeWatchCommand = { kind: 'extend'; until: string } | { kind: 'end' }

const EXTEND_ZH = /^(?:长假照看|照看)?(?:延长|延期|推迟|改)(?:照看)?(?:到|至)(.+?)$/u
const EXTEND_EN = /^(?:please )?extend(?: (?:the |my )?(?:holiday )?(?:home )?watch)? (?:to|until|till) (.+)$/
const END_ZH = new Set([
  '提前结束',
  '提前结束照看',
  '结束照看',
  '结束长假照看',
  '停止照看',
  '取消照看',
  '取消长假照看',
  '长假照看结束',
  '我已经回来了',
  '我回来了',
  '已经回来了',
  '已经回家了',
  '我到家了',
])
const END_EN =
  /^(?:end|stop|cancel|finish)(?: the| my)?(?: holiday)? home ?watch(?: early)?$|^(?:i'?m|i am|we'?re|we are) (?:back|home)(?: early)?$/

/** "延长到3月1日", "提前结束", "extend to March 1", "end home watch": a change to the running home watch. */
export function parseHomeWatchCommand(text: string): HomeWatchCommand | null {
  const t = bare(text)
  if (t.length > 60) return null
  const lower = t.toLowerCase()
  const zh = EXTEND_ZH.exec(t)
  if (zh?.[1]) return { kind: 'extend', until: zh[1] }
  const en = EXTEND_EN.exec(lower)
  if (en?.[1]) return { kind: 'extend', until: en[1] }
  if (END_ZH.has(t) || END_ZH.has(keywordText(t)) || END_EN.test(lower)) return { kind: 'end' }
  return null
}
