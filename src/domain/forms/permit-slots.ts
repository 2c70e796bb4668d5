import { localParts, parseShiftSpec } from '../duty.ts'
import type { Texts } from './form.ts'
import {
  addDays,
  daysFrom,
  formatDate,
  instantOn,
  type LocalDate,
  localDateOf,
  weekdayOf,
} from './local-date.ts'
import { bare } from './parsers.ts'

/**
 * Residence-permit appointments over time: the slots a station's opening
 * hours make, how a slot reads, the reminder the day before, and what a
 * resident with an appointment may say by chat.
 */

/** A station's opening hours for appointments, as its station file gives them. */
export interface PermitSlotPlan {
  /** Duty-pattern syntax: "mon-fri 09:00-11:30", "sat 09:00-12:00". */
  hours: string[]
  /** Length of one slot. */
  minutes: number
  /** Residents one slot takes. */
  capacity: number
  /** How many days ahead (today included) slots are offered. */
  daysAhead: number
}

export interface SlotTimes {
  startsAt: Date
  endsAt: Date
}

/** A slot starting sooner than this is no longer offered: nobody could get there in time. */
export const PERMIT_BOOKING_LEAD_MS = 60 * 60_000

/** The chat lists this many free slots, numbered. */
export const PERMIT_CHOICES = 10

/** The reminder goes out at this minute of the day before the appointment, station time. */
export const PERMIT_REMINDER_MINUTE = 10 * 60

/**
 * The slots the plan makes on the days `from` to `through` (both included):
 * each range of the opening hours cut into slots of `minutes`, a remainder
 * too short for a slot left out.
 */
export function planSlotTimes(
  plan: Pick<PermitSlotPlan, 'hours' | 'minutes'>,
  from: LocalDate,
  through: LocalDate,
  timeZone: string,
): SlotTimes[] {
  const shifts = plan.hours.flatMap((h) => parseShiftSpec(h))
  const out = new Map<number, SlotTimes>()
  for (const day of daysFrom(from, addDays(through, 1))) {
    const weekday = weekdayOf(day)
    for (const shift of shifts) {
      if (shift.day !== weekday) continue
      for (let m = shift.startMinute; m + plan.minutes <= shift.endMinute; m += plan.minutes) {
        const startsAt = instantOn(day, m, timeZone)
        out.set(startsAt.getTime(), { startsAt, endsAt: instantOn(day, m + plan.minutes, timeZone) })
      }
    }
  }
  return [...out.values()].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
}

/** The slot's id: its station and start (UTC, to the minute), so the plan and the API name the same slot. */
export function permitSlotId(stationId: string, startsAt: Date): string {
  return `ps-${stationId}-${startsAt.toISOString().slice(0, 16).replace(/[-:T]/g, '')}`
}

const pad = (n: number) => String(n).padStart(2, '0')

function clock(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone)
  return `${pad(p.hour)}:${pad(p.minute)}`
}

/** "12月1日（周二）09:00–09:30" / "Tue 1 Dec 09:00–09:30"; the year only when it is not this one. */
export function slotLabel(slot: SlotTimes, timeZone: string, now: Date): Texts {
  const day = localDateOf(slot.startsAt, timeZone)
  const today = localDateOf(now, timeZone)
  const times = `${clock(slot.startsAt, timeZone)}–${clock(slot.endsAt, timeZone)}`
  return {
    zh: `${formatDate(day, 'zh', today)}${times}`,
    en: `${formatDate(day, 'en', today)} ${times}`,
  }
}

export type PermitTimerKind = 'permit-reminder'

export interface PlannedPermitReminder {
  /** Also the BullMQ job id: request and booking generation, no ':'. */
  id: string
  kind: PermitTimerKind
  /** The day of the appointment. */
  day: LocalDate
  dueAt: Date
}

export function permitReminderId(requestId: string, moves: number): string {
  return `pa-${requestId}-m${moves}-remind`
}

/**
 * The reminder of an appointment: the day before at 10:00 station time. None
 * when that time has passed already: a booking made so late was confirmed
 * just now.
 */
export function planPermitReminder(
  requestId: string,
  moves: number,
  startsAt: Date,
  timeZone: string,
  now: Date,
): PlannedPermitReminder | null {
  const day = localDateOf(startsAt, timeZone)
  const dueAt = instantOn(addDays(day, -1), PERMIT_REMINDER_MINUTE, timeZone)
  if (dueAt <= now) return null
  return { id: permitReminderId(requestId, moves), kind: 'permit-reminder', day, dueAt }
}

/** What a resident with an appointment can say by chat. */
export type PermitCommand = { kind: 'cancel' } | { kind: 'move' }

const CANCEL = new Set([
  '取消预约',
  '取消居住证预约',
  '取消居住证办理预约',
  '预约取消',
  '撤销预约',
  '撤回预约',
  'cancel appointment',
  'cancel my appointment',
  'cancel the appointment',
  'cancel residence permit appointment',
  'cancel my residence permit appointment',
  'cancel booking',
  'cancel my booking',
])

const MOVE = new Set([
  '改约',
  '改预约',
  '更改预约',
  '修改预约',
  '预约改期',
  '调整预约',
  '改约时间',
  '改预约时间',
  '换个预约时间',
  'move appointment',
  'move my appointment',
  'change appointment',
  'change my appointment',
  'appointment change',
  'reschedule',
  'reschedule appointment',
  'reschedule my appointment',
])

const POLITE =
  /^(?:请|麻烦|帮我|我要|我想|我想要|please |pls |i want to |i'd like to |i would like to )+|(?:[\s,，]*(?:吧|了|一下|谢谢您?|谢谢你|please|thanks|thank you))+$/giu

/**
 * "取消预约", "改约", "cancel my appointment", "move appointment": only a
 * message that is (nearly) just the words. A bare "取消" is the withdrawal
 * command (domain/commands.ts) and is not one of these.
 */
export function parsePermitCommand(text: string): PermitCommand | null {
  const t = bare(text).toLowerCase()
  if (t.length > 40) return null
  const core = t.replace(POLITE, '').trim()
  if (CANCEL.has(t) || CANCEL.has(core)) return { kind: 'cancel' }
  if (MOVE.has(t) || MOVE.has(core)) return { kind: 'move' }
  return null
}
