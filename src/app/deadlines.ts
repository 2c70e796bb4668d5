import {
  autoResolveNote,
  type DigestCounts,
  digestDate,
  officerDeadlineTexts,
  residentDeadlineTexts,
} from '../domain/deadline-replies.ts'
import {
  addDutyTime,
  awaitsFirstResponse,
  type DutyCalendar,
  digestSchedules,
  firstResponseDue,
  officerCalendar,
  type PlannedTimer,
  planTimers,
  responseTimes,
  sameTimer,
  type TimerKind,
  timerId,
} from '../domain/deadlines.ts'
import { formatLocalTime, instantOfLocal, localParts, officerOnDuty } from '../domain/duty.ts'
import { queueNameFor, type RouteTarget } from '../domain/routing.ts'
import type { CasePriority, Language } from '../domain/types.ts'
import type {
  DeadlineCase,
  DeadlineCaseChange,
  DeadlineDeps,
  DeadlineTx,
  DigestCase,
  TimerRow,
} from './deadline-ports.ts'
import type { DirectorySnapshot, LiveEvent, QueuedNotice } from './ports.ts'

export type FireOutcome =
  | { outcome: 'fired' | 'not-due' | 'missing' | 'already-fired' | 'cancelled' | 'raced' }
  | { outcome: 'early'; retryInMs: number }

/** A job may run a little before its row's due time (clocks differ); more than this waits again. */
const EARLY_TOLERANCE_MS = 1000

/** What a transaction leaves for after its commit. */
interface After {
  add: TimerRow[]
  cancel: string[]
  send: Array<{ accountId: string; messageId: string }>
  notices: QueuedNotice[]
  moveQueue?: { caseId: string; from: string; to: string | null; stationId: string; priority: CasePriority }
  events: LiveEvent[]
}

const emptyAfter = (): After => ({ add: [], cancel: [], send: [], notices: [], events: [] })

const FIRST_RESPONSE_CHAIN: readonly TimerKind[] = ['reminder', 'escalation', 'reroute']

/**
 * Deadlines and after-care. Every change to a case's holder or status ends in
 * `scheduleForCases`, which works out from the case alone which timers it
 * should have, stores the missing ones (id: case, kind, version) and cancels
 * the rest. A timer's handler claims its row (scheduled → fired) in the same
 * transaction as its effect and checks the case still calls for it, so a
 * replayed job after a crash, or one for a case answered meanwhile, does nothing.
 */
