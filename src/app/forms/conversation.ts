import { classify } from '../../domain/classify.ts'
import {
  continueForm,
  currentQuestion,
  type FormState,
  type StepOutcome,
  startForm,
} from '../../domain/forms/engine.ts'
import type { FormContext, FormDefinition, Prefill } from '../../domain/forms/form.ts'
import { commonProblem, engineTexts } from '../../domain/forms/form-texts.ts'
import { parseHomeWatchCommand } from '../../domain/forms/home-watch.ts'
import { HOME_WATCH_LIMITS } from '../../domain/forms/home-watch-form.ts'
import { homeWatchResidentTexts } from '../../domain/forms/home-watch-texts.ts'
import { daysBetween, formatDate, type LocalDate, localDateOf } from '../../domain/forms/local-date.ts'
import { parseDate } from '../../domain/forms/parsers.ts'
import {
  formById,
  mayPickService,
  type ServiceEntry,
  serviceForKeyword,
  serviceForMenuChoice,
} from '../../domain/forms/registry.ts'
import { maskNumbersIn } from '../../domain/personal-data.ts'
import type { Language } from '../../domain/types.ts'
import { PROMPT_TTL_MS, type SelfServiceStore } from '../self-service.ts'
import type { FormOffers, PermitAnswer } from './permits.ts'

/** A resident who stops halfway can pick up where they left within this long. */
export const FORM_STATE_TTL_MS = 24 * 3_600_000

/**
 * Forms in progress, one per resident, kept with a time-to-live (Redis).
 * Writes are conditional on the step they follow (`expectedRev`, null for
 * "there was none"), so a slow writer never overwrites a newer step.
 */
export interface FormStateStore {
  get(residentId: string): Promise<FormState | null>
  put(residentId: string, state: FormState, expectedRev: number | null, ttlMs: number): Promise<boolean>
  /** Removes the state; with `expectedRev`, only if it is still that step's. */
  clear(residentId: string, expectedRev?: number | null): Promise<boolean>
}

/** A running home watch, for the resident's "延长到3月1日" or "提前结束". */
export interface ActiveHomeWatch {
  requestId: string
  caseId: string
  awayFrom: LocalDate
  backOn: LocalDate
}

/**
 * Which residents have a home watch running, kept beside the form states
 * (Redis) so the conversation hook never reads the database: it runs inside
 * the inbound transaction, and on PGlite that holds the only connection. The
 * database stays the authority: a change applied after the commit re-reads it.
 */
export interface ActiveRequestIndex {
  /** Keeps the entry at least `ttlMs` (the service's clock decides how long that is). */
  put(residentId: string, entry: ActiveHomeWatch, ttlMs: number): Promise<void>
  remove(residentId: string, requestId: string): Promise<void>
  list(residentId: string): Promise<ActiveHomeWatch[]>
}

/**
 * Steps taken in one inbound batch but not saved yet, by resident: the second
 * message of a resident in a batch must see the state the first one left.
 * Make one per batch with `newFormBatch()`.
 */
export type FormBatch = Map<string, FormState | null>

export const newFormBatch = (): FormBatch => new Map()

export interface ConversationDeps {
  states: FormStateStore
  /** Whether the help menu is the last thing the resident was sent (a number then picks a service). */
  menu?: { shown(residentId: string, messageId: string, now: Date): Promise<boolean> }
  /** Running requests, for chat commands that change them. */
  requests?: { activeHomeWatch(residentId: string): Promise<ActiveHomeWatch | null> }
  batch?: FormBatch
  ttlMs?: number
  /**
   * Chat answers to running requests beyond home watch (a landlord's "已搬走"
   * to the lease-end question), asked in turn when no form is being filled
   * in; each answers null for a message that is not for it. Like the rest of
   * the hook they read Redis, never the database.
   */
  commands?: ReadonlyArray<(input: ConversationInput) => Promise<ConversationStep | null>>
  /** What a form's choice questions offer now (free appointment slots), read from Redis. */
  offers?(formId: string, input: ConversationInput): Promise<FormOffers | null>
  /**
   * Residence-permit appointments, asked before a form starts: a booked
   * resident's "居住证", "取消预约" or "改约" (which starts a follow-up form).
   */
  permits?(input: ConversationInput): Promise<PermitAnswer | null>
}

