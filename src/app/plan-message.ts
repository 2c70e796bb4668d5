/*
 * What one resident's message leads to, decided inside its batch's transaction:
 * a command answered, a new case routed and acknowledged, or a message joining
 * (and perhaps re-routing or reopening) the resident's case. Nothing is written
 * here; the batch writes what every message decided at the end (handle-inbound.ts).
 */
import { reopenedStatus } from '../domain/case-status.ts'
import { classify } from '../domain/classify.ts'
import { parseCommand } from '../domain/commands.ts'
import { firstResponseDue, officerCalendar, responseTimes } from '../domain/deadlines.ts'
import { formatLocalTime, localParts, officerNextOnDuty, officerOnDuty } from '../domain/duty.ts'
import { detectLanguage } from '../domain/language.ts'
import { officerNoticeText } from '../domain/officer-notice.ts'
import { type Handler, replies, statusUpdates } from '../domain/replies.ts'
import { chooseRoute, formatCaseNumber, queueNameFor, type RouteTarget } from '../domain/routing.ts'
import type { CaseCategory, CasePriority, InboundEvent } from '../domain/types.ts'
import type { ConversationStep, FormBatch } from './forms/conversation.ts'
import type { StepAuthor } from './forms/service-requests.ts'
import type { InboundDeps } from './handle-inbound.ts'
import type {
  CaseChange,
  DirectorySnapshot,
  InboundMessageRow,
  InboundTx,
  InboundWrites,
  NewCase,
  OpenCase,
  OutboundDraft,
  QueuedNotice,
  ResidentRef,
  StationInfo,
} from './ports.ts'
import { type ChangedCase, runSelfService } from './self-service.ts'

/** After the transaction: what to hand to the queues, in this order. */
export interface Plan {
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
  /** A step of a service-request form: kept, and a finished form submitted, after the commit. */
  form?: { step: ConversationStep; author: StepAuthor }
  /** A resident's command changed this case: it leaves its queue (when withdrawn) and the inbox hears of it. */
  commanded?: { change: ChangedCase; withdrawn: boolean }
  /** The resident's message reopened a resolved case: it goes back into its queue. */
  reopened?: boolean
  /** The resident answered while the case waited for them: it is the officer's turn again. */
  answered?: boolean
  selfService: boolean
  /** Officers told on their own WeChat that the case landed in their queue (draft ids until stored). */
  noticeDrafts: string[]
  notices: QueuedNotice[]
}

/** The address question is asked twice before the duty desk takes the case as it is. */
const ADDRESS_ASKS = 2

/** What one batch knows while it plans: everything is written together at the end. */
export interface BatchState {
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
  /** Forms this batch advanced, seen by a resident's later messages in it. */
  forms: FormBatch
}

