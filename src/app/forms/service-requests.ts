import type { ResponsePolicy } from '../../domain/deadlines.ts'
import type { Prefill } from '../../domain/forms/form.ts'
import type { HomeWatchSchedule } from '../../domain/forms/home-watch.ts'
import type { Language } from '../../domain/types.ts'
import type { CaseNumbers } from '../case-numbers.ts'
import { type PersonalDataCipher, SealedDataError } from '../personal-data.ts'
import type { Clock, Directory, DirectorySnapshot, Dispatcher } from '../ports.ts'
import type { SelfServiceStore } from '../self-service.ts'
import {
  type ActiveRequestIndex,
  type CompletedForm,
  type ConversationDeps,
  type ConversationInput,
  type ConversationStep,
  FORM_STATE_TTL_MS,
  type FormBatch,
  type FormStateStore,
  menuShownVia,
  type RequestChange,
  stepConversation,
} from './conversation.ts'
import type { ServiceTimerQueue } from './effects.ts'
import {
  type FormSubmissionStore,
  openSubmission,
  type PendingSubmission,
  sealSubmission,
} from './form-submissions.ts'
import { createHomeWatch, HOME_WATCH } from './home-watch.ts'
import { createMediation, MEDIATION } from './mediation.ts'
import type { MediationStore } from './mediation-store.ts'
import { createPermitOffice } from './permit-office.ts'
import type { PermitCache, PermitStore } from './permit-store.ts'
import { createPermits, PERMIT } from './permits.ts'
import { createRental, RENTAL } from './rental.ts'
import type { RentalIndex, RentalStore } from './rental-store.ts'
import type { RequestStore } from './request-store.ts'
import { type RequestKind, type SubmitInput, type SubmitResult, submitRequest } from './submit-request.ts'

export interface ServiceRequestsDeps {
  store: RequestStore
  /** Mediations' own rows (parties, sessions, outcome). */
  mediationStore: MediationStore
  /** Rental registrations' own rows (review, inspection, tenancy). */
  rentalStore: RentalStore
  /** A landlord's lease questions and pending correction (Redis). */
  rentalIndex: RentalIndex
  /** Seals ID and passport numbers (DATA_KEY). */
  cipher: PersonalDataCipher
  /** Residence-permit slots and appointments, and what the hook reads of them from Redis. */
  permitStore: PermitStore
  permitCache: PermitCache
  /** Form states; give it sealed (`sealFormStates`) so no ID number is kept in clear. */
  states: FormStateStore
  /** Running home watches by resident (Redis): what the hook reads instead of the database. */
  activeIndex: ActiveRequestIndex
  directory: Directory
  dispatcher: Dispatcher
  timers: ServiceTimerQueue
  clock: Clock
  newId: () => string
  /** The inbound path's: a request's case number comes from the same blocks. */
  caseNumbers: CaseNumbers
  policy: ResponsePolicy
  officerLanguage: Language
  defaultTimeZone: string
  afterCaseChanged?: (caseIds: string[]) => Promise<void>
  /** Confirmed chat forms kept in the inbound transaction until submitted (absent: not kept). */
  submissions?: FormSubmissionStore
  schedule?: HomeWatchSchedule
  /** Told of a failure after a commit, which the caller cannot undo (logged without personal data). */
  onError?(error: unknown, context: { what: string; residentId?: string }): void
}

/** A kept form that cannot be submitted for this long is given up (and reported). */
const GIVE_UP_AFTER_MS = 24 * 3_600_000

/** Who wrote the message a step answered, as the inbound path knows them. */
export interface StepAuthor {
  residentId: string
  identityId: string
  stationId: string
}

/**
 * Service requests as one service: the conversation hook for the inbound
 * path, submission, changes by chat, and each kind's own work (home watch).
 */
