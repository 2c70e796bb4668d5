import { classify } from '../domain/classify.ts'
import { formatLocalTime, isOnDuty, localParts, nextOnDuty } from '../domain/duty.ts'
import { detectLanguage } from '../domain/language.ts'
import { officerNoticeText } from '../domain/officer-notice.ts'
import { type Handler, replies } from '../domain/replies.ts'
import {
  chooseRoute,
  formatCaseNumber,
  officerOfQueue,
  queueNameFor,
  type RouteTarget,
} from '../domain/routing.ts'
import type { CaseCategory, CasePriority, InboundEvent, Language } from '../domain/types.ts'
import { PermanentError } from '../errors.ts'
import type { CaseNumbers } from './case-numbers.ts'
import {
  type CaseChange,
  type Clock,
  type Directory,
  type DirectorySnapshot,
  type Dispatcher,
  type InboundMessageRow,
  type InboundStore,
  type InboundTx,
  type InboundWrites,
  type NewCase,
  noInboundWrites,
  type OpenCase,
  type OutboundDraft,
  type QueuedNotice,
  type ResidentRef,
  type StationInfo,
  type StoredEvent,
} from './ports.ts'
import { type ChangedCase, runSelfService } from './self-service.ts'

export interface InboundDeps {
  store: InboundStore
  directory: Directory
  dispatcher: Dispatcher
  clock: Clock
  newId: () => string
  caseNumbers: CaseNumbers
  settings: {
    defaultLanguage: Language
    maxMessageChars: number
    /** Minutes to a first response, per priority. */
    responseMinutes: Record<CasePriority, number>
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

/** After the transaction: what to hand to the queues, in this order. */
interface Plan {
  caseId: string | null
  stationId: string
  queue: string | null
  previousQueue: string | null
  beatId: string | null
  priority: CasePriority
  emergency: boolean
  newCase: boolean
  caseNumber: string
  replies: OutboundDraft[]
  /** A resident's command changed this case: it leaves its queue (when withdrawn) and the inbox hears of it. */
  commanded?: { change: ChangedCase; withdrawn: boolean }
  selfService: boolean
  /** Officers told on their own WeChat that the case landed in their queue (draft ids until stored). */
  noticeDrafts: string[]
  notices: QueuedNotice[]
}

/** The address question is asked twice before the duty desk takes the case as it is. */
const ADDRESS_ASKS = 2

/** What one batch knows while it plans: everything is written together at the end. */
interface BatchState {
  tx: InboundTx
  dir: DirectorySnapshot
  now: Date
  writes: InboundWrites
  /** Open cases by resident, including those this batch opens. */
  openCases: Map<string, OpenCase>
  /** Cases this batch opens, by id: later changes in the batch go straight into them. */
  opened: Map<string, NewCase>
  changes: Map<string, CaseChange>
  /** Open cases per officer, read once per batch and counted up as the batch assigns. */
  counts: Map<string, number>
  /** Case numbers reserved for the batch, per station, taken lowest first. */
  numbers: Map<string, number[]>
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
 */
export async function handleInboundBatch(
  deps: InboundDeps,
  eventIds: string[],
): Promise<Array<InboundOutcome | Error>> {
  const dir = await deps.directory.get()
  const now = deps.clock.now()
  const results = new Map<string, InboundOutcome | Error>()
  const peeked = await deps.store.peekEvents(eventIds)
  // Numbers are reserved before the transaction, so no case transaction waits on a counter row.
  const reserved = await reserveNumbers(deps, dir, now, peeked)
  // Taken from as cases open; what is left afterwards goes back (all of it if nothing was committed).
  const numbers = new Map([...reserved].map(([stationId, r]) => [stationId, [...r.numbers]]))
  let committed = false
  let outcome: { plans: Array<{ eventId: string; plan: Plan }>; redeliveries: string[] }
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
      }
      return planBatch(deps, state, eventIds, results)
    })
    committed = true
  } finally {
    for (const [stationId, r] of reserved) {
      deps.caseNumbers.giveBack(stationId, r.year, committed ? (numbers.get(stationId) ?? []) : r.numbers)
    }
  }
  // Each case's work is dispatched in order; different cases go out together (Redis pipelines them).
  const byCase = new Map<string, Array<{ eventId: string; plan: Plan }>>()
  for (const entry of outcome.plans) {
    const key = entry.plan.caseId ?? `event-${entry.eventId}`
    byCase.set(key, [...(byCase.get(key) ?? []), entry])
  }
  await Promise.all([
    ...[...byCase.values()].map(async (plans) => {
      for (const { eventId, plan } of plans) await dispatch(deps, plan, eventId)
    }),
    ...outcome.redeliveries.map((id) => redispatch(deps, id)),
  ])
  return eventIds.map((id) => results.get(id) ?? new PermanentError(`inbound event ${id} was not handled`))
}

