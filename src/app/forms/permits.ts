import { isOpen } from '../../domain/case-status.ts'
import { currentQuestion, type FormState } from '../../domain/forms/engine.ts'
import type { Answers, Choice, FormContext, FormDefinition } from '../../domain/forms/form.ts'
import { addDays, localDateOf } from '../../domain/forms/local-date.ts'
import {
  PERMIT_FORM_ID,
  PERMIT_MOVE_FORM_ID,
  type PermitAnswers,
  PermitMoveSchema,
  PermitSchema,
  permitForm,
  permitMoveForm,
} from '../../domain/forms/permit-form.ts'
import {
  PERMIT_BOOKING_LEAD_MS,
  PERMIT_CHOICES,
  parsePermitCommand,
  planPermitReminder,
  planSlotTimes,
  type SlotTimes,
  slotLabel,
} from '../../domain/forms/permit-slots.ts'
import { permitRequestNote, permitResidentTexts } from '../../domain/forms/permit-texts.ts'
import { serviceForKeyword } from '../../domain/forms/registry.ts'
import type { Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import {
  type ConversationInput,
  type ConversationStep,
  FORM_STATE_TTL_MS,
  type FormStateStore,
} from './conversation.ts'
import { applyEffects, type EffectDeps, type Effects, noEffects } from './effects.ts'
import type { BookedPermit, FreeSlot, PermitCache, PermitStore, PermitTx } from './permit-store.ts'
import type { LockedRequest, RequestStore, RequestTx } from './request-store.ts'
import type { RequestKind, SubmitInput, SubmitResult } from './submit-request.ts'

export const PERMIT = PERMIT_FORM_ID

export interface PermitDeps extends EffectDeps {
  requests: RequestStore
  store: PermitStore
  cache: PermitCache
  states: FormStateStore
  directory: Directory
  newId: () => string
  officerLanguage: Language
  defaultTimeZone: string
  /** The generic submission (a case routed like any other), with the permit kind registered. */
  submit(input: SubmitInput): Promise<SubmitResult>
}

/** What choice questions of a form offer now, and work for after the commit (a refresh of stale offers). */
export interface FormOffers {
  choices?: Record<string, Choice[]>
  afterCommit?: () => Promise<void>
}

/** A booked resident's "居住证", "取消预约" or "改约": an answer, or a follow-up form to start. */
export type PermitAnswer =
  | { step: ConversationStep }
  | { start: { form: string; preset: Answers }; caseId: string; language: Language }

/** The free slots read from Redis are refreshed from the database when older than this. */
const OFFERS_FRESH_MS = 10 * 60_000
/** How many free slots the snapshot keeps (more than are offered: some may have begun). */
const SNAPSHOT_SLOTS = 40

class SlotUnavailable extends Error {
  constructor(readonly reason: 'full' | 'gone') {
    super(`the slot is ${reason}`)
    this.name = 'SlotUnavailable'
  }
}

class AlreadyBooked extends Error {
  constructor(readonly slot: SlotTimes) {
    super('the resident has an appointment booked already')
    this.name = 'AlreadyBooked'
  }
}

/** The permit writes joined to a request transaction. */
type Txs = { tx: RequestTx; ptx: PermitTx }

/**
 * Residence-permit appointments on the resident's side: the slots a form
 * offers (from Redis in the conversation hook, from the database on the web
 * page), the booking inside the submission's transaction, the re-ask when
 * the slot filled up meanwhile, cancelling and moving by chat, the reminder
 * the day before.
 */
export function createPermits(deps: PermitDeps) {
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone
  const choicesOf = (slots: FreeSlot[], timeZone: string, now: Date): Choice[] =>
    slots
      .filter((s) => s.startsAt.getTime() >= now.getTime() + PERMIT_BOOKING_LEAD_MS)
      .slice(0, PERMIT_CHOICES)
      .map((s) => ({ value: s.id, label: slotLabel(s, timeZone, now) }))
  const joined = (tx: RequestTx): Txs => ({ tx, ptx: deps.store.within(tx.handle()) })

  /**
   * Makes the plan's slots for the days ahead and reads the free ones into
   * Redis; with `reindex`, puts every booking to come into the hook's index
   * too, which so mends itself after a crash between a commit and its write.
   */
  async function refresh(stationId: string, reindex = false): Promise<FreeSlot[]> {
    const dir = await deps.directory.get()
    const timeZone = timeZoneOf(dir, stationId)
    const now = deps.clock.now()
    const planned = await deps.store.plan(stationId)
    if (planned) {
      const today = localDateOf(now, timeZone)
      const through = addDays(today, planned.plan.daysAhead - 1)
      if (planned.ensuredThrough === null || planned.ensuredThrough < through) {
        await deps.store.ensureSlots(
          stationId,
          planSlotTimes(planned.plan, today, through, timeZone),
          through,
        )
      }
    }
    const free = await deps.store.freeSlots(stationId, now, SNAPSHOT_SLOTS)
    await deps.cache.putFree(stationId, { at: now, slots: free })
    if (reindex) {
      const booked = await deps.store.bookedAppointments(stationId, now)
      await Promise.all(booked.map(({ residentId, ...entry }) => index(residentId, entry, now)))
    }
    return free
  }

  /** The hook's entry of a booking, kept a day past its end. */
  const index = (residentId: string, entry: BookedPermit, now: Date) =>
    deps.cache.putBooked(residentId, entry, entry.endsAt.getTime() - now.getTime() + 86_400_000)

  /** After a booking or a move: the case's booking into the index, as the database has it now. */
  async function indexCase(caseId: string) {
    const a = await deps.store.appointmentOfCase(caseId)
    if (a?.state !== 'booked') return
    const entry = {
      requestId: a.requestId,
      caseId,
      stationId: a.stationId,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
    }
    await index(a.residentId, entry, deps.clock.now())
  }

  /** The free slots as a choice field offers them, read from the database (the web page). */
  async function freshChoices(stationId: string): Promise<Choice[]> {
    const free = await refresh(stationId)
    const dir = await deps.directory.get()
    return choicesOf(free, timeZoneOf(dir, stationId), deps.clock.now())
  }

  /** A message to the resident, on their appointment's case when there is one. */
  async function tell(
    { ptx }: Txs,
    to: { identityId: string; caseId: string | null },
    text: string,
    effects: Effects,
  ): Promise<string | null> {
    const identity = await ptx.identity(to.identityId)
    if (!identity) return null
    const id = deps.newId()
    await ptx.insertResidentMessage({
      id,
      caseId: to.caseId,
      residentId: identity.residentId,
      identityId: to.identityId,
      channel: identity.channel,
      accountId: identity.accountId,
      text,
      createdAt: deps.clock.now(),
    })
    effects.send.push({ accountId: identity.accountId, messageId: id })
    return id
  }

  const residentOf = (r: LockedRequest) => ({ identityId: r.case.identityId, caseId: r.case.id })
  const event = (r: LockedRequest, type: 'case.updated' | 'case.message', messageId?: string | null) => ({
    type,
    caseId: r.case.id,
    stationId: r.stationId,
    assigneeId: r.case.assigneeOfficerId,
    beatId: r.case.beatId,
    ...(messageId ? { messageId } : {}),
  })

  /** A line in the case for officers (never sent). */
  async function note(tx: RequestTx, r: LockedRequest, text: string) {
    await tx.insertMessage({
      id: deps.newId(),
      caseId: r.case.id,
      residentId: r.case.residentId,
      identityId: r.case.identityId,
      direction: 'system',
      channel: r.case.channel,
      accountId: r.case.accountId,
      text,
      authorOfficerId: null,
      createdAt: deps.clock.now(),
    })
  }

  async function scheduleReminder(
    tx: RequestTx,
    requestId: string,
    moves: number,
    startsAt: Date,
    timeZone: string,
    now: Date,
    effects: Effects,
  ) {
    const planned = planPermitReminder(requestId, moves, startsAt, timeZone, now)
    if (!planned) return
    const added = await tx.insertTimers([
      { id: planned.id, requestId, kind: planned.kind, day: planned.day, dueAt: planned.dueAt },
    ])
    if (added.includes(planned.id)) effects.addTimers.push(planned)
  }

  const kind: RequestKind = {
    form: PERMIT,
    note: (answers, language) => permitRequestNote(answers as PermitAnswers, language),
    confirmation: (answers, info) =>
      permitResidentTexts(info.language).booked({
        caseNumber: info.caseNumber,
        when: (answers as PermitAnswers).slot.label[info.language],
        handler: info.handler,
      }),
    async created(tx, answers, info, effects) {
      const { ptx } = joined(tx)
      const a = answers as PermitAnswers
      // The resident is locked (submitRequest did it): their bookings cannot race each other.
      const earlier = await ptx.bookedOf(info.residentId, info.now)
      if (earlier) throw new AlreadyBooked(earlier)
      const taken = await ptx.takePlace(a.slot.id, info.stationId, info.now)
      if (taken !== 'ok') throw new SlotUnavailable(taken)
      await ptx.insertAppointment({
        requestId: info.requestId,
        stationId: info.stationId,
        residentId: info.residentId,
        slotId: a.slot.id,
      })
      const booked = await ptx.lockAppointment(info.requestId)
      if (booked)
        await scheduleReminder(tx, info.requestId, 0, booked.startsAt, info.timeZone, info.now, effects)
      // The booking is the answer the resident asked for: no officer has to write back first.
      await tx.updateCase(info.caseId, { firstRespondedAt: info.now }, false)
      await tx.audit({
        stationId: info.stationId,
        actor: 'system',
        action: 'permit.booked',
        subjectType: 'service_request',
        subjectId: info.requestId,
        detail: { slotId: a.slot.id },
      })
    },
  }

  /**
   * The booking failed after the form was finished (the slot filled up
   * meanwhile): the resident is told why and asked again for a time, with the
   * other answers kept, unless they have started something else since.
   */
  async function reask(input: SubmitInput, form: FormDefinition, caseId: string | null) {
    const language = input.completed.language
    const say = permitResidentTexts(language)
    const answers: Answers = { ...(input.completed.answers as Answers) }
    const picked = answers.slot as PermitAnswers['slot']
    delete answers.slot
    const when = picked.label[language]
    const dir = await deps.directory.get()
    const timeZone = timeZoneOf(dir, input.stationId)
    const now = deps.clock.now()
    const choices = choicesOf(await refresh(input.stationId), timeZone, now)
    let text = say.slotTakenStartAgain(when)
    if (choices.length > 0) {
      const ctx: FormContext = { now, timeZone, language, prefill: {}, choices: { slot: choices } }
      const state: FormState = {
        form: form.id,
        language,
        index: form.fields.findIndex((f) => f.key === 'slot'),
        answers,
        failures: 0,
        editing: false,
        choosing: false,
        declined: [],
        rev: 1,
        updatedAt: now.toISOString(),
      }
      const question = currentQuestion(form, state, ctx)
      if (await deps.states.put(input.residentId, state, null, FORM_STATE_TTL_MS)) {
        text = `${say.slotTaken(when)}\n${question}`
      }
    }
    const effects = noEffects()
    await deps.requests.transaction((tx) =>
      tell(joined(tx), { identityId: input.identityId, caseId }, text, effects),
    )
    await applyEffects(deps, effects)
  }

  async function alreadyBooked(input: SubmitInput, slot: SlotTimes) {
    const dir = await deps.directory.get()
    const when = slotLabel(slot, timeZoneOf(dir, input.stationId), deps.clock.now())[input.completed.language]
    const effects = noEffects()
    await deps.requests.transaction((tx) =>
      tell(
        joined(tx),
        { identityId: input.identityId, caseId: null },
        permitResidentTexts(input.completed.language).alreadyBooked(when),
        effects,
      ),
    )
    await applyEffects(deps, effects)
  }

  /** A finished appointment form: booked, or (from chat) re-asked; from the web page, a 400 naming the slot. */
  async function book(input: SubmitInput, via: 'chat' | 'web'): Promise<SubmitResult | null> {
    try {
      const result = await deps.submit(input)
      if (result.created) {
        await indexCase(result.caseId)
        await refresh(input.stationId)
      }
      return result
    } catch (error) {
      const language = input.completed.language
      if (error instanceof SlotUnavailable) {
        if (via === 'chat') {
          await reask(input, permitForm, null)
          return null
        }
        const ctx: FormContext = {
          now: deps.clock.now(),
          timeZone: deps.defaultTimeZone,
          language,
          prefill: {},
        }
        const slotField = permitForm.fields.find((f) => f.key === 'slot')
        const message = slotField?.problem?.({ code: 'slot-taken' }, ctx, {}) ?? 'slot-taken'
        throw new AppError('INVALID_INPUT', message, { fields: { slot: message } })
      }
      if (error instanceof AlreadyBooked) {
        if (via === 'chat') {
          await alreadyBooked(input, error.slot)
          return null
        }
        const dir = await deps.directory.get()
        const when = slotLabel(error.slot, timeZoneOf(dir, input.stationId), deps.clock.now())[language]
        throw new AppError('CONFLICT', permitResidentTexts(language).alreadyBooked(when))
      }
      throw error
    }
  }

  /** The finished "改约" form: the booking moves to the new slot, or the resident is asked again. */
  async function move(input: SubmitInput): Promise<void> {
    const a = PermitMoveSchema.parse(input.completed.answers)
    const language = input.completed.language
    const say = permitResidentTexts(language)
    const dir = await deps.directory.get()
    const now = deps.clock.now()
    const effects = noEffects()
    // What the transaction found, for the work after it.
    const found: { caseId: string | null } = { caseId: null }
    try {
      await deps.requests.transaction(async (tx) => {
        const txs = joined(tx)
        const r = await tx.lockRequest(a.appointment)
        const appointment = r ? await txs.ptx.lockAppointment(r.id) : null
        if (
          !r ||
          r.kind !== PERMIT ||
          r.case.residentId !== input.residentId ||
          r.state !== 'active' ||
          appointment?.state !== 'booked' ||
          appointment.endsAt <= now
        ) {
          await tell(txs, { identityId: input.identityId, caseId: null }, say.notBooked(), effects)
          return
        }
        found.caseId = r.case.id
        const timeZone = timeZoneOf(dir, r.stationId)
        if (appointment.slotId === a.slot.id) {
          await tell(txs, residentOf(r), say.sameSlot(a.slot.label[language]), effects)
          return
        }
        const taken = await txs.ptx.takePlace(a.slot.id, r.stationId, now)
        if (taken !== 'ok') throw new SlotUnavailable(taken)
        const moves = await txs.ptx.moveAppointment(r.id, a.slot.id)
        const answers: PermitAnswers = { ...PermitSchema.parse(r.answers), slot: a.slot }
        await tx.updateRequest(r.id, { answers })
        effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
        const moved = await txs.ptx.lockAppointment(r.id)
        if (moved) await scheduleReminder(tx, r.id, moves, moved.startsAt, timeZone, now, effects)
        const messageId = await tell(txs, residentOf(r), say.moved(a.slot.label[language]), effects)
        const from = slotLabel(appointment, timeZone, now)[deps.officerLanguage]
        await note(
          tx,
          r,
          deps.officerLanguage === 'en'
            ? `The resident moved the appointment from ${from} to ${a.slot.label.en}.`
            : `居民改约：${from} 改为 ${a.slot.label.zh}。`,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: 'system',
          action: 'permit.moved',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { from: appointment.slotId, to: a.slot.id, by: 'resident' },
        })
        effects.events.push(event(r, 'case.message', messageId))
      })
    } catch (error) {
      if (!(error instanceof SlotUnavailable)) throw error
      await reask(input, permitMoveForm, found.caseId)
    }
    await applyEffects(deps, effects)
    if (found.caseId) await indexCase(found.caseId)
    await refresh(input.stationId)
  }

  /** "取消预约": the place is freed, the case closed without a rating, the reminder cancelled. */
  async function cancel(residentId: string, requestId: string, language: Language): Promise<void> {
    const dir = await deps.directory.get()
    const now = deps.clock.now()
    const say = permitResidentTexts(language)
    const effects = noEffects()
    const found: { stationId: string | null } = { stationId: null }
    await deps.requests.transaction(async (tx) => {
      const txs = joined(tx)
      const r = await tx.lockRequest(requestId)
      if (!r || r.kind !== PERMIT || r.case.residentId !== residentId) return
      const appointment = await txs.ptx.lockAppointment(r.id)
      if (r.state !== 'active' || appointment?.state !== 'booked' || appointment.endsAt <= now) {
        await tell(txs, residentOf(r), say.notBooked(), effects)
        return
      }
      found.stationId = r.stationId
      const when = slotLabel(appointment, timeZoneOf(dir, r.stationId), now)
      await txs.ptx.markAppointment(r.id, 'cancelled', null, now)
      await tx.updateRequest(r.id, {
        state: 'cancelled',
        endedAt: now,
        endReason: 'cancelled by the resident',
      })
      effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
      await txs.ptx.closeCase(r.case.id, 'cancelled by the resident', now)
      const messageId = await tell(txs, residentOf(r), say.cancelled(when[language]), effects)
      await note(
        tx,
        r,
        deps.officerLanguage === 'en'
          ? `The resident cancelled the appointment (${when.en}).`
          : `居民取消了预约（${when.zh}）。`,
      )
      await tx.audit({
        stationId: r.stationId,
        actor: 'system',
        action: 'permit.cancelled',
        subjectType: 'service_request',
        subjectId: r.id,
        detail: { slotId: appointment.slotId, by: 'resident' },
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
    })
    await applyEffects(deps, effects)
    await deps.cache.dropBooked(residentId, requestId)
    if (found.stationId) await refresh(found.stationId)
  }

  type Fired = 'fired' | 'stopped' | 'missing' | 'already-fired' | 'cancelled' | 'raced'

  return {
    kind,
    refresh,
    freshChoices,
    cancel,

    /** Whether a finished form is one of these (the appointment, or moving it). */
    handles: (formId: string) => formId === PERMIT || formId === PERMIT_MOVE_FORM_ID,

    /** A finished form of these, after the inbound commit (chat) or from the web page. */
    async submit(input: SubmitInput, via: 'chat' | 'web'): Promise<SubmitResult | null> {
      if (input.completed.form === PERMIT_MOVE_FORM_ID) {
        if (via === 'web') throw new AppError('INVALID_INPUT', 'an appointment is moved by chat ("改约")')
        await move(input)
        return null
      }
      return book(input, via)
    },

    /** The hook's offers for a form with a choice question: the free slots as Redis last had them. */
    async offers(formId: string, input: ConversationInput): Promise<FormOffers | null> {
      if (formId !== PERMIT && formId !== PERMIT_MOVE_FORM_ID) return null
      const snapshot = await deps.cache.free(input.stationId)
      const stale = !snapshot || input.now.getTime() - snapshot.at.getTime() > OFFERS_FRESH_MS
      const afterCommit = stale
        ? async () => {
            await refresh(input.stationId, true)
          }
        : undefined
      return {
        ...(snapshot ? { choices: { slot: choicesOf(snapshot.slots, input.timeZone, input.now) } } : {}),
        ...(afterCommit ? { afterCommit } : {}),
      }
    },

    /**
     * A booked resident's "居住证" (told of the booking instead of a new
     * form), "取消预约" or "改约"; null for anything else, and for a resident
     * the index knows no booking of (their words then go to an officer).
     */
    async answer(input: ConversationInput): Promise<PermitAnswer | null> {
      const command = parsePermitCommand(input.text)
      if (!command && serviceForKeyword(input.text)?.id !== PERMIT) return null
      const booked = await deps.cache.booked(input.residentId)
      if (!booked || booked.endsAt <= input.now) return null
      const language = input.language
      const when = slotLabel(booked, input.timeZone, input.now)
      const step = (replies: string[], apply?: () => Promise<void>): PermitAnswer => ({
        step: { replies, caseId: booked.caseId, save: async () => {}, ...(apply ? { apply } : {}) },
      })
      if (!command) return step([permitResidentTexts(language).alreadyBooked(when[language])])
      if (command.kind === 'cancel')
        return step([], () => cancel(input.residentId, booked.requestId, language))
      return {
        start: { form: PERMIT_MOVE_FORM_ID, preset: { appointment: booked.requestId, current: when } },
        caseId: booked.caseId,
        language,
      }
    },

    /**
     * The reminder the day before. Claimed (scheduled → fired) in the
     * transaction that writes it; a request cancelled, moved or whose case
     * someone closed does not remind (the last frees its place too).
     */
    async fire(timerId: string): Promise<{ outcome: Fired } | { outcome: 'early'; retryInMs: number }> {
      const row = await deps.requests.timer(timerId)
      if (!row) return { outcome: 'missing' }
      if (row.state !== 'scheduled') {
        if (row.state === 'fired') {
          const pending = await deps.requests.pendingSends(row.requestId)
          for (const m of pending.messages) await deps.dispatcher.enqueueOutbound(m.accountId, m.id)
        }
        return { outcome: row.state === 'fired' ? 'already-fired' : 'cancelled' }
      }
      const now = deps.clock.now()
      const early = row.dueAt.getTime() - now.getTime()
      if (early > 1000) return { outcome: 'early', retryInMs: early }
      const dir = await deps.directory.get()
      const effects = noEffects()
      const after: { freed: { residentId: string; stationId: string } | null } = { freed: null }
      const outcome = await deps.requests.transaction(async (tx): Promise<Fired> => {
        const txs = joined(tx)
        const r = await tx.lockRequest(row.requestId)
        const appointment = r ? await txs.ptx.lockAppointment(r.id) : null
        if (r?.state !== 'active' || appointment?.state !== 'booked') {
          await tx.claimTimer(timerId, 'cancelled', now)
          return 'cancelled'
        }
        if (!isOpen(r.case.status)) {
          await txs.ptx.markAppointment(r.id, 'cancelled', null, now)
          await tx.updateRequest(r.id, {
            state: 'cancelled',
            endedAt: now,
            endReason: `case ${r.case.status}`,
          })
          effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
          await tx.audit({
            stationId: r.stationId,
            actor: 'system',
            action: 'permit.stopped',
            subjectType: 'service_request',
            subjectId: r.id,
            detail: { caseStatus: r.case.status },
          })
          after.freed = { residentId: r.case.residentId, stationId: r.stationId }
          return 'stopped'
        }
        if (!(await tx.claimTimer(timerId, 'fired', now))) return 'raced'
        const language = r.case.residentLanguage
        const when = slotLabel(appointment, timeZoneOf(dir, r.stationId), now)[language]
        const messageId = await tell(
          txs,
          residentOf(r),
          permitResidentTexts(language).reminder(when),
          effects,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: 'system',
          action: 'permit.reminded',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { timerId, slotId: appointment.slotId },
        })
        effects.events.push(event(r, 'case.message', messageId))
        return 'fired'
      })
      await applyEffects(deps, effects)
      if (after.freed) {
        await deps.cache.dropBooked(after.freed.residentId, row.requestId)
        await refresh(after.freed.stationId)
      }
      return { outcome }
    },

    /** Timers of these requests, by their ids ("pa-…"), for the service-timer worker. */
    owns: (timerId: string) => timerId.startsWith('pa-'),
  }
}

export type Permits = ReturnType<typeof createPermits>
