import { firstResponseDue, officerCalendar, type ResponsePolicy } from '../../domain/deadlines.ts'
import { localParts, officerOnDuty } from '../../domain/duty.ts'
import type { HomeWatchHandler } from '../../domain/forms/home-watch-texts.ts'
import { formById } from '../../domain/forms/registry.ts'
import { officerNoticeText } from '../../domain/officer-notice.ts'
import { chooseRoute, formatCaseNumber, queueNameFor, type RouteTarget } from '../../domain/routing.ts'
import type { Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { CaseNumbers } from '../case-numbers.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import type { CompletedForm } from './conversation.ts'
import { applyEffects, type EffectDeps, type Effects, noEffects } from './effects.ts'
import type { RequestResident, RequestStore, RequestTx } from './request-store.ts'

/** What a request is told when it has been created, in the resident's language. */
export interface CreatedInfo {
  requestId: string
  residentId: string
  caseId: string
  caseNumber: string
  stationId: string
  timeZone: string
  now: Date
  language: Language
  handler: HomeWatchHandler
}

/**
 * What one kind of request needs beyond the generic steps (a case routed to
 * the beat's officer, the request row, a line for officers, the resident
 * told the case number). Register one per form in `createServiceRequests`.
 */
export interface RequestKind {
  form: string
  /** Where the request is, in the resident's words: matched against the gazetteer when they have no address on record. */
  addressOf?(answers: unknown): string | null
  /** The internal line officers read in the conversation (never sent). */
  note(answers: unknown, officerLanguage: Language): string
  /** What the resident is told once the case exists. */
  confirmation(answers: unknown, info: CreatedInfo): string
  /** In the creating transaction, after the case and request rows: what else the kind needs (timers). */
  created?(tx: RequestTx, answers: unknown, info: CreatedInfo, effects: Effects): Promise<void>
  /** What the request row keeps of the answers (an ID number sealed); the answers as they are when absent. */
  stored?(answers: unknown): unknown
  /**
   * The beat the request is about whatever the resident's own address (a
   * rented flat's compound): the case goes there and the resident is not bound to it.
   */
  beatOf?(answers: unknown, dir: DirectorySnapshot): string | null
  /** A finished correction of an earlier request (`completed.amends`), instead of a new request. */
  amend?(input: SubmitInput): Promise<SubmitResult>
}

export interface SubmitDeps extends EffectDeps {
  store: RequestStore
  directory: Directory
  newId: () => string
  caseNumbers: CaseNumbers
  policy: ResponsePolicy
  officerLanguage: Language
  defaultTimeZone: string
  kinds: ReadonlyMap<string, RequestKind>
}

export interface SubmitInput {
  residentId: string
  /** The identity the resident wrote from: the case's, and where their answers go. */
  identityId: string
  /** The station written to. */
  stationId: string
  completed: CompletedForm
}

export interface SubmitResult {
  requestId: string
  caseId: string
  caseNumber: string
  /** False when this submission had been made before (a retry): nothing new was done. */
  created: boolean
}

/**
 * Turns a finished form into a request: a case of the form's kind, routed
 * like any case (the beat's officer if on duty and under capacity, else the
 * backup, else the duty desk), the request row, an internal line with the
 * answers, the resident told the case number, the officer noticed, and
 * whatever the kind adds (home watch: its daily timers), in one transaction;
 * queues and jobs after it. Idempotent on the submission id.
 */
export async function submitRequest(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const form = formById(input.completed.form)
  const kind = deps.kinds.get(input.completed.form)
  if (!form || !kind) throw new AppError('INVALID_INPUT', `form: no form called "${input.completed.form}"`)
  if (input.completed.amends) {
    if (!kind.amend) throw new AppError('INVALID_INPUT', `a ${form.id} request cannot be corrected`)
    return kind.amend(input)
  }
  const parsed = form.schema.safeParse(input.completed.answers)
  if (!parsed.success) throw new AppError('INVALID_INPUT', `answers do not fit the ${form.id} form`)
  const answers = parsed.data

  const dir = await deps.directory.get()
  const station = dir.stations.get(input.stationId)
  if (!station) throw new AppError('NOT_FOUND', `station ${input.stationId} does not exist`)
  const now = deps.clock.now()
  const year = localParts(now, station.timeZone).year
  const [counter] = await deps.caseNumbers.take(station.id, year, 1)
  if (counter === undefined) throw new Error('no case number could be reserved')
  let used = false
  const effects = noEffects()
  try {
    const result = await deps.store.transaction(async (tx): Promise<SubmitResult> => {
      const earlier = await tx.requestBySubmission(input.completed.submissionId)
      if (earlier) return { ...earlier, created: false }
      const resident = await tx.lockResident(input.residentId, input.identityId)
      if (!resident) throw new AppError('NOT_FOUND', `resident ${input.residentId} has no such identity`)
      const language = input.completed.language

      const boundBeat =
        kind.beatOf?.(answers, dir) ??
        (await beatOf(tx, dir, station.id, resident, kind.addressOf?.(answers) ?? null))
      const target = await route(tx, dir, station.id, station.timeZone, boundBeat, now)
      const caseId = deps.newId()
      const requestId = deps.newId()
      const caseNumber = formatCaseNumber(station.code, year, counter)
      used = true
      const officer = target.kind === 'officer' ? dir.officers.get(target.officerId) : undefined
      const queue = queueNameFor(target)
      await tx.insertCase({
        id: caseId,
        number: caseNumber,
        stationId: station.id,
        residentId: resident.residentId,
        identityId: resident.identityId,
        beatId: boundBeat,
        category: form.category,
        priority: form.priority,
        status: officer ? 'assigned' : 'new',
        assigneeOfficerId: officer?.id ?? null,
        queue,
        awaitingAddress: false,
        addressAttempts: 0,
        firstResponseDueAt: firstResponseDue(
          deps.policy,
          form.category,
          form.priority,
          now,
          officerCalendar(officer, station.timeZone),
        ),
        openedAt: now,
        lastMessageAt: now,
      })
      await tx.insertRequest({
        id: requestId,
        kind: form.id,
        stationId: station.id,
        residentId: resident.residentId,
        caseId,
        answers: kind.stored ? kind.stored(answers) : answers,
        submissionId: input.completed.submissionId,
        createdAt: now,
      })
      const info: CreatedInfo = {
        requestId,
        residentId: resident.residentId,
        caseId,
        caseNumber,
        stationId: station.id,
        timeZone: station.timeZone,
        now,
        language,
        handler: handlerOf(dir, station.id, target, boundBeat, language),
      }
      const message = (direction: 'outbound' | 'system', text: string, at: Date) => ({
        id: deps.newId(),
        caseId,
        residentId: resident.residentId,
        identityId: resident.identityId,
        direction,
        channel: resident.channel,
        accountId: resident.accountId,
        text,
        authorOfficerId: null,
        createdAt: at,
      })
      await tx.insertMessage(message('system', kind.note(answers, deps.officerLanguage), now))
      // A millisecond later, so the conversation reads request first, answer after.
      const reply = message('outbound', kind.confirmation(answers, info), new Date(now.getTime() + 1))
      await tx.insertMessage(reply)
      effects.send.push({ accountId: resident.accountId, messageId: reply.id })
      if (officer) {
        const compound = resident.compoundId ? dir.compounds.get(resident.compoundId) : undefined
        const place =
          compound && compound.beatId === boundBeat
            ? compound.name
            : boundBeat
              ? (dir.beats.get(boundBeat)?.name ?? null)
              : null
        const notice = await tx.addOfficerNotice({
          id: deps.newId(),
          officerId: officer.id,
          caseId,
          text: officerNoticeText({ kind: 'new', caseNumber, category: form.category, place }),
        })
        if (notice) effects.notices.push(notice)
      }
      await tx.audit({
        stationId: station.id,
        actor: 'system',
        action: 'case.opened',
        subjectType: 'case',
        subjectId: caseId,
        detail: { queue, reason: target.reason, category: form.category, request: form.id },
      })
      await tx.audit({
        stationId: station.id,
        actor: 'system',
        action: 'service_request.created',
        subjectType: 'service_request',
        subjectId: requestId,
        detail: { kind: form.id, caseId },
      })
      await kind.created?.(tx, answers, info, effects)
      effects.moveCase = { caseId, stationId: station.id, priority: form.priority, from: null, to: queue }
      effects.events.push({
        type: 'case.opened',
        caseId,
        stationId: station.id,
        assigneeId: officer?.id ?? null,
        beatId: boundBeat,
        messageId: reply.id,
      })
      effects.changedCases.push(caseId)
      return { requestId, caseId, caseNumber, created: true }
    })
    await applyEffects(deps, effects)
    return result
  } finally {
    if (!used) deps.caseNumbers.giveBack(station.id, year, [counter])
  }

  /** The beat: the resident's address on record, else the request's address in the gazetteer (and bound). */
  async function beatOf(
    tx: RequestTx,
    dir: DirectorySnapshot,
    stationId: string,
    resident: RequestResident,
    address: string | null,
  ): Promise<string | null> {
    if (resident.beatId) return resident.beatId
    const compound = address ? dir.matchAddress(stationId, address) : null
    if (compound) {
      await tx.bindAddress(resident.residentId, compound.id, compound.beatId)
      resident.compoundId = compound.id
      return compound.beatId
    }
    const owner = dir.accounts.get(resident.accountId)?.ownerOfficerId
    return owner ? (dir.beatsOfOfficer(owner)[0]?.id ?? null) : null
  }

  async function route(
    tx: RequestTx,
    dir: DirectorySnapshot,
    stationId: string,
    timeZone: string,
    beatId: string | null,
    now: Date,
  ): Promise<RouteTarget> {
    const beat = beatId ? dir.beats.get(beatId) : undefined
    const candidates = [beat?.primaryOfficerId, beat?.backupOfficerId].filter((id): id is string => !!id)
    const counts = candidates.length ? await tx.openCaseCounts(candidates) : new Map<string, number>()
    return chooseRoute({
      stationId,
      emergency: false,
      currentAssigneeId: null,
      beat: beat ?? null,
      officers: dir.officers,
      isOnDuty: (officer) => officerOnDuty(officer, now, timeZone),
      openCaseCount: (id) => counts.get(id) ?? 0,
    })
  }
}

/** Who handles it, as the resident reads it: "李明警官" and the beat, or the duty desk. */
function handlerOf(
  dir: DirectorySnapshot,
  stationId: string,
  target: RouteTarget,
  beatId: string | null,
  language: Language,
): HomeWatchHandler {
  const en = language === 'en'
  if (target.kind === 'desk') {
    const station = dir.stations.get(stationId)
    const desk = (en ? station?.deskNameEn : null) ?? station?.deskName ?? ''
    return { name: desk }
  }
  const officer = dir.officers.get(target.officerId)
  const name = (en ? officer?.nameEn : null) ?? officer?.name ?? ''
  const beat = beatId ? dir.beats.get(beatId) : undefined
  const beatName = (en ? beat?.nameEn : null) ?? beat?.name
  return { name: en ? `Officer ${name}` : `${name}警官`, ...(beatName ? { beatName } : {}) }
}
