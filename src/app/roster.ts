import type { Actor } from '../domain/access.ts'
import { isOpen } from '../domain/case-status.ts'
import { officerNextOnDuty, officerOnDuty, parseShiftSpec } from '../domain/duty.ts'
import {
  exceptionOnDuty,
  formatShift,
  formatShifts,
  isAbsence,
  overlappingException,
  overlappingShifts,
  parseRosterTime,
} from '../domain/roster.ts'
import { chooseRoute } from '../domain/routing.ts'
import type {
  CasePriority,
  CaseStatus,
  DutyException,
  DutyExceptionKind,
  WeeklyShift,
} from '../domain/types.ts'
import { AppError } from '../errors.ts'
import type { AssignTarget, CaseCommands } from './cases/case-commands.ts'
import type { Clock, Directory, DirectorySnapshot, OfficerInfo } from './ports.ts'
import type { HandOverView, RosterExceptionView, RosterOfficerView, RosterView } from './roster-views.ts'

/** A stored exception with whom it belongs to and who made it. */
export interface ExceptionRecord extends DutyException {
  stationId: string
  officerId: string
  createdBy: { id: string; name: string } | null
}

/** What the roster may do inside one transaction, the officer's row locked. */
export interface RosterTx {
  /** Locks the officer's row, so two changes to one roster cannot both pass the overlap check. */
  lockOfficer(officerId: string): Promise<{ stationId: string; duty: WeeklyShift[] } | null>
  exceptionsOf(officerId: string, endingAfter: Date): Promise<ExceptionRecord[]>
  insertException(record: Omit<ExceptionRecord, 'createdBy'> & { createdBy: string }): Promise<void>
  deleteException(id: string): Promise<boolean>
  setDuty(officerId: string, shifts: WeeklyShift[]): Promise<void>
  audit(entry: {
    stationId: string
    actor: string
    action: string
    officerId: string
    detail?: unknown
  }): Promise<void>
}

export interface RosterStore {
  transaction<T>(fn: (tx: RosterTx) => Promise<T>): Promise<T>
  /** The station's officers' weekly patterns as stored now (the directory may be a moment behind). */
  duties(stationId: string): Promise<Map<string, { duty: WeeklyShift[]; source: 'api' | 'file' }>>
  /** Exceptions of the station that end after the given instant, soonest first. */
  stationExceptions(stationId: string, endingAfter: Date): Promise<ExceptionRecord[]>
  findException(id: string): Promise<ExceptionRecord | null>
  /** The officer's open cases, oldest first. */
  openCasesOf(
    officerId: string,
  ): Promise<
    Array<{ id: string; number: string; version: number; beatId: string | null; priority: CasePriority }>
  >
  caseState(
    caseId: string,
  ): Promise<{ status: CaseStatus; assigneeOfficerId: string | null; version: number } | null>
  openCaseCounts(officerIds: string[]): Promise<Map<string, number>>
}

export interface RosterDeps {
  store: RosterStore
  directory: Directory
  cases: Pick<CaseCommands, 'assign'>
  clock: Clock
  newId: () => string
}

export interface NewException {
  kind: DutyExceptionKind
  /** ISO 8601 with an offset, or a local date / date and time in the station's time zone. */
  startsAt: string
  endsAt: string
  note?: string
}

// Leave that starts this soon is handed over at once: the officer is packing up.
const HAND_OVER_AHEAD_MS = 60 * 60_000
const MAX_SPAN_MS = 366 * 86_400_000

/**
 * Duty rosters: who works when. A supervisor sets an officer's weekly pattern
 * and adds or removes exceptions (leave, sick, training, swapped shifts);
 * routing and deadlines read them from the directory. Putting an officer on
 * leave or sick hands their open cases to the beat's other officer, or the
 * duty desk, through the case commands, so each resident is told who now
 * handles their case, in their language.
 */
