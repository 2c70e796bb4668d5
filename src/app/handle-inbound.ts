import type { ResponsePolicy } from '../domain/deadlines.ts'
import { detectLanguage } from '../domain/language.ts'
import { replies } from '../domain/replies.ts'
import { officerOfQueue } from '../domain/routing.ts'
import type { InboundEvent, Language } from '../domain/types.ts'
import { PermanentError } from '../errors.ts'
import type { CaseNumbers } from './case-numbers.ts'
import type { DeadlineCase, DeadlineTx } from './deadline-ports.ts'
import { newFormBatch } from './forms/conversation.ts'
import type { ServiceRequests } from './forms/service-requests.ts'
import {
  type BatchState,
  draft,
  localYear,
  type Plan,
  planCommand,
  planForm,
  planMessage,
  type TxContext,
} from './plan-message.ts'
import {
  type Clock,
  type Directory,
  type DirectorySnapshot,
  type Dispatcher,
  type InboundMessageRow,
  type InboundStore,
  noInboundWrites,
  type ResidentRef,
  type StationInfo,
} from './ports.ts'

export interface InboundDeps {
  store: InboundStore
  directory: Directory
  dispatcher: Dispatcher
  clock: Clock
  newId: () => string
  caseNumbers: CaseNumbers
  /** Service-request forms (home watch…): asked first about every text message. */
  serviceRequests?: ServiceRequests
  /**
   * Deadlines and after-care follow every case whose holder or status the
   * batch changed: timers are stored in the batch's transaction, and what
   * remains (their jobs) runs after the commit.
   */
  deadlines?: {
    within(
      tx: DeadlineTx,
      caseIds: readonly string[],
      fresh?: readonly DeadlineCase[],
    ): Promise<() => Promise<void>>
  }
  settings: {
    defaultLanguage: Language
    maxMessageChars: number
    /** A resident's message within this long after their case was resolved reopens it. */
    reopenWithinMs: number
    /** Times to a first response per category and priority (the deadlines hold cases to them). */
    policy: ResponsePolicy
  }
}

export type InboundOutcome =
  | { outcome: 'duplicate' }
  | { outcome: 'self-service'; replies: number }
  | { outcome: 'not-a-case'; replies: number }
  | {
      outcome: 'routed'
      caseId: string
      caseNumber: string
      queue: string
      newCase: boolean
      replies: number
    }

/** A single event: the batch of one. Throws what the event's own failure was. */
export async function handleInbound(deps: InboundDeps, eventId: string): Promise<InboundOutcome> {
  const [outcome] = await handleInboundBatch(deps, [eventId])
  if (outcome instanceof Error) throw outcome
  return outcome as InboundOutcome
}

/**
 * Turns stored inbound events into messages on cases in the right queues, with
 * the residents' acknowledgements queued: one transaction and a handful of
 * statements for the whole batch. Safe to run any number of times for the same
 * events: an event is marked done in the transaction that stores its message,
 * and a redelivered one only re-dispatches (idempotently) what the first run
 * may not have finished. Answers one outcome per id, in order; an event that
 * can never be handled answers a PermanentError without holding up the others.
 * `accounts` may tell the account each event came to (its queue job does);
 * events it leaves out are read once more before the transaction to learn it.
 */
