import type { DutyExceptionKind, WeeklyShift } from '../domain/types.ts'

/** One exception to an officer's weekly pattern, as the roster API and page show it. */
export interface RosterExceptionView {
  id: string
  officerId: string
  kind: DutyExceptionKind
  onDuty: boolean
  /** ISO 8601 instants. */
  startsAt: string
  endsAt: string
  note: string | null
  /** `file`: from the station YAML, replaced when it is loaded again; `api`: added by a supervisor. */
  source: 'api' | 'file'
  createdBy: { id: string; name: string } | null
}

export interface RosterOfficerView {
  id: string
  name: string
  nameEn: string | null
  badge: string
  role: string
  active: boolean
  /** The weekly pattern in the station's time zone; empty means always on duty. */
  duty: WeeklyShift[]
  /** The same pattern written as duty patterns, e.g. `mon-fri 08:30-17:30`. */
  dutySpec: string[]
  /** `api` once a supervisor has changed the pattern: loading the station file no longer resets it. */
  dutySource: 'api' | 'file'
  onDuty: boolean
  /** When they are next on duty (now when on duty now), leave and swaps counted. */
  nextOnDuty: string | null
  openCases: number
  capacity: number
  beats: Array<{ id: string; code: string; name: string; nameEn: string | null; as: 'primary' | 'backup' }>
  /** Current and future exceptions, soonest first. */
  exceptions: RosterExceptionView[]
}

export interface RosterView {
  stationId: string
  timeZone: string
  /** The service's time the roster was worked out at. */
  now: string
  officers: RosterOfficerView[]
}

/** Where one of an absent officer's open cases went. */
export interface HandOverView {
  caseId: string
  number: string
  to: { officerId: string; name: string } | { desk: true }
}