export interface ConversationInput {
  residentId: string
  /** The station written to: its time zone reads "明天". */
  stationId: string
  timeZone: string
  /** The resident's language for a new form (a form keeps the one it started in). */
  language: Language
  text: string
  now: Date
  /** The stored inbound message: a finished form's submission id, so a retried submission is one request. */
  messageId: string
  /** What the service knows and offers to confirm: the compound name of the resident's bound address. */
  prefill?: Prefill
}

/** A finished form, for `submitRequest` after the inbound commit. */
export interface CompletedForm {
  form: string
  answers: unknown
  submissionId: string
  language: Language
  /** The request this form corrected (an officer asked for it): that request changes, no new one is made. */
  amends?: string
}

/** A chat command to a running request, for `changeRequest` after the inbound commit. */
export type RequestChange =
  | { requestId: string; kind: 'extend'; backOn: LocalDate; language: Language }
  | { requestId: string; kind: 'end'; language: Language }

export interface ConversationStep {
  /** Texts for the resident, in order (none when a submission or change will answer for itself). */
  replies: string[]
  /** The case the exchange belongs to, when it is about a running request; null otherwise. */
  caseId: string | null
  /** Applies the step to the stored form state: call after the inbound transaction commits. */
  save(): Promise<void>
  completed?: CompletedForm
  change?: RequestChange
  /** The form gave up on this message: route it to an officer as an ordinary message (replies first). */
  handOff?: boolean
  /**
   * The resident's message as it may be kept, when it answered a sensitive
   * question (an ID number, masked): the inbound path stores this instead of the text.
   */
  storedText?: string
  /** Work for after the commit, after `save` (a running request's answer recorded). */
  apply?(): Promise<void>
}

/**
 * The form engine's hook for the inbound path. Answers null when the message
 * is not for a form (nothing to do, carry on), else what to reply and what to
 * do after the commit. An emergency is never taken by a form: the form is
 * dropped and null answered, so the emergency handling sees the message.
 */