export async function handleInboundBatch(
  deps: InboundDeps,
  eventIds: string[],
  accounts: ReadonlyMap<string, string> = new Map(),
): Promise<Array<InboundOutcome | Error>> {
  const dir = await deps.directory.get()
  const now = deps.clock.now()
  const results = new Map<string, InboundOutcome | Error>()
  // Numbers are reserved before the transaction, so no case transaction waits on a counter row.
  const reserved = await reserveNumbers(deps, dir, now, await accountsOf(deps, eventIds, accounts))
  // Taken from as cases open; what is left afterwards goes back (all of it if nothing was committed).
  const numbers = new Map([...reserved].map(([stationId, r]) => [stationId, [...r.numbers]]))
  let committed = false
  let outcome: BatchOutcome
  try {
    outcome = await deps.store.transaction(async (tx) => {
      const state: BatchState = {
        tx,
        dir,
        now,
        writes: noInboundWrites(),
        openCases: new Map(),
        opened: new Map(),
        changes: new Map(),
        counts: new Map(),
        numbers,
        forms: newFormBatch(),
      }
      return planBatch(deps, state, eventIds, results)
    })
    committed = true
  } finally {
    for (const [stationId, r] of reserved) {
      deps.caseNumbers.giveBack(stationId, r.year, committed ? (numbers.get(stationId) ?? []) : r.numbers)
    }
  }
  // Each case's work is dispatched in order, and a resident's form steps are kept in order; the rest
  // (other cases, the deadline timers, other residents' forms) goes out together, one round trip for all.
  const byCase = groupBy(outcome.plans, ({ eventId, plan }) => plan.caseId ?? `event-${eventId}`)
  const withForms = outcome.plans.filter(({ plan }) => plan.form)
  const byResident = groupBy(withForms, ({ plan }) => plan.form!.author.residentId)
  await settleAll([
    ...[...byCase.values()].map(async (plans) => {
      const queued = new Set<string>()
      for (const { eventId, plan } of plans) await dispatch(deps, plan, eventId, queued)
    }),
    ...outcome.redeliveries.map((id) => redispatch(deps, id)),
    outcome.afterCommit?.() ?? Promise.resolve(),
    // Form answers are kept, and finished forms become requests, only once the batch is committed.
    ...[...byResident.values()].map(async (plans) => {
      for (const { plan } of plans)
        await deps.serviceRequests?.afterCommit(plan.form!.step, plan.form!.author)
    }),
  ])
  return eventIds.map((id) => results.get(id) ?? new PermanentError(`inbound event ${id} was not handled`))
}

/** The account of each event that may still open a case: as the caller knows it, else as stored. */
async function accountsOf(
  deps: InboundDeps,
  eventIds: string[],
  known: ReadonlyMap<string, string>,
): Promise<string[]> {
  const unknown = eventIds.filter((id) => !known.has(id))
  const peeked = unknown.length ? await deps.store.peekEvents(unknown) : []
  return [
    ...eventIds.flatMap((id) => known.get(id) ?? []),
    ...peeked.flatMap((e) => (e.event && e.status !== 'done' ? [e.event.accountId] : [])),
  ]
}

/** As many case numbers as the events might open, per station: what is not used goes back. */
async function reserveNumbers(
  deps: InboundDeps,
  dir: DirectorySnapshot,
  now: Date,
  accountIds: string[],
): Promise<Map<string, { year: number; numbers: number[] }>> {
  const perStation = new Map<string, number>()
  for (const accountId of accountIds) {
    const stationId = dir.accounts.get(accountId)?.stationId
    if (stationId) perStation.set(stationId, (perStation.get(stationId) ?? 0) + 1)
  }
  const reserved = new Map<string, { year: number; numbers: number[] }>()
  for (const [stationId, count] of perStation) {
    const station = dir.stations.get(stationId)
    if (!station) continue
    const year = localYear(now, station.timeZone)
    reserved.set(stationId, { year, numbers: await deps.caseNumbers.take(stationId, year, count) })
  }
  return reserved
}

interface BatchOutcome {
  plans: Array<{ eventId: string; plan: Plan }>
  redeliveries: string[]
  /** The deadline timers' jobs, once the cases and their timers are committed. */
  afterCommit?: () => Promise<void>
}

