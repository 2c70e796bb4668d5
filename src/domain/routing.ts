import type { Beat, Officer } from './types.ts'

/** Where a case should wait: an officer's own queue or the station's duty desk. */
export type RouteTarget =
  | { kind: 'officer'; officerId: string; reason: RouteReason }
  | { kind: 'desk'; stationId: string; reason: RouteReason }

export type RouteReason =
  | 'sticky'
  | 'beat-primary'
  | 'beat-backup'
  | 'emergency'
  | 'no-beat'
  | 'beat-unstaffed'
  | 'all-busy-or-off-duty'

export interface RoutingInput {
  stationId: string
  emergency: boolean
  /** The officer already handling the resident's open case, if any. */
  currentAssigneeId: string | null
  /** The beat the case belongs to, if it could be worked out. */
  beat: Beat | null
  officers: ReadonlyMap<string, Officer>
  isOnDuty(officer: Officer): boolean
  openCaseCount(officerId: string): number
}

/**
 * Picks who handles a case, in the order the station works: emergencies go to
 * the duty desk; the officer already on the case keeps it; else the beat's
 * primary officer if on duty and under capacity, else the backup, else the desk.
 */
export function chooseRoute(input: RoutingInput): RouteTarget {
  const desk = (reason: RouteReason): RouteTarget => ({ kind: 'desk', stationId: input.stationId, reason })
  if (input.emergency) return desk('emergency')
  if (input.currentAssigneeId) {
    const current = input.officers.get(input.currentAssigneeId)
    if (current?.active) return { kind: 'officer', officerId: current.id, reason: 'sticky' }
  }
  if (!input.beat) return desk('no-beat')
  const candidates: Array<[string | null, RouteReason]> = [
    [input.beat.primaryOfficerId, 'beat-primary'],
    [input.beat.backupOfficerId, 'beat-backup'],
  ]
  let staffed = false
  for (const [officerId, reason] of candidates) {
    const officer = officerId ? input.officers.get(officerId) : undefined
    if (!officer?.active) continue
    staffed = true
    if (input.isOnDuty(officer) && input.openCaseCount(officer.id) < officer.capacity) {
      return { kind: 'officer', officerId: officer.id, reason }
    }
  }
  return desk(staffed ? 'all-busy-or-off-duty' : 'beat-unstaffed')
}

/** BullMQ queue names may not contain ':'; officer and desk queues get plain prefixes. */
export function queueNameFor(target: RouteTarget): string {
  return target.kind === 'officer' ? `officer-${target.officerId}` : `desk-${target.stationId}`
}

/** The officer whose queue this is, or null for a duty desk's (the inverse of queueNameFor). */
export function officerOfQueue(queue: string): string | null {
  return queue.startsWith('officer-') ? queue.slice('officer-'.length) : null
}

/** Formats a case number as station code, year and a six-digit counter: CQ-2026-000123. */
export function formatCaseNumber(stationCode: string, year: number, counter: number): string {
  return `${stationCode}-${year}-${String(counter).padStart(6, '0')}`
}