export function createDeadlines(deps: DeadlineDeps) {
  const { settings } = deps
  const officerSay = officerDeadlineTexts(settings.officerLanguage)

  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? settings.defaultTimeZone

  const calendarFor = (dir: DirectorySnapshot, officerId: string | null, timeZone: string): DutyCalendar =>
    officerCalendar(officerId ? dir.officers.get(officerId) : undefined, timeZone)

  function officerName(dir: DirectorySnapshot, officerId: string, language: Language): string {
    const officer = dir.officers.get(officerId)
    const name = (language === 'en' ? officer?.nameEn : null) ?? officer?.name ?? ''
    return language === 'en' ? `Officer ${name}` : `${name}警官`
  }

  const event = (c: DeadlineCase, type: LiveEvent['type'], extra: Partial<LiveEvent> = {}): LiveEvent => ({
    type,
    caseId: c.id,
    stationId: c.stationId,
    assigneeId: c.assigneeOfficerId,
    beatId: c.beatId,
    ...extra,
  })

  async function tellResident(tx: DeadlineTx, c: DeadlineCase, text: string, after: After, now: Date) {
    const id = deps.newId()
    await tx.insertMessage({
      id,
      caseId: c.id,
      residentId: c.residentId,
      identityId: c.identityId,
      direction: 'outbound',
      channel: c.channel,
      accountId: c.accountId,
      text,
      createdAt: now,
    })
    after.send.push({ accountId: c.accountId, messageId: id })
    return id
  }

  async function noticeOfficer(
    tx: DeadlineTx,
    c: DeadlineCase,
    officerId: string,
    text: string,
    after: After,
  ) {
    const queued = await tx.addOfficerNotice({ id: deps.newId(), officerId, caseId: c.id, text })
    if (queued) after.notices.push(queued)
    return queued !== null
  }

  /**
   * Brings the case's timers in line with its state, inside the caller's
   * transaction: fills in what the state implies (the first-response deadline
   * of a new holder, when waiting for the resident began, the resolution
   * deadline), then adds the timers the case lacks and cancels those it no
   * longer calls for.
   */
  async function reconcile(
    tx: DeadlineTx,
    c: DeadlineCase,
    now: Date,
    dir: DirectorySnapshot,
    after: After,
    known?: TimerRow[],
    /** Several cases at once: their new timers are collected here and stored in one statement. */
    pending?: TimerRow[],
  ) {
    const timeZone = timeZoneOf(dir, c.stationId)
    const timers = known ?? (await tx.timersOf(c.id))
    const times = responseTimes(settings.policy, c.category, c.priority)
    const change: DeadlineCaseChange = {}

    if (c.status === 'awaiting_resident') {
      if (!c.awaitingSince) change.awaitingSince = now
    } else if (c.awaitingSince) {
      change.awaitingSince = null
    }
    const resolutionDue = new Date(c.openedAt.getTime() + times.resolutionMs)
    if (c.resolutionDueAt?.getTime() !== resolutionDue.getTime()) change.resolutionDueAt = resolutionDue

    if (awaitsFirstResponse(c)) {
      const due = c.firstResponseDueAt
      const chain = due
        ? timers.find(
            (t) =>
              FIRST_RESPONSE_CHAIN.includes(t.kind) &&
              t.state !== 'cancelled' &&
              t.anchorAt?.getTime() === due.getTime(),
          )
        : undefined
      // A case handed to someone else (or first given a deadline here) gets a whole first-response time.
      if (!due || (chain && chain.officerId !== c.assigneeOfficerId)) {
        const calendar = calendarFor(dir, c.assigneeOfficerId, timeZone)
        change.firstResponseDueAt = addDutyTime(now, times.firstResponseMs, calendar)
        if (c.escalationLevel !== 0) change.escalationLevel = 0
      }
    }
    if (Object.keys(change).length) {
      await tx.updateCase(c.id, change, false)
      Object.assign(c, change)
    }

    const lastInboundAt = c.status === 'awaiting_resident' ? await tx.lastInboundAt(c.id) : null
    const planned = planTimers(
      { ...c, lastInboundAt },
      settings,
      calendarFor(dir, c.assigneeOfficerId, timeZone),
    )
    const wanted: TimerRow[] = planned
      .filter((p) => !timers.some((t) => t.state !== 'cancelled' && matches(t, p)))
      .map((p) => ({
        id: timerId(c.id, p.kind, c.version),
        caseId: c.id,
        kind: p.kind,
        caseVersion: c.version,
        dueAt: p.dueAt,
        anchorAt: p.anchorAt,
        officerId: p.officerId,
        state: 'scheduled',
      }))
    if (pending) pending.push(...wanted)
    else if (wanted.length) {
      const stored = await tx.insertTimers(wanted)
      after.add.push(...wanted.filter((row) => stored.has(row.id)))
    }
    const obsolete = timers
      .filter((t) => t.state === 'scheduled' && !planned.some((p) => matches(t, p)))
      .map((t) => t.id)
    if (obsolete.length) {
      await tx.cancelTimers(obsolete)
      after.cancel.push(...obsolete)
    }
  }

  /** Everything after the commit: timer jobs, sends, notices, queue moves, live events. */
  async function apply(after: After) {
    const now = deps.clock.now().getTime()
    // Together, so Redis gets them in one pipeline: a batch of new cases brings many timers.
    await Promise.all([
      ...after.cancel.map((id) => deps.timers.remove(id)),
      ...after.add.map((t) => deps.timers.add(t, Math.max(0, t.dueAt.getTime() - now))),
    ])
    if (after.moveQueue) {
      const { caseId, from, to, stationId, priority } = after.moveQueue
      await deps.dispatcher.removeCase(from, caseId)
      if (to) await deps.dispatcher.enqueueCase({ queue: to, caseId, stationId, messageId: caseId, priority })
    }
    for (const s of after.send) await deps.dispatcher.enqueueOutbound(s.accountId, s.messageId)
    for (const n of after.notices) await deps.dispatcher.enqueueNotice(n)
    for (const e of after.events) await deps.dispatcher.publish(e)
  }

  /**
   * Brings the timers of the cases in line with their state, in the caller's
   * transaction. `fresh`: cases the caller inserted in it, as they stand; they
   * have no timers yet, so they are neither read back nor looked up.
   */
  async function reconcileCases(
    tx: DeadlineTx,
    caseIds: string[],
    after: After,
    fresh: readonly DeadlineCase[] = [],
  ): Promise<void> {
    const dir = await deps.directory.get()
    const known = new Map(fresh.map((c) => [c.id, c]))
    const locked = await tx.lockCases(caseIds.filter((id) => !known.has(id)))
    const timers = await tx.timersOfCases(locked.map((c) => c.id))
    const cases = [...caseIds.flatMap((id) => known.get(id) ?? []), ...locked]
    const now = deps.clock.now()
    const pending: TimerRow[] = []
    for (const c of cases) await reconcile(tx, c, now, dir, after, timers.get(c.id) ?? [], pending)
    const stored = await tx.insertTimers(pending)
    after.add.push(...pending.filter((row) => stored.has(row.id)))
  }

  /** Brings the timers of the cases in line with their state, all in one transaction. */
  async function scheduleForCases(caseIds: string[]): Promise<void> {
    const after = emptyAfter()
    await deps.store.transaction((tx) => reconcileCases(tx, caseIds, after))
    await apply(after)
  }

  type Act = (tx: DeadlineTx, c: DeadlineCase, row: TimerRow, ctx: ActContext) => Promise<void>
  interface ActContext {
    now: Date
    dir: DirectorySnapshot
    timeZone: string
    after: After
  }

  const noticeCase = (c: DeadlineCase) => ({ caseNumber: c.number, category: c.category })

  const acts: Record<TimerKind, Act> = {
    async reminder(tx, c, row, { now, timeZone, after }) {
      const officerId = c.assigneeOfficerId
      if (!officerId || !c.firstResponseDueAt) return
      const dueBy = formatLocalTime(c.firstResponseDueAt, timeZone, settings.officerLanguage, now)
      const told = await noticeOfficer(tx, c, officerId, officerSay.reminder(noticeCase(c), dueBy), after)
      await tx.audit({
        stationId: c.stationId,
        action: 'case.reminded',
        caseId: c.id,
        detail: { timerId: row.id, officerId, wechat: told },
      })
      after.events.push(event(c, 'case.reminder'))
    },

    async escalation(tx, c, row, { now, dir, after }) {
      await tx.updateCase(c.id, { escalated: true, escalatedAt: now, escalationLevel: 1 }, false)
      const told: string[] = []
      const assignee = c.assigneeOfficerId
      if (assignee && (await noticeOfficer(tx, c, assignee, officerSay.overdue(noticeCase(c)), after))) {
        told.push(assignee)
      }
      const backup = c.beatId ? dir.beats.get(c.beatId)?.backupOfficerId : null
      const backupOfficer = backup ? dir.officers.get(backup) : undefined
      if (backup && backup !== assignee && backupOfficer?.active && backupOfficer.role !== 'admin') {
        const name = assignee
          ? officerName(dir, assignee, settings.officerLanguage)
          : settings.officerLanguage === 'en'
            ? 'the duty desk'
            : '值班室'
        if (await noticeOfficer(tx, c, backup, officerSay.escalated(noticeCase(c), name), after))
          told.push(backup)
      }
      await tx.audit({
        stationId: c.stationId,
        action: 'case.escalated',
        caseId: c.id,
        detail: { timerId: row.id, level: 1, from: assignee, backup: backup ?? null, wechat: told },
      })
      after.events.push(event(c, 'case.escalated'))
    },

    async reroute(tx, c, row, { now, dir, timeZone, after }) {
      const target = rerouteTarget(dir, c, now, timeZone)
      const queue = queueNameFor(target)
      const newAssignee = target.kind === 'officer' ? target.officerId : null
      const calendar = calendarFor(dir, newAssignee, timeZone)
      const due = firstResponseDue(settings.policy, c.category, c.priority, now, calendar)
      await tx.updateCase(
        c.id,
        {
          assigneeOfficerId: newAssignee,
          queue,
          status: newAssignee ? 'assigned' : 'new',
          escalated: true,
          escalationLevel: 2,
          firstResponseDueAt: due,
        },
        true,
      )
      const station = dir.stations.get(c.stationId)
      const english = c.residentLanguage === 'en'
      const handler = newAssignee
        ? officerName(dir, newAssignee, c.residentLanguage)
        : ((english ? station?.deskNameEn : null) ?? station?.deskName ?? '')
      const messageId = await tellResident(
        tx,
        c,
        residentDeadlineTexts(c.residentLanguage).passedOn(
          c.number,
          english && !newAssignee ? `the ${handler}` : handler,
        ),
        after,
        now,
      )
      if (newAssignee) await noticeOfficer(tx, c, newAssignee, officerSay.rerouted(noticeCase(c)), after)
      await tx.audit({
        stationId: c.stationId,
        action: 'case.rerouted',
        caseId: c.id,
        detail: { timerId: row.id, from: c.assigneeOfficerId, to: newAssignee, queue },
      })
      after.moveQueue = {
        caseId: c.id,
        from: c.queue,
        to: queue,
        stationId: c.stationId,
        priority: c.priority,
      }
      // The officer it left hears of it too: their list loses the case.
      after.events.push(event(c, 'case.routed', { assigneeId: newAssignee, messageId }))
      if (c.assigneeOfficerId) after.events.push(event(c, 'case.updated'))
    },

    async 'resident-nudge'(tx, c, row, { now, timeZone, after }) {
      if (!c.awaitingSince) return
      const resolveAt = new Date(c.awaitingSince.getTime() + settings.resolveAfterMs)
      const by = formatLocalTime(resolveAt, timeZone, c.residentLanguage, now)
      const messageId = await tellResident(
        tx,
        c,
        residentDeadlineTexts(c.residentLanguage).nudge(c.number, by),
        after,
        now,
      )
      await tx.audit({
        stationId: c.stationId,
        action: 'case.nudged',
        caseId: c.id,
        detail: { timerId: row.id },
      })
      after.events.push(event(c, 'case.message', { messageId }))
    },

    async 'auto-resolve'(tx, c, row, { now, after }) {
      await tx.updateCase(c.id, { status: 'resolved', resolvedAt: now, awaitingSince: null }, true)
      await tx.insertMessage({
        id: deps.newId(),
        caseId: c.id,
        residentId: c.residentId,
        identityId: c.identityId,
        direction: 'note',
        channel: c.channel,
        accountId: c.accountId,
        text: autoResolveNote(settings.resolveAfterMs, settings.officerLanguage),
        createdAt: now,
      })
      await tellResident(tx, c, residentDeadlineTexts(c.residentLanguage).autoResolved(c.number), after, now)
      await tx.audit({
        stationId: c.stationId,
        action: 'case.status',
        caseId: c.id,
        detail: { timerId: row.id, from: c.status, to: 'resolved', by: 'after-care' },
      })
      after.moveQueue = {
        caseId: c.id,
        from: c.queue,
        to: null,
        stationId: c.stationId,
        priority: c.priority,
      }
      after.events.push(event(c, 'case.updated'))
    },

    async rating(tx, c, row, { now, after }) {
      const messageId = await tellResident(
        tx,
        c,
        residentDeadlineTexts(c.residentLanguage).askRating(c.number),
        after,
        now,
      )
      await tx.updateCase(c.id, { ratingAskedAt: now }, false)
      await tx.audit({
        stationId: c.stationId,
        action: 'case.rating-asked',
        caseId: c.id,
        detail: { timerId: row.id },
      })
      after.events.push(event(c, 'case.message', { messageId }))
    },

    async close(tx, c, row, { now, after }) {
      await tx.updateCase(c.id, { status: 'closed', closedAt: now }, true)
      await tx.audit({
        stationId: c.stationId,
        action: 'case.status',
        caseId: c.id,
        detail: { timerId: row.id, from: 'resolved', to: 'closed', by: 'after-care' },
      })
      after.events.push(event(c, 'case.updated'))
    },
  }

  /** The second breach: the beat's backup if free and on duty, else its primary, else the duty desk. */
  function rerouteTarget(dir: DirectorySnapshot, c: DeadlineCase, now: Date, timeZone: string): RouteTarget {
    const beat = c.beatId ? dir.beats.get(c.beatId) : undefined
    for (const id of [beat?.backupOfficerId, beat?.primaryOfficerId]) {
      const officer = id ? dir.officers.get(id) : undefined
      if (
        officer?.active &&
        officer.id !== c.assigneeOfficerId &&
        officer.role !== 'admin' &&
        officerOnDuty(officer, now, timeZone)
      ) {
        return { kind: 'officer', officerId: officer.id, reason: 'beat-backup' }
      }
    }
    return { kind: 'desk', stationId: c.stationId, reason: 'all-busy-or-off-duty' }
  }

  /** A timer that already acted: finish what its transaction left for after the commit, in case that was lost. */
  async function redispatch(row: TimerRow) {
    const pending = await deps.store.pendingSends(row.caseId)
    for (const m of pending.messages) await deps.dispatcher.enqueueOutbound(m.accountId, m.id)
    for (const n of pending.notices) await deps.dispatcher.enqueueNotice(n)
    if (row.kind === 'reroute' || row.kind === 'auto-resolve') {
      const at = await deps.store.caseQueue(row.caseId)
      const open = at !== null && at.status !== 'resolved' && at.status !== 'closed'
      // Only while the case is still where the timer left it: a later change moved it on its own.
      if (at && open === (row.kind === 'reroute')) {
        // Both are idempotent: the case leaves the queue it was in, and waits (again) where it is now.
        if (row.kind === 'reroute') {
          const left = row.officerId
            ? queueNameFor({ kind: 'officer', officerId: row.officerId, reason: 'sticky' })
            : null
          if (left && left !== at.queue) await deps.dispatcher.removeCase(left, row.caseId)
          const { queue, stationId, priority } = at
          await deps.dispatcher.enqueueCase({
            queue,
            stationId,
            priority,
            caseId: row.caseId,
            messageId: row.caseId,
          })
        } else {
          await deps.dispatcher.removeCase(at.queue, row.caseId)
        }
      }
    }
    const now = deps.clock.now().getTime()
    for (const t of await deps.store.scheduledOf(row.caseId)) {
      await deps.timers.add(t, Math.max(0, t.dueAt.getTime() - now))
    }
  }

  async function fire(id: string): Promise<FireOutcome> {
    const row = await deps.store.timer(id)
    if (!row) return { outcome: 'missing' }
    if (row.state !== 'scheduled') {
      if (row.state === 'fired') await redispatch(row)
      return { outcome: row.state === 'fired' ? 'already-fired' : 'cancelled' }
    }
    const now = deps.clock.now()
    const early = row.dueAt.getTime() - now.getTime()
    if (early > EARLY_TOLERANCE_MS) return { outcome: 'early', retryInMs: early }
    const dir = await deps.directory.get()
    const after = emptyAfter()
    const outcome = await deps.store.transaction(async (tx) => {
      const c = await tx.lockCase(row.caseId)
      if (!c) {
        await tx.claimTimer(id, 'cancelled', now)
        return 'not-due' as const
      }
      const timeZone = timeZoneOf(dir, c.stationId)
      const lastInboundAt = await tx.lastInboundAt(c.id)
      const planned = planTimers(
        { ...c, lastInboundAt },
        settings,
        calendarFor(dir, c.assigneeOfficerId, timeZone),
      )
      if (!planned.some((p) => matches(row, p))) {
        if (!(await tx.claimTimer(id, 'cancelled', now))) return 'raced' as const
        await reconcile(tx, c, now, dir, after)
        return 'not-due' as const
      }
      if (!(await tx.claimTimer(id, 'fired', now))) return 'raced' as const
      await acts[row.kind](tx, c, row, { now, dir, timeZone, after })
      const fresh = await tx.lockCase(c.id)
      if (fresh) await reconcile(tx, fresh, now, dir, after)
      return 'fired' as const
    })
    await apply(after)
    return { outcome }
  }

  return {
    scheduleForCase: (caseId: string) => scheduleForCases([caseId]),

    /**
     * For a writer that changes cases in its own transaction (the inbound
     * batch): stores the cases' timers in that transaction, so a case never
     * commits without them, and answers what to do once it has committed
     * (timer jobs, sends, live events). That part never throws: a failure is
     * reported through `onError`, and the sweep rebuilds jobs from the rows.
     * `fresh`: those of the cases it has just inserted, as they stand.
     */
    async within(
      tx: DeadlineTx,
      caseIds: readonly string[],
      fresh: readonly DeadlineCase[] = [],
    ): Promise<() => Promise<void>> {
      const after = emptyAfter()
      const ids = [...new Set(caseIds)]
      if (ids.length) await reconcileCases(tx, ids, after, fresh)
      return async () => {
        try {
          await apply(after)
        } catch (error) {
          deps.onError?.(error, { caseId: ids[0], what: 'queueing deadline timers' })
        }
      }
    },

    /**
     * For the inbound path and any other writer of cases: call after the
     * commit of a new case, a re-route, or any change of holder or status.
     * Never throws (the change itself is done); a failure is reported through
     * `onError` and the sweep catches the case up later.
     */
    async afterCaseChanged(caseIds: readonly string[]): Promise<void> {
      const ids = [...new Set(caseIds)]
      try {
        await scheduleForCases(ids)
      } catch (error) {
        if (ids.length === 1) {
          deps.onError?.(error, { caseId: ids[0], what: 'scheduling deadlines' })
          return
        }
        // One case must not keep the others from their timers: each is tried alone.
        for (const caseId of ids) {
          try {
            await scheduleForCases([caseId])
          } catch (single) {
            deps.onError?.(single, { caseId, what: 'scheduling deadlines' })
          }
        }
      }
    },

    fire,

    /**
     * The safety net: queues again the jobs of timers due soon (a job lost
     * between commit and queueing, or with Redis), and schedules cases whose
     * state calls for timers they never got.
     */
    async sweep(horizonMs: number): Promise<{ requeued: number; scheduled: number }> {
      const now = deps.clock.now()
      const due = await deps.store.scheduledDueBefore(new Date(now.getTime() + horizonMs), 500)
      for (const t of due) await deps.timers.add(t, Math.max(0, t.dueAt.getTime() - now.getTime()))
      const cases = await deps.store.casesNeedingTimers(200)
      for (const caseId of cases) {
        try {
          await scheduleForCases([caseId])
        } catch (error) {
          deps.onError?.(error, { caseId, what: 'sweeping deadlines' })
        }
      }
      return { requeued: due.length, scheduled: cases.length }
    },

    /**
     * The morning digest of one officer: open, due today, overdue. Sent once
     * per schedule slot (the notice id carries it), as a WeChat notice with
     * case numbers only and as a live event in the inbox.
     */
    async sendDigest(officerId: string, slot: Date): Promise<'sent' | 'skipped'> {
      const dir = await deps.directory.get()
      const officer = dir.officers.get(officerId)
      if (!officer?.active || officer.role === 'admin') return 'skipped'
      const timeZone = timeZoneOf(dir, officer.stationId)
      const now = deps.clock.now()
      // On leave or off sick: no digest; the schedule follows the weekly pattern only.
      if (!officerOnDuty({ duty: [], exceptions: officer.exceptions }, now, timeZone)) return 'skipped'
      const today = localParts(now, timeZone)
      const dayEnd = instantOfLocal(today.year, today.month, today.day, 1440, timeZone)
      const counts = digestCounts(await deps.store.openCasesOf(officerId), now, dayEnd)
      const text = officerSay.digest({ ...counts, date: digestDate(today, settings.officerLanguage) })
      const notice = await deps.store.addDigestNotice({
        id: `digest-${officerId}-${slot.getTime()}`,
        officerId,
        text,
      })
      if (notice) await deps.dispatcher.enqueueNotice(notice)
      await deps.dispatcher.publish({
        type: 'officer.digest',
        caseId: '',
        stationId: officer.stationId,
        assigneeId: officerId,
        beatId: null,
        digest: { open: counts.open, dueToday: counts.dueToday, overdue: counts.overdue },
      })
      return 'sent'
    },

    /**
     * Keeps one job scheduler per officer and shift start, in the station's
     * time zone; removes those of officers who left or whose pattern changed.
     */
    async syncDigestSchedules(): Promise<{ upserted: number; removed: number }> {
      const dir = await deps.directory.get()
      const wanted = new Map<string, { pattern: string; tz: string; officerId: string }>()
      for (const officer of dir.officers.values()) {
        if (!officer.active || officer.role === 'admin') continue
        const tz = timeZoneOf(dir, officer.stationId)
        for (const s of digestSchedules(officer.id, officer.duty, settings.digestMinute)) {
          wanted.set(s.id, { pattern: s.pattern, tz, officerId: officer.id })
        }
      }
      const existing = await deps.digests.list()
      let removed = 0
      for (const e of existing) {
        if (!wanted.has(e.id)) {
          await deps.digests.remove(e.id)
          removed++
        }
      }
      let upserted = 0
      for (const [id, w] of wanted) {
        const e = existing.find((x) => x.id === id)
        if (e && e.pattern === w.pattern && e.tz === w.tz) continue
        await deps.digests.upsert({ id, ...w })
        upserted++
      }
      return { upserted, removed }
    },
  }
}

