import { z } from 'zod'
import { type Actor, caseAccess } from '../../domain/access.ts'
import { isOpen, statusAfterReply } from '../../domain/case-status.ts'
import { localParts } from '../../domain/duty.ts'
import { currentQuestion, type FormState } from '../../domain/forms/engine.ts'
import type { FormContext, Texts } from '../../domain/forms/form.ts'
import { commonProblem } from '../../domain/forms/form-texts.ts'
import {
  addDays,
  formatDate,
  isLocalDate,
  type LocalDate,
  localDateOf,
} from '../../domain/forms/local-date.ts'
import { parseDate } from '../../domain/forms/parsers.ts'
import {
  DEFAULT_RENTAL_SCHEDULE,
  inspectionTimerId,
  isCorrectionRequest,
  leaseTimerId,
  parseTenancyAnswer,
  planInspectionReminder,
  planLeaseTimers,
  RENTAL_TIMER_PREFIX,
  type RentalSchedule,
} from '../../domain/forms/rental.ts'
import {
  flatLabel,
  IdDocumentSchema,
  RENTAL_LIMITS,
  type RentalAnswers,
  RentalSchema,
  rentalForm,
} from '../../domain/forms/rental-form.ts'
import {
  type RentalNoteInput,
  rentalLandlordTexts,
  rentalOfficerTexts,
  rentalRequestNote,
  tenancyLine,
} from '../../domain/forms/rental-texts.ts'
import { type IdDocument, maskIdNumber, maskNumbersIn } from '../../domain/personal-data.ts'
import { parseRosterTime } from '../../domain/roster.ts'
import type { Language } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import { type PersonalDataCipher, SealedDataError } from '../personal-data.ts'
import type { Directory, DirectorySnapshot } from '../ports.ts'
import type { ConversationInput, ConversationStep, FormStateStore } from './conversation.ts'
import { applyEffects, type EffectDeps, type Effects, noEffects, tellRequester } from './effects.ts'
import type { RentalIndex, RentalRecord, RentalStore, RentalTx, Tenancy } from './rental-store.ts'
import type { LockedRequest } from './request-store.ts'
import type { RequestKind, SubmitInput, SubmitResult } from './submit-request.ts'

export const RENTAL = rentalForm.id

/** Bound into the sealed document number of every registration: it opens as nothing else. */
const DOCUMENT_CONTEXT = 'rental-registration:tenant-document'
const fixContext = (residentId: string) => `rental-correction:${residentId}`

/** The answers as a registration keeps them: the document number sealed (null once purged), and masked. */
export const StoredRentalSchema = z.object({
  compound: z.object({ id: z.string().nullable(), name: z.string() }),
  building: z.string(),
  unit: z.string(),
  tenantName: z.string(),
  phone: z.string(),
  moveIn: z.string().refine(isLocalDate),
  leaseEnd: z.string().refine(isLocalDate),
  tenantId: z.object({
    kind: z.enum(['mainland', 'passport']),
    masked: z.string(),
    sealed: z.string().nullable(),
  }),
  nationality: z.string().nullable(),
})
export type StoredRentalAnswers = z.infer<typeof StoredRentalSchema>

export interface RentalDeps extends EffectDeps {
  store: RentalStore
  directory: Directory
  newId: () => string
  officerLanguage: Language
  defaultTimeZone: string
  cipher: PersonalDataCipher
  /** The (sealing) form-state store: a correction opens the form again at the fields named. */
  states: FormStateStore
  index: RentalIndex
  formStateTtlMs: number
  rentalSchedule?: RentalSchedule
}

export type ReviewInput =
  | { decision: 'verified' }
  | { decision: 'needs-correction'; reason: string; fields: string[] }

export type TenancyInput = { answer: 'stays'; until: string } | { answer: 'moved-out' }

/** A registration as the inbox shows it: the document masked, never the number. */
export interface RentalView {
  requestId: string
  caseId: string
  caseNumber: string
  state: 'active' | 'ended' | 'cancelled'
  timeZone: string
  flat: { compound: string; compoundId: string | null; building: string; unit: string }
  tenant: {
    name: string
    phone: string
    document: { kind: 'mainland' | 'passport'; masked: string; purged: boolean }
    nationality: string | null
  }
  moveIn: string
  leaseEnd: string
  review: {
    state: RentalRecord['review']
    reason: string | null
    fields: string[]
    by: { id: string; name: string } | null
    at: string | null
  }
  inspection: { at: string; by: { id: string; name: string } | null } | null
  tenancy: { answer: Tenancy; forLeaseEnd: string | null; at: string | null; by: string | null } | null
  /** The fields a correction may name, with their labels. */
  fields: Array<{ key: string; label: Texts }>
}

type Fired = 'fired' | 'not-needed' | 'stopped' | 'missing' | 'already-fired' | 'cancelled' | 'raced'
export type RentalFireOutcome = { outcome: Fired } | { outcome: 'early'; retryInMs: number }

const EARLY_TOLERANCE_MS = 1000
/** A lease question stays answerable this long after the lease ended. */
const QUESTION_GRACE_DAYS = 30
/** A correction can be taken up with "修改登记" for this long. */
const CORRECTION_TTL_MS = 14 * 86_400_000

const pad = (n: number) => String(n).padStart(2, '0')