async function reserveNumbers(
  deps: InboundDeps,
  dir: DirectorySnapshot,
  now: Date,
  events: StoredEvent[],
): Promise<Map<string, { year: number; numbers: number[] }>> {
  const perStation = new Map<string, number>()
  for (const e of events) {
    const stationId =
      e.event && e.status !== 'done' ? dir.accounts.get(e.event.accountId)?.stationId : undefined
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

async function planBatch(
  deps: InboundDeps,
  state: BatchState,
  eventIds: string[],
  results: Map<string, InboundOutcome | Error>,
): Promise<{ plans: Array<{ eventId: string; plan: Plan }>; redeliveries: string[] }> {
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
  for (const [residentId, open] of await state.tx.lockOpenCases([...new Set(who.map((w) => w.residentId))])) {
    state.openCases.set(residentId, open)
  }

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
    const plan = (await planCommand(ctx)) ?? (await planMessage(ctx))
    // Platforms other than web chat cannot be refused up front: keep the text whole, and say so.
    if (text.length > deps.settings.maxMessageChars && plan.caseId) {
      plan.replies.push(
        draft(ctx, plan.caseId, replies(resident.language).tooLong(deps.settings.maxMessageChars)),
      )
    }
    state.writes.outbound.push(...plan.replies)
    plans.push({ eventId: id, plan })
  }
  state.writes.newCases.push(...state.opened.values())
  for (const [caseId, change] of state.changes) state.writes.caseChanges.push({ caseId, change })
  const notices = await state.tx.write(state.writes)
  for (const { eventId, plan } of plans) {
    plan.notices = plan.noticeDrafts.flatMap((d) => notices.get(d) ?? [])
    results.set(eventId, outcomeOf(plan))
  }
  return { plans, redeliveries }
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

interface TxContext {
  deps: InboundDeps
  state: BatchState
  dir: DirectorySnapshot
  station: StationInfo
  event: InboundEvent
  eventId: string
  text: string
  who: ResidentRef
  now: Date
  /** This event's message, stored with the batch; joining a case sets its case id. */
  message: InboundMessageRow
}

/** The next reserved number of the station: taken only when a case is really opened. */
function takeCaseNumber(ctx: TxContext): string {
  const free = ctx.state.numbers.get(ctx.station.id)
  const value = free?.shift()
  if (value === undefined) throw new Error(`no case number reserved for station ${ctx.station.id}`)
  return formatCaseNumber(ctx.station.code, localYear(ctx.state.now, ctx.station.timeZone), value)
}

/**
 * A resident's command (进度, 帮助, 退订, 取消, a rating…) is answered here and
 * goes no further; anything else is a message for the officer (null).
 */
async function planCommand(ctx: TxContext): Promise<Plan | null> {
  const { event, text, who, station } = ctx
  if (event.kind !== 'text' || !text) return null
  const result = await runSelfService(ctx.state.tx.selfService(), {
    residentId: who.residentId,
    stationId: station.id,
    language: event.language ?? detectLanguage(text) ?? who.language,
    text,
    messageId: ctx.eventId,
    now: ctx.now,
  })
  if (!result.handled) return null
  ctx.message.caseId = result.caseId
  const withdrawn = result.withdrawnCaseId !== undefined
  // A withdrawn case is closed: the resident's next message in this batch opens a new one.
  if (withdrawn && ctx.state.openCases.get(who.residentId)?.id === result.withdrawnCaseId) {
    ctx.state.openCases.delete(who.residentId)
  }
  return {
    caseId: result.caseId,
    stationId: station.id,
    queue: null,
    previousQueue: null,
    beatId: null,
    priority: 'normal',
    emergency: false,
    newCase: false,
    caseNumber: '',
    replies: result.replies.map((body) => draft(ctx, result.caseId, body)),
    ...(result.changedCase ? { commanded: { change: result.changedCase, withdrawn } } : {}),
    selfService: true,
    noticeDrafts: [],
    notices: [],
  }
}

async function planMessage(ctx: TxContext): Promise<Plan> {
  const { event, text, who, station } = ctx
  const say = replies(who.language)
  const plan: Plan = {
    caseId: null,
    stationId: station.id,
    queue: null,
    previousQueue: null,
    beatId: null,
    priority: 'normal',
    emergency: false,
    newCase: false,
    caseNumber: '',
    replies: [],
    selfService: false,
    noticeDrafts: [],
    notices: [],
  }
  const reply = (body: string) => plan.replies.push(draft(ctx, plan.caseId, body))

  if (event.kind === 'unknown') {
    reply(say.unreadable())
    return plan
  }
  if (event.kind === 'text' && !text) {
    reply(say.empty())
    return plan
  }

  const verdict = text
    ? classify(text)
    : { category: 'consultation' as const, priority: 'normal' as const, emergency: false }
  const open = ctx.state.openCases.get(who.residentId)
  if (open) return planFollowUp(ctx, open, verdict.emergency, plan)

  const beatId = await resolveBeat(ctx, null)
  const target = await route(ctx, verdict.emergency, null, beatId)
  const awaitingAddress = !verdict.emergency && !beatId
  plan.caseId = ctx.deps.newId()
  plan.caseNumber = takeCaseNumber(ctx)
  plan.newCase = true
  plan.emergency = verdict.emergency
  plan.priority = verdict.priority
  plan.queue = queueNameFor(target)
  plan.beatId = beatId
  const due = dueAt(ctx, target, verdict.priority)
  openCase(ctx, {
    id: plan.caseId,
    number: plan.caseNumber,
    stationId: station.id,
    residentId: who.residentId,
    identityId: who.identityId,
    beatId,
    category: verdict.category,
    priority: verdict.priority,
    status: target.kind === 'officer' ? 'assigned' : 'new',
    assigneeOfficerId: target.kind === 'officer' ? target.officerId : null,
    queue: plan.queue,
    awaitingAddress,
    addressAttempts: 0,
    firstResponseDueAt: due,
    openedAt: ctx.now,
    lastMessageAt: ctx.now,
  })
  ctx.message.caseId = plan.caseId
  ctx.state.writes.audits.push({
    stationId: station.id,
    action: 'case.opened',
    subjectType: 'case',
    subjectId: plan.caseId,
    detail: { queue: plan.queue, reason: target.reason, category: verdict.category },
  })
  if (target.kind === 'officer') noticeOfficer(ctx, plan, target.officerId, verdict.category)
  if (verdict.emergency) reply(say.emergency(plan.caseNumber))
  else if (awaitingAddress) reply(say.askAddress(plan.caseNumber, false))
  else
    reply(
      say.ack({
        caseNumber: plan.caseNumber,
        handler: handlerFor(ctx, target, beatId),
        expectBy: formatDue(ctx, due),
      }),
    )
  return plan
}

async function planFollowUp(ctx: TxContext, open: OpenCase, emergency: boolean, plan: Plan): Promise<Plan> {
  const { station } = ctx
  const say = replies(ctx.who.language)
  plan.caseId = open.id
  plan.caseNumber = open.number
  plan.priority = open.priority
  plan.queue = open.queue
  plan.beatId = open.beatId
  const reply = (body: string) => plan.replies.push(draft(ctx, open.id, body))
  ctx.message.caseId = open.id
  const change: CaseChange = { lastMessageAt: ctx.now }

  if (emergency && open.priority !== 'emergency') {
    const target = await route(ctx, true, null, open.beatId)
    Object.assign(change, { category: 'emergency', priority: 'emergency', queue: queueNameFor(target) })
    Object.assign(plan, {
      emergency: true,
      priority: 'emergency',
      queue: queueNameFor(target),
      previousQueue: open.queue,
    })
    reply(say.emergency(open.number))
  } else if (open.awaitingAddress) {
    const beatId = await resolveBeat(ctx, open)
    if (beatId) {
      const target = await route(ctx, false, null, beatId)
      const due = dueAt(ctx, target, open.priority)
      Object.assign(change, {
        beatId,
        awaitingAddress: false,
        queue: queueNameFor(target),
        assigneeOfficerId: target.kind === 'officer' ? target.officerId : null,
        status: target.kind === 'officer' ? 'assigned' : open.status,
        firstResponseDueAt: due,
      })
      Object.assign(plan, { queue: queueNameFor(target), previousQueue: open.queue, beatId })
      if (target.kind === 'officer') noticeOfficer(ctx, plan, target.officerId, open.category)
      reply(
        say.ack({
          caseNumber: open.number,
          handler: handlerFor(ctx, target, beatId),
          expectBy: formatDue(ctx, due),
        }),
      )
    } else if (open.addressAttempts + 1 < ADDRESS_ASKS) {
      change.addressAttempts = open.addressAttempts + 1
      reply(say.askAddress(open.number, true))
    } else {
      const desk: RouteTarget = { kind: 'desk', stationId: station.id, reason: 'no-beat' }
      const due = dueAt(ctx, desk, open.priority)
      Object.assign(change, { awaitingAddress: false, addressAttempts: open.addressAttempts + 1 })
      reply(
        say.ack({
          caseNumber: open.number,
          handler: handlerFor(ctx, desk, null),
          expectBy: formatDue(ctx, due),
        }),
      )
    }
  }
  if (plan.previousQueue === plan.queue) plan.previousQueue = null
  changeCase(ctx, open, change)
  if (plan.previousQueue) {
    ctx.state.writes.audits.push({
      stationId: station.id,
      action: 'case.routed',
      subjectType: 'case',
      subjectId: open.id,
      detail: { from: plan.previousQueue, to: plan.queue },
    })
  }
  return plan
}

/**
 * The beat, from the most reliable source available: the resident's bound
 * address, an address in the message, the officer's own account written to.
 * A resident who answers where they live, or says it, is bound to that compound.
 */
const SAYS_HOME = /我住|住在|家住|我家在|我家住|\bI live\b|\bmy (home|flat|apartment|house) is\b/i

async function resolveBeat(ctx: TxContext, open: OpenCase | null): Promise<string | null> {
  if (ctx.who.beatId) return ctx.who.beatId
  const compound = ctx.text ? ctx.dir.matchAddress(ctx.station.id, ctx.text) : null
  if (compound) {
    // An answer to "where do you live", or a message that says so, is their address;
    // an address merely mentioned ("someone fights at X") only routes this case.
    if (open?.awaitingAddress || SAYS_HOME.test(ctx.text)) {
      ctx.state.writes.addressBindings.push({
        residentId: ctx.who.residentId,
        compoundId: compound.id,
        beatId: compound.beatId,
      })
      // The resident's later messages in this batch know where they live.
      ctx.who.beatId = compound.beatId
      ctx.who.compoundId = compound.id
    }
    return compound.beatId
  }
  const owner = ctx.dir.accounts.get(ctx.event.accountId)?.ownerOfficerId
  if (owner && !open) return ctx.dir.beatsOfOfficer(owner)[0]?.id ?? null
  return null
}

async function route(
  ctx: TxContext,
  emergency: boolean,
  assignee: string | null,
  beatId: string | null,
): Promise<RouteTarget> {
  const { dir, station, now, state } = ctx
  const { counts } = state
  const beat = beatId ? dir.beats.get(beatId) : undefined
  if (!emergency && beat) {
    // Load only matters for the beat's primary and backup; read in the transaction's own snapshot.
    const candidates = [beat.primaryOfficerId, beat.backupOfficerId].filter((id): id is string => !!id)
    const unknown = candidates.filter((id) => !counts.has(id))
    if (unknown.length > 0) for (const [id, n] of await state.tx.openCaseCounts(unknown)) counts.set(id, n)
    for (const id of unknown) if (!counts.has(id)) counts.set(id, 0)
  }
  const target = chooseRoute({
    stationId: station.id,
    emergency,
    currentAssigneeId: assignee,
    beat: beatId ? (dir.beats.get(beatId) ?? null) : null,
    officers: dir.officers,
    isOnDuty: (officer) => isOnDuty(officer.duty, now, station.timeZone),
    openCaseCount: (officerId) => counts.get(officerId) ?? 0,
  })
  // Counted up here, as the batch writes its cases only at the end.
  if (target.kind === 'officer') counts.set(target.officerId, (counts.get(target.officerId) ?? 0) + 1)
  return target
}

/** First-response deadline: counted from now, or from the officer's return when off duty. */
function dueAt(ctx: TxContext, target: RouteTarget, priority: CasePriority): Date {
  const minutes = ctx.deps.settings.responseMinutes[priority]
  let start = ctx.now
  if (target.kind === 'officer') {
    const officer = ctx.dir.officers.get(target.officerId)
    if (officer && !isOnDuty(officer.duty, ctx.now, ctx.station.timeZone)) {
      start = nextOnDuty(officer.duty, ctx.now, ctx.station.timeZone) ?? ctx.now
    }
  }
  return new Date(start.getTime() + minutes * 60_000)
}

function formatDue(ctx: TxContext, due: Date): string {
  return formatLocalTime(due, ctx.station.timeZone, ctx.who.language, ctx.now)
}

function handlerFor(ctx: TxContext, target: RouteTarget, beatId: string | null): Handler {
  const en = ctx.who.language === 'en'
  if (target.kind === 'desk') {
    const deskName = (en ? ctx.station.deskNameEn : null) ?? ctx.station.deskName
    // After hours the resident still learns who their own officer is and when they are back.
    const primary = beatId ? ctx.dir.beats.get(beatId)?.primaryOfficerId : null
    const back = target.reason === 'all-busy-or-off-duty' && primary ? officerReturn(ctx, primary) : null
    return {
      kind: 'desk',
      name: deskName,
      ...(back?.at ? { officerBack: { name: back.name, at: back.at } } : {}),
    }
  }
  const beat = ctx.dir.beatsOfOfficer(target.officerId)[0]
  const officer = officerReturn(ctx, target.officerId)
  return {
    kind: 'officer',
    name: officer.name,
    beatName: (en ? beat?.nameEn : null) ?? beat?.name,
    backAt: officer.at,
  }
}

/** An officer's name as the resident reads it, and when they are back if off duty now. */
function officerReturn(ctx: TxContext, officerId: string): { name: string; at?: string } {
  const en = ctx.who.language === 'en'
  const officer = ctx.dir.officers.get(officerId)
  const name = (en ? officer?.nameEn : null) ?? officer?.name ?? ''
  const offDuty = officer && !isOnDuty(officer.duty, ctx.now, ctx.station.timeZone)
  const back = offDuty ? nextOnDuty(officer.duty, ctx.now, ctx.station.timeZone) : null
  return {
    name: en ? `Officer ${name}` : `${name}警官`,
    at: back ? formatLocalTime(back, ctx.station.timeZone, ctx.who.language, ctx.now) : undefined,
  }
}

/** Tells the officer on their own WeChat, if they have one configured, that the case is theirs now. */
function noticeOfficer(ctx: TxContext, plan: Plan, officerId: string, category: CaseCategory): void {
  if (!plan.caseId) return
  const text = officerNoticeText({
    kind: 'new',
    caseNumber: plan.caseNumber,
    category,
    place: placeOf(ctx, plan.beatId),
  })
  const id = ctx.deps.newId()
  ctx.state.writes.notices.push({ id, officerId, caseId: plan.caseId, text })
  plan.noticeDrafts.push(id)
}

/** A case this batch opens: written at the end, and found by the resident's next message in the batch. */
function openCase(ctx: TxContext, input: NewCase): void {
  ctx.state.opened.set(input.id, input)
  ctx.state.openCases.set(input.residentId, {
    id: input.id,
    number: input.number,
    stationId: input.stationId,
    status: input.status,
    category: input.category,
    priority: input.priority,
    assigneeOfficerId: input.assigneeOfficerId,
    queue: input.queue,
    beatId: input.beatId,
    awaitingAddress: input.awaitingAddress,
    addressAttempts: input.addressAttempts,
    version: 1,
  })
}

/** Applies a change to the case as the batch sees it, and to what it will write. */
function changeCase(ctx: TxContext, open: OpenCase, change: CaseChange): void {
  if (change.beatId !== undefined) open.beatId = change.beatId
  if (change.category) open.category = change.category
  if (change.priority) open.priority = change.priority
  if (change.status) open.status = change.status
  if (change.assigneeOfficerId !== undefined) open.assigneeOfficerId = change.assigneeOfficerId
  if (change.queue) open.queue = change.queue
  if (change.awaitingAddress !== undefined) open.awaitingAddress = change.awaitingAddress
  if (change.addressAttempts !== undefined) open.addressAttempts = change.addressAttempts
  const opened = ctx.state.opened.get(open.id)
  if (opened) {
    Object.assign(opened, {
      beatId: open.beatId,
      category: open.category,
      priority: open.priority,
      status: open.status,
      assigneeOfficerId: open.assigneeOfficerId,
      queue: open.queue,
      awaitingAddress: open.awaitingAddress,
      addressAttempts: open.addressAttempts,
      ...(change.firstResponseDueAt !== undefined && { firstResponseDueAt: change.firstResponseDueAt }),
      ...(change.lastMessageAt && { lastMessageAt: change.lastMessageAt }),
    })
    return
  }
  ctx.state.changes.set(open.id, { ...ctx.state.changes.get(open.id), ...change })
}

/** Where the case is, as an officer's notice names it: the compound when known, else the beat. */
function placeOf(ctx: TxContext, beatId: string | null): string | null {
  const bound = ctx.who.compoundId ? ctx.dir.compounds.get(ctx.who.compoundId) : undefined
  const compound = bound ?? (ctx.text ? ctx.dir.matchAddress(ctx.station.id, ctx.text) : null)
  if (compound && compound.beatId === beatId) return compound.name
  return beatId ? (ctx.dir.beats.get(beatId)?.name ?? null) : null
}

function draft(ctx: TxContext, caseId: string | null, text: string): OutboundDraft {
  return {
    id: ctx.deps.newId(),
    caseId,
    residentId: ctx.who.residentId,
    identityId: ctx.who.identityId,
    channel: ctx.event.channel,
    accountId: ctx.event.accountId,
    inReplyTo: ctx.eventId,
    text,
    createdAt: ctx.now,
  }
}

async function dispatch(deps: InboundDeps, plan: Plan, eventId: string): Promise<void> {
  if (plan.caseId && plan.queue) {
    if (plan.previousQueue) await deps.dispatcher.removeCase(plan.previousQueue, plan.caseId)
    await deps.dispatcher.enqueueCase({
      queue: plan.queue,
      caseId: plan.caseId,
      stationId: plan.stationId,
      messageId: eventId,
      priority: plan.priority,
    })
  }
  for (const r of plan.replies) await deps.dispatcher.enqueueOutbound(r.accountId, r.id)
  for (const n of plan.notices) await deps.dispatcher.enqueueNotice(n)
  if (plan.commanded) {
    const { change, withdrawn } = plan.commanded
    if (withdrawn) await deps.dispatcher.removeCase(change.queue, change.id)
    await deps.dispatcher.publish({
      type: 'case.updated',
      caseId: change.id,
      stationId: change.stationId,
      assigneeId: change.assigneeOfficerId,
      beatId: change.beatId,
    })
  }
  if (plan.caseId && plan.queue) {
    await deps.dispatcher.publish({
      type: plan.newCase ? 'case.opened' : plan.previousQueue ? 'case.routed' : 'case.message',
      caseId: plan.caseId,
      stationId: plan.stationId,
      assigneeId: officerOfQueue(plan.queue),
      beatId: plan.beatId,
      messageId: eventId,
      emergency: plan.emergency,
    })
  }
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

function localYear(at: Date, timeZone: string): number {
  // localParts caches its formatter: building an Intl formatter per message is measurable.
  return localParts(at, timeZone).year
}
