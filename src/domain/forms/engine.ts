import type { Language } from '../types.ts'
import {
  type Answers,
  type FieldDefinition,
  type FormContext,
  type FormDefinition,
  firstStaleAnswer,
  isAsked,
  readAnswer,
  summaryLines,
} from './form.ts'
import { engineTexts } from './form-texts.ts'
import { formIntent } from './intents.ts'
import { bare } from './parsers.ts'

/** After this many unusable answers to one question the resident is offered a person instead. */
export const MAX_FAILURES = 3

/** A resident back after this long, with an answer that does not fit, is reminded what they were doing. */
export const RESUME_NOTE_AFTER_MS = 30 * 60_000

/**
 * Where a resident is in a form: ids and answers only (no message text). Kept
 * between messages by the caller (in Redis, with a time-to-live).
 */
export interface FormState {
  form: string
  /** The language the form was started in: a bare "13800138000" does not switch it. */
  language: Language
  /** The question being asked; `fields.length` means the summary. */
  index: number
  answers: Answers
  /** Unusable answers to the current question (or the summary) in a row. */
  failures: number
  /** Came to this question from the summary, so the summary follows it. */
  editing: boolean
  /** At the summary, "修改" was said without a number: the next number picks the item. */
  choosing: boolean
  /** Fields whose proposed value (the address on record) the resident said is wrong. */
  declined: string[]
  /** Bumped on every step, so a late writer cannot overwrite a newer step. */
  rev: number
  /** ISO time of the last step. */
  updatedAt: string
  /** Fields to answer again before the summary (the ones an officer asked to correct), in order. */
  redo?: number[]
  /** The request this form corrects: finished, it changes that request instead of making a new one. */
  amends?: string
  /** The options each choice question last listed, by field key: a number picks from what the resident saw. */
  shown?: Record<string, string[]>
}

export type StepOutcome =
  | { kind: 'asked'; state: FormState; replies: string[] }
  | { kind: 'completed'; answers: Answers; replies: string[] }
  | { kind: 'cancelled'; replies: string[] }
  /** Too many unusable answers: the message goes to an officer as an ordinary case. */
  | { kind: 'handed-off'; replies: string[] }

/**
 * Starts a form: the introduction and the first question. `preset` holds
 * answers the caller already knows (which appointment a change is for).
 */
export function startForm(
  form: FormDefinition,
  ctx: FormContext,
  rev = 0,
  preset: Answers = {},
): StepOutcome {
  const closed = form.unavailable?.(ctx)
  if (closed) return { kind: 'handed-off', replies: [closed] }
  const state: FormState = {
    form: form.id,
    language: ctx.language,
    index: 0,
    answers: { ...preset },
    failures: 0,
    editing: false,
    choosing: false,
    declined: [],
    rev: rev + 1,
    updatedAt: ctx.now.toISOString(),
  }
  const say = engineTexts(ctx.language)
  const first = `${say.start(form.title[ctx.language], form.intro[ctx.language])}\n\n${question(form, state, ctx)}`
  return { kind: 'asked', state, replies: [first] }
}

/** The current question (or the summary) again, e.g. for a resident who asked to carry on. */
export function currentQuestion(form: FormDefinition, state: FormState, ctx: FormContext): string {
  return state.index >= form.fields.length ? summary(form, state, ctx) : question(form, state, ctx)
}

/**
 * One message of the resident in a form: an answer, or "取消", "上一步",
 * "帮助", and at the summary "确认" or "修改 2". Pure: the caller keeps the state.
 */
export function continueForm(
  form: FormDefinition,
  previous: FormState,
  text: string,
  ctx: FormContext,
): StepOutcome {
  const state: FormState = {
    ...previous,
    answers: { ...previous.answers },
    declined: [...previous.declined],
    ...(previous.redo ? { redo: [...previous.redo] } : {}),
    rev: previous.rev + 1,
    updatedAt: ctx.now.toISOString(),
  }
  const say = engineTexts(ctx.language)
  const title = form.title[ctx.language]
  const atSummary = state.index >= form.fields.length
  const intent = formIntent(text)
  const ask = (lead?: string): StepOutcome => ({
    kind: 'asked',
    state,
    replies: [lead ? `${lead}\n${currentQuestion(form, state, ctx)}` : currentQuestion(form, state, ctx)],
  })
  const moveTo = (index: number, editing = state.editing) => {
    Object.assign(state, { index, editing, failures: 0, choosing: false })
  }

  if (intent?.kind === 'cancel') return { kind: 'cancelled', replies: [say.cancelled(title)] }
  if (intent?.kind === 'help') {
    const step = Math.min(state.index + 1, form.fields.length)
    return ask(say.help(title, step, form.fields.length))
  }
  if (intent?.kind === 'back') {
    const previousField = askedBefore(form, state.answers, atSummary ? form.fields.length : state.index)
    if (atSummary) moveTo(previousField ?? 0, false)
    else if (state.editing) moveTo(form.fields.length, false)
    else if (previousField === null) return ask(say.firstAlready())
    else moveTo(previousField)
    return ask()
  }

  if (atSummary) {
    const item = intent?.kind === 'edit' ? intent.item : intent?.kind === 'number' ? intent.value : undefined
    if (intent?.kind === 'confirm') {
      // Time has passed since the answers were given: "today" may be yesterday now.
      const stale = firstStaleAnswer(form, state.answers, ctx)
      if (stale) {
        moveTo(stale.index, true)
        return ask(`${say.stillValid()}${stale.message}`)
      }
      const missing = firstUnanswered(form, state.answers)
      if (missing !== null) {
        moveTo(missing, true)
        return ask()
      }
      const parsed = form.schema.safeParse(state.answers)
      if (!parsed.success) return { kind: 'handed-off', replies: [say.handOff()] }
      return { kind: 'completed', answers: parsed.data as Answers, replies: [] }
    }
    if (item === null) {
      state.choosing = true
      state.failures = 0
      return { kind: 'asked', state, replies: [say.chooseEdit(form.fields.length)] }
    }
    const chosen = item ? form.fields[item - 1] : undefined
    if (item && chosen && isAsked(chosen, state.answers)) {
      moveTo(item - 1, true)
      return ask()
    }
    return failed(state, say.badSummaryAnswer())
  }

  const field = form.fields[state.index] as FieldDefinition
  const proposed = proposedValue(field, state, ctx)
  if (proposed !== undefined) {
    if (intent?.kind === 'confirm') return answered(form, state, field, proposed, ctx)
    const word = bare(text).toLowerCase()
    if (DECLINE.has(word)) {
      state.declined.push(field.key)
      return ask()
    }
  }
  const picked =
    field.type === 'choice' && intent?.kind === 'number'
      ? state.shown?.[field.key]?.[intent.value - 1]
      : undefined
  const read = readAnswer(field, picked ?? text, state.answers, ctx)
  if (!read.ok) {
    const paused = ctx.now.getTime() - Date.parse(previous.updatedAt) > RESUME_NOTE_AFTER_MS
    return failed(state, paused ? `${say.resumed(title)}${read.message}` : read.message)
  }
  return answered(form, state, field, read.value, ctx)

  function failed(s: FormState, message: string): StepOutcome {
    s.failures += 1
    if (s.failures >= MAX_FAILURES) return { kind: 'handed-off', replies: [say.handOff()] }
    if (s.index >= form.fields.length) return { kind: 'asked', state: s, replies: [message] }
    return ask(message)
  }
}

