import { type Actor, caseAccess } from '../../domain/access.ts'
import { isOpen } from '../../domain/case-status.ts'
import {
  addDays,
  instantOn,
  isLocalDate,
  type LocalDate,
  localDateOf,
} from '../../domain/forms/local-date.ts'
import { PermitSchema } from '../../domain/forms/permit-form.ts'
import { permitSlotId, slotLabel } from '../../domain/forms/permit-slots.ts'
import { permitResidentTexts } from '../../domain/forms/permit-texts.ts'
import { parseRosterTime } from '../../domain/roster.ts'
import type { CaseStatus, Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import { applyEffects, type EffectDeps, noEffects } from './effects.ts'
import type {
  AppointmentListRow,
  AppointmentState,
  PermitCache,
  PermitStore,
  SlotRow,
} from './permit-store.ts'
import { PERMIT } from './permits.ts'
import type { RequestStore } from './request-store.ts'

export interface PermitOfficeDeps extends EffectDeps {
  requests: RequestStore
  store: PermitStore
  cache: PermitCache
  directory: Directory
  newId: () => string
  officerLanguage: Language
  defaultTimeZone: string
  /** Makes the plan's slots for the days ahead and refreshes what the chat offers. */
  refresh(stationId: string): Promise<unknown>
}

export type AttendanceOutcome = 'attended' | 'no_show'

export interface PermitSlotView {
  id: string
  startsAt: string
  endsAt: string
  capacity: number
  /** Places held (booked, attended or no-show). */
  taken: number
  source: 'file' | 'api'
  closed: boolean
}

/** An appointment as the office sees it. */
export interface PermitAppointmentView {
  requestId: string
  caseId: string
  caseNumber: string
  caseStatus: CaseStatus
  state: AppointmentState
  name: string
  phone: string
  slot: { id: string; startsAt: string; endsAt: string }
  moves: number
  markedAt: string | null
  markedBy: { id: string; name: string } | null
  assignee: { id: string; name: string } | null
  /** The station's time zone: slot times are its wall clock. */
  timeZone: string
}

/** One day at the office: its slots, and in each the appointments the officer may see. */
export interface PermitDayView {
  date: LocalDate
  timeZone: string
  slots: Array<PermitSlotView & { appointments: PermitAppointmentView[] }>
}

/** How far ahead the slot list reaches when no end is asked for. */
const DEFAULT_SLOT_DAYS = 14
/** A slot list may span this many days at most. */
const MAX_SLOT_DAYS = 92

const slotView = (s: SlotRow): PermitSlotView => ({
  id: s.id,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  capacity: s.capacity,
  taken: s.taken,
  source: s.source,
  closed: s.closed,
})

/**
 * The office's side of residence-permit appointments: the day's list, a
 * case's appointment, marking who came and who did not, and the slots
 * supervisors keep.
 */
export function createPermitOffice(deps: PermitOfficeDeps) {
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone
  const officer = (dir: DirectorySnapshot, id: string | null, language: Language) => {
    const o = id ? dir.officers.get(id) : undefined
    return o && id ? { id, name: (language === 'en' ? o.nameEn : null) ?? o.name } : null
  }
  const scope = (a: Pick<AppointmentListRow, 'stationId' | 'assigneeOfficerId' | 'beatId'>) => ({
    stationId: a.stationId,
    assigneeOfficerId: a.assigneeOfficerId,
    beatId: a.beatId,
  })

  function appointmentView(
    dir: DirectorySnapshot,
    a: AppointmentListRow,
    timeZone: string,
  ): PermitAppointmentView {
    const answers = PermitSchema.safeParse(a.answers)
    return {
      requestId: a.requestId,
      caseId: a.caseId,
      caseNumber: a.caseNumber,
      caseStatus: a.caseStatus,
      state: a.state,
      name: answers.success ? answers.data.name : '',
      phone: answers.success ? answers.data.phone : '',
      slot: { id: a.slotId, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString() },
      moves: a.moves,
      markedAt: a.markedAt?.toISOString() ?? null,
      markedBy: officer(dir, a.markedBy, deps.officerLanguage),
      assignee: officer(dir, a.assigneeOfficerId, deps.officerLanguage),
      timeZone,
    }
  }

  /** A day as "YYYY-MM-DD" in the station's zone; today when absent. */
  function dayOf(date: string | undefined, timeZone: string, what: string): LocalDate {
    if (date === undefined) return localDateOf(deps.clock.now(), timeZone)
    if (!isLocalDate(date)) throw new AppError('INVALID_INPUT', `${what}: a day such as 2026-12-01`)
    return date
  }

  async function readable(actor: Actor, caseId: string) {
    const found = await deps.store.appointmentOfCase(caseId)
    const access = found ? caseAccess(actor, scope(found)) : 'not-found'
    if (!found || access === 'not-found')
      throw new AppError('NOT_FOUND', `case ${caseId} has no residence-permit appointment`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
    return found
  }

  return {
    /** The slots of one day with the appointments in them this officer may see (others count in `taken`). */
    async day(actor: Actor, date?: string): Promise<PermitDayView> {
      const dir = await deps.directory.get()
      const timeZone = timeZoneOf(dir, actor.stationId)
      const day = dayOf(date, timeZone, 'date')
      await deps.refresh(actor.stationId)
      const from = instantOn(day, 0, timeZone)
      const to = instantOn(addDays(day, 1), 0, timeZone)
      const [slots, appointments] = await Promise.all([
        deps.store.slots(actor.stationId, from, to),
        deps.store.appointments(actor.stationId, from, to),
      ])
      const visible = appointments.filter((a) => caseAccess(actor, scope(a)) === 'allowed')
      return {
        date: day,
        timeZone,
        slots: slots
          .filter((s) => !s.closed || s.taken > 0)
          .map((s) => ({
            ...slotView(s),
            appointments: visible
              .filter((a) => a.slotId === s.id)
              .map((a) => appointmentView(dir, a, timeZone)),
          })),
      }
    },

    async view(actor: Actor, caseId: string): Promise<PermitAppointmentView> {
      const found = await readable(actor, caseId)
      const dir = await deps.directory.get()
      return appointmentView(dir, found, timeZoneOf(dir, found.stationId))
    },

    /**
     * The resident came (the case resolves; the rating question follows) or
     * did not (the case closes without one). A no-show can be marked only
     * once the slot has begun; either only while the appointment is booked.
     */
    async mark(actor: Actor, caseId: string, outcome: AttendanceOutcome): Promise<PermitAppointmentView> {
      await readable(actor, caseId)
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      const effects = noEffects()
      let residentId = ''
      let requestId = ''
      await deps.requests.transaction(async (tx) => {
        const ptx = deps.store.within(tx.handle())
        const r = await tx.lockRequestOfCase(caseId)
        if (!r || r.kind !== PERMIT)
          throw new AppError('NOT_FOUND', `case ${caseId} has no residence-permit appointment`)
        const appointment = await ptx.lockAppointment(r.id)
        if (appointment?.state !== 'booked' || r.state !== 'active' || !isOpen(r.case.status)) {
          const state = appointment?.state ?? 'cancelled'
          throw new AppError(
            'CONFLICT',
            `The appointment of case ${r.case.number} is ${state === 'booked' ? 'no longer open' : state.replace('_', '-')}; it cannot be marked again.`,
          )
        }
        if (outcome === 'no_show' && now < appointment.startsAt)
          throw new AppError(
            'CONFLICT',
            'The appointment has not begun yet; a no-show can be marked once it has.',
          )
        residentId = r.case.residentId
        requestId = r.id
        const timeZone = timeZoneOf(dir, r.stationId)
        const language = r.case.residentLanguage
        const say = permitResidentTexts(language)
        await ptx.markAppointment(r.id, outcome, actor.id, now)
        await tx.updateRequest(r.id, { state: 'ended', endedAt: now, endReason: outcome })
        effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
        if (outcome === 'attended')
          await tx.updateCase(r.case.id, { status: 'resolved', resolvedAt: now }, true)
        else await ptx.closeCase(r.case.id, 'no-show', now)
        const text =
          outcome === 'attended'
            ? say.attended()
            : say.noShow(slotLabel(appointment, timeZone, now)[language])
        const identity = await ptx.identity(r.case.identityId)
        const messageId = deps.newId()
        if (identity) {
          await ptx.insertResidentMessage({
            id: messageId,
            caseId: r.case.id,
            residentId: r.case.residentId,
            identityId: r.case.identityId,
            channel: identity.channel,
            accountId: identity.accountId,
            text,
            createdAt: now,
          })
          effects.send.push({ accountId: identity.accountId, messageId })
        }
        await tx.audit({
          stationId: r.stationId,
          actor: actor.id,
          action: outcome === 'attended' ? 'permit.attended' : 'permit.no_show',
          subjectType: 'case',
          subjectId: r.case.id,
          detail: { requestId: r.id, slotId: appointment.slotId },
        })
        effects.moveCase = {
          caseId: r.case.id,
          stationId: r.stationId,
          priority: r.case.priority,
          from: r.case.queue,
          to: null,
        }
        effects.events.push({
          type: 'case.updated',
          caseId: r.case.id,
          stationId: r.stationId,
          assigneeId: r.case.assigneeOfficerId,
          beatId: r.case.beatId,
          ...(identity ? { messageId } : {}),
        })
        effects.changedCases.push(r.case.id)
      })
      await applyEffects(deps, effects)
      await deps.cache.dropBooked(residentId, requestId)
      const found = await deps.store.appointmentOfCase(caseId)
      if (!found) throw new AppError('NOT_FOUND', `case ${caseId} has no residence-permit appointment`)
      return appointmentView(dir, found, timeZoneOf(dir, found.stationId))
    },

    /** The station's slots from `from` (today) to `to` (two weeks on), both days included. */
    async slots(actor: Actor, range: { from?: string; to?: string }) {
      const dir = await deps.directory.get()
      const timeZone = timeZoneOf(dir, actor.stationId)
      const from = dayOf(range.from, timeZone, 'from')
      const to =
        range.to === undefined ? addDays(from, DEFAULT_SLOT_DAYS - 1) : dayOf(range.to, timeZone, 'to')
      if (to < from) throw new AppError('INVALID_INPUT', 'to: a day on or after from')
      if (addDays(from, MAX_SLOT_DAYS) <= to)
        throw new AppError('INVALID_INPUT', `to: at most ${MAX_SLOT_DAYS} days after from`)
      await deps.refresh(actor.stationId)
      const rows = await deps.store.slots(
        actor.stationId,
        instantOn(from, 0, timeZone),
        instantOn(addDays(to, 1), 0, timeZone),
      )
      return { from, to, timeZone, slots: rows.filter((s) => !s.closed).map(slotView) }
    },

    /**
     * Adds a slot, or changes the one starting at that time (its length and
     * capacity; a closed one opens again). A capacity below the places taken
     * keeps those bookings and takes no more.
     */
    async saveSlot(
      actor: Actor,
      input: { startsAt: string; minutes: number; capacity: number },
    ): Promise<{ slot: PermitSlotView; created: boolean }> {
      const dir = await deps.directory.get()
      const timeZone = timeZoneOf(dir, actor.stationId)
      const startsAt = parseRosterTime(input.startsAt, timeZone, 'start')
      if (!startsAt || input.startsAt.trim().length <= 10)
        throw new AppError(
          'INVALID_INPUT',
          'startsAt: a time such as 2026-12-01T09:00 (station time) or with an offset',
        )
      if (startsAt <= deps.clock.now())
        throw new AppError('INVALID_INPUT', 'startsAt: the slot must be in the future')
      const saved = await deps.store.saveSlot({
        id: permitSlotId(actor.stationId, startsAt),
        stationId: actor.stationId,
        startsAt,
        endsAt: new Date(startsAt.getTime() + input.minutes * 60_000),
        capacity: input.capacity,
        by: actor.id,
      })
      await deps.refresh(actor.stationId)
      return { slot: slotView(saved.slot), created: saved.created }
    },

    /** Takes a slot away (closed, so the plan does not make it again); refused while anyone is booked in it. */
    async removeSlot(actor: Actor, slotId: string): Promise<void> {
      const closed = await deps.store.closeSlot(actor.stationId, slotId, actor.id, deps.clock.now())
      if (closed.outcome === 'missing')
        throw new AppError('NOT_FOUND', `permit slot ${slotId} does not exist`)
      if (closed.outcome === 'booked') {
        throw new AppError(
          'CONFLICT',
          `${closed.booked} resident${closed.booked === 1 ? ' is' : 's are'} booked in this slot, so it cannot be removed; set its capacity to ${closed.booked} to take no more bookings.`,
        )
      }
      await deps.refresh(actor.stationId)
    },
  }
}

export type PermitOffice = ReturnType<typeof createPermitOffice>