export async function stepConversation(
  deps: ConversationDeps,
  input: ConversationInput,
): Promise<ConversationStep | null> {
  const ttl = deps.ttlMs ?? FORM_STATE_TTL_MS
  const { residentId } = input
  const inBatch = deps.batch?.has(residentId) ?? false
  const current = inBatch ? (deps.batch?.get(residentId) ?? null) : await deps.states.get(residentId)
  const expectedRev = current?.rev ?? null

  if (classify(input.text).emergency) {
    if (current) {
      // Dropped at once: a retried batch meets the same emergency and answers the same.
      await deps.states.clear(residentId)
      deps.batch?.set(residentId, null)
    }
    return null
  }

  // Work the offers leave for after the commit (stale free slots read again).
  const later: Array<() => Promise<void>> = []
  const keep = (state: FormState | null, replies: string[], extra: Partial<ConversationStep> = {}) => {
    deps.batch?.set(residentId, state)
    const step: ConversationStep = {
      replies,
      caseId: null,
      async save() {
        if (state) await deps.states.put(residentId, state, expectedRev, ttl)
        else if (expectedRev !== null) await deps.states.clear(residentId, expectedRev)
        for (const task of later) await task()
      },
      ...extra,
    }
    return step
  }

  if (current) {
    const form = formById(current.form)
    if (!form) {
      // A form no longer offered: forget it, the message is an ordinary one.
      await deps.states.clear(residentId, expectedRev)
      deps.batch?.set(residentId, null)
      return null
    }
    const ctx = await contextFor(form, current.language)
    const asked = serviceForKeyword(input.text)
    if (asked) {
      const say = engineTexts(ctx.language)
      const title = form.title[ctx.language]
      const lead = asked.id === form.id ? say.alreadyFilling(title) : say.otherFormActive(title)
      const touched = { ...current, rev: current.rev + 1, updatedAt: input.now.toISOString() }
      return keep(touched, [`${lead}\n${currentQuestion(form, touched, ctx)}`])
    }
    const step = fromOutcome(continueForm(form, current, input.text, ctx), ctx.language)
    if (form.fields[current.index]?.sensitive) step.storedText = maskNumbersIn(input.text)
    return step
  }

  const permit = await deps.permits?.(input)
  if (permit) {
    if ('step' in permit) return permit.step
    const form = formById(permit.start.form)
    if (form) {
      const ctx = await contextFor(form, permit.language)
      const step = fromOutcome(startForm(form, ctx, 0, permit.start.preset), permit.language)
      return { ...step, caseId: permit.caseId }
    }
  }

  const service = serviceForKeyword(input.text) ?? (await menuChoice(deps, input))
  if (service) return startService(service)

  const command = parseHomeWatchCommand(input.text)
  if (command && deps.requests) {
    const running = await deps.requests.activeHomeWatch(residentId)
    if (running) return homeWatchCommand(running, command)
  }
  for (const handle of deps.commands ?? []) {
    const step = await handle(input)
    if (step) return step
  }
  return null

  function fromOutcome(outcome: StepOutcome, language: Language): ConversationStep {
    switch (outcome.kind) {
      case 'asked':
        return keep(outcome.state, outcome.replies)
      case 'cancelled':
        return keep(null, outcome.replies)
      case 'handed-off':
        return keep(null, outcome.replies, { handOff: true })
      case 'completed':
        return keep(null, outcome.replies, {
          completed: {
            form: current?.form ?? '',
            answers: outcome.answers,
            submissionId: input.messageId,
            language,
            ...(current?.amends ? { amends: current.amends } : {}),
          },
        })
    }
  }

  /** The form's context, with what its choice questions offer now. */
  async function contextFor(form: FormDefinition, language: Language): Promise<FormContext> {
    const ctx = formContext(input, language)
    if (!deps.offers || !form.fields.some((f) => f.type === 'choice')) return ctx
    const offers = await deps.offers(form.id, input)
    if (offers?.afterCommit) later.push(offers.afterCommit)
    return offers?.choices ? { ...ctx, choices: offers.choices } : ctx
  }

  async function startService(service: ServiceEntry): Promise<ConversationStep> {
    const language = input.language
    if (!service.form) {
      return {
        replies: [engineTexts(language).comingSoon(service.title[language])],
        caseId: null,
        handOff: true,
        save: async () => {},
      }
    }
    const outcome = startForm(service.form, await contextFor(service.form, language))
    return fromOutcome(outcome, language)
  }

  function homeWatchCommand(
    running: ActiveHomeWatch,
    command: NonNullable<ReturnType<typeof parseHomeWatchCommand>>,
  ): ConversationStep {
    const language = input.language
    const step = (replies: string[], change?: RequestChange): ConversationStep => ({
      replies,
      caseId: running.caseId,
      save: async () => {},
      ...(change ? { change } : {}),
    })
    if (command.kind === 'end') return step([], { requestId: running.requestId, kind: 'end', language })
    const say = homeWatchResidentTexts(language)
    const read = parseDate(command.until, input.now, input.timeZone)
    if (!read.ok) return step([commonProblem(read.problem, language)])
    const today = localDateOf(input.now, input.timeZone)
    if (read.value <= running.backOn)
      return step([say.notAfterCurrentEnd(formatDate(running.backOn, language, today))])
    if (daysBetween(running.awayFrom, read.value) > HOME_WATCH_LIMITS.maxDays) {
      return step([say.tooLong(HOME_WATCH_LIMITS.maxDays)])
    }
    return step([], { requestId: running.requestId, kind: 'extend', backOn: read.value, language })
  }
}

function formContext(input: ConversationInput, language: Language): FormContext {
  return {
    now: input.now,
    timeZone: input.timeZone,
    language,
    prefill: input.prefill ?? {},
    stationId: input.stationId,
  }
}

/** A bare number right after the help menu picks a service listed after the commands. */
async function menuChoice(deps: ConversationDeps, input: ConversationInput): Promise<ServiceEntry | null> {
  if (!deps.menu || !mayPickService(input.text)) return null
  if (!(await deps.menu.shown(input.residentId, input.messageId, input.now))) return null
  return serviceForMenuChoice(input.text)
}

/** Reads "was the menu the last thing said" from the self-service prompts (inside the inbound transaction). */
export function menuShownVia(
  store: Pick<SelfServiceStore, 'pendingPrompt'>,
): NonNullable<ConversationDeps['menu']> {
  return {
    async shown(residentId, messageId, now) {
      const prompt = await store.pendingPrompt(residentId, {
        currentMessageId: messageId,
        since: new Date(now.getTime() - PROMPT_TTL_MS),
      })
      return prompt?.kind === 'menu'
    },
  }
}
