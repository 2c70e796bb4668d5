import { addDays, instantOn, type LocalDate, localDateOf } from './local-date.ts'

/**
 * Dispute mediation over time: sessions with a reminder the day before and
 * an hour before, an outcome, and a follow-up visit thirty days after an
 * agreement. Pure rules; the service in src/app/forms/mediation.ts applies them.
 */

/** 申请人 (asked for it), 被申请人 (the other side), 其他当事人 (anyone else involved). */
export const PARTY_ROLES = ['applicant', 'respondent', 'other'] as const
export type PartyRole = (typeof PARTY_ROLES)[number]

/** Where a dispute goes when mediation does not settle it. */
export const NEXT_STEPS = ['committee', 'court', 'police'] as const
export type NextStep = (typeof NEXT_STEPS)[number]

export type MediationState = 'open' | 'settled' | 'not_settled'

/** What the follow-up visit found of the agreement. */
export const FOLLOW_UP_RESULTS = ['kept', 'partly_kept', 'broken'] as const
export type FollowUpResult = (typeof FOLLOW_UP_RESULTS)[number]

/** The one team the station file marks as its mediation centre (`team: mediation`). */
export const MEDIATION_TEAM = 'mediation'

export type MediationTimerKind = 'session-day-before' | 'session-hour-before' | 'follow-up'

export interface MediationSchedule {
  /** How long before a session each reminder goes out. */
  dayBeforeMs: number
  hourBeforeMs: number
  /** The follow-up visit: this many days after the agreement, reminded at this minute of the day. */
  followUpDays: number
  followUpMinute: number
  /** A session must be at least this far ahead when it is scheduled, and at most `maxLeadDays`. */
  minLeadMs: number
  maxLeadDays: number
}

export const DEFAULT_MEDIATION_SCHEDULE: MediationSchedule = {
  dayBeforeMs: 24 * 3_600_000,
  hourBeforeMs: 3_600_000,
  followUpDays: 30,
  followUpMinute: 9 * 60,
  minLeadMs: 10 * 60_000,
  maxLeadDays: 180,
}

/** Every mediation timer id starts so: the timer worker hands these to mediation. */
export const MEDIATION_TIMER_PREFIX = 'md-'

export const isMediationTimer = (timerId: string): boolean => timerId.startsWith(MEDIATION_TIMER_PREFIX)

/** Also the BullMQ job id: request, session and which reminder; no ':'. */
export function sessionTimerId(requestId: string, sessionId: string, kind: MediationTimerKind): string {
  return `${MEDIATION_TIMER_PREFIX}${requestId}-${sessionId}-${kind === 'session-day-before' ? 'd1' : 'h1'}`
}

export function followUpTimerId(requestId: string): string {
  return `${MEDIATION_TIMER_PREFIX}${requestId}-followup`
}

/** The session a reminder's id names, given the request it belongs to; null for any other id. */
export function sessionOfTimer(requestId: string, timerId: string): string | null {
  const head = `${MEDIATION_TIMER_PREFIX}${requestId}-`
  const m = /^(.+)-(?:d1|h1)$/.exec(timerId.startsWith(head) ? timerId.slice(head.length) : '')
  return m?.[1] ?? null
}

export interface PlannedMediationTimer {
  id: string
  kind: MediationTimerKind
  /** The session's local day (the follow-up's own day for the follow-up). */
  day: LocalDate
  dueAt: Date
}

/**
 * The reminders of a session starting at `startsAt`, scheduled at `now`:
 * the day before and the hour before, each only if its time is still ahead
 * (a session set for this afternoon gets no "tomorrow" reminder).
 */
export function planSessionReminders(
  requestId: string,
  session: { id: string; startsAt: Date },
  schedule: MediationSchedule,
  timeZone: string,
  now: Date,
): PlannedMediationTimer[] {
  const day = localDateOf(session.startsAt, timeZone)
  const out: PlannedMediationTimer[] = []
  const reminders: Array<[MediationTimerKind, number]> = [
    ['session-day-before', schedule.dayBeforeMs],
    ['session-hour-before', schedule.hourBeforeMs],
  ]
  for (const [kind, before] of reminders) {
    const dueAt = new Date(session.startsAt.getTime() - before)
    if (dueAt.getTime() <= now.getTime()) continue
    out.push({ id: sessionTimerId(requestId, session.id, kind), kind, day, dueAt })
  }
  return out
}

/** The follow-up visit of an agreement reached at `settledAt`: its day and when the mediator is reminded. */
export function planFollowUp(
  requestId: string,
  settledAt: Date,
  schedule: MediationSchedule,
  timeZone: string,
): PlannedMediationTimer {
  const day = addDays(localDateOf(settledAt, timeZone), schedule.followUpDays)
  return {
    id: followUpTimerId(requestId),
    kind: 'follow-up',
    day,
    dueAt: instantOn(day, schedule.followUpMinute, timeZone),
  }
}

/** Why a session time is refused, or null when it can be scheduled. */
export function sessionTimeProblem(
  startsAt: Date,
  now: Date,
  schedule: MediationSchedule,
): 'past' | 'too-soon' | 'too-far' | null {
  const ahead = startsAt.getTime() - now.getTime()
  if (ahead <= 0) return 'past'
  if (ahead < schedule.minLeadMs) return 'too-soon'
  if (ahead > schedule.maxLeadDays * 86_400_000) return 'too-far'
  return null
}

/**
 * The Fengqiao model's settlement rate: disputes settled over disputes whose
 * mediation concluded (settled or not), so cases still being mediated count
 * for neither side. Four decimals; null when nothing concluded.
 */
export function settlementRate(settled: number, concluded: number): number | null {
  return concluded > 0 ? Math.round((settled / concluded) * 10_000) / 10_000 : null
}
