import { isOpen } from '../../domain/case-status.ts'
import { formatLocalTime, localParts } from '../../domain/duty.ts'
import { DEFAULT_MEDIATION_SCHEDULE, sessionOfTimer } from '../../domain/forms/mediation.ts'
import { mediationOfficerTexts, mediationResidentTexts } from '../../domain/forms/mediation-texts.ts'
import type { DirectorySnapshot } from '../ports.ts'
import { applyEffects, noEffects } from './effects.ts'
import type { MediationDeps } from './mediation.ts'
import type { MediationNotify } from './mediation-notify.ts'

type Fired = 'fired' | 'not-needed' | 'stopped' | 'missing' | 'already-fired' | 'cancelled' | 'raced'

export type MediationFireOutcome = { outcome: Fired } | { outcome: 'early'; retryInMs: number }

const EARLY_TOLERANCE_MS = 1000

const pad = (n: number) => String(n).padStart(2, '0')

/** Mediation's timers: session reminders to parties and officers, and the follow-up visit's reminder. */
export function createMediationReminders(deps: MediationDeps, notify: MediationNotify) {
  const schedule = deps.mediationSchedule ?? DEFAULT_MEDIATION_SCHEDULE
  const { officersToTell, event, tellParties, notifyOfficers } = notify
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone

  /**
   * One timer's job. The row is claimed (scheduled → fired) in the
   * transaction that does its work; a session called off, a mediation
   * concluded or a case someone resolved meanwhile stops it instead.
   */
  async function fire(timerId: string): Promise<MediationFireOutcome> {
    const row = await deps.store.timer(timerId)
    if (!row) return { outcome: 'missing' }
    if (row.state !== 'scheduled') {
      if (row.state === 'fired') {
        const pending = await deps.store.pendingSends(row.requestId)
        for (const msg of pending.messages) await deps.dispatcher.enqueueOutbound(msg.accountId, msg.id)
        for (const n of pending.notices) await deps.dispatcher.enqueueNotice(n)
      }
      return { outcome: row.state === 'fired' ? 'already-fired' : 'cancelled' }
    }
    const now = deps.clock.now()
    const early = row.dueAt.getTime() - now.getTime()
    if (early > EARLY_TOLERANCE_MS) return { outcome: 'early', retryInMs: early }
    const dir = await deps.directory.get()
    const effects = noEffects()
    const outcome = await deps.store.transaction(async (tx): Promise<Fired> => {
      const m = await tx.lockMediation(row.requestId)
      if (!m) {
        await tx.claimTimer(timerId, 'cancelled', now)
        return 'cancelled'
      }
      const say = mediationOfficerTexts(deps.officerLanguage)
      if (row.kind === 'follow-up') {
        if (m.mediation.state !== 'settled' || m.mediation.followUpAt) {
          await tx.claimTimer(timerId, 'cancelled', now)
          return 'not-needed'
        }
        if (!(await tx.claimTimer(timerId, 'fired', now))) return 'raced'
        const officers = officersToTell(dir, m)
        const told = await notifyOfficers(
          tx,
          m,
          officers,
          say.followUpDue({ caseNumber: m.case.number, days: schedule.followUpDays }),
          effects,
        )
        await tx.audit({
          stationId: m.case.stationId,
          actor: 'system',
          action: 'mediation.follow_up_due',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { timerId, officers, wechat: told },
        })
        effects.events.push(event(m, 'case.reminder'))
        return 'fired'
      }
      const sessionId = sessionOfTimer(m.mediation.requestId, timerId)
      const session = (await tx.sessions(m.mediation.requestId)).find((s) => s.id === sessionId)
      if (session?.state !== 'scheduled' || m.mediation.state !== 'open') {
        await tx.claimTimer(timerId, 'cancelled', now)
        return 'cancelled'
      }
      if (!isOpen(m.case.status)) {
        // Someone resolved or closed the case by hand: its mediation's reminders stop with it.
        effects.cancelTimers.push(...(await tx.cancelTimers(m.mediation.requestId)))
        await tx.audit({
          stationId: m.case.stationId,
          actor: 'system',
          action: 'mediation.reminders_stopped',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { timerId, caseStatus: m.case.status },
        })
        return 'stopped'
      }
      if (!(await tx.claimTimer(timerId, 'fired', now))) return 'raced'
      const timeZone = timeZoneOf(dir, m.case.stationId)
      const soon = row.kind === 'session-day-before' ? 'day' : 'hour'
      const told = await tellParties(
        tx,
        m,
        await tx.parties(m.mediation.requestId),
        (language) =>
          mediationResidentTexts(language).reminder({
            caseNumber: m.case.number,
            when: formatLocalTime(session.startsAt, timeZone, language, now),
            place: session.place,
            soon,
          }),
        now,
        effects,
        null,
      )
      const officers = officersToTell(dir, m)
      const p = localParts(session.startsAt, timeZone)
      const wechat = await notifyOfficers(
        tx,
        m,
        officers,
        say.sessionReminder({
          caseNumber: m.case.number,
          when: `${pad(p.hour)}:${pad(p.minute)}`,
          soon,
        }),
        effects,
      )
      await tx.audit({
        stationId: m.case.stationId,
        actor: 'system',
        action: 'mediation.reminded',
        subjectType: 'case',
        subjectId: m.case.id,
        detail: { timerId, sessionId, parties: told.messageIds.length, officers, wechat },
      })
      effects.events.push(event(m, 'case.reminder', told.messageIds[0]))
      return 'fired'
    })
    await applyEffects(deps, effects)
    return { outcome }
  }

  return { fire }
}
