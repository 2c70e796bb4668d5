import { type Access, type Actor, caseAccess } from '../../domain/access.ts'
import { isOpen } from '../../domain/case-status.ts'
import { localParts } from '../../domain/duty.ts'
import { commonProblem } from '../../domain/forms/form-texts.ts'
import { formatDate, localDateOf } from '../../domain/forms/local-date.ts'
import {
  DEFAULT_MEDIATION_SCHEDULE,
  type FollowUpResult,
  followUpTimerId,
  isMediationTimer,
  MEDIATION_TEAM,
  type MediationSchedule,
  type NextStep,
  type PartyRole,
  planFollowUp,
  planSessionReminders,
  sessionTimeProblem,
  sessionTimerId,
} from '../../domain/forms/mediation.ts'
import type { MediationAnswers } from '../../domain/forms/mediation-form.ts'
import {
  mediationOfficerTexts,
  mediationRequestNote,
  mediationResidentTexts,
} from '../../domain/forms/mediation-texts.ts'
import { parsePhone } from '../../domain/forms/parsers.ts'
import { parseRosterTime } from '../../domain/roster.ts'
import type { Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import { applyEffects, type EffectDeps, type Effects, noEffects } from './effects.ts'
import { createMediationNotify } from './mediation-notify.ts'
import { createMediationReminders } from './mediation-reminders.ts'
import type { LockedMediation, MediationChange, MediationStore, MediationTx } from './mediation-store.ts'
import {
  type MediationPartyView,
  type MediationSessionView,
  type MediationView,
  mediationView,
  teamMembers,
} from './mediation-view.ts'
import type { RequestKind } from './submit-request.ts'

export type { MediationFireOutcome } from './mediation-reminders.ts'
export type {
  MediationPartyView,
  MediationSessionView,
  MediationView,
  MediatorView,
} from './mediation-view.ts'

export const MEDIATION = 'mediation'

export interface MediationDeps extends EffectDeps {
  store: MediationStore
  directory: Directory
  newId: () => string
  /** Language of officers' notices and of names in the inbox view. */
  officerLanguage: Language
  defaultTimeZone: string
  mediationSchedule?: MediationSchedule
}

/** Who mediates: an officer of the station, the station's mediation team, or nobody named yet. */
export type MediatorInput = { officerId: string } | { team: true } | { none: true }

export interface OpenInput {
  /** The case version the officer saw. */
  version: number
  subject: string
  preferredTimes?: string | null
  /** Defaults to the station's mediation team when it has one. */
  mediator?: MediatorInput
}

export interface PartyInput {
  role: PartyRole
  /** Required unless a resident is linked (then their name on record is used). */
  name?: string | null
  phone?: string | null
  /** Link a resident known to the station by their code (as the inbox shows it). */
  residentCode?: string | null
}

export interface SessionInput {
  /** ISO 8601 with an offset, or wall time in the station's zone ("2026-11-30T14:00"). */
  at: string
  place: string
  note?: string | null
}

export type OutcomeInput =
  | { result: 'settled'; terms: string }
  | { result: 'not_settled'; nextStep: NextStep; note?: string | null }

export interface FollowUpInput {
  result: FollowUpResult
  note?: string | null
}

/** More than this many parties is a meeting, not a mediation: refused with a reason. */
const MAX_PARTIES = 20

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * Dispute mediation after it opens: parties, the mediator, sessions with
 * reminders to every party the service can write to and to the officers,
 * the outcome, and the follow-up visit thirty days after an agreement.
 * Every change runs in one transaction with its messages, notices and audit
 * entries; queues and jobs follow the commit.
 */
export function createMediation(deps: MediationDeps) {
  const schedule = deps.mediationSchedule ?? DEFAULT_MEDIATION_SCHEDULE
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone
  const notify = createMediationNotify(deps)
  const { event, tellParties, answeredResident, notifyOfficers, mediatorForResidents } = notify
  const reminders = createMediationReminders(deps, notify)
  /** A station with a mediation centre mediates through it unless someone else is named. */
  const defaultMediator = (dir: DirectorySnapshot, stationId: string): MediatorInput =>
    teamMembers(dir, stationId, MEDIATION_TEAM).length > 0 ? { team: true } : { none: true }

  function resolveMediator(
    dir: DirectorySnapshot,
    stationId: string,
    input: MediatorInput,
  ): Pick<MediationChange, 'mediatorOfficerId' | 'mediatorTeam'> {
    if ('none' in input) return { mediatorOfficerId: null, mediatorTeam: null }
    if ('team' in input) {
      if (teamMembers(dir, stationId, MEDIATION_TEAM).length === 0)
        throw new AppError(
          'INVALID_INPUT',
          `mediator: your station has no mediation team (officers with team "${MEDIATION_TEAM}"); name an officer`,
        )
      return { mediatorOfficerId: null, mediatorTeam: MEDIATION_TEAM }
    }
    const officer = dir.officers.get(input.officerId)
    if (!officer || officer.stationId !== stationId)
      throw new AppError('INVALID_INPUT', `mediator.officerId: no officer ${input.officerId} at your station`)
    if (!officer.active || officer.role === 'admin')
      throw new AppError(
        'INVALID_INPUT',
        `mediator.officerId: ${officer.name} cannot mediate (inactive or admin)`,
      )
    return { mediatorOfficerId: officer.id, mediatorTeam: null }
  }

  const scope = (m: { case: LockedMediation['case'] }) => ({
    stationId: m.case.stationId,
    assigneeOfficerId: m.case.assigneeOfficerId,
    beatId: m.case.beatId,
  })

  /** The case's own rules, and the mediator (or a member of the mediating team) besides. */
  function accessOf(actor: Actor, dir: DirectorySnapshot, m: LockedMediation): Access {
    const access = caseAccess(actor, scope(m))
    if (access !== 'forbidden' || actor.role === 'admin') return access
    const row = m.mediation
    if (row.mediatorOfficerId === actor.id) return 'allowed'
    if (row.mediatorTeam && dir.officers.get(actor.id)?.team === row.mediatorTeam) return 'allowed'
    return access
  }

  function checkAccess(actor: Actor, dir: DirectorySnapshot, caseId: string, m: LockedMediation | null) {
    const access = m ? accessOf(actor, dir, m) : 'not-found'
    if (!m || access === 'not-found') throw new AppError('NOT_FOUND', `case ${caseId} has no mediation`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats', unassigned or mediated by you")
    return m
  }

  async function lockForOfficer(tx: MediationTx, actor: Actor, dir: DirectorySnapshot, caseId: string) {
    return checkAccess(actor, dir, caseId, await tx.lockMediationOfCase(caseId))
  }

  const mustBeOpen = (m: LockedMediation, what: string) => {
    if (m.mediation.state !== 'open')
      throw new AppError(
        'CONFLICT',
        `The mediation of case ${m.case.number} has concluded (${m.mediation.state === 'settled' ? 'settled' : 'not settled'}); ${what}.`,
      )
  }

  const sessionWhen = (at: Date, timeZone: string, language: Language, now: Date) => {
    const p = localParts(at, timeZone)
    return `${formatDate(localDateOf(at, timeZone), language, localDateOf(now, timeZone))} ${pad(p.hour)}:${pad(p.minute)}`
  }

  async function view(actor: Actor, caseId: string): Promise<MediationView> {
    const dir = await deps.directory.get()
    const found = await deps.store.read(caseId)
    const m = checkAccess(actor, dir, caseId, found?.locked ?? null)
    const { parties, sessions, reachable } = found as NonNullable<typeof found>
    return mediationView({
      dir,
      m,
      parties,
      sessions,
      reachable,
      now: deps.clock.now(),
      language: deps.officerLanguage,
      timeZone: timeZoneOf(dir, m.case.stationId),
    })
  }

  /** Runs one officer command on the locked mediation, then what its commit leaves to do. */
  async function command<T>(
    actor: Actor,
    caseId: string,
    run: (ctx: {
      tx: MediationTx
      m: LockedMediation
      dir: DirectorySnapshot
      now: Date
      effects: Effects
    }) => Promise<T>,
  ): Promise<T> {
    const dir = await deps.directory.get()
    const now = deps.clock.now()
    const effects = noEffects()
    const result = await deps.store.transaction(async (tx) => {
      const m = await lockForOfficer(tx, actor, dir, caseId)
      return run({ tx, m, dir, now, effects })
    })
    await applyEffects(deps, effects)
    return result
  }

  const handlerText = (handler: { name: string; beatName?: string }, language: Language) =>
    handler.beatName
      ? language === 'en'
        ? `${handler.name} (${handler.beatName})`
        : `${handler.name}（${handler.beatName}）`
      : handler.name

  /** The chat form's request kind: the mediation and its first two parties beside the new case. */
  const kind: RequestKind = {
    form: MEDIATION,
    note: (answers, language) => mediationRequestNote(answers as MediationAnswers, language),
    confirmation: (_answers, info) =>
      mediationResidentTexts(info.language).submitted({
        caseNumber: info.caseNumber,
        handler: handlerText(info.handler, info.language),
      }),
    async created(tx, answers, info) {
      const a = answers as MediationAnswers
      const mtx = deps.store.within(tx.handle())
      const dir = await deps.directory.get()
      const mediator = resolveMediator(dir, info.stationId, defaultMediator(dir, info.stationId))
      await mtx.insertMediation({
        requestId: info.requestId,
        stationId: info.stationId,
        caseId: info.caseId,
        subject: a.subject,
        preferredTimes: a.preferredTimes,
        source: 'chat',
        mediatorOfficerId: mediator.mediatorOfficerId ?? null,
        mediatorTeam: mediator.mediatorTeam ?? null,
        openedAt: info.now,
      })
      const applicant = await mtx.residentOfStation(info.stationId, { residentId: info.residentId })
      await mtx.insertParty({
        id: deps.newId(),
        requestId: info.requestId,
        residentId: info.residentId,
        name: applicant?.name ?? applicant?.code ?? '',
        phone: null,
        role: 'applicant',
        createdAt: info.now,
      })
      await mtx.insertParty({
        id: deps.newId(),
        requestId: info.requestId,
        residentId: null,
        name: a.otherParty,
        phone: a.otherPartyPhone,
        role: 'respondent',
        createdAt: info.now,
      })
      await mtx.audit({
        stationId: info.stationId,
        actor: 'system',
        action: 'mediation.opened',
        subjectType: 'case',
        subjectId: info.caseId,
        detail: { requestId: info.requestId, source: 'chat', mediator: mediator.mediatorTeam ?? null },
      })
    },
  }

  return {
    kind,
    view,

    /** True for the timers this service fires (the timer worker asks). */
    owns: isMediationTimer,

    /**
     * An officer turns an open dispute case into a mediation: the case's
     * resident becomes the applicant and is told who mediates.
     */
    async open(actor: Actor, caseId: string, input: OpenInput): Promise<MediationView> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      const effects = noEffects()
      const subject = input.subject.trim()
      await deps.store.transaction(async (tx) => {
        const c = await tx.lockCase(caseId)
        const access = c ? caseAccess(actor, { ...c, assigneeOfficerId: c.assigneeOfficerId }) : 'not-found'
        if (!c || access === 'not-found') throw new AppError('NOT_FOUND', `case ${caseId} does not exist`)
        if (access === 'forbidden')
          throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
        if (c.version !== input.version)
          throw new AppError(
            'CONFLICT',
            `Case ${c.number} has changed since you saw it (version ${input.version}, now ${c.version}); reload it.`,
          )
        if (c.hasRequest)
          throw new AppError('CONFLICT', `Case ${c.number} is a service request already (or a mediation).`)
        if (c.category !== 'dispute')
          throw new AppError(
            'CONFLICT',
            `Case ${c.number} is not a dispute (${c.category}); set its category to dispute first.`,
          )
        if (!isOpen(c.status))
          throw new AppError('CONFLICT', `Case ${c.number} is ${c.status}; reopen it first.`)
        const mediator = resolveMediator(
          dir,
          c.stationId,
          input.mediator ?? defaultMediator(dir, c.stationId),
        )
        const requestId = deps.newId()
        const preferredTimes = input.preferredTimes?.trim() || null
        await tx.insertRequest({
          id: requestId,
          stationId: c.stationId,
          residentId: c.residentId,
          caseId: c.id,
          answers: { subject, preferredTimes, openedBy: actor.id },
          // One mediation per case, however often the officer's click is retried.
          submissionId: `mediation-${c.id}`,
          createdAt: now,
        })
        await tx.insertMediation({
          requestId,
          stationId: c.stationId,
          caseId: c.id,
          subject,
          preferredTimes,
          source: 'officer',
          mediatorOfficerId: mediator.mediatorOfficerId ?? null,
          mediatorTeam: mediator.mediatorTeam ?? null,
          openedAt: now,
        })
        const applicant = await tx.residentOfStation(c.stationId, { residentId: c.residentId })
        await tx.insertParty({
          id: deps.newId(),
          requestId,
          residentId: c.residentId,
          name: applicant?.name ?? applicant?.code ?? '',
          phone: null,
          role: 'applicant',
          createdAt: now,
        })
        const m = (await tx.lockMediation(requestId)) as LockedMediation
        const told = await tellParties(
          tx,
          m,
          await tx.parties(requestId),
          (language) =>
            mediationResidentTexts(language).opened({
              caseNumber: c.number,
              mediator: mediatorForResidents(dir, c.stationId, mediator, language),
            }),
          now,
          effects,
          actor.id,
        )
        if (told.toCaseResident) await answeredResident(tx, m, now, effects)
        else await tx.updateCase(c.id, {}, true)
        if (mediator.mediatorOfficerId && mediator.mediatorOfficerId !== actor.id)
          await notifyOfficers(
            tx,
            m,
            [mediator.mediatorOfficerId],
            mediationOfficerTexts(deps.officerLanguage).named({ caseNumber: c.number }),
            effects,
          )
        await tx.audit({
          stationId: c.stationId,
          actor: actor.id,
          action: 'mediation.opened',
          subjectType: 'case',
          subjectId: c.id,
          detail: {
            requestId,
            source: 'officer',
            mediator: mediator.mediatorOfficerId ?? mediator.mediatorTeam ?? null,
          },
        })
        effects.events.push(event(m, 'case.updated', told.messageIds[0]))
      })
      await applyEffects(deps, effects)
      return view(actor, caseId)
    },

    async addParty(actor: Actor, caseId: string, input: PartyInput): Promise<MediationPartyView> {
      const partyId = await command(actor, caseId, async ({ tx, m, now, effects }) => {
        mustBeOpen(m, 'its parties can no longer change')
        const code = input.residentCode?.trim()
        const linked = code ? await tx.residentOfStation(m.case.stationId, { code }) : null
        if (code && !linked) throw new AppError('NOT_FOUND', `no resident ${code} is known to your station`)
        const parties = await tx.parties(m.mediation.requestId)
        if (linked && parties.some((p) => p.residentId === linked.residentId))
          throw new AppError('CONFLICT', `resident ${linked.code} is a party already`)
        if (parties.length >= MAX_PARTIES)
          throw new AppError('CONFLICT', `a mediation has at most ${MAX_PARTIES} parties`)
        const name = input.name?.trim() || linked?.name || linked?.code
        if (!name) throw new AppError('INVALID_INPUT', 'name: required unless a resident is linked')
        let phone: string | null = null
        if (input.phone?.trim()) {
          const read = parsePhone(input.phone)
          if (!read.ok) throw new AppError('INVALID_INPUT', `phone: ${commonProblem(read.problem, 'en')}`)
          phone = read.value.number
        }
        const id = deps.newId()
        await tx.insertParty({
          id,
          requestId: m.mediation.requestId,
          residentId: linked?.residentId ?? null,
          name,
          phone,
          role: input.role,
          createdAt: now,
        })
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.party_added',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { partyId: id, role: input.role, linked: linked !== null },
        })
        effects.events.push(event(m, 'case.updated'))
        return id
      })
      const party = (await view(actor, caseId)).parties.find((p) => p.id === partyId)
      if (!party) throw new AppError('CONFLICT', 'the party was removed meanwhile')
      return party
    },

    async removeParty(actor: Actor, caseId: string, partyId: string): Promise<void> {
      await command(actor, caseId, async ({ tx, m, effects }) => {
        mustBeOpen(m, 'its parties can no longer change')
        const party = (await tx.parties(m.mediation.requestId)).find((p) => p.id === partyId)
        if (!party) throw new AppError('NOT_FOUND', `no party ${partyId} in this mediation`)
        if (party.residentId === m.case.residentId)
          throw new AppError('CONFLICT', 'the resident whose case this is stays a party')
        await tx.deleteParty(m.mediation.requestId, partyId)
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.party_removed',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { partyId, role: party.role },
        })
        effects.events.push(event(m, 'case.updated'))
      })
    },

    async setMediator(actor: Actor, caseId: string, input: MediatorInput): Promise<void> {
      await command(actor, caseId, async ({ tx, m, dir, effects }) => {
        mustBeOpen(m, 'its mediator stays as it was')
        const next = resolveMediator(dir, m.case.stationId, input)
        const from = m.mediation.mediatorOfficerId ?? m.mediation.mediatorTeam ?? null
        const to = next.mediatorOfficerId ?? next.mediatorTeam ?? null
        if (from === to) return
        await tx.updateMediation(m.mediation.requestId, next)
        if (next.mediatorOfficerId && next.mediatorOfficerId !== actor.id)
          await notifyOfficers(
            tx,
            m,
            [next.mediatorOfficerId],
            mediationOfficerTexts(deps.officerLanguage).named({ caseNumber: m.case.number }),
            effects,
          )
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.mediator_set',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { from, to },
        })
        effects.events.push(event(m, 'case.updated'))
      })
    },

    /** A session: every reachable party is told now and reminded the day before and the hour before. */
    async scheduleSession(actor: Actor, caseId: string, input: SessionInput): Promise<MediationSessionView> {
      const sessionId = await command(actor, caseId, async ({ tx, m, dir, now, effects }) => {
        mustBeOpen(m, 'no more sessions can be scheduled')
        if (!isOpen(m.case.status))
          throw new AppError('CONFLICT', `Case ${m.case.number} is ${m.case.status}; reopen it first.`)
        const timeZone = timeZoneOf(dir, m.case.stationId)
        const startsAt = parseRosterTime(input.at, timeZone, 'start')
        if (!startsAt || input.at.trim().length === 10)
          throw new AppError(
            'INVALID_INPUT',
            'at: a time such as 2026-11-30T14:00 (station time) or with an offset',
          )
        const problem = sessionTimeProblem(startsAt, now, schedule)
        if (problem)
          throw new AppError(
            'INVALID_INPUT',
            problem === 'past'
              ? 'at: that time has passed'
              : problem === 'too-soon'
                ? `at: a session needs at least ${Math.round(schedule.minLeadMs / 60_000)} minutes' notice`
                : `at: at most ${schedule.maxLeadDays} days ahead`,
          )
        const place = input.place.trim()
        const id = deps.newId()
        await tx.insertSession({
          id,
          requestId: m.mediation.requestId,
          startsAt,
          place,
          note: input.note?.trim() || null,
          createdBy: actor.id,
          createdAt: now,
        })
        const planned = planSessionReminders(m.mediation.requestId, { id, startsAt }, schedule, timeZone, now)
        const added = new Set(
          await tx.insertTimers(planned.map((p) => ({ ...p, requestId: m.mediation.requestId }))),
        )
        effects.addTimers.push(...planned.filter((p) => added.has(p.id)))
        const told = await tellParties(
          tx,
          m,
          await tx.parties(m.mediation.requestId),
          (language) =>
            mediationResidentTexts(language).scheduled({
              caseNumber: m.case.number,
              when: sessionWhen(startsAt, timeZone, language, now),
              place,
            }),
          now,
          effects,
          actor.id,
        )
        if (told.toCaseResident) await answeredResident(tx, m, now, effects)
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.session_scheduled',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: {
            sessionId: id,
            startsAt: startsAt.toISOString(),
            reminders: planned.map((p) => p.kind),
            told: told.messageIds.length,
          },
        })
        effects.events.push(event(m, 'case.message', told.messageIds[0]))
        return id
      })
      const session = (await view(actor, caseId)).sessions.find((s) => s.id === sessionId)
      if (!session) throw new AppError('CONFLICT', 'the session was removed meanwhile')
      return session
    },

    async cancelSession(
      actor: Actor,
      caseId: string,
      sessionId: string,
      reason: string | null,
    ): Promise<void> {
      await command(actor, caseId, async ({ tx, m, dir, now, effects }) => {
        mustBeOpen(m, 'its sessions ended with it')
        const session = (await tx.sessions(m.mediation.requestId)).find((s) => s.id === sessionId)
        if (!session) throw new AppError('NOT_FOUND', `no session ${sessionId} in this mediation`)
        if (session.state === 'cancelled') throw new AppError('CONFLICT', 'that session is cancelled already')
        if (session.startsAt <= now) throw new AppError('CONFLICT', 'that session has already begun')
        const why = reason?.trim() || null
        await tx.cancelSession(sessionId, now, why)
        const requestId = m.mediation.requestId
        effects.cancelTimers.push(
          ...(await tx.cancelTimers(requestId, [
            sessionTimerId(requestId, sessionId, 'session-day-before'),
            sessionTimerId(requestId, sessionId, 'session-hour-before'),
          ])),
        )
        const timeZone = timeZoneOf(dir, m.case.stationId)
        const told = await tellParties(
          tx,
          m,
          await tx.parties(requestId),
          (language) =>
            mediationResidentTexts(language).sessionCancelled({
              caseNumber: m.case.number,
              when: sessionWhen(session.startsAt, timeZone, language, now),
              reason: why,
            }),
          now,
          effects,
          actor.id,
        )
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.session_cancelled',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { sessionId, told: told.messageIds.length },
        })
        effects.events.push(event(m, 'case.message', told.messageIds[0]))
      })
    },

    /**
     * The outcome: the parties are told (with the agreement's terms, or where
     * the dispute goes next), sessions still ahead are called off, the case
     * resolves, and an agreement gets its follow-up visit.
     */
    async recordOutcome(actor: Actor, caseId: string, input: OutcomeInput): Promise<void> {
      await command(actor, caseId, async ({ tx, m, dir, now, effects }) => {
        mustBeOpen(m, 'its outcome is recorded already')
        const requestId = m.mediation.requestId
        const timeZone = timeZoneOf(dir, m.case.stationId)
        for (const s of await tx.sessions(requestId))
          if (s.state === 'scheduled' && s.startsAt > now)
            await tx.cancelSession(
              s.id,
              now,
              deps.officerLanguage === 'en' ? 'outcome recorded' : '已记录调解结果',
            )
        effects.cancelTimers.push(...(await tx.cancelTimers(requestId)))
        const change: MediationChange =
          input.result === 'settled'
            ? { state: 'settled', agreementTerms: input.terms.trim() }
            : { state: 'not_settled', nextStep: input.nextStep, outcomeNote: input.note?.trim() || null }
        if (input.result === 'settled') {
          const followUp = planFollowUp(requestId, now, schedule, timeZone)
          if ((await tx.insertTimers([{ ...followUp, requestId }])).length > 0)
            effects.addTimers.push(followUp)
          change.followUpDueAt = followUp.dueAt
        } else {
          await tx.endRequest(requestId, now, `not settled: ${input.nextStep}`)
        }
        await tx.updateMediation(requestId, { ...change, concludedAt: now, concludedBy: actor.id })
        const told = await tellParties(
          tx,
          m,
          await tx.parties(requestId),
          (language) =>
            input.result === 'settled'
              ? mediationResidentTexts(language).settled({
                  caseNumber: m.case.number,
                  terms: input.terms.trim(),
                  followUpDays: schedule.followUpDays,
                })
              : mediationResidentTexts(language).notSettled({
                  caseNumber: m.case.number,
                  nextStep: input.nextStep,
                }),
          now,
          effects,
          actor.id,
        )
        if (isOpen(m.case.status)) {
          await tx.updateCase(
            m.case.id,
            {
              status: 'resolved',
              resolvedAt: now,
              ...(m.case.firstRespondedAt === null && told.toCaseResident ? { firstRespondedAt: now } : {}),
            },
            true,
          )
          await tx.audit({
            stationId: m.case.stationId,
            actor: actor.id,
            action: 'case.status',
            subjectType: 'case',
            subjectId: m.case.id,
            detail: { from: m.case.status, to: 'resolved', by: 'mediation' },
          })
          effects.moveCase = {
            caseId: m.case.id,
            stationId: m.case.stationId,
            priority: m.case.priority,
            from: m.case.queue,
            to: null,
          }
          effects.changedCases.push(m.case.id)
        }
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.concluded',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: {
            result: input.result,
            nextStep: input.result === 'not_settled' ? input.nextStep : null,
            told: told.messageIds.length,
          },
        })
        effects.events.push(event(m, 'case.updated', told.messageIds[0]))
      })
    },

    /** What the follow-up visit found; it may be recorded before the reminder comes. */
    async recordFollowUp(actor: Actor, caseId: string, input: FollowUpInput): Promise<void> {
      await command(actor, caseId, async ({ tx, m, now, effects }) => {
        if (m.mediation.state !== 'settled')
          throw new AppError(
            'CONFLICT',
            `The mediation of case ${m.case.number} ${m.mediation.state === 'open' ? 'has no agreement yet' : 'was not settled'}; only an agreement is followed up.`,
          )
        if (m.mediation.followUpAt)
          throw new AppError('CONFLICT', `The follow-up of case ${m.case.number} is recorded already.`)
        const requestId = m.mediation.requestId
        await tx.updateMediation(requestId, {
          followUpAt: now,
          followUpBy: actor.id,
          followUpResult: input.result,
          followUpNote: input.note?.trim() || null,
        })
        effects.cancelTimers.push(...(await tx.cancelTimers(requestId, [followUpTimerId(requestId)])))
        await tx.endRequest(requestId, now, 'followed up')
        await tx.audit({
          stationId: m.case.stationId,
          actor: actor.id,
          action: 'mediation.followed_up',
          subjectType: 'case',
          subjectId: m.case.id,
          detail: { result: input.result },
        })
        effects.events.push(event(m, 'case.updated'))
      })
    },

    /** One timer's job (the timer worker calls it for ids that `owns` accepts). */
    fire: reminders.fire,
  }
}

export type Mediation = ReturnType<typeof createMediation>