export type Deadlines = ReturnType<typeof createDeadlines>

function matches(row: Pick<TimerRow, 'kind' | 'anchorAt' | 'officerId'>, planned: PlannedTimer): boolean {
  return row.anchorAt !== null && sameTimer({ ...row, anchorAt: row.anchorAt }, planned)
}

/**
 * An officer's open cases as the digest counts them: due today (a first
 * answer or the resolution before the end of the local day) and overdue.
 */
export function digestCounts(
  cases: readonly DigestCase[],
  now: Date,
  dayEnd: Date,
): Omit<DigestCounts, 'date'> {
  let dueToday = 0
  const overdue: Array<{ number: string; since: number }> = []
  for (const c of cases) {
    const deadlines = [awaitsFirstResponse(c) ? c.firstResponseDueAt : null, c.resolutionDueAt].filter(
      (d): d is Date => d !== null,
    )
    const late = deadlines.filter((d) => d < now)
    if (late.length) overdue.push({ number: c.number, since: Math.min(...late.map((d) => d.getTime())) })
    else if (deadlines.some((d) => d < dayEnd)) dueToday++
  }
  overdue.sort((a, b) => a.since - b.since)
  return {
    open: cases.length,
    dueToday,
    overdue: overdue.length,
    overdueNumbers: overdue.slice(0, 5).map((o) => o.number),
  }
}
