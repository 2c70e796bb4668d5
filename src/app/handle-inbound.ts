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
import type {
  CaseChange,
  Clock,
  Directory,
  DirectorySnapshot,
  Dispatcher,
  InboundStore,
  InboundTx,
  OpenCase,
  OutboundDraft,
  QueuedNotice,
  ResidentRef,
  StationInfo,
} from './ports.ts'

export interface InboundDeps {
  store: InboundStore
  directory: Directory
  dispatcher: Dispatcher
  clock: Clock
  newId: () => string
  settings: {
    defaultLanguage: Language
    maxMessageChars: number
    /** Minutes to a first response, per priority. */
    responseMinutes: Record<CasePriority, number>
  }
}

export type InboundOutcome =
  | { outcome: 'duplicate' }
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
  /** Officers told on their own WeChat that the case landed in their queue. */
  notices: QueuedNotice[]
}

/** The address question is asked twice before the duty desk takes the case as it is. */
const ADDRESS_ASKS = 2

/**
 * Turns one stored inbound event into a message on a case in the right queue,
 * with the resident's acknowledgement queued. Safe to run any number of times
 * for the same event: the message is stored once, and a redelivery only
 * re-dispatches (idempotently) what the first run may not have finished.
 */
export async function handleInbound(deps: InboundDeps, eventId: string): Promise<InboundOutcome> {
  const loaded = await deps.store.loadEvent(eventId)
  if (!loaded) throw new PermanentError(`inbound event ${eventId} does not exist`)
  if (loaded.status === 'done') return { outcome: 'duplicate' }
  const { event } = loaded
  const dir = await deps.directory.get()
  const account = dir.accounts.get(event.accountId)
  if (!account) throw new PermanentError(`account ${event.accountId} is not configured`)
  const station = dir.stations.get(account.stationId)
  if (!station) throw new PermanentError(`station of account ${event.accountId} is missing`)

  const now = deps.clock.now()
  const text = (event.text ?? '').trim()
  const language = event.language ?? detectLanguage(text) ?? deps.settings.defaultLanguage
  // Filled only when routing by beat, and only for that beat's candidates.
  const counts = new Map<string, number>()
  // Taken before the transaction, so case numbering never holds a lock for long.
  const year = localYear(now, station.timeZone)
  const counter = await deps.store.nextCaseCounter(station.id, year)
  const caseNumber = formatCaseNumber(station.code, year, counter)

  const plan = await deps.store.transaction(async (tx) => {
    const who = await tx.findOrCreateResident(event, language, deps.newId)
    const stored = await tx.insertInboundMessage(eventId, event, who.residentId, who.identityId)
    if (!stored) return null
    const ctx: TxContext = { deps, tx, dir, station, event, eventId, text, who, now, counts, caseNumber }
    const planned = await planMessage(ctx)
    // Platforms other than web chat cannot be refused up front: keep the text whole, and say so.
    if (text.length > deps.settings.maxMessageChars && planned.caseId) {
      planned.replies.push(
        draft(ctx, planned.caseId, replies(who.language).tooLong(deps.settings.maxMessageChars)),
      )
    }
    for (const reply of planned.replies) await tx.insertOutbound(reply)
    return planned
  })

  if (!plan) {
    await redispatch(deps, eventId)
    await deps.store.markEventDone(eventId)
    return { outcome: 'duplicate' }
  }
  await dispatch(deps, plan, eventId)
  await deps.store.markEventDone(eventId)
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
  tx: InboundTx
  dir: DirectorySnapshot
  station: StationInfo
  event: InboundEvent
  eventId: string
  text: string
  who: ResidentRef
  now: Date
  counts: Map<string, number>
  caseNumber: string
}

async function planMessage(ctx: TxContext): Promise<Plan> {
  const { tx, event, text, who, station } = ctx
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
    caseNumber: ctx.caseNumber,
    replies: [],
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
  const open = await tx.findOpenCase(who.residentId)
  if (open) return planFollowUp(ctx, open, verdict.emergency, plan)

  const beatId = await resolveBeat(ctx, null)
  const target = await route(ctx, verdict.emergency, null, beatId)
  const awaitingAddress = !verdict.emergency && !beatId
  plan.caseId = ctx.deps.newId()
  plan.newCase = true
  plan.emergency = verdict.emergency
  plan.priority = verdict.priority
  plan.queue = queueNameFor(target)
  plan.beatId = beatId
  const due = dueAt(ctx, target, verdict.priority)
  await tx.openCase({
    id: plan.caseId,
    number: ctx.caseNumber,
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
    firstResponseDueAt: due,
    openedAt: ctx.now,
  })
  await tx.attachMessageToCase(ctx.eventId, plan.caseId)
  await tx.audit({
    stationId: station.id,
    action: 'case.opened',
    subjectType: 'case',
    subjectId: plan.caseId,
    detail: { queue: plan.queue, reason: target.reason, category: verdict.category },
  })
  if (target.kind === 'officer') await noticeOfficer(ctx, plan, target.officerId, verdict.category)
  if (verdict.emergency) reply(say.emergency(ctx.caseNumber))
  else if (awaitingAddress) reply(say.askAddress(ctx.caseNumber, false))
  else
    reply(
      say.ack({
        caseNumber: ctx.caseNumber,
        handler: handlerFor(ctx, target, beatId),
        expectBy: formatDue(ctx, due),
      }),
    )
  return plan
}

async function planFollowUp(ctx: TxContext, open: OpenCase, emergency: boolean, plan: Plan): Promise<Plan> {
  const { tx, station } = ctx
  const say = replies(ctx.who.language)
  plan.caseId = open.id
  plan.caseNumber = open.number
  plan.priority = open.priority
  plan.queue = open.queue
  plan.beatId = open.beatId
  const reply = (body: string) => plan.replies.push(draft(ctx, open.id, body))
  await tx.attachMessageToCase(ctx.eventId, open.id)
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
      if (target.kind === 'officer') await noticeOfficer(ctx, plan, target.officerId, open.category)
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
  await tx.updateCase(open.id, change)
  if (plan.previousQueue) {
    await tx.audit({
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
      await ctx.tx.bindResidentAddress(ctx.who.residentId, compound.id, compound.beatId)
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
  const { dir, station, now } = ctx
  const beat = beatId ? dir.beats.get(beatId) : undefined
  if (!emergency && beat) {
    // Load only matters for the beat's primary and backup; counted in the transaction's own snapshot.
    const candidates = [beat.primaryOfficerId, beat.backupOfficerId].filter((id): id is string => !!id)
    for (const [id, n] of await ctx.tx.openCaseCounts(candidates)) ctx.counts.set(id, n)
  }
  return chooseRoute({
    stationId: station.id,
    emergency,
    currentAssigneeId: assignee,
    beat: beatId ? (dir.beats.get(beatId) ?? null) : null,
    officers: dir.officers,
    isOnDuty: (officer) => isOnDuty(officer.duty, now, station.timeZone),
    openCaseCount: (officerId) => ctx.counts.get(officerId) ?? 0,
  })
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
async function noticeOfficer(
  ctx: TxContext,
  plan: Plan,
  officerId: string,
  category: CaseCategory,
): Promise<void> {
  if (!plan.caseId) return
  const text = officerNoticeText({
    kind: 'new',
    caseNumber: plan.caseNumber,
    category,
    place: placeOf(ctx, plan.beatId),
  })
  const queued = await ctx.tx.addOfficerNotice({ id: ctx.deps.newId(), officerId, caseId: plan.caseId, text })
  if (queued) plan.notices.push(queued)
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
