import { type Actor, caseAccess } from '../../domain/access.ts'
import { isOpen, statusAfterReply } from '../../domain/case-status.ts'
import { localParts } from '../../domain/duty.ts'
import {
  checkDays,
  coversDay,
  DEFAULT_HOME_WATCH_SCHEDULE,
  type HomeWatchSchedule,
  planHomeWatchTimers,
} from '../../domain/forms/home-watch.ts'
import {
  HOME_WATCH_LIMITS,
  type HomeWatchAnswers,
  HomeWatchSchema,
} from '../../domain/forms/home-watch-form.ts'
import {
  type CheckResult,
  homeWatchOfficerTexts,
  homeWatchRequestNote,
  homeWatchResidentTexts,
} from '../../domain/forms/home-watch-texts.ts'
import {
  addDays,
  daysBetween,
  formatDate,
  formatShortDate,
  instantOn,
  localDateOf,
} from '../../domain/forms/local-date.ts'
import { clockOfMinute, parseRosterTime } from '../../domain/roster.ts'
import type { Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import type { ActiveHomeWatch, RequestChange } from './conversation.ts'
import { applyEffects, type EffectDeps, type Effects, noEffects, tellRequester } from './effects.ts'
import type { HomeWatchCheckRow, LockedRequest, RequestStore, RequestTx } from './request-store.ts'
import type { RequestKind } from './submit-request.ts'

export const HOME_WATCH = 'home-watch'

export interface HomeWatchDeps extends EffectDeps {
  store: RequestStore
  directory: Directory
  newId: () => string
  /** Language of officers' notices. */
  officerLanguage: Language
  defaultTimeZone: string
  /** The notice period, and the times of a station the directory does not know; each station has its own. */
  schedule?: HomeWatchSchedule
}

export interface CheckView {
  id: string
  at: string
  day: string
  result: CheckResult
  note: string | null
  /** A reference recorded as text (before photos were uploaded). */
  photoRef: string | null
  /** The uploaded photo: GET /api/attachments/:id. */
  photoId: string | null
  officer: { id: string; name: string }
}

export type DayStatus = 'checked' | 'attention' | 'missed' | 'due' | 'upcoming' | 'not-needed'

/** A home watch as the inbox shows it. */
export interface HomeWatchView {
  requestId: string
  caseId: string
  caseNumber: string
  state: 'active' | 'ended' | 'cancelled'
  address: string
  awayFrom: string
  backOn: string
  contactName: string
  contactPhone: string
  keyHolderOrCamera: boolean
  notes: string | null
  /** The station's time zone: check times and days are its wall clock. */
  timeZone: string
  days: Array<{ date: string; status: DayStatus; checks: CheckView[] }>
}

export interface CheckInput {
  /**
   * When the home was checked, as ISO 8601 with an offset or as wall time in
   * the station's zone ("2026-11-26T14:05"); now when absent.
   */
  at?: string
  result: CheckResult
  /** Told to the resident with the result; required when something needs attention. */
  note?: string | null
  /** Where a photo of the visit is kept (a reference, not the photo). */
  photoRef?: string | null
  /**
   * An uploaded photo of the visit, already checked to be the station's: the
   * resident gets it with the message.
   */
  photoId?: string | null
}

type Fired = 'fired' | 'not-needed' | 'stopped' | 'missing' | 'already-fired' | 'cancelled' | 'raced'

export type HomeWatchFireOutcome = { outcome: Fired } | { outcome: 'early'; retryInMs: number }

/** A check may be recorded this far ahead of the service's clock (phones' clocks differ). */
const FUTURE_TOLERANCE_MS = 5 * 60_000
const EARLY_TOLERANCE_MS = 1000

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * Holiday home watch, after the form: its daily timers, the checks officers
 * record, the resident's extension or early end, and the summary on the day
 * they are back. Every change runs in one transaction with its messages,
 * notices and audit entries; queues and jobs follow the commit.
 */
export function createHomeWatch(deps: HomeWatchDeps) {
  const defaults = deps.schedule ?? DEFAULT_HOME_WATCH_SCHEDULE
  /** The station's own times (its station file's `homeWatch`); a home watch keeps the times it was planned with. */
  const scheduleOf = (dir: DirectorySnapshot, stationId: string): HomeWatchSchedule => {
    const times = dir.stations.get(stationId)?.homeWatch
    return times ? { ...defaults, ...times } : defaults
  }
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone
  const answersOf = (request: LockedRequest): HomeWatchAnswers => HomeWatchSchema.parse(request.answers)
  const officerName = (dir: DirectorySnapshot, officerId: string, language: Language, short = false) => {
    const officer = dir.officers.get(officerId)
    if (language === 'en') {
      const name = officer?.nameEn ?? officer?.name ?? ''
      // "Officer Li": residents address an officer by family name, which comes first.
      return `Officer ${short ? (name.split(' ')[0] ?? name) : name}`
    }
    return `${officer?.name ?? ''}警官`
  }
  const clockTime = (at: Date, timeZone: string, language: Language, now: Date) => {
    const p = localParts(at, timeZone)
    const time = `${pad(p.hour)}:${pad(p.minute)}`
    const day = localDateOf(at, timeZone)
    return day === localDateOf(now, timeZone) ? time : `${formatShortDate(day, language)} ${time}`
  }
  const scope = (r: LockedRequest) => ({
    stationId: r.stationId,
    assigneeOfficerId: r.case.assigneeOfficerId,
    beatId: r.case.beatId,
  })
  const placeOf = (dir: DirectorySnapshot, r: LockedRequest) => {
    const compound = r.case.compoundId ? dir.compounds.get(r.case.compoundId) : undefined
    if (compound && compound.beatId === r.case.beatId) return compound.name
    return r.case.beatId ? (dir.beats.get(r.case.beatId)?.name ?? null) : null
  }

  const tellResident = (
    tx: RequestTx,
    r: LockedRequest,
    text: string,
    now: Date,
    effects: Effects,
    author: string | null = null,
    attachmentId: string | null = null,
  ) => tellRequester(tx, deps.newId, r, text, now, effects, author, attachmentId)

  const event = (
    r: LockedRequest,
    type: 'case.updated' | 'case.message' | 'case.reminder' | 'case.escalated',
    messageId?: string,
  ) => ({
    type,
    caseId: r.case.id,
    stationId: r.stationId,
    assigneeId: r.case.assigneeOfficerId,
    beatId: r.case.beatId,
    ...(messageId ? { messageId } : {}),
  })

  /** Inside an officer's transaction: the request of the case, if the officer may see it. */
  async function lockForOfficer(tx: RequestTx, actor: Actor, caseId: string): Promise<LockedRequest> {
    const r = await tx.lockRequestOfCase(caseId)
    const access = r && r.kind === HOME_WATCH ? caseAccess(actor, scope(r)) : 'not-found'
    if (!r || access === 'not-found') throw new AppError('NOT_FOUND', `case ${caseId} has no home watch`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
    return r
  }

  /**
   * Ends the home watch: the summary to the resident, the case resolved and off
   * its queue, the remaining timers cancelled.
   */
  async function finish(
    tx: RequestTx,
    r: LockedRequest,
    input: { now: Date; early: boolean; by: string; timeZone: string },
    effects: Effects,
  ) {
    const a = answersOf(r)
    const checks = await tx.checksOf(r.id)
    const language = r.case.residentLanguage
    const today = localDateOf(input.now, input.timeZone)
    const until = input.early && today < a.backOn ? today : a.backOn
    const messageId = await tellResident(
      tx,
      r,
      homeWatchResidentTexts(language).finished({
        caseNumber: r.case.number,
        from: formatShortDate(a.awayFrom, language),
        to: formatShortDate(until, language),
        checks: checks.length,
        attention: checks.filter((c) => c.result === 'attention').length,
        early: input.early,
      }),
      input.now,
      effects,
    )
    await tx.updateCase(r.case.id, { status: 'resolved', resolvedAt: input.now }, true)
    await tx.updateRequest(r.id, {
      state: 'ended',
      endedAt: input.now,
      endReason: input.early ? `ended early by ${input.by}` : 'return day',
    })
    effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
    effects.index.push(indexRemove(r))
    await tx.audit({
      stationId: r.stationId,
      actor: input.by === 'resident' ? 'system' : input.by,
      action: 'case.status',
      subjectType: 'case',
      subjectId: r.case.id,
      detail: { from: r.case.status, to: 'resolved', by: 'home-watch' },
    })
    await tx.audit({
      stationId: r.stationId,
      actor: input.by === 'resident' ? 'system' : input.by,
      action: 'home_watch.ended',
      subjectType: 'service_request',
      subjectId: r.id,
      detail: {
        early: input.early,
        by: input.by === 'resident' ? 'resident' : 'officer',
        checks: checks.length,
      },
    })
    effects.moveCase = {
      caseId: r.case.id,
      stationId: r.stationId,
      priority: r.case.priority,
      from: r.case.queue,
      to: null,
    }
    effects.events.push(event(r, 'case.updated', messageId))
    effects.changedCases.push(r.case.id)
  }

  /** The index entry of a running home watch: kept a little past the return day, then it lapses. */
  const indexPut = (
    residentId: string,
    requestId: string,
    caseId: string,
    a: HomeWatchAnswers,
    timeZone: string,
  ) =>
    ({
      op: 'put',
      residentId,
      entry: { requestId, caseId, awayFrom: a.awayFrom, backOn: a.backOn },
      expiresAt: instantOn(addDays(a.backOn, 2), 0, timeZone),
    }) as const
  const indexRemove = (r: LockedRequest) =>
    ({ op: 'remove', residentId: r.case.residentId, requestId: r.id }) as const

  /** A request whose case someone closed or resolved: it stops, its timers with it. */
  async function stop(tx: RequestTx, r: LockedRequest, now: Date, effects: Effects) {
    await tx.updateRequest(r.id, { state: 'cancelled', endedAt: now, endReason: `case ${r.case.status}` })
    effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
    effects.index.push(indexRemove(r))
    await tx.audit({
      stationId: r.stationId,
      actor: 'system',
      action: 'home_watch.stopped',
      subjectType: 'service_request',
      subjectId: r.id,
      detail: { caseStatus: r.case.status },
    })
  }

  const kind: RequestKind = {
    form: HOME_WATCH,
    addressOf: (answers) => (answers as HomeWatchAnswers).address,
    note: (answers, language) => homeWatchRequestNote(answers as HomeWatchAnswers, language),
    confirmation(answers, info) {
      const a = answers as HomeWatchAnswers
      const today = localDateOf(info.now, info.timeZone)
      return homeWatchResidentTexts(info.language).submitted({
        caseNumber: info.caseNumber,
        handler: info.handler,
        from: formatDate(a.awayFrom, info.language, today),
        to: formatDate(a.backOn, info.language, today),
      })
    },
    async created(tx, answers, info, effects) {
      const a = answers as HomeWatchAnswers
      const schedule = scheduleOf(await deps.directory.get(), info.stationId)
      const planned = planHomeWatchTimers(info.requestId, a, schedule, info.timeZone, info.now)
      const added = new Set(
        await tx.insertTimers(
          planned.map((p) => ({
            id: p.id,
            requestId: info.requestId,
            kind: p.kind,
            day: p.day,
            dueAt: p.dueAt,
          })),
        ),
      )
      effects.addTimers.push(...planned.filter((p) => added.has(p.id)))
      effects.index.push(indexPut(info.residentId, info.requestId, info.caseId, a, info.timeZone))
    },
  }

  function dayStatuses(
    a: HomeWatchAnswers,
    checks: CheckView[],
    state: HomeWatchView['state'],
    endedOn: string | null,
    now: Date,
    timeZone: string,
    dueMinute: number,
  ): HomeWatchView['days'] {
    const today = localDateOf(now, timeZone)
    return checkDays(a.awayFrom, a.backOn).map((date) => {
      const those = checks.filter((c) => c.day === date)
      let status: DayStatus
      if (those.some((c) => c.result === 'attention')) status = 'attention'
      else if (those.length > 0) status = 'checked'
      else if (state !== 'active' && endedOn !== null && date >= endedOn) status = 'not-needed'
      else if (instantOn(date, dueMinute, timeZone) <= now) status = 'missed'
      else status = date === today ? 'due' : 'upcoming'
      return { date, status, checks: those }
    })
  }

  function checkView(dir: DirectorySnapshot, c: HomeWatchCheckRow, language: Language): CheckView {
    const officer = dir.officers.get(c.officerId)
    return {
      id: c.id,
      at: c.checkedAt.toISOString(),
      day: c.day,
      result: c.result,
      note: c.note,
      photoRef: c.photoRef,
      photoId: c.photoId ?? null,
      officer: { id: c.officerId, name: (language === 'en' ? officer?.nameEn : null) ?? officer?.name ?? '' },
    }
  }

  async function view(
    actor: Actor,
    caseId: string,
    language: Language = deps.officerLanguage,
  ): Promise<HomeWatchView> {
    const found = await deps.store.requestOfCase(caseId)
    const access =
      found && found.request.kind === HOME_WATCH ? caseAccess(actor, scope(found.request)) : 'not-found'
    if (!found || access === 'not-found') throw new AppError('NOT_FOUND', `case ${caseId} has no home watch`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
    const dir = await deps.directory.get()
    const { request: r } = found
    const a = answersOf(r)
    const timeZone = timeZoneOf(dir, r.stationId)
    const checks = found.checks.map((c) => checkView(dir, c, language))
    const state = r.state
    const endedOn = r.endedAt ? localDateOf(r.endedAt, timeZone) : null
    return {
      requestId: r.id,
      caseId: r.case.id,
      caseNumber: r.case.number,
      state,
      ...a,
      timeZone,
      days: dayStatuses(
        a,
        checks,
        state,
        endedOn,
        deps.clock.now(),
        timeZone,
        scheduleOf(dir, r.stationId).dueMinute,
      ),
    }
  }

  return {
    kind,
    view,

    /**
     * The resident's running home watch (the latest to begin), for their
     * "延长到…" or "提前结束"; read from the index, never the database.
     */
    async activeHomeWatch(residentId: string): Promise<ActiveHomeWatch | null> {
      const yesterday = addDays(localDateOf(deps.clock.now(), deps.defaultTimeZone), -1)
      const running = (await deps.activeIndex.list(residentId)).filter((e) => e.backOn >= yesterday)
      running.sort((a, b) => b.awayFrom.localeCompare(a.awayFrom))
      return running[0] ?? null
    },

    /** An officer records a visit; the resident is told at once ("李明警官 14:05 查看了您的住所：一切正常"). */
    async recordCheck(actor: Actor, caseId: string, input: CheckInput): Promise<CheckView> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      const note = input.note?.trim() || null
      if (input.result === 'attention' && !note)
        throw new AppError('INVALID_INPUT', 'note: say what needs attention; the resident is told')
      const effects = noEffects()
      const check = await deps.store.transaction(async (tx) => {
        const r = await lockForOfficer(tx, actor, caseId)
        if (r.state !== 'active')
          throw new AppError(
            'CONFLICT',
            `The home watch of case ${r.case.number} has ended; no more checks can be recorded.`,
          )
        const timeZone = timeZoneOf(dir, r.stationId)
        const at = input.at === undefined ? now : parseRosterTime(input.at, timeZone, 'start')
        if (!at || input.at?.length === 10)
          throw new AppError(
            'INVALID_INPUT',
            'at: a time such as 2026-11-26T14:05 (station time) or with an offset',
          )
        if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
          throw new AppError('INVALID_INPUT', 'at: the check cannot be in the future')
        const a = answersOf(r)
        const day = localDateOf(at, timeZone)
        if (!coversDay(a, day))
          throw new AppError(
            'INVALID_INPUT',
            `at: ${day} is outside the home watch (${a.awayFrom} to ${a.backOn})`,
          )
        const language = r.case.residentLanguage
        const text = homeWatchResidentTexts(language).checked({
          officer: officerName(dir, actor.id, language, true),
          time: clockTime(at, timeZone, language, now),
          result: input.result,
          note,
        })
        const photoId = input.photoId || null
        const messageId = await tellResident(tx, r, text, now, effects, actor.id, photoId)
        const row: HomeWatchCheckRow = {
          id: deps.newId(),
          requestId: r.id,
          officerId: actor.id,
          checkedAt: at,
          day,
          result: input.result,
          note,
          photoRef: input.photoRef?.trim() || null,
          photoId,
        }
        await tx.insertCheck({ ...row, messageId })
        const status = statusAfterReply(r.case.status)
        await tx.updateCase(
          r.case.id,
          {
            ...(status !== r.case.status ? { status } : {}),
            ...(r.case.firstRespondedAt ? {} : { firstRespondedAt: now }),
          },
          true,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: actor.id,
          action: 'home_watch.checked',
          subjectType: 'case',
          subjectId: r.case.id,
          detail: {
            checkId: row.id,
            day,
            result: input.result,
            messageId,
            photo: row.photoRef !== null || photoId !== null,
          },
        })
        effects.events.push(event(r, 'case.message', messageId))
        effects.changedCases.push(r.case.id)
        return checkView(dir, row, deps.officerLanguage)
      })
      await applyEffects(deps, effects)
      return check
    },

    /** An officer ends the home watch early (the family came back and called the station). */
    async endByOfficer(actor: Actor, caseId: string): Promise<void> {
      const dir = await deps.directory.get()
      const effects = noEffects()
      await deps.store.transaction(async (tx) => {
        const r = await lockForOfficer(tx, actor, caseId)
        if (r.state !== 'active')
          throw new AppError('CONFLICT', `The home watch of case ${r.case.number} has already ended.`)
        await finish(
          tx,
          r,
          { now: deps.clock.now(), early: true, by: actor.id, timeZone: timeZoneOf(dir, r.stationId) },
          effects,
        )
      })
      await applyEffects(deps, effects)
    },

    /**
     * The resident's "延长到3月1日" or "提前结束", after the inbound commit. The
     * resident is told the outcome here; a request that ended meanwhile says so.
     */
    async applyChange(residentId: string, change: RequestChange): Promise<void> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      const effects = noEffects()
      await deps.store.transaction(async (tx) => {
        const r = await tx.lockRequest(change.requestId)
        if (!r || r.kind !== HOME_WATCH || r.case.residentId !== residentId) return
        const say = homeWatchResidentTexts(change.language)
        const timeZone = timeZoneOf(dir, r.stationId)
        if (r.state !== 'active' || !isOpen(r.case.status)) {
          await tellResident(tx, r, say.alreadyOver(), now, effects)
          effects.events.push(event(r, 'case.message'))
          return
        }
        if (change.kind === 'end') {
          await finish(tx, r, { now, early: true, by: 'resident', timeZone }, effects)
          return
        }
        const a = answersOf(r)
        const today = localDateOf(now, timeZone)
        if (change.backOn <= a.backOn) {
          await tellResident(
            tx,
            r,
            say.notAfterCurrentEnd(formatDate(a.backOn, change.language, today)),
            now,
            effects,
          )
          return
        }
        if (daysBetween(a.awayFrom, change.backOn) > HOME_WATCH_LIMITS.maxDays) {
          await tellResident(tx, r, say.tooLong(HOME_WATCH_LIMITS.maxDays), now, effects)
          return
        }
        const extended: HomeWatchAnswers = { ...a, backOn: change.backOn }
        await tx.updateRequest(r.id, { answers: extended })
        effects.index.push(indexPut(r.case.residentId, r.id, r.case.id, extended, timeZone))
        const planned = planHomeWatchTimers(r.id, extended, scheduleOf(dir, r.stationId), timeZone, now)
        const added = new Set(
          await tx.insertTimers(
            planned.map((p) => ({ id: p.id, requestId: r.id, kind: p.kind, day: p.day, dueAt: p.dueAt })),
          ),
        )
        effects.addTimers.push(...planned.filter((p) => added.has(p.id)))
        const oldEnds = (await tx.timersOf(r.id))
          .filter((t) => t.kind === 'end' && t.day !== extended.backOn && t.state === 'scheduled')
          .map((t) => t.id)
        if (oldEnds.length) effects.cancelTimers.push(...(await tx.cancelTimers(r.id, oldEnds)))
        const messageId = await tellResident(
          tx,
          r,
          say.extended(formatDate(extended.backOn, change.language, today)),
          now,
          effects,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: 'system',
          action: 'home_watch.extended',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { from: a.backOn, to: extended.backOn, by: 'resident' },
        })
        effects.events.push(event(r, 'case.message', messageId))
      })
      await applyEffects(deps, effects)
    },

    /**
     * One timer's job. The row is claimed (scheduled → fired) in the
     * transaction that does its work, and a request that ended or whose case
     * was closed stops instead, so a replayed job never acts twice.
     */
    async fire(timerId: string): Promise<HomeWatchFireOutcome> {
      const row = await deps.store.timer(timerId)
      if (!row) return { outcome: 'missing' }
      if (row.state !== 'scheduled') {
        if (row.state === 'fired') {
          const pending = await deps.store.pendingSends(row.requestId)
          for (const m of pending.messages) await deps.dispatcher.enqueueOutbound(m.accountId, m.id)
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
        const r = await tx.lockRequest(row.requestId)
        if (r?.state !== 'active') {
          await tx.claimTimer(timerId, 'cancelled', now)
          return 'cancelled'
        }
        if (!isOpen(r.case.status)) {
          await stop(tx, r, now, effects)
          return 'stopped'
        }
        if (!(await tx.claimTimer(timerId, 'fired', now))) return 'raced'
        const timeZone = timeZoneOf(dir, r.stationId)
        if (row.kind === 'end') {
          await finish(tx, r, { now, early: false, by: 'system', timeZone }, effects)
          return 'fired'
        }
        const checked = (await tx.checksOf(r.id)).some((c) => c.day === row.day)
        if (checked) return 'not-needed'
        const say = homeWatchOfficerTexts(deps.officerLanguage)
        const holder = r.case.assigneeOfficerId
        const notice = async (officerId: string, text: string) => {
          const queued = await tx.addOfficerNotice({ id: deps.newId(), officerId, caseId: r.case.id, text })
          if (queued) effects.notices.push(queued)
          return queued !== null
        }
        if (row.kind === 'check-reminder') {
          // The day's own deadline: the station's times may have changed since the home watch was planned.
          const deadline = (await tx.timersOf(r.id)).find(
            (t) => t.kind === 'check-missed' && t.day === row.day,
          )
          const due = deadline ? localParts(deadline.dueAt, timeZone) : null
          const dueMinute = due ? due.hour * 60 + due.minute : scheduleOf(dir, r.stationId).dueMinute
          const dueBy = clockOfMinute(dueMinute)
          const told = holder
            ? await notice(holder, say.reminder({ caseNumber: r.case.number, place: placeOf(dir, r), dueBy }))
            : false
          await tx.audit({
            stationId: r.stationId,
            actor: 'system',
            action: 'home_watch.reminded',
            subjectType: 'case',
            subjectId: r.case.id,
            detail: { timerId, day: row.day, officerId: holder, wechat: told },
          })
          effects.events.push(event(r, 'case.reminder'))
          return 'fired'
        }
        // A day without a check is escalated as a missed deadline is: the holder and the beat's backup are told.
        await tx.updateCase(r.case.id, { escalated: true, escalatedAt: now }, false)
        const day = formatShortDate(row.day, deps.officerLanguage)
        const told: string[] = []
        if (holder && (await notice(holder, say.missed({ caseNumber: r.case.number, day }))))
          told.push(holder)
        const backup = r.case.beatId ? dir.beats.get(r.case.beatId)?.backupOfficerId : null
        const backupOfficer = backup ? dir.officers.get(backup) : undefined
        if (backup && backup !== holder && backupOfficer?.active && backupOfficer.role !== 'admin') {
          const who = holder
            ? officerName(dir, holder, deps.officerLanguage)
            : deps.officerLanguage === 'en'
              ? 'the duty desk'
              : '值班室'
          if (await notice(backup, say.missedForBackup({ caseNumber: r.case.number, day, officer: who })))
            told.push(backup)
        }
        await tx.audit({
          stationId: r.stationId,
          actor: 'system',
          action: 'case.escalated',
          subjectType: 'case',
          subjectId: r.case.id,
          detail: {
            timerId,
            reason: 'home-watch-check-missed',
            day: row.day,
            from: holder,
            backup: backup ?? null,
            wechat: told,
          },
        })
        effects.events.push(event(r, 'case.escalated'))
        return 'fired'
      })
      await applyEffects(deps, effects)
      return { outcome }
    },

    /** The safety net: jobs of timers due soon are added again (lost between a commit and the queue). */
    async sweep(horizonMs: number): Promise<number> {
      const now = deps.clock.now()
      const due = await deps.store.scheduledDueBefore(new Date(now.getTime() + horizonMs), 500)
      for (const t of due) await deps.timers.add(t, Math.max(0, t.dueAt.getTime() - now.getTime()))
      return due.length
    },
  }
}

export type HomeWatch = ReturnType<typeof createHomeWatch>