export function createServiceRequests(deps: ServiceRequestsDeps) {
  const homeWatch = createHomeWatch(deps)
  const mediation = createMediation({ ...deps, store: deps.mediationStore })
  const rental = createRental({
    ...deps,
    store: deps.rentalStore,
    index: deps.rentalIndex,
    formStateTtlMs: FORM_STATE_TTL_MS,
  })
  const kinds = new Map<string, RequestKind>([
    [HOME_WATCH, homeWatch.kind],
    [RENTAL, rental.kind],
    [MEDIATION, mediation.kind],
  ])
  const permits = createPermits({
    ...deps,
    requests: deps.store,
    store: deps.permitStore,
    cache: deps.permitCache,
    submit: (input) => submitRequest({ ...deps, kinds }, input),
  })
  kinds.set(PERMIT, permits.kind)
  const permitOffice = createPermitOffice({
    ...deps,
    requests: deps.store,
    store: deps.permitStore,
    cache: deps.permitCache,
    refresh: permits.refresh,
  })

  const conversationDeps = (
    options: { selfService?: Pick<SelfServiceStore, 'pendingPrompt'>; batch?: FormBatch } = {},
  ): ConversationDeps => ({
    states: deps.states,
    requests: { activeHomeWatch: homeWatch.activeHomeWatch },
    commands: [rental.command],
    offers: permits.offers,
    permits: permits.answer,
    ...(options.selfService ? { menu: menuShownVia(options.selfService) } : {}),
    ...(options.batch ? { batch: options.batch } : {}),
  })

  const submit = async (input: SubmitInput): Promise<SubmitResult> => {
    if (!permits.handles(input.completed.form)) return submitRequest({ ...deps, kinds }, input)
    const booked = await permits.submit(input, 'web')
    if (!booked) throw new Error('a permit submission from the page came back without a result')
    return booked
  }

  /** A confirmed form from the chat becomes a request; its kept copy goes once it has. */
  async function submitCompleted(author: StepAuthor, completed: CompletedForm): Promise<void> {
    // A permit booking that could not be made is answered in the chat (asked again), not thrown.
    if (permits.handles(completed.form)) await permits.submit({ ...author, completed }, 'chat')
    else await submit({ ...author, completed })
    await deps.submissions?.remove(completed.submissionId)
  }

  /**
   * Submits confirmed forms kept longer than `olderThanMs` (their process died
   * after the commit, before submitting). One that still fails after a day is
   * given up and reported, so it is not tried for ever. Answers how many it submitted.
   */
  async function sweepSubmissions(olderThanMs: number): Promise<number> {
    if (!deps.submissions) return 0
    const now = deps.clock.now()
    let submitted = 0
    for (const pending of await deps.submissions.olderThan(new Date(now.getTime() - olderThanMs), 50)) {
      const author = {
        residentId: pending.residentId,
        identityId: pending.identityId,
        stationId: pending.stationId,
      }
      try {
        await submitCompleted(author, openSubmission(deps.cipher, pending))
        submitted += 1
      } catch (error) {
        deps.onError?.(error, {
          what: 'submitting a kept service-request form',
          residentId: pending.residentId,
        })
        const age = now.getTime() - pending.keptAt.getTime()
        if (error instanceof SealedDataError || age > GIVE_UP_AFTER_MS)
          await deps.submissions.remove(pending.id)
      }
    }
    return submitted
  }

  /** A resident's change to a running request (only home watch has any so far). */
  const change = (residentId: string, requested: RequestChange) =>
    homeWatch.applyChange(residentId, requested)

  return {
    homeWatch,
    mediation,
    rental,
    permits,
    permitOffice,
    kinds,
    conversationDeps,
    submit,
    change,
    sweepSubmissions,

    /** A confirmed form, sealed, for the inbound transaction to keep until it is submitted. */
    keepSubmission(step: ConversationStep, author: StepAuthor, at: Date): PendingSubmission | null {
      return step.completed && deps.submissions
        ? sealSubmission(deps.cipher, step.completed, author, at)
        : null
    },

    /**
     * Reads the form states of a batch's residents together (Redis answers them
     * in one round trip) into the batch, so each message's step finds its
     * resident's state there instead of asking Redis one message at a time.
     */
    async prefetch(residentIds: readonly string[], batch: FormBatch): Promise<void> {
      const ids = [...new Set(residentIds)].filter((id) => !batch.has(id))
      const states = await Promise.all(ids.map((id) => deps.states.get(id)))
      for (const [i, id] of ids.entries()) batch.set(id, states[i] ?? null)
    },

    /** `stepConversation` with this service's stores; see conversation.ts. */
    step(
      input: ConversationInput,
      options: { selfService?: Pick<SelfServiceStore, 'pendingPrompt'>; batch?: FormBatch } = {},
    ): Promise<ConversationStep | null> {
      return stepConversation(conversationDeps(options), input)
    },

    /**
     * Everything a step leaves for after the inbound commit, in order: the form
     * state saved, then the finished form submitted or the change applied.
     * Never throws: the message is stored and answered already; a failure is
     * reported through `onError` (the submission is idempotent, so calling
     * this again for the same step is safe).
     */
    async afterCommit(step: ConversationStep, author: StepAuthor): Promise<void> {
      try {
        await step.save()
      } catch (error) {
        deps.onError?.(error, { what: 'saving form state', residentId: author.residentId })
      }
      try {
        if (step.completed) await submitCompleted(author, step.completed)
        if (step.change) await change(author.residentId, step.change)
        if (step.apply) await step.apply()
      } catch (error) {
        deps.onError?.(error, { what: 'submitting a service request', residentId: author.residentId })
      }
    },

    /** What a form's choice questions offer now, read from the database (the web page's form). */
    async choicesFor(formId: string, stationId: string) {
      return permits.handles(formId) ? { slot: await permits.freshChoices(stationId) } : undefined
    },

    /** What a form may offer the resident to confirm: the compound of their bound address. */
    prefill(dir: DirectorySnapshot, compoundId: string | null): Prefill {
      const name = compoundId ? dir.compounds.get(compoundId)?.name : undefined
      const places = {
        findCompound(stationId: string, text: string) {
          const found = dir.matchAddress(stationId, text)
          return found ? { id: found.id, name: found.name } : null
        },
      }
      return name ? { address: name, places } : { places }
    },
  }
}

export type ServiceRequests = ReturnType<typeof createServiceRequests>