export function createRoster(deps: RosterDeps) {
  const stationOf = (dir: DirectorySnapshot, actor: Actor) => {
    const station = dir.stations.get(actor.stationId)
    if (!station) throw new AppError('NOT_FOUND', `station ${actor.stationId} does not exist`)
    return station
  }

  /** Another station's officer does not exist for the asker (404, so ids cannot be probed). */
  const officerOf = (dir: DirectorySnapshot, actor: Actor, officerId: string): OfficerInfo => {
    const officer = dir.officers.get(officerId)
    if (!officer || officer.stationId !== actor.stationId)
      throw new AppError('NOT_FOUND', `officer ${officerId} does not exist`)
    return officer
  }

  const exceptionView = (e: ExceptionRecord): RosterExceptionView => ({
    id: e.id,
    officerId: e.officerId,
    kind: e.kind,
    onDuty: e.onDuty,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    note: e.note,
    source: e.source,
    createdBy: e.createdBy,
  })

  async function list(actor: Actor): Promise<RosterView> {
    const dir = await deps.directory.get()
    const station = stationOf(dir, actor)
    const now = deps.clock.now()
    const officers = [...dir.officers.values()]
      .filter((o) => o.stationId === actor.stationId)
      .sort((a, b) => a.badge.localeCompare(b.badge))
    const [duties, exceptions, counts] = await Promise.all([
      deps.store.duties(actor.stationId),
      deps.store.stationExceptions(actor.stationId, now),
      deps.store.openCaseCounts(officers.map((o) => o.id)),
    ])
    return {
      stationId: station.id,
      timeZone: station.timeZone,
      now: now.toISOString(),
      officers: officers.map((o): RosterOfficerView => {
        const stored = duties.get(o.id)
        const own = exceptions.filter((e) => e.officerId === o.id)
        const rostered = { duty: stored?.duty ?? o.duty, exceptions: own }
        const next = officerNextOnDuty(rostered, now, station.timeZone)
        return {
          id: o.id,
          name: o.name,
          nameEn: o.nameEn,
          badge: o.badge,
          role: o.role,
          active: o.active,
          duty: rostered.duty,
          dutySpec: formatShifts(rostered.duty),
          dutySource: stored?.source ?? 'file',
          onDuty: officerOnDuty(rostered, now, station.timeZone),
          nextOnDuty: next ? next.toISOString() : null,
          openCases: counts.get(o.id) ?? 0,
          capacity: o.capacity,
          beats: dir.beatsOfOfficer(o.id).map((b) => ({
            id: b.id,
            code: b.code,
            name: b.name,
            nameEn: b.nameEn,
            as: b.primaryOfficerId === o.id ? 'primary' : 'backup',
          })),
          exceptions: own.map(exceptionView),
        }
      }),
    }
  }

  async function officerView(actor: Actor, officerId: string): Promise<RosterOfficerView> {
    const view = (await list(actor)).officers.find((o) => o.id === officerId)
    if (!view) throw new AppError('NOT_FOUND', `officer ${officerId} does not exist`)
    return view
  }

  /**
   * Moves the absent officer's open cases as routing would place a new one at
   * `at`: to the beat's other officer when on duty and under capacity, else to
   * the duty desk. A case someone changed meanwhile is looked at again; one
   * that is no longer theirs or no longer open is left alone.
   */
  async function handOver(actor: Actor, officerId: string, at: Date): Promise<HandOverView[]> {
    deps.directory.invalidate()
    const dir = await deps.directory.get()
    const station = stationOf(dir, actor)
    const open = await deps.store.openCasesOf(officerId)
    if (open.length === 0) return []
    const candidates = new Set<string>()
    for (const c of open) {
      const beat = c.beatId ? dir.beats.get(c.beatId) : undefined
      for (const id of [beat?.primaryOfficerId, beat?.backupOfficerId])
        if (id && id !== officerId) candidates.add(id)
    }
    const counts = await deps.store.openCaseCounts([...candidates])
    // The case commands check access as a supervisor would; the audit trail names who asked.
    const caseActor: Actor = { id: actor.id, role: 'supervisor', stationId: actor.stationId, beatIds: [] }
    const moved: HandOverView[] = []
    for (const c of open) {
      const route = chooseRoute({
        stationId: actor.stationId,
        emergency: c.priority === 'emergency',
        currentAssigneeId: null,
        beat: c.beatId ? (dir.beats.get(c.beatId) ?? null) : null,
        officers: dir.officers,
        isOnDuty: (o) => o.id !== officerId && officerOnDuty(o, at, station.timeZone),
        openCaseCount: (id) => counts.get(id) ?? 0,
      })
      const target: AssignTarget = route.kind === 'officer' ? { officerId: route.officerId } : { desk: true }
      if (!(await assignIfStillTheirs(caseActor, c.id, c.version, officerId, target))) continue
      if (route.kind === 'officer') {
        counts.set(route.officerId, (counts.get(route.officerId) ?? 0) + 1)
        const name = dir.officers.get(route.officerId)?.name ?? ''
        moved.push({ caseId: c.id, number: c.number, to: { officerId: route.officerId, name } })
      } else {
        moved.push({ caseId: c.id, number: c.number, to: { desk: true } })
      }
    }
    return moved
  }

  async function assignIfStillTheirs(
    actor: Actor,
    caseId: string,
    version: number,
    officerId: string,
    target: AssignTarget,
  ): Promise<boolean> {
    let seen = version
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await deps.cases.assign(actor, caseId, { version: seen, target, reason: 'officer-absent' })
        return true
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error
        const state = await deps.store.caseState(caseId)
        if (!state || !isOpen(state.status) || state.assigneeOfficerId !== officerId) return false
        seen = state.version
      }
    }
    return false
  }

  return {
    list,

    /**
     * Hands over the open cases of every officer absent now (leave, sick,
     * training, a swapped-off shift), for leave that began after it was entered
     * or came from the station file. Run by the worker role every minute.
     */
    async handOverAbsent(): Promise<number> {
      deps.directory.invalidate()
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      let moved = 0
      for (const officer of dir.officers.values()) {
        const absent = (officer.exceptions ?? []).some(
          (e) => !e.onDuty && e.startsAt.getTime() <= now.getTime() && now.getTime() < e.endsAt.getTime(),
        )
        if (!absent) continue
        const system: Actor = { id: 'system', role: 'supervisor', stationId: officer.stationId, beatIds: [] }
        moved += (await handOver(system, officer.id, now)).length
      }
      return moved
    },

    /** Replaces the officer's weekly pattern; each entry is a duty pattern such as `mon-fri 08:30-17:30`. */
    async setDuty(actor: Actor, officerId: string, patterns: string[]): Promise<RosterOfficerView> {
      const dir = await deps.directory.get()
      officerOf(dir, actor, officerId)
      const shifts: WeeklyShift[] = []
      patterns.forEach((pattern, i) => {
        try {
          shifts.push(...parseShiftSpec(pattern))
        } catch (error) {
          throw new AppError('INVALID_INPUT', `duty[${i}]: ${(error as Error).message}`)
        }
      })
      shifts.sort((a, b) => a.day - b.day || a.startMinute - b.startMinute)
      const overlap = overlappingShifts(shifts)
      if (overlap) {
        throw new AppError(
          'INVALID_INPUT',
          `duty: shifts "${formatShift(overlap[0])}" and "${formatShift(overlap[1])}" overlap; expected shifts that do not share any time`,
        )
      }
      await deps.store.transaction(async (tx) => {
        const current = await tx.lockOfficer(officerId)
        if (!current) throw new AppError('NOT_FOUND', `officer ${officerId} does not exist`)
        await tx.setDuty(officerId, shifts)
        await tx.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'roster.duty_changed',
          officerId,
          detail: { from: formatShifts(current.duty), to: formatShifts(shifts) },
        })
      })
      deps.directory.invalidate()
      return officerView(actor, officerId)
    },

    /**
     * Adds an exception. Leave or sickness that covers now, or starts within
     * the hour, hands the officer's open cases over at once.
     */
    async addException(
      actor: Actor,
      officerId: string,
      input: NewException,
    ): Promise<{ exception: RosterExceptionView; handedOver: HandOverView[] }> {
      const dir = await deps.directory.get()
      const station = stationOf(dir, actor)
      officerOf(dir, actor, officerId)
      const startsAt = parseRosterTime(input.startsAt, station.timeZone, 'start')
      if (!startsAt)
        throw new AppError('INVALID_INPUT', `startsAt: "${input.startsAt}" is not a valid date or time`)
      const endsAt = parseRosterTime(input.endsAt, station.timeZone, 'end')
      if (!endsAt)
        throw new AppError('INVALID_INPUT', `endsAt: "${input.endsAt}" is not a valid date or time`)
      if (endsAt <= startsAt) {
        throw new AppError(
          'INVALID_INPUT',
          `endsAt: ${endsAt.toISOString()} is not after startsAt ${startsAt.toISOString()}; expected the end later than the start`,
        )
      }
      const now = deps.clock.now()
      if (endsAt <= now)
        throw new AppError('INVALID_INPUT', `endsAt: ${endsAt.toISOString()} has already passed`)
      if (endsAt.getTime() - startsAt.getTime() > MAX_SPAN_MS)
        throw new AppError(
          'INVALID_INPUT',
          'endsAt: an exception may last at most a year; add another for longer',
        )

      const record = {
        id: deps.newId(),
        stationId: actor.stationId,
        officerId,
        kind: input.kind,
        onDuty: exceptionOnDuty(input.kind),
        startsAt,
        endsAt,
        note: input.note?.trim() || null,
        source: 'api' as const,
        createdBy: actor.id,
      }
      await deps.store.transaction(async (tx) => {
        if (!(await tx.lockOfficer(officerId)))
          throw new AppError('NOT_FOUND', `officer ${officerId} does not exist`)
        const clash = overlappingException(await tx.exceptionsOf(officerId, now), startsAt, endsAt)
        if (clash) {
          throw new AppError(
            'CONFLICT',
            `this officer already has ${clash.kind} from ${clash.startsAt.toISOString()} to ${clash.endsAt.toISOString()}, which overlaps; change or remove that one first`,
          )
        }
        await tx.insertException(record)
        await tx.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'roster.exception_added',
          officerId,
          detail: {
            exceptionId: record.id,
            kind: record.kind,
            startsAt: startsAt.toISOString(),
            endsAt: endsAt.toISOString(),
          },
        })
      })
      deps.directory.invalidate()

      const startsSoon = startsAt.getTime() <= now.getTime() + HAND_OVER_AHEAD_MS
      const handedOver =
        isAbsence(input.kind) && startsSoon
          ? await handOver(actor, officerId, new Date(Math.max(startsAt.getTime(), now.getTime())))
          : []
      const stored = await deps.store.findException(record.id)
      if (!stored) throw new AppError('NOT_FOUND', `exception ${record.id} does not exist`)
      return { exception: exceptionView(stored), handedOver }
    },

    /** Removes an exception; one from the station file comes back when the file is loaded again. */
    async removeException(actor: Actor, exceptionId: string): Promise<void> {
      const found = await deps.store.findException(exceptionId)
      if (!found || found.stationId !== actor.stationId)
        throw new AppError('NOT_FOUND', `exception ${exceptionId} does not exist`)
      await deps.store.transaction(async (tx) => {
        await tx.lockOfficer(found.officerId)
        if (!(await tx.deleteException(exceptionId)))
          throw new AppError('NOT_FOUND', `exception ${exceptionId} does not exist`)
        await tx.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'roster.exception_removed',
          officerId: found.officerId,
          detail: {
            exceptionId,
            kind: found.kind,
            source: found.source,
            startsAt: found.startsAt.toISOString(),
            endsAt: found.endsAt.toISOString(),
          },
        })
      })
      deps.directory.invalidate()
    },
  }
}

export type Roster = ReturnType<typeof createRoster>
