import { officerNextOnDuty, officerOnDuty, type Rostered } from './duty.ts'
import type { CaseCategory, CasePriority, CaseStatus, WeeklyShift } from './types.ts'

export const PRIORITIES: readonly CasePriority[] = ['emergency', 'urgent', 'normal', 'low']
export const CATEGORIES: readonly CaseCategory[] = [
  'emergency',
  'dispute',
  'fraud',
  'noise',
  'lost_property',
  'consultation',
  'home_watch',
  'residence_permit',
  'rental_registration',
  'mediation',
]

/** How long a case may wait: for the first human answer (duty time), and to be resolved (calendar time). */
export interface ResponseTimes {
  firstResponseMs: number
  resolutionMs: number
}

/** Times per priority, with exceptions for some categories (e.g. fraud answered faster). */
export interface ResponsePolicy {
  byPriority: Record<CasePriority, ResponseTimes>
  byCategory: Partial<Record<CaseCategory, Partial<Record<CasePriority, Partial<ResponseTimes>>>>>
}

/** Everything the deadline service needs to know about time. */
export interface DeadlineSettings {
  policy: ResponsePolicy
  /** Share of the first-response time after which the officer is reminded (0 < share < 1). */
  reminderShare: number
  /** After-care: how long `awaiting_resident` waits before the resident is reminded, and before it is resolved. */
  nudgeAfterMs: number
  resolveAfterMs: number
  /** How long a resolved case stays resolved (a reply reopens it) before it is closed. */
  closeAfterMs: number
  /** Minute of the day of the digest for officers without a weekly pattern (always on duty). */
  digestMinute: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const DEFAULT_RESPONSE_TIMES: Record<CasePriority, ResponseTimes> = {
  emergency: { firstResponseMs: 2 * MINUTE, resolutionMs: DAY },
  urgent: { firstResponseMs: 10 * MINUTE, resolutionMs: 3 * DAY },
  normal: { firstResponseMs: 30 * MINUTE, resolutionMs: 7 * DAY },
  low: { firstResponseMs: 2 * HOUR, resolutionMs: 14 * DAY },
}

export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = {
  policy: { byPriority: DEFAULT_RESPONSE_TIMES, byCategory: {} },
  reminderShare: 0.75,
  nudgeAfterMs: DAY,
  resolveAfterMs: 3 * DAY,
  closeAfterMs: 7 * DAY,
  digestMinute: 8 * 60,
}

/** The times that apply to a case: its category's own entry where there is one, else its priority's. */
export function responseTimes(
  policy: ResponsePolicy,
  category: CaseCategory,
  priority: CasePriority,
): ResponseTimes {
  const base = policy.byPriority[priority]
  const special = policy.byCategory[category]?.[priority]
  return {
    firstResponseMs: special?.firstResponseMs ?? base.firstResponseMs,
    resolutionMs: special?.resolutionMs ?? base.resolutionMs,
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: DAY }

/** Reads "90s", "30m", "1.5h", "7d" (or "250ms") as milliseconds; null when it is not a positive duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(text)
  if (!m) return null
  const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? '').toLowerCase()] ?? Number.NaN)
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : null
}

/** A duration as a person would write it back ("30m", "72h", "90s"). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

export const DURATION_HINT = 'must be a positive duration such as 90s, 30m, 2h or 3d'

export type PolicyOverrides = Array<{
  category: CaseCategory | null
  priority: CasePriority
  times: Partial<ResponseTimes>
}>

/**
 * Reads response-policy entries. Text: "normal=30m/7d, urgent=10m, fraud.urgent=5m/2d"
 * (key `priority` or `category.priority`, value `firstResponse[/resolution]`).
 * A mapping (from the config file): the same keys, each with that text or
 * `{ firstResponse, resolution }`. Problems come back as [path, message] pairs.
 */
export function parsePolicyOverrides(input: unknown): {
  overrides: PolicyOverrides
  problems: Array<[string[], string]>
} {
  const overrides: PolicyOverrides = []
  const problems: Array<[string[], string]> = []
  let entries: Array<[string, unknown]>
  if (typeof input === 'string') {
    entries = input
      .split(/[,;\n]+/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const at = part.indexOf('=')
        return at < 0 ? [part, undefined] : [part.slice(0, at).trim(), part.slice(at + 1).trim()]
      })
  } else if (input && typeof input === 'object' && !Array.isArray(input)) {
    entries = Object.entries(input)
  } else {
    return {
      overrides,
      problems: [[[], 'must be entries like "normal=30m/7d, fraud.urgent=5m/2d" or a mapping of them']],
    }
  }
  for (const [key, value] of entries) {
    const [first, second, ...rest] = key.split('.')
    const category = second === undefined ? null : (first as CaseCategory)
    const priority = (second ?? first) as CasePriority
    if (
      rest.length ||
      !PRIORITIES.includes(priority) ||
      (category !== null && !CATEGORIES.includes(category))
    ) {
      problems.push([
        [key],
        `unknown key: use a priority (${PRIORITIES.join(', ')}) or category.priority with a category of ${CATEGORIES.join(', ')} (got "${key}")`,
      ])
      continue
    }
    let first_: unknown
    let resolution: unknown
    if (typeof value === 'string' || typeof value === 'number') {
      ;[first_, resolution] = String(value).split('/')
      if (first_ === '') first_ = undefined
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>
      first_ = v.firstResponse
      resolution = v.resolution
    } else {
      problems.push([
        [key],
        `needs a value like "30m/7d" (first response / resolution) (got "${String(value)}")`,
      ])
      continue
    }
    const times: Partial<ResponseTimes> = {}
    for (const [name, raw, field] of [
      ['firstResponse', first_, 'firstResponseMs'],
      ['resolution', resolution, 'resolutionMs'],
    ] as const) {
      if (raw === undefined || raw === null) continue
      const ms = parseDuration(String(raw))
      if (ms === null) problems.push([[key, name], `${DURATION_HINT} (got "${String(raw)}")`])
      else times[field] = ms
    }
    if (times.firstResponseMs === undefined && times.resolutionMs === undefined) {
      if (!problems.some(([path]) => path[0] === key))
        problems.push([[key], 'needs a value like "30m/7d" (first response / resolution)'])
      continue
    }
    overrides.push({ category, priority, times })
  }
  return { overrides, problems }
}

/** Applies overrides to per-priority times; answers the policy and any entry whose resolution comes before its first response. */
export function buildPolicy(
  byPriority: Record<CasePriority, ResponseTimes>,
  overrides: PolicyOverrides,
): { policy: ResponsePolicy; problems: Array<[string[], string]> } {
  const policy: ResponsePolicy = { byPriority: { ...byPriority }, byCategory: {} }
  for (const o of overrides) {
    if (o.category === null) {
      policy.byPriority[o.priority] = { ...policy.byPriority[o.priority], ...o.times }
    } else {
      const entries = policy.byCategory[o.category] ?? {}
      entries[o.priority] = { ...entries[o.priority], ...o.times }
      policy.byCategory[o.category] = entries
    }
  }
  const problems: Array<[string[], string]> = []
  for (const category of [null, ...CATEGORIES]) {
    for (const priority of PRIORITIES) {
      if (category && !policy.byCategory[category]?.[priority]) continue
      const t = category ? responseTimes(policy, category, priority) : policy.byPriority[priority]
      if (t.resolutionMs < t.firstResponseMs) {
        const key = category ? `${category}.${priority}` : priority
        problems.push([
          [key],
          `the resolution time (${formatDuration(t.resolutionMs)}) is shorter than the first-response time (${formatDuration(t.firstResponseMs)})`,
        ])
      }
    }
  }
  return { policy, problems }
}

/** When someone is on duty, as the deadline arithmetic asks it. */
export interface DutyCalendar {
  onDuty(at: Date): boolean
  /** The next instant on duty at or after `at`; null when there is none to be found. */
  nextOnDuty(at: Date): Date | null
}

/** Always on duty: the duty desk, and officers without a weekly pattern. */
export const ALWAYS_ON_DUTY: DutyCalendar = { onDuty: () => true, nextOnDuty: (at) => at }

/** An officer's duty hours and leave as a calendar; no officer (the duty desk) is always on duty. */
export function officerCalendar(officer: Rostered | undefined, timeZone: string): DutyCalendar {
  if (!officer) return ALWAYS_ON_DUTY
  return {
    onDuty: (at) => officerOnDuty(officer, at, timeZone),
    nextOnDuty: (at) => officerNextOnDuty(officer, at, timeZone),
  }
}

/**
 * `start` plus `durationMs` of on-duty time: the clock stops while the officer
 * is off duty. Duty patterns change on whole minutes, so on-duty time is
 * counted a minute at a time; a calendar that is never on duty again counts
 * calendar time instead, so a deadline always exists.
 */
export function addDutyTime(start: Date, durationMs: number, calendar: DutyCalendar): Date {
  let t = start.getTime()
  let remaining = durationMs
  // Bounded: a year of minutes, far beyond any first-response time.
  for (let guard = 0; guard < 600_000 && remaining > 0; guard++) {
    if (!calendar.onDuty(new Date(t))) {
      const next = calendar.nextOnDuty(new Date(t))
      if (!next || next.getTime() < t) return new Date(t + remaining)
      // Off duty now but on duty by the calendar's own reading of that instant: step over the edge.
      t = next.getTime() > t ? next.getTime() : Math.floor(t / MINUTE) * MINUTE + MINUTE
      continue
    }
    const step = Math.min(Math.floor(t / MINUTE) * MINUTE + MINUTE - t, remaining)
    t += step
    remaining -= step
  }
  return new Date(t + remaining)
}

/**
 * The first-response deadline of a case handed to someone at `now`: the
 * policy's time for its category and priority, counted in the holder's duty
 * hours (the duty desk's calendar is always on duty).
 */
export function firstResponseDue(
  policy: ResponsePolicy,
  category: CaseCategory,
  priority: CasePriority,
  now: Date,
  holder: DutyCalendar = ALWAYS_ON_DUTY,
): Date {
  return addDutyTime(now, responseTimes(policy, category, priority).firstResponseMs, holder)
}

export type TimerKind =
  | 'reminder'
  | 'escalation'
  | 'reroute'
  | 'resident-nudge'
  | 'auto-resolve'
  | 'rating'
  | 'close'

/** What the timers of a case depend on. */
export interface TimedCase {
  status: CaseStatus
  category: CaseCategory
  priority: CasePriority
  assigneeOfficerId: string | null
  firstResponseDueAt: Date | null
  firstRespondedAt: Date | null
  escalationLevel: number
  escalatedAt: Date | null
  awaitingSince: Date | null
  /** The resident's latest message on the case. */
  lastInboundAt: Date | null
  resolvedAt: Date | null
  ratingAskedAt: Date | null
  /** Set when the resident withdrew the request: nobody asks them to rate it. */
  cancelReason: string | null
}

/**
 * A timer the case should have. `anchorAt` is the moment it counts from (the
 * deadline, the start of waiting for the resident, the resolution): a timer
 * fires at most once per kind and anchor, whatever else changes meanwhile.
 */
export interface PlannedTimer {
  kind: TimerKind
  dueAt: Date
  anchorAt: Date
  /** The officer the timer concerns (the assignee it was planned for), null for the desk or the resident. */
  officerId: string | null
}

/** True while nobody has answered the resident: a first-response deadline runs. */
export function awaitsFirstResponse(c: Pick<TimedCase, 'status' | 'firstRespondedAt'>): boolean {
  return (c.status === 'new' || c.status === 'assigned') && c.firstRespondedAt === null
}

/**
 * The timers a case should have now, from its state alone.
 *
 * Unanswered: a reminder to the officer before the deadline and an escalation
 * at it (level 0); a re-route one more first-response time after the
 * escalation (level 1); after the re-route, a reminder to whoever holds it
 * (level 2). Waiting for the resident: a nudge, then resolution. Resolved: the
 * rating question at once, closing later.
 */
export function planTimers(
  c: TimedCase,
  settings: DeadlineSettings,
  assigneeCalendar: DutyCalendar = ALWAYS_ON_DUTY,
): PlannedTimer[] {
  const out: PlannedTimer[] = []
  const due = c.firstResponseDueAt
  if (awaitsFirstResponse(c) && due) {
    const { firstResponseMs } = responseTimes(settings.policy, c.category, c.priority)
    const officer = c.assigneeOfficerId
    const reminder = (): PlannedTimer => {
      const lead = Math.round((1 - settings.reminderShare) * firstResponseMs)
      const plain = new Date(due.getTime() - lead)
      // A reminder nobody is on duty to read waits for the start of the shift, if that is before the deadline.
      const onDutyAt = assigneeCalendar.onDuty(plain) ? plain : assigneeCalendar.nextOnDuty(plain)
      const at = onDutyAt && onDutyAt < due ? onDutyAt : plain
      return { kind: 'reminder', dueAt: at, anchorAt: due, officerId: officer }
    }
    if (c.escalationLevel <= 0) {
      if (officer) out.push(reminder())
      out.push({ kind: 'escalation', dueAt: due, anchorAt: due, officerId: officer })
    } else if (c.escalationLevel === 1) {
      if (officer) {
        const from = c.escalatedAt && c.escalatedAt > due ? c.escalatedAt : due
        out.push({
          kind: 'reroute',
          dueAt: new Date(from.getTime() + firstResponseMs),
          anchorAt: due,
          officerId: officer,
        })
      }
    } else if (officer) {
      out.push(reminder())
    }
  }
  if (c.status === 'awaiting_resident' && c.awaitingSince) {
    const since = c.awaitingSince
    const answered = c.lastInboundAt !== null && c.lastInboundAt > since
    if (!answered) {
      const at = (ms: number) => new Date(since.getTime() + ms)
      out.push({ kind: 'resident-nudge', dueAt: at(settings.nudgeAfterMs), anchorAt: since, officerId: null })
      out.push({ kind: 'auto-resolve', dueAt: at(settings.resolveAfterMs), anchorAt: since, officerId: null })
    }
  }
  if (c.status === 'resolved' && c.resolvedAt) {
    const resolved = c.resolvedAt
    if (c.cancelReason === null && (c.ratingAskedAt === null || c.ratingAskedAt < resolved)) {
      out.push({ kind: 'rating', dueAt: resolved, anchorAt: resolved, officerId: null })
    }
    out.push({
      kind: 'close',
      dueAt: new Date(resolved.getTime() + settings.closeAfterMs),
      anchorAt: resolved,
      officerId: null,
    })
  }
  return out
}

/** Whether two timers are the same one: same kind, counted from the same moment, for the same officer. */
export function sameTimer(
  a: Pick<PlannedTimer, 'kind' | 'anchorAt' | 'officerId'>,
  b: Pick<PlannedTimer, 'kind' | 'anchorAt' | 'officerId'>,
): boolean {
  return a.kind === b.kind && a.anchorAt.getTime() === b.anchorAt.getTime() && a.officerId === b.officerId
}

/** The BullMQ job id (and row id) of a timer: case, kind and case version, with no ':' in it. */
export function timerId(caseId: string, kind: TimerKind, caseVersion: number): string {
  return `tm-${caseId}-${kind}-v${caseVersion}`
}

/** A job scheduler for an officer's digest: at the start of their shifts, in the station's time zone. */
export interface DigestSchedule {
  /** Job scheduler id: officer and start time, e.g. "digest-of-330104-0830". */
  id: string
  /** Cron pattern "minute hour * * days" read in the station's time zone. */
  pattern: string
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/**
 * One schedule per distinct shift start in the officer's weekly pattern (days
 * that start at the same time share it); an officer without a pattern gets
 * one every day at `defaultMinute`.
 */
export function digestSchedules(
  officerId: string,
  duty: readonly WeeklyShift[],
  defaultMinute: number,
): DigestSchedule[] {
  const starts = new Map<number, Set<number>>()
  if (duty.length === 0) {
    starts.set(defaultMinute, new Set([0, 1, 2, 3, 4, 5, 6]))
  }
  for (const shift of duty) {
    const minute = shift.startMinute % 1440
    const days = starts.get(minute) ?? new Set<number>()
    days.add(shift.day)
    starts.set(minute, days)
  }
  return [...starts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([minute, days]) => {
      const h = Math.floor(minute / 60)
      const m = minute % 60
      const dayList = days.size === 7 ? '*' : [...days].sort((a, b) => a - b).join(',')
      return { id: `digest-${officerId}-${pad(h)}${pad(m)}`, pattern: `${m} ${h} * * ${dayList}` }
    })
}