async function planBatch(
  deps: InboundDeps,
  state: BatchState,
  eventIds: string[],
  results: Map<string, InboundOutcome | Error>,
): Promise<BatchOutcome> {
  const stored = new Map((await state.tx.lockEvents(eventIds)).map((e) => [e.id, e]))
  const redeliveries: string[] = []
  const todo: Array<{ id: string; event: InboundEvent; station: StationInfo; language: Language }> = []
  for (const id of eventIds) {
    const row = stored.get(id)
    if (!row) {
      results.set(id, new PermanentError(`inbound event ${id} does not exist`))
    } else if (row.status === 'done') {
      if (!results.has(id)) redeliveries.push(id)
      results.set(id, { outcome: 'duplicate' })
    } else if (!row.event) {
      results.set(id, new PermanentError(`inbound event ${id} has no payload`))
    } else if (!results.has(id)) {
      const event = row.event
      const account = state.dir.accounts.get(event.accountId)
      const station = account ? state.dir.stations.get(account.stationId) : undefined
      if (!account) results.set(id, new PermanentError(`account ${event.accountId} is not configured`))
      else if (!station)
        results.set(id, new PermanentError(`station of account ${event.accountId} is missing`))
      else {
        const text = (event.text ?? '').trim()
        const language = event.language ?? detectLanguage(text) ?? deps.settings.defaultLanguage
        todo.push({ id, event, station, language })
        // Claimed, so a second copy of the id in this batch is not handled twice.
        results.set(id, { outcome: 'duplicate' })
      }
    }
  }
  // A resident's messages are handled in the order they were received.
  todo.sort((a, b) => a.event.receivedAt.localeCompare(b.event.receivedAt))
  const who = await state.tx.resolveResidents(todo, deps.newId)
  for (const [residentId, open] of await state.tx.lockOpenCases(
    [...new Set(who.map((w) => w.residentId))],
    new Date(state.now.getTime() - deps.settings.reopenWithinMs),
  )) {
    state.openCases.set(residentId, open)
  }

  await deps.serviceRequests?.prefetch(
    todo.flatMap(({ event }, i) => (event.kind === 'text' ? [who[i]!.residentId] : [])),
    state.forms,
  )

  const plans: Array<{ eventId: string; plan: Plan }> = []
  for (const [i, { id, event, station }] of todo.entries()) {
    const resident = who[i]!
    const text = (event.text ?? '').trim()
    const message: InboundMessageRow = {
      id,
      event,
      residentId: resident.residentId,
      identityId: resident.identityId,
      caseId: null,
    }
    state.writes.messages.push(message)
    state.writes.doneEventIds.push(id)
    const ctx: TxContext = {
      deps,
      state,
      dir: state.dir,
      station,
      event,
      eventId: id,
      text,
      who: resident,
      now: state.now,
      message,
    }
    const plan = (await planForm(ctx)) ?? (await planCommand(ctx)) ?? (await planMessage(ctx))
    // Platforms other than web chat cannot be refused up front: keep the text whole, and say so.
    if (text.length > deps.settings.maxMessageChars && plan.caseId) {
      plan.replies.push(
        draft(ctx, plan.caseId, replies(resident.language).tooLong(deps.settings.maxMessageChars)),
      )
    }
    state.writes.outbound.push(...plan.replies)
    // A confirmed form commits with the message that confirmed it; it becomes a request after the commit.
    const kept =
      plan.form && deps.serviceRequests?.keepSubmission(plan.form.step, plan.form.author, state.now)
    if (kept) state.writes.formSubmissions.push(kept)
    plans.push({ eventId: id, plan })
  }
  state.writes.newCases.push(...state.opened.values())
  for (const [caseId, change] of state.changes) state.writes.caseChanges.push({ caseId, change })
  const notices = await state.tx.write(state.writes)
  for (const { eventId, plan } of plans) {
    plan.notices = plan.noticeDrafts.flatMap((d) => notices.get(d) ?? [])
    results.set(eventId, outcomeOf(plan))
  }
  const changed = plans.flatMap(({ plan }) => {
    if (plan.commanded) return [plan.commanded.change.id]
    const moved = plan.newCase || plan.previousQueue || plan.reopened || plan.answered
    return moved && plan.caseId ? [plan.caseId] : []
  })
  const afterCommit =
    changed.length && deps.deadlines
      ? await deps.deadlines.within(state.tx.deadlines(), changed, openedAsDeadlineCases(state, todo, who))
      : undefined
  return { plans, redeliveries, ...(afterCommit ? { afterCommit } : {}) }
}

/**
 * The cases the batch opened, as the deadline service reads a case: the batch
 * wrote them as they are, so they need not be read back.
 */