/** "不是", "不对", "no": the proposed value is wrong, so the question is asked without it. */
const DECLINE = new Set(['不是', '不对', '不', '否', '错了', '不是这个', 'no', 'nope', 'wrong', 'not right'])

function proposedValue(field: FieldDefinition, state: FormState, ctx: FormContext): string | undefined {
  if (!field.proposed || state.declined.includes(field.key)) return undefined
  return field.proposed(ctx)
}

function answered(
  form: FormDefinition,
  state: FormState,
  field: FieldDefinition,
  value: unknown,
  ctx: FormContext,
): StepOutcome {
  state.answers[field.key] = value
  state.failures = 0
  state.choosing = false
  // A field not asked (a passport's nationality for an ID card) is empty, also when it was answered before.
  for (const f of form.fields) if (!isAsked(f, state.answers)) state.answers[f.key] = null
  // A changed answer may spoil a later one (a new departure after the return date).
  const stale = firstStaleAnswer(form, state.answers, ctx, state.index + 1)
  if (stale) {
    // Editing from the summary stays editing: the summary follows the corrected answer.
    state.index = stale.index
    return {
      kind: 'asked',
      state,
      replies: [`${engineTexts(ctx.language).stillValid()}${stale.message}\n${question(form, state, ctx)}`],
    }
  }
  state.index = state.editing ? nextToCorrect(form, state) : nextAsked(form, state.answers, state.index + 1)
  if (state.index >= form.fields.length) state.editing = false
  return { kind: 'asked', state, replies: [currentQuestion(form, state, ctx)] }
}

/** The first field from `from` on that is asked; `fields.length` (the summary) when none is. */
function nextAsked(form: FormDefinition, answers: Answers, from: number): number {
  for (let i = from; i < form.fields.length; i++)
    if (isAsked(form.fields[i] as FieldDefinition, answers)) return i
  return form.fields.length
}

/** The last field before `index` that is asked; null when there is none. */
function askedBefore(form: FormDefinition, answers: Answers, index: number): number | null {
  for (let i = index - 1; i >= 0; i--) if (isAsked(form.fields[i] as FieldDefinition, answers)) return i
  return null
}

/** An asked, required field with no answer yet (a nationality once the document became a passport). */
function firstUnanswered(form: FormDefinition, answers: Answers): number | null {
  const i = form.fields.findIndex((f) => !f.optional && isAsked(f, answers) && answers[f.key] == null)
  return i < 0 ? null : i
}

/** While editing: the next field still to correct, then any that became required, then the summary. */
function nextToCorrect(form: FormDefinition, state: FormState): number {
  while (state.redo && state.redo.length > 0) {
    const next = state.redo.shift() as number
    if (next < form.fields.length && isAsked(form.fields[next] as FieldDefinition, state.answers)) return next
  }
  return firstUnanswered(form, state.answers) ?? form.fields.length
}

function question(form: FormDefinition, state: FormState, ctx: FormContext): string {
  const field = form.fields[state.index] as FieldDefinition
  const progress = engineTexts(ctx.language).progress(state.index + 1, form.fields.length)
  const withoutProposal = state.declined.includes(field.key)
  const fieldCtx = withoutProposal ? { ...ctx, prefill: {} } : ctx
  const prompt = `${progress}${field.prompt(fieldCtx, state.answers)}`
  if (field.type !== 'choice') return prompt
  // The numbered list is remembered, so "3" means the third line the resident read even if the list moved on.
  const options = ctx.choices?.[field.key] ?? []
  state.shown = { ...state.shown, [field.key]: options.map((o) => o.value) }
  if (options.length === 0) return prompt
  return `${prompt}\n${options.map((o, i) => `${i + 1}. ${o.label[ctx.language]}`).join('\n')}`
}

function summary(form: FormDefinition, state: FormState, ctx: FormContext): string {
  return engineTexts(ctx.language).summary(form.title[ctx.language], summaryLines(form, state.answers, ctx))
}