/** What happens after a commit beyond the shared effects: Redis entries of the conversation hook. */
type RentalEffects = Effects & { after: Array<() => Promise<void>> }
const noRentalEffects = (): RentalEffects => ({ ...noEffects(), after: [] })

/**
 * Rental registration (出租登记), after the form: the document number sealed
 * at rest, the officer's review (verified, or a correction the landlord makes
 * in the same form), a safety-inspection visit with a reminder the day
 * before, and the question before the lease ends whether the tenant stays.
 * Every change runs in one transaction with its messages, notices and audit
 * entries; queues, jobs and Redis entries follow the commit.
 */
export function createRental(deps: RentalDeps) {
  const schedule = deps.rentalSchedule ?? DEFAULT_RENTAL_SCHEDULE
  const { cipher } = deps
  const timeZoneOf = (dir: DirectorySnapshot, stationId: string) =>
    dir.stations.get(stationId)?.timeZone ?? deps.defaultTimeZone
  const storedOf = (r: LockedRequest): StoredRentalAnswers => StoredRentalSchema.parse(r.answers)
  const scope = (r: LockedRequest) => ({
    stationId: r.stationId,
    assigneeOfficerId: r.case.assigneeOfficerId,
    beatId: r.case.beatId,
  })
  const officerRef = (dir: DirectorySnapshot, id: string | null, language: Language) => {
    if (!id) return null
    const o = dir.officers.get(id)
    return { id, name: (language === 'en' ? o?.nameEn : null) ?? o?.name ?? '' }
  }
  const visitTime = (at: Date, timeZone: string, language: Language, now: Date) => {
    const p = localParts(at, timeZone)
    const day = formatDate(localDateOf(at, timeZone), language, localDateOf(now, timeZone))
    return `${day} ${pad(p.hour)}:${pad(p.minute)}`
  }
  const day = (d: LocalDate, language: Language, now: Date, timeZone: string) =>
    formatDate(d, language, localDateOf(now, timeZone))

  function seal(answers: RentalAnswers): StoredRentalAnswers {
    const { idNumber, ...rest } = answers
    return {
      ...rest,
      tenantId: {
        kind: idNumber.kind,
        masked: maskIdNumber(idNumber.number),
        sealed: cipher.seal(idNumber.number, DOCUMENT_CONTEXT),
      },
    }
  }

  /** The answers as the form holds them (the document number opened), for a correction. */
  function unseal(stored: StoredRentalAnswers): RentalAnswers {
    const { tenantId, ...rest } = stored
    if (!tenantId.sealed)
      throw new AppError('CONFLICT', 'the ID number was removed after the retention period')
    return {
      ...rest,
      idNumber: { kind: tenantId.kind, number: cipher.open(tenantId.sealed, DOCUMENT_CONTEXT) },
    }
  }

  const noteInput = (a: StoredRentalAnswers): RentalNoteInput => ({
    flat: flatLabel(a),
    tenantName: a.tenantName,
    phone: a.phone,
    moveIn: a.moveIn,
    leaseEnd: a.leaseEnd,
    document: { kind: a.tenantId.kind, masked: a.tenantId.masked },
    nationality: a.nationality,
  })

  const tellLandlord = (
    tx: RentalTx,
    r: LockedRequest,
    text: string,
    now: Date,
    effects: Effects,
    author: string | null = null,
  ) => tellRequester(tx, deps.newId, r, text, now, effects, author)

  async function line(tx: RentalTx, r: LockedRequest, text: string, now: Date) {
    const id = deps.newId()
    await tx.insertMessage({
      id,
      caseId: r.case.id,
      residentId: r.case.residentId,
      identityId: r.case.identityId,
      direction: 'system',
      channel: r.case.channel,
      accountId: r.case.accountId,
      text,
      authorOfficerId: null,
      createdAt: now,
    })
    return id
  }

  const event = (
    r: LockedRequest,
    type: 'case.updated' | 'case.message' | 'case.reminder',
    messageId?: string,
  ) => ({
    type,
    caseId: r.case.id,
    stationId: r.stationId,
    assigneeId: r.case.assigneeOfficerId,
    beatId: r.case.beatId,
    ...(messageId ? { messageId } : {}),
  })

  async function noticeHolder(tx: RentalTx, r: LockedRequest, text: string, effects: Effects) {
    const holder = r.case.assigneeOfficerId
    if (!holder) return
    const queued = await tx.addOfficerNotice({ id: deps.newId(), officerId: holder, caseId: r.case.id, text })
    if (queued) effects.notices.push(queued)
  }

  async function lockForOfficer(tx: RentalTx, actor: Actor, caseId: string): Promise<LockedRequest> {
    const r = await tx.lockRequestOfCase(caseId)
    const access = r && r.kind === RENTAL ? caseAccess(actor, scope(r)) : 'not-found'
    if (!r || access === 'not-found')
      throw new AppError('NOT_FOUND', `case ${caseId} has no rental registration`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
    return r
  }

  function requireActive(r: LockedRequest) {
    if (r.state !== 'active')
      throw new AppError('CONFLICT', `The rental registration of case ${r.case.number} has ended.`)
  }

  /** The case's status moves (an audit entry, the version bumped, the inbox told). */
  async function setStatus(
    tx: RentalTx,
    r: LockedRequest,
    to: 'resolved' | 'in_progress' | 'awaiting_resident',
    by: string,
    now: Date,
    effects: Effects,
  ) {
    if (r.case.status === to || r.case.status === 'closed') return
    await tx.updateCase(r.case.id, { status: to, ...(to === 'resolved' ? { resolvedAt: now } : {}) }, true)
    await tx.audit({
      stationId: r.stationId,
      actor: by,
      action: 'case.status',
      subjectType: 'case',
      subjectId: r.case.id,
      detail: { from: r.case.status, to, by: 'rental-registration' },
    })
    if (to === 'resolved') {
      effects.moveCase = {
        caseId: r.case.id,
        stationId: r.stationId,
        priority: r.case.priority,
        from: r.case.queue,
        to: null,
      }
    } else if (r.case.status === 'resolved') {
      effects.moveCase = {
        caseId: r.case.id,
        stationId: r.stationId,
        priority: r.case.priority,
        from: null,
        to: r.case.queue,
      }
    }
    effects.changedCases.push(r.case.id)
  }

  async function planLease(
    tx: RentalTx,
    requestId: string,
    leaseEnd: LocalDate,
    timeZone: string,
    now: Date,
    effects: Effects,
  ) {
    const planned = planLeaseTimers(requestId, leaseEnd, schedule, timeZone, now)
    const added = new Set(
      await tx.insertTimers(
        planned.map((p) => ({ id: p.id, requestId, kind: p.kind, day: p.day, dueAt: p.dueAt })),
      ),
    )
    effects.addTimers.push(...planned.filter((p) => added.has(p.id)))
  }

  async function cancelLease(tx: RentalTx, requestId: string, leaseEnd: LocalDate, effects: Effects) {
    const ids = [
      leaseTimerId(requestId, 'lease-ask', leaseEnd),
      leaseTimerId(requestId, 'lease-end', leaseEnd),
    ]
    effects.cancelTimers.push(...(await tx.cancelTimers(requestId, ids)))
  }

  /** The registration ends (moved out, lapsed, never verified): timers go, the lease question with them. */
  async function end(
    tx: RentalTx,
    r: LockedRequest,
    state: 'ended' | 'cancelled',
    reason: string,
    now: Date,
    effects: RentalEffects,
  ) {
    await tx.updateRequest(r.id, { state, endedAt: now, endReason: reason })
    effects.cancelTimers.push(...(await tx.cancelTimers(r.id)))
    effects.after.push(() => deps.index.removeQuestion(r.case.residentId, r.id))
  }

  async function run<T>(fn: (tx: RentalTx, effects: RentalEffects) => Promise<T>): Promise<T> {
    const effects = noRentalEffects()
    const result = await deps.store.transaction((tx) => fn(tx, effects))
    await applyEffects(deps, effects)
    for (const step of effects.after) await step()
    return result
  }

  /**
   * The tenancy after the lease end, recorded: "stays until" moves the lease
   * end and plans its question again; "moved out" ends the registration.
   */
  async function recordTenancy(
    tx: RentalTx,
    r: LockedRequest,
    answer: TenancyInput,
    by: string,
    now: Date,
    dir: DirectorySnapshot,
    effects: RentalEffects,
  ) {
    const timeZone = timeZoneOf(dir, r.stationId)
    const a = storedOf(r)
    const language = r.case.residentLanguage
    const say = rentalLandlordTexts(language)
    const flat = flatLabel(a)
    const actor = by === 'landlord' ? 'system' : by
    if (answer.answer === 'stays') {
      await tx.updateRequest(r.id, { answers: { ...a, leaseEnd: answer.until } })
      await tx.saveRental(r.id, { tenancy: 'stays', tenancyFor: a.leaseEnd, tenancyAt: now, tenancyBy: by })
      await cancelLease(tx, r.id, a.leaseEnd, effects)
      await planLease(tx, r.id, answer.until, timeZone, now, effects)
      await line(
        tx,
        r,
        tenancyLine(
          { kind: 'stays', until: answer.until },
          by === 'landlord' ? 'landlord' : 'officer',
          deps.officerLanguage,
        ),
        now,
      )
      const messageId = await tellLandlord(
        tx,
        r,
        say.staysRecorded({ flat, until: day(answer.until, language, now, timeZone) }),
        now,
        effects,
      )
      effects.events.push(event(r, 'case.message', messageId))
    } else {
      await tx.saveRental(r.id, {
        tenancy: 'moved-out',
        tenancyFor: a.leaseEnd,
        tenancyAt: now,
        tenancyBy: by,
      })
      await end(tx, r, 'ended', 'tenant moved out', now, effects)
      await line(
        tx,
        r,
        tenancyLine({ kind: 'moved-out' }, by === 'landlord' ? 'landlord' : 'officer', deps.officerLanguage),
        now,
      )
      const messageId = await tellLandlord(tx, r, say.movedOutRecorded(flat), now, effects)
      if (by === 'landlord') {
        await noticeHolder(
          tx,
          r,
          rentalOfficerTexts(deps.officerLanguage).movedOut({
            caseNumber: r.case.number,
            place: placeOf(dir, a),
          }),
          effects,
        )
      }
      effects.events.push(event(r, 'case.message', messageId))
    }
    effects.after.push(() => deps.index.removeQuestion(r.case.residentId, r.id))
    await tx.audit({
      stationId: r.stationId,
      actor,
      action: 'rental.tenancy_recorded',
      subjectType: 'service_request',
      subjectId: r.id,
      detail: {
        answer: answer.answer,
        by: by === 'landlord' ? 'landlord' : 'officer',
        leaseEnd: a.leaseEnd,
        ...(answer.answer === 'stays' ? { until: answer.until } : {}),
      },
    })
  }

  const placeOf = (dir: DirectorySnapshot, a: StoredRentalAnswers) =>
    a.compound.id ? (dir.compounds.get(a.compound.id)?.name ?? a.compound.name) : a.compound.name

  /** A renewal's new lease end: after the current one, within the registration limit. */
  function renewalProblem(current: LocalDate, until: LocalDate): 'not-after' | 'too-long' | null {
    if (until <= current) return 'not-after'
    if (until > addDays(current, Math.round(RENTAL_LIMITS.leaseYears * 365.25))) return 'too-long'
    return null
  }

  const kind: RequestKind = {
    form: RENTAL,
    beatOf(answers, dir) {
      const id = (answers as RentalAnswers).compound.id
      return id ? (dir.compounds.get(id)?.beatId ?? null) : null
    },
    stored: (answers) => seal(answers as RentalAnswers),
    note(answers, language) {
      const { idNumber, ...rest } = answers as RentalAnswers
      const masked = {
        ...rest,
        tenantId: { kind: idNumber.kind, masked: maskIdNumber(idNumber.number), sealed: null },
      }
      return rentalRequestNote(noteInput(masked), language)
    },
    confirmation(answers, info) {
      const a = answers as RentalAnswers
      return rentalLandlordTexts(info.language).submitted({
        caseNumber: info.caseNumber,
        handler: info.handler,
        flat: flatLabel(a),
        tenant: a.tenantName,
      })
    },
    async created(tx, answers, info, effects) {
      const a = answers as RentalAnswers
      const planned = planLeaseTimers(info.requestId, a.leaseEnd, schedule, info.timeZone, info.now)
      const added = new Set(
        await tx.insertTimers(
          planned.map((p) => ({
            id: p.id,
            requestId: info.requestId,
            kind: p.kind,
            day: p.day,
            dueAt: p.dueAt,
          })),
        ),
      )
      effects.addTimers.push(...planned.filter((p) => added.has(p.id)))
      await tx.audit({
        stationId: info.stationId,
        actor: 'system',
        action: 'personal_data.stored',
        subjectType: 'service_request',
        subjectId: info.requestId,
        detail: { field: 'tenantId', kind: a.idNumber.kind, encrypted: true },
      })
    },
    amend: (input) => amend(input),
  }

  /** The landlord's corrected form: the registration changes and goes back to the officer. */
  async function amend(input: SubmitInput): Promise<SubmitResult> {
    const requestId = input.completed.amends ?? ''
    const parsed = RentalSchema.safeParse(input.completed.answers)
    if (!parsed.success)
      throw new AppError('INVALID_INPUT', 'answers do not fit the rental registration form')
    const answers = parsed.data
    const dir = await deps.directory.get()
    const now = deps.clock.now()
    const result = await run(async (tx, effects) => {
      const r = await tx.lockRequest(requestId)
      if (!r || r.kind !== RENTAL || r.case.residentId !== input.residentId)
        throw new AppError('NOT_FOUND', `request ${requestId} is not this resident's rental registration`)
      const done = { requestId: r.id, caseId: r.case.id, caseNumber: r.case.number, created: false }
      effects.after.push(() => deps.index.removeCorrection(r.case.residentId, r.id))
      const say = rentalLandlordTexts(input.completed.language)
      const rental = await tx.rentalOf(r.id)
      if (r.state !== 'active' || rental.review !== 'needs-correction') {
        await tellLandlord(tx, r, say.correctionGone(), now, effects)
        effects.events.push(event(r, 'case.message'))
        return done
      }
      const before = storedOf(r)
      const after = seal(answers)
      const timeZone = timeZoneOf(dir, r.stationId)
      await tx.updateRequest(r.id, { answers: after })
      await tx.saveRental(r.id, { review: 'submitted', reviewReason: null, reviewFields: null })
      await line(tx, r, rentalRequestNote(noteInput(after), deps.officerLanguage, true), now)
      const messageId = await tellLandlord(
        tx,
        r,
        say.corrected(r.case.number),
        new Date(now.getTime() + 1),
        effects,
      )
      if (before.leaseEnd !== after.leaseEnd) {
        await cancelLease(tx, r.id, before.leaseEnd, effects)
        await planLease(tx, r.id, after.leaseEnd, timeZone, now, effects)
      }
      await setStatus(tx, r, 'in_progress', 'system', now, effects)
      await noticeHolder(
        tx,
        r,
        rentalOfficerTexts(deps.officerLanguage).corrected({
          caseNumber: r.case.number,
          place: placeOf(dir, after),
        }),
        effects,
      )
      const changed = Object.keys(after).filter((k) =>
        k === 'tenantId'
          ? before.tenantId.masked !== after.tenantId.masked || before.tenantId.kind !== after.tenantId.kind
          : JSON.stringify(before[k as keyof StoredRentalAnswers]) !==
            JSON.stringify(after[k as keyof StoredRentalAnswers]),
      )
      await tx.audit({
        stationId: r.stationId,
        actor: 'system',
        action: 'rental.corrected',
        subjectType: 'service_request',
        subjectId: r.id,
        detail: { changed, caseId: r.case.id },
      })
      effects.events.push(event(r, 'case.message', messageId))
      return done
    })
    return result
  }

  /** The correction's form state: the landlord's answers, opened at the first field to correct. */
  function correctionState(r: LockedRequest, fields: string[], now: Date): FormState {
    const answers = unseal(storedOf(r))
    const indexes = fields
      .map((key) => rentalForm.fields.findIndex((f) => f.key === key))
      .sort((x, y) => x - y)
    return {
      form: RENTAL,
      language: r.case.residentLanguage,
      index: indexes[0] ?? 0,
      answers: answers as unknown as Record<string, unknown>,
      failures: 0,
      editing: true,
      choosing: false,
      declined: [],
      rev: 1,
      updatedAt: now.toISOString(),
      redo: indexes.slice(1),
      amends: r.id,
    }
  }

  const formContext = (stationId: string, timeZone: string, language: Language, now: Date): FormContext => ({
    now,
    timeZone,
    language,
    prefill: {},
    stationId,
  })

  async function view(
    actor: Actor,
    caseId: string,
    language: Language = deps.officerLanguage,
  ): Promise<RentalView> {
    const found = await deps.store.registrationOfCase(caseId)
    const access =
      found && found.request.kind === RENTAL ? caseAccess(actor, scope(found.request)) : 'not-found'
    if (!found || access === 'not-found')
      throw new AppError('NOT_FOUND', `case ${caseId} has no rental registration`)
    if (access === 'forbidden')
      throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
    const dir = await deps.directory.get()
    const { request: r, rental } = found
    const a = storedOf(r)
    return {
      requestId: r.id,
      caseId: r.case.id,
      caseNumber: r.case.number,
      state: r.state,
      timeZone: timeZoneOf(dir, r.stationId),
      flat: { compound: a.compound.name, compoundId: a.compound.id, building: a.building, unit: a.unit },
      tenant: {
        name: a.tenantName,
        phone: a.phone,
        document: { kind: a.tenantId.kind, masked: a.tenantId.masked, purged: a.tenantId.sealed === null },
        nationality: a.nationality,
      },
      moveIn: a.moveIn,
      leaseEnd: a.leaseEnd,
      review: {
        state: rental.review,
        reason: rental.reviewReason,
        fields: rental.reviewFields ?? [],
        by: officerRef(dir, rental.reviewedBy, language),
        at: rental.reviewedAt?.toISOString() ?? null,
      },
      inspection: rental.inspectionAt
        ? { at: rental.inspectionAt.toISOString(), by: officerRef(dir, rental.inspectionBy, language) }
        : null,
      tenancy: rental.tenancy
        ? {
            answer: rental.tenancy,
            forLeaseEnd: rental.tenancyFor,
            at: rental.tenancyAt?.toISOString() ?? null,
            by: rental.tenancyBy,
          }
        : null,
      fields: rentalForm.fields
        .filter((f) => f.key !== 'nationality' || a.tenantId.kind === 'passport')
        .map((f) => ({ key: f.key, label: f.label })),
    }
  }

  /**
   * The conversation hook's part: "修改登记" opens a correction that could
   * not be opened at once, and an answer to the lease question ("续租到…",
   * "已搬走") is recorded after the commit. Reads Redis only.
   */
  async function command(input: ConversationInput): Promise<ConversationStep | null> {
    if (isCorrectionRequest(input.text)) {
      const entry = await deps.index.correction(input.residentId)
      if (!entry) return null
      let state: FormState
      try {
        const opened = JSON.parse(cipher.open(entry.sealedState, fixContext(input.residentId))) as FormState
        state = { ...opened, rev: 1, updatedAt: input.now.toISOString() }
      } catch (error) {
        // Sealed with a key since replaced: the officer asks again.
        if (error instanceof SealedDataError) return null
        throw error
      }
      const ctx = formContext(input.stationId, input.timeZone, state.language, input.now)
      return {
        replies: [currentQuestion(rentalForm, state, ctx)],
        caseId: null,
        save: async () => {
          await deps.states.put(input.residentId, state, null, deps.formStateTtlMs)
        },
      }
    }
    const answer = parseTenancyAnswer(input.text)
    if (!answer) return null
    const pending = (await deps.index.questions(input.residentId)).sort((x, y) =>
      x.leaseEnd.localeCompare(y.leaseEnd),
    )
    const question = pending[0]
    if (!question) return null
    const language = input.language
    const say = rentalLandlordTexts(language)
    const reply = (text: string): ConversationStep => ({
      replies: [text],
      caseId: question.caseId,
      save: async () => {},
    })
    if (answer.kind === 'stays-without-date') return reply(say.needsDate())
    let tenancy: TenancyInput = { answer: 'moved-out' }
    if (answer.kind === 'stays') {
      const read = parseDate(answer.until, input.now, input.timeZone)
      if (!read.ok) return reply(commonProblem(read.problem, language))
      const problem = renewalProblem(question.leaseEnd, read.value)
      const today = localDateOf(input.now, input.timeZone)
      if (problem === 'not-after')
        return reply(say.notAfterLeaseEnd(formatDate(question.leaseEnd, language, today)))
      if (problem === 'too-long') return reply(say.renewalTooLong(RENTAL_LIMITS.leaseYears))
      tenancy = { answer: 'stays', until: read.value }
    }
    return {
      replies: [],
      caseId: question.caseId,
      save: async () => {},
      apply: () => landlordAnswered(input.residentId, question.requestId, tenancy, language),
    }
  }

  /** After the inbound commit: the landlord's answer, recorded; the next pending question asked. */
  async function landlordAnswered(
    residentId: string,
    requestId: string,
    answer: TenancyInput,
    language: Language,
  ) {
    const dir = await deps.directory.get()
    const now = deps.clock.now()
    await run(async (tx, effects) => {
      const r = await tx.lockRequest(requestId)
      if (!r || r.kind !== RENTAL || r.case.residentId !== residentId) return
      if (r.state !== 'active') {
        await tellLandlord(tx, r, rentalLandlordTexts(language).alreadyEnded(r.case.number), now, effects)
        effects.after.push(() => deps.index.removeQuestion(residentId, r.id))
        return
      }
      await recordTenancy(tx, r, answer, 'landlord', now, dir, effects)
    })
    const next = (await deps.index.questions(residentId))
      .filter((q) => q.requestId !== requestId)
      .sort((x, y) => x.leaseEnd.localeCompare(y.leaseEnd))[0]
    if (!next) return
    await run(async (tx, effects) => {
      const r = await tx.lockRequest(next.requestId)
      if (r?.state !== 'active') return
      const a = storedOf(r)
      const timeZone = timeZoneOf(dir, r.stationId)
      const text = rentalLandlordTexts(language).nextPending({
        caseNumber: r.case.number,
        flat: flatLabel(a),
        leaseEnd: day(a.leaseEnd, language, now, timeZone),
      })
      await tellLandlord(tx, r, text, new Date(now.getTime() + 1), effects)
    })
  }

  return {
    kind,
    view,
    command,
    /** The service-timers worker's question: is this timer a rental registration's? */
    owns: (timerId: string) => timerId.startsWith(RENTAL_TIMER_PREFIX),

    /** The officer's review: verified (the case resolves), or a correction the landlord is asked for. */
    async review(actor: Actor, caseId: string, input: ReviewInput): Promise<void> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      let reopen: { residentId: string; state: FormState; atOnce: boolean } | null = null
      // Whether the landlord is in another form decides what the message says; read before the transaction.
      const peek = await deps.store.registrationOfCase(caseId)
      const busy = peek ? (await deps.states.get(peek.request.case.residentId)) !== null : false
      await run(async (tx, effects) => {
        const r = await lockForOfficer(tx, actor, caseId)
        requireActive(r)
        const rental = await tx.rentalOf(r.id)
        if (rental.review === 'verified')
          throw new AppError(
            'CONFLICT',
            `The rental registration of case ${r.case.number} is verified already.`,
          )
        if (rental.review === 'needs-correction')
          throw new AppError(
            'CONFLICT',
            `The rental registration of case ${r.case.number} is waiting for the landlord's correction.`,
          )
        const a = storedOf(r)
        const timeZone = timeZoneOf(dir, r.stationId)
        const language = r.case.residentLanguage
        const say = rentalLandlordTexts(language)
        if (input.decision === 'verified') {
          await tx.saveRental(r.id, {
            review: 'verified',
            reviewReason: null,
            reviewFields: null,
            reviewedBy: actor.id,
            reviewedAt: now,
          })
          const messageId = await tellLandlord(
            tx,
            r,
            say.verified({
              caseNumber: r.case.number,
              flat: flatLabel(a),
              tenant: a.tenantName,
              askDays: schedule.askDaysBefore,
            }),
            now,
            effects,
            actor.id,
          )
          if (!r.case.firstRespondedAt) await tx.updateCase(r.case.id, { firstRespondedAt: now }, false)
          await setStatus(tx, r, 'resolved', actor.id, now, effects)
          await tx.audit({
            stationId: r.stationId,
            actor: actor.id,
            action: 'rental.verified',
            subjectType: 'service_request',
            subjectId: r.id,
            detail: { caseId: r.case.id },
          })
          effects.events.push(event(r, 'case.updated', messageId))
          return
        }
        const unknown = input.fields.filter((key) => !rentalForm.fields.some((f) => f.key === key))
        if (unknown.length) throw new AppError('INVALID_INPUT', `fields: no such field ${unknown.join(', ')}`)
        if (input.fields.includes('nationality') && a.tenantId.kind !== 'passport')
          throw new AppError('INVALID_INPUT', 'fields: nationality is asked for passports only')
        const reason = maskNumbersIn(input.reason.trim())
        const state = correctionState(r, input.fields, now)
        const ctx = formContext(r.stationId, timeZone, language, now)
        const items = rentalForm.fields
          .filter((f) => input.fields.includes(f.key))
          .map((f) => f.label[language])
        const messageId = await tellLandlord(
          tx,
          r,
          say.correction({
            caseNumber: r.case.number,
            reason,
            items,
            question: busy ? null : currentQuestion(rentalForm, state, ctx),
          }),
          now,
          effects,
          actor.id,
        )
        await tx.saveRental(r.id, {
          review: 'needs-correction',
          reviewReason: reason,
          reviewFields: input.fields,
          reviewedBy: actor.id,
          reviewedAt: now,
        })
        if (!r.case.firstRespondedAt) await tx.updateCase(r.case.id, { firstRespondedAt: now }, false)
        await setStatus(tx, r, 'awaiting_resident', actor.id, now, effects)
        await tx.audit({
          stationId: r.stationId,
          actor: actor.id,
          action: 'rental.correction_requested',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { caseId: r.case.id, fields: input.fields },
        })
        effects.events.push(event(r, 'case.message', messageId))
        reopen = { residentId: r.case.residentId, state, atOnce: !busy }
      })
      const opened = reopen as { residentId: string; state: FormState; atOnce: boolean } | null
      if (opened) {
        // The whole state is sealed: it holds the document number, and names and phones beside it.
        const sealedState = cipher.seal(JSON.stringify(opened.state), fixContext(opened.residentId))
        await deps.index.putCorrection(
          opened.residentId,
          { requestId: opened.state.amends ?? '', sealedState },
          CORRECTION_TTL_MS,
        )
        if (opened.atOnce) await deps.states.put(opened.residentId, opened.state, null, deps.formStateTtlMs)
      }
    },

    /** Plans (or moves) the safety-inspection visit; the landlord is told now and reminded the day before. */
    async scheduleInspection(actor: Actor, caseId: string, input: { at: string }): Promise<void> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      await run(async (tx, effects) => {
        const r = await lockForOfficer(tx, actor, caseId)
        requireActive(r)
        const timeZone = timeZoneOf(dir, r.stationId)
        const at = parseRosterTime(input.at, timeZone, 'start')
        if (!at || input.at.trim().length === 10)
          throw new AppError(
            'INVALID_INPUT',
            'at: a time such as 2026-12-02T14:00 (station time) or with an offset',
          )
        if (at <= now) throw new AppError('INVALID_INPUT', 'at: the visit must be in the future')
        const a = storedOf(r)
        const reminder = planInspectionReminder(r.id, at, schedule, timeZone, now)
        const keep = reminder?.id ?? inspectionTimerId(r.id, at, timeZone)
        const stale = (await tx.timersOf(r.id))
          .filter((t) => t.kind === 'inspection-reminder' && t.state === 'scheduled' && t.id !== keep)
          .map((t) => t.id)
        if (stale.length) effects.cancelTimers.push(...(await tx.cancelTimers(r.id, stale)))
        if (reminder) {
          const added = await tx.insertTimers([
            {
              id: reminder.id,
              requestId: r.id,
              kind: reminder.kind,
              day: reminder.day,
              dueAt: reminder.dueAt,
            },
          ])
          if (added.length) effects.addTimers.push(reminder)
        }
        await tx.saveRental(r.id, { inspectionAt: at, inspectionBy: actor.id })
        const language = r.case.residentLanguage
        const messageId = await tellLandlord(
          tx,
          r,
          rentalLandlordTexts(language).inspection({
            caseNumber: r.case.number,
            flat: flatLabel(a),
            when: visitTime(at, timeZone, language, now),
          }),
          now,
          effects,
          actor.id,
        )
        const status = statusAfterReply(r.case.status)
        await tx.updateCase(
          r.case.id,
          {
            ...(status !== r.case.status && isOpen(r.case.status) ? { status } : {}),
            ...(r.case.firstRespondedAt ? {} : { firstRespondedAt: now }),
          },
          true,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: actor.id,
          action: 'rental.inspection_scheduled',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { caseId: r.case.id, at: at.toISOString(), reminder: reminder !== null },
        })
        effects.events.push(event(r, 'case.message', messageId))
        effects.changedCases.push(r.case.id)
      })
    },

    /** The officer records whether the tenant stays (the landlord said so by phone, or at the door). */
    async recordTenancyByOfficer(actor: Actor, caseId: string, input: TenancyInput): Promise<void> {
      const dir = await deps.directory.get()
      const now = deps.clock.now()
      await run(async (tx, effects) => {
        const r = await lockForOfficer(tx, actor, caseId)
        requireActive(r)
        if (input.answer === 'stays') {
          const problem = renewalProblem(storedOf(r).leaseEnd, input.until)
          if (problem === 'not-after')
            throw new AppError(
              'INVALID_INPUT',
              `until: must be after the current lease end (${storedOf(r).leaseEnd})`,
            )
          if (problem === 'too-long')
            throw new AppError(
              'INVALID_INPUT',
              `until: at most ${RENTAL_LIMITS.leaseYears} years after the current lease end`,
            )
        }
        await recordTenancy(tx, r, input, actor.id, now, dir, effects)
      })
    },

    /**
     * The document number itself, for an officer who may work the case (404
     * to another station, 403 to an officer who may not); every reveal is audited.
     */
    async reveal(actor: Actor, caseId: string): Promise<IdDocument> {
      const now = deps.clock.now()
      return run(async (tx) => {
        const r = await lockForOfficer(tx, actor, caseId)
        const a = storedOf(r)
        if (!a.tenantId.sealed)
          throw new AppError(
            'CONFLICT',
            `The ID number of case ${r.case.number} was removed after the retention period.`,
          )
        let number: string
        try {
          number = cipher.open(a.tenantId.sealed, DOCUMENT_CONTEXT)
        } catch (error) {
          if (error instanceof SealedDataError)
            throw new AppError(
              'CONFLICT',
              `The ID number of case ${r.case.number} cannot be decrypted with the current DATA_KEY.`,
            )
          throw error
        }
        await tx.audit({
          stationId: r.stationId,
          actor: actor.id,
          action: 'personal_data.revealed',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { field: 'tenantId', kind: a.tenantId.kind, caseId: r.case.id, at: now.toISOString() },
        })
        return IdDocumentSchema.parse({ kind: a.tenantId.kind, number })
      })
    },

    /** One timer's job, claimed (scheduled → fired) in the transaction that does its work. */
    async fire(timerId: string): Promise<RentalFireOutcome> {
      const row = await deps.store.timer(timerId)
      if (!row) return { outcome: 'missing' }
      if (row.state !== 'scheduled') {
        if (row.state === 'fired') {
          const pending = await deps.store.pendingSends(row.requestId)
          for (const m of pending.messages) await deps.dispatcher.enqueueOutbound(m.accountId, m.id)
          for (const n of pending.notices) await deps.dispatcher.enqueueNotice(n)
        }
        return { outcome: row.state === 'fired' ? 'already-fired' : 'cancelled' }
      }
      const now = deps.clock.now()
      const early = row.dueAt.getTime() - now.getTime()
      if (early > EARLY_TOLERANCE_MS) return { outcome: 'early', retryInMs: early }
      const dir = await deps.directory.get()
      const outcome = await run(async (tx, effects): Promise<Fired> => {
        const r = await tx.lockRequest(row.requestId)
        if (r?.state !== 'active') {
          await tx.claimTimer(timerId, 'cancelled', now)
          return 'cancelled'
        }
        const rental = await tx.rentalOf(r.id)
        if (r.case.status === 'closed' && rental.review !== 'verified') {
          // Closed without being verified (withdrawn, or handled otherwise): nothing is kept waiting.
          await end(tx, r, 'cancelled', 'case closed before verification', now, effects)
          await tx.audit({
            stationId: r.stationId,
            actor: 'system',
            action: 'rental.stopped',
            subjectType: 'service_request',
            subjectId: r.id,
            detail: { caseStatus: r.case.status },
          })
          return 'stopped'
        }
        if (!(await tx.claimTimer(timerId, 'fired', now))) return 'raced'
        const a = storedOf(r)
        const timeZone = timeZoneOf(dir, r.stationId)
        const language = r.case.residentLanguage
        const say = rentalLandlordTexts(language)
        if (row.kind === 'inspection-reminder') {
          if (!rental.inspectionAt || inspectionTimerId(r.id, rental.inspectionAt, timeZone) !== row.id)
            return 'not-needed'
          const messageId = await tellLandlord(
            tx,
            r,
            say.inspectionReminder({
              flat: flatLabel(a),
              when: visitTime(rental.inspectionAt, timeZone, language, now),
            }),
            now,
            effects,
          )
          await tx.audit({
            stationId: r.stationId,
            actor: 'system',
            action: 'rental.inspection_reminded',
            subjectType: 'service_request',
            subjectId: r.id,
            detail: { timerId },
          })
          effects.events.push(event(r, 'case.message', messageId))
          return 'fired'
        }
        const answered = rental.tenancyFor === row.day && rental.tenancy !== null
        if (a.leaseEnd !== row.day || answered) return 'not-needed'
        if (row.kind === 'lease-ask') {
          const messageId = await tellLandlord(
            tx,
            r,
            say.leaseAsk({
              caseNumber: r.case.number,
              flat: flatLabel(a),
              tenant: a.tenantName,
              leaseEnd: day(a.leaseEnd, language, now, timeZone),
            }),
            now,
            effects,
          )
          const until = addDays(a.leaseEnd, QUESTION_GRACE_DAYS)
          const question = {
            requestId: r.id,
            caseId: r.case.id,
            caseNumber: r.case.number,
            leaseEnd: a.leaseEnd,
          }
          const ttl = Math.max(60_000, new Date(`${until}T00:00:00Z`).getTime() - now.getTime())
          effects.after.push(() => deps.index.putQuestion(r.case.residentId, question, ttl))
          await tx.audit({
            stationId: r.stationId,
            actor: 'system',
            action: 'rental.lease_asked',
            subjectType: 'service_request',
            subjectId: r.id,
            detail: { timerId, leaseEnd: a.leaseEnd },
          })
          effects.events.push(event(r, 'case.message', messageId))
          return 'fired'
        }
        // The lease ended and nobody said the tenant stays: the registration ends, so its data can be purged in time.
        await tx.saveRental(r.id, {
          tenancy: 'lapsed',
          tenancyFor: a.leaseEnd,
          tenancyAt: now,
          tenancyBy: 'system',
        })
        await end(tx, r, 'ended', 'lease ended without an answer', now, effects)
        const lineId = await line(tx, r, tenancyLine({ kind: 'lapsed' }, 'system', deps.officerLanguage), now)
        await noticeHolder(
          tx,
          r,
          rentalOfficerTexts(deps.officerLanguage).leaseLapsed({
            caseNumber: r.case.number,
            place: placeOf(dir, a),
          }),
          effects,
        )
        await tx.audit({
          stationId: r.stationId,
          actor: 'system',
          action: 'rental.lease_lapsed',
          subjectType: 'service_request',
          subjectId: r.id,
          detail: { timerId, leaseEnd: a.leaseEnd },
        })
        effects.events.push(event(r, 'case.message', lineId))
        return 'fired'
      })
      return { outcome }
    },
  }
}

export type Rental = ReturnType<typeof createRental>
