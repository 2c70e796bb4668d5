import type { LocalDate } from '../../domain/forms/local-date.ts'
import type { PermitSlotPlan, SlotTimes } from '../../domain/forms/permit-slots.ts'
import type { CaseStatus } from '../../domain/types.ts'

export type AppointmentState = 'booked' | 'attended' | 'no_show' | 'cancelled'

export interface FreeSlot extends SlotTimes {
  id: string
}

/** A slot with how many places it has and how many are taken (every appointment but cancelled ones). */
export interface SlotRow extends FreeSlot {
  stationId: string
  capacity: number
  taken: number
  source: 'file' | 'api'
  closed: boolean
}

/** The place a request holds, with its slot's times. */
export interface AppointmentRow extends SlotTimes {
  requestId: string
  stationId: string
  residentId: string
  slotId: string
  state: AppointmentState
  /** Changes of slot so far: part of the reminder's timer id. */
  moves: number
  markedBy: string | null
  markedAt: Date | null
}

/** An appointment with its case and the answers, as the office lists it. */
export interface AppointmentListRow extends AppointmentRow {
  caseId: string
  caseNumber: string
  caseStatus: CaseStatus
  assigneeOfficerId: string | null
  beatId: string | null
  answers: unknown
}

/** A booking still to come, as the conversation hook knows it (Redis): ids and times only. */
export interface BookedPermit {
  requestId: string
  caseId: string
  stationId: string
  startsAt: Date
  endsAt: Date
}

/** Whether a place could be taken: `gone` is a slot closed, begun or of another station. */
export type PlaceTaken = 'ok' | 'full' | 'gone'

/** What permit appointments may do inside a request transaction. */
export interface PermitTx {
  /**
   * Locks the slot and counts its places taken: `ok` while one is left. The
   * lock is held until the transaction ends, so of two residents taking the
   * last place, the second counts the first's.
   */
  takePlace(slotId: string, stationId: string, now: Date): Promise<PlaceTaken>
  insertAppointment(a: {
    requestId: string
    stationId: string
    residentId: string
    slotId: string
  }): Promise<void>
  /** The resident's booking whose time has not ended yet. */
  bookedOf(residentId: string, now: Date): Promise<AppointmentRow | null>
  lockAppointment(requestId: string): Promise<AppointmentRow | null>
  /** Moves the booking to another slot; answers the new count of moves. */
  moveAppointment(requestId: string, slotId: string): Promise<number>
  markAppointment(requestId: string, state: AppointmentState, by: string | null, at: Date): Promise<void>
  /** Closes a case that ends without a rating (cancelled, no-show); bumps its version. */
  closeCase(caseId: string, reason: string, at: Date): Promise<void>
  /** Where to write to a resident who has no case for this (a booking that did not happen). */
  identity(identityId: string): Promise<{ residentId: string; channel: string; accountId: string } | null>
  insertResidentMessage(m: {
    id: string
    caseId: string | null
    residentId: string
    identityId: string
    channel: string
    accountId: string
    text: string
    createdAt: Date
  }): Promise<void>
}

/** Appointments, slots and the opening-hours plan (migration 014), beside the request store. */
export interface PermitStore {
  /** The permit writes inside a transaction the request store opened (`RequestTx.handle()`). */
  within(handle: unknown): PermitTx
  plan(stationId: string): Promise<{ plan: PermitSlotPlan; ensuredThrough: LocalDate | null } | null>
  /** Stores the plan's slots not stored yet (a closed one stays closed) and how far that went. */
  ensureSlots(stationId: string, slots: SlotTimes[], through: LocalDate): Promise<void>
  /** Open slots starting from `after` with a place left, earliest first. */
  freeSlots(stationId: string, after: Date, limit: number): Promise<FreeSlot[]>
  /** Slots starting in [from, to), closed ones too, with their places taken. */
  slots(stationId: string, from: Date, to: Date): Promise<SlotRow[]>
  /** Adds a slot or changes the one starting then (reopening it if closed); answers it and whether it is new. */
  saveSlot(input: {
    id: string
    stationId: string
    startsAt: Date
    endsAt: Date
    capacity: number
    by: string
  }): Promise<{ slot: SlotRow; created: boolean }>
  /** Closes a slot nobody is booked in; answers how many are when some are. */
  closeSlot(
    stationId: string,
    slotId: string,
    by: string,
    at: Date,
  ): Promise<{ outcome: 'closed' | 'missing' } | { outcome: 'booked'; booked: number }>
  /** Bookings of the station whose time has not ended, for the conversation hook's index. */
  bookedAppointments(stationId: string, now: Date): Promise<Array<BookedPermit & { residentId: string }>>
  /** Appointments (not cancelled) whose slots start in [from, to). */
  appointments(stationId: string, from: Date, to: Date): Promise<AppointmentListRow[]>
  appointmentOfCase(caseId: string): Promise<AppointmentListRow | null>
}

/** The free slots of a station as last read from the database, and when. */
export interface FreeSnapshot {
  at: Date
  slots: FreeSlot[]
}

/**
 * What the conversation hook reads instead of the database (Redis): each
 * station's free slots and each resident's booking. The database stays the
 * authority; a booking is checked against it when it is made.
 */
export interface PermitCache {
  free(stationId: string): Promise<FreeSnapshot | null>
  putFree(stationId: string, snapshot: FreeSnapshot): Promise<void>
  booked(residentId: string): Promise<BookedPermit | null>
  putBooked(residentId: string, entry: BookedPermit, ttlMs: number): Promise<void>
  /** Forgets the booking, if it is still this request's. */
  dropBooked(residentId: string, requestId: string): Promise<void>
}