export interface TxContext {
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

/** Commands a resident may use while filling in a form; 帮助 and 取消 belong to the form itself. */
const ASIDES = new Set(['status', 'subscriptions', 'subscribe', 'unsubscribe'])
const NO_CONTEXT = { menuShown: false, withdrawPending: false, ratingPending: false }

/**
 * A step of a service-request form the resident is filling in (or starts now).
 * Emergencies are never taken for an answer: the form answers null for them.
 */
export async function planForm(ctx: TxContext): Promise<Plan | null> {
  const forms = ctx.deps.serviceRequests
  const { event, text, who, station } = ctx
  if (!forms || event.kind !== 'text' || !text) return null
  // "进度" or "退订" in the middle of a form is asked of the bot, not an answer: the form waits.
  if (ASIDES.has(parseCommand(text, NO_CONTEXT)?.kind ?? '')) return null
  const step = await forms.step(
    {
      residentId: who.residentId,
      stationId: station.id,
      timeZone: station.timeZone,
      language: event.language ?? detectLanguage(text) ?? who.language,
      text,
      now: ctx.now,
      messageId: ctx.eventId,
      prefill: forms.prefill(ctx.dir, who.compoundId),
    },
    { selfService: ctx.state.tx.selfService(), batch: ctx.state.forms },
  )
  if (!step) return null
  // An answer holding an ID or passport number is kept masked: the form has it, encrypted.
  if (step.storedText !== undefined) ctx.message.event = { ...ctx.message.event, text: step.storedText }
  const form = {
    step,
    author: { residentId: who.residentId, identityId: who.identityId, stationId: station.id },
  }
  if (step.handOff) {
    // Handed to a person: the message is routed as usual, the form's words going first.
    const plan = await planMessage(ctx)
    const before = new Date(ctx.now.getTime() - 1)
    plan.replies.unshift(
      ...step.replies.map((body) => ({ ...draft(ctx, plan.caseId, body), createdAt: before })),
    )
    plan.form = form
    return plan
  }
  // The home-watch case when the resident extends or ends it, else none.
  ctx.message.caseId = step.caseId
  return {
    caseId: step.caseId,
    stationId: station.id,
    queue: null,
    previousQueue: null,
    beatId: null,
    priority: 'normal',
    emergency: false,
    newCase: false,
    caseNumber: '',
    replies: step.replies.map((body) => draft(ctx, step.caseId, body)),
    selfService: true,
    noticeDrafts: [],
    notices: [],
    form,
  }
}

/**
 * A resident's command (进度, 帮助, 退订, 取消, a rating…) is answered here and
 * goes no further; anything else is a message for the officer (null).
 */
export async function planCommand(ctx: TxContext): Promise<Plan | null> {
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

export async function planMessage(ctx: TxContext): Promise<Plan> {
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
  if (open?.status === 'resolved') planReopen(ctx, open, plan)
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
  const due = dueAt(ctx, target, verdict.category, verdict.priority)
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
    resolutionDueAt: new Date(
      ctx.now.getTime() +
        responseTimes(ctx.deps.settings.policy, verdict.category, verdict.priority).resolutionMs,
    ),
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

/** A message soon after a case was resolved reopens it with the same officer, and says so. */
function planReopen(ctx: TxContext, resolved: OpenCase, plan: Plan): void {
  const officerId = resolved.assigneeOfficerId
  const queue = queueNameFor(
    officerId
      ? { kind: 'officer', officerId, reason: 'sticky' }
      : { kind: 'desk', stationId: resolved.stationId, reason: 'sticky' },
  )
  const handler = officerId
    ? officerReturn(ctx, officerId).name
    : ((ctx.who.language === 'en' ? ctx.station.deskNameEn : null) ?? ctx.station.deskName)
  changeCase(ctx, resolved, { status: reopenedStatus(officerId !== null), queue, resolvedAt: null })
  plan.reopened = true
  plan.replies.push(
    draft(ctx, resolved.id, statusUpdates(ctx.who.language).reopened(resolved.number, handler)),
  )
  ctx.state.writes.audits.push({
    stationId: resolved.stationId,
    action: 'case.reopened',
    subjectType: 'case',
    subjectId: resolved.id,
    detail: { from: 'resolved', by: 'resident message' },
  })
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
  if (open.status === 'awaiting_resident') {
    change.status = 'in_progress'
    plan.answered = true
  }

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
      const due = dueAt(ctx, target, open.category, open.priority)
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
      const due = dueAt(ctx, desk, open.category, open.priority)
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
    // Load only matters for the beat's primary and backup, read in the transaction's own snapshot;
    // the first need reads every officer at once (a batch mixes stations), so a batch asks once.
    const candidates = [beat.primaryOfficerId, beat.backupOfficerId].filter((id): id is string => !!id)
    if (candidates.some((id) => !counts.has(id))) {
      const unknown = [...dir.officers.values()].filter((o) => !counts.has(o.id)).map((o) => o.id)
      for (const id of candidates) if (!unknown.includes(id) && !counts.has(id)) unknown.push(id)
      for (const [id, n] of await state.tx.openCaseCounts(unknown)) counts.set(id, n)
      for (const id of unknown) if (!counts.has(id)) counts.set(id, 0)
    }
  }
  const target = chooseRoute({
    stationId: station.id,
    emergency,
    currentAssigneeId: assignee,
    beat: beatId ? (dir.beats.get(beatId) ?? null) : null,
    officers: dir.officers,
    isOnDuty: (officer) => officerOnDuty(officer, now, station.timeZone),
    openCaseCount: (officerId) => counts.get(officerId) ?? 0,
  })
  // Counted up here, as the batch writes its cases only at the end.
  if (target.kind === 'officer') counts.set(target.officerId, (counts.get(target.officerId) ?? 0) + 1)
  return target
}

/** First-response deadline: the policy's time for the case, counted in its holder's duty hours. */
function dueAt(ctx: TxContext, target: RouteTarget, category: CaseCategory, priority: CasePriority): Date {
  const officer = target.kind === 'officer' ? ctx.dir.officers.get(target.officerId) : undefined
  const calendar = officerCalendar(officer, ctx.station.timeZone)
  return firstResponseDue(ctx.deps.settings.policy, category, priority, ctx.now, calendar)
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
  const offDuty = officer && !officerOnDuty(officer, ctx.now, ctx.station.timeZone)
  const back = offDuty ? officerNextOnDuty(officer, ctx.now, ctx.station.timeZone) : null
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

export function draft(ctx: TxContext, caseId: string | null, text: string): OutboundDraft {
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

export function localYear(at: Date, timeZone: string): number {
  // localParts caches its formatter: building an Intl formatter per message is measurable.
  return localParts(at, timeZone).year
}