function openedAsDeadlineCases(
  state: BatchState,
  todo: ReadonlyArray<{ event: InboundEvent }>,
  who: readonly ResidentRef[],
): DeadlineCase[] {
  const byIdentity = new Map(todo.map(({ event }, i) => [who[i]!.identityId, { event, ref: who[i]! }]))
  return [...state.opened.values()].flatMap((c): DeadlineCase[] => {
    const writer = byIdentity.get(c.identityId)
    if (!writer) return []
    return [
      {
        id: c.id,
        number: c.number,
        stationId: c.stationId,
        residentId: c.residentId,
        identityId: c.identityId,
        residentLanguage: writer.ref.language,
        channel: writer.event.channel,
        accountId: writer.event.accountId,
        status: c.status,
        category: c.category,
        priority: c.priority,
        assigneeOfficerId: c.assigneeOfficerId,
        beatId: c.beatId,
        queue: c.queue,
        version: 1,
        openedAt: c.openedAt,
        firstResponseDueAt: c.firstResponseDueAt,
        firstRespondedAt: null,
        escalationLevel: 0,
        escalatedAt: null,
        awaitingSince: null,
        resolvedAt: null,
        resolutionDueAt: c.resolutionDueAt ?? null,
        ratingAskedAt: null,
        cancelReason: null,
      },
    ]
  })
}

function outcomeOf(plan: Plan): InboundOutcome {
  if (plan.selfService) return { outcome: 'self-service', replies: plan.replies.length }
  if (!plan.caseId || !plan.queue) return { outcome: 'not-a-case', replies: plan.replies.length }
  return {
    outcome: 'routed',
    caseId: plan.caseId,
    caseNumber: plan.caseNumber,
    queue: plan.queue,
    newCase: plan.newCase,
    replies: plan.replies.length,
  }
}

/**
 * `queued`: the case's queues this batch has put it on already (one job per case and queue).
 * The jobs and live events of one message go out together: none waits for another's answer.
 */
async function dispatch(deps: InboundDeps, plan: Plan, eventId: string, queued: Set<string>): Promise<void> {
  const sends: Array<Promise<void>> = []
  if (plan.caseId && plan.queue && (plan.previousQueue || !queued.has(plan.queue))) {
    const { caseId, queue, previousQueue } = plan
    queued.add(queue)
    const job = { queue, caseId, stationId: plan.stationId, messageId: eventId, priority: plan.priority }
    // Off the old queue before onto the new one, so an officer never sees it twice.
    sends.push(
      previousQueue
        ? deps.dispatcher.removeCase(previousQueue, caseId).then(() => deps.dispatcher.enqueueCase(job))
        : deps.dispatcher.enqueueCase(job),
    )
  }
  for (const r of plan.replies) sends.push(deps.dispatcher.enqueueOutbound(r.accountId, r.id))
  for (const n of plan.notices) sends.push(deps.dispatcher.enqueueNotice(n))
  if (plan.commanded) {
    const { change, withdrawn } = plan.commanded
    if (withdrawn) sends.push(deps.dispatcher.removeCase(change.queue, change.id))
    sends.push(
      deps.dispatcher.publish({
        type: 'case.updated',
        caseId: change.id,
        stationId: change.stationId,
        assigneeId: change.assigneeOfficerId,
        beatId: change.beatId,
      }),
    )
  }
  if (plan.caseId && plan.queue) {
    sends.push(
      deps.dispatcher.publish({
        type: plan.newCase
          ? 'case.opened'
          : plan.previousQueue || plan.reopened
            ? 'case.routed'
            : 'case.message',
        caseId: plan.caseId,
        stationId: plan.stationId,
        assigneeId: officerOfQueue(plan.queue),
        beatId: plan.beatId,
        messageId: eventId,
        emergency: plan.emergency,
      }),
    )
  }
  await settleAll(sends)
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** Waits for every send, then fails with the first failure: one failing must not leave others untracked. */
async function settleAll(sends: Array<Promise<void>>): Promise<void> {
  const failed = (await Promise.allSettled(sends)).find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** A redelivered event: finish whatever dispatching the first run may not have done. */
async function redispatch(deps: InboundDeps, eventId: string): Promise<void> {
  const state = await deps.store.findDispatchState(eventId)
  if (!state) return
  if (state.caseId && state.queue && state.stationId) {
    await deps.dispatcher.enqueueCase({
      queue: state.queue,
      caseId: state.caseId,
      stationId: state.stationId,
      messageId: eventId,
      priority: state.priority ?? 'normal',
    })
  }
  for (const r of state.pendingReplies) await deps.dispatcher.enqueueOutbound(r.accountId, r.id)
  for (const n of state.pendingNotices) await deps.dispatcher.enqueueNotice(n)
}
