import type { z } from 'zod'
import type { CaseCategory, CasePriority, Language } from '../types.ts'
import { commonProblem } from './form-texts.ts'
import { bare, isSkip, type Parsed, type Problem } from './parsers.ts'

/**
 * A service request form: the fields a resident fills in one at a time by
 * chat (or all at once on the web chat page), and the zod schema the finished
 * answers must satisfy. Everything here is pure, so the same definition drives
 * the conversation, the web form and the API's validation.
 */

/** A text in each language a resident may use. */
export type Texts = Record<Language, string>

/** One option of a choice field (a free appointment slot): the value kept, and how it reads. */
export interface Choice {
  value: string
  label: Texts
}

/** Answers by field key, as stored while a form is filled in (JSON values only). */
export type Answers = Record<string, unknown>

/** What the service already knows about the resident and offers for confirmation. */
export interface Prefill {
  /** The resident's address on record (their compound's name). */
  address?: string
  /** The gazetteer, for a field that names a compound (looked up within `FormContext.stationId`). */
  places?: PlaceFinder
}

/** Finds the compound named in free text among a station's (the directory snapshot the caller read). */
export interface PlaceFinder {
  findCompound(stationId: string, text: string): { id: string; name: string } | null
}

/** The moment and the resident a form is filled in for. */
export interface FormContext {
  now: Date
  /** The station's time zone: "明天" and "2月20日" are its days. */
  timeZone: string
  language: Language
  prefill: Prefill
  /** The station written to, for answers looked up in its gazetteer. */
  stationId?: string
  /**
   * What each choice field offers now (free appointment slots), by field key,
   * as the service read it; absent when it could not tell.
   */
  choices?: Readonly<Record<string, readonly Choice[]>>
}

/** How the web chat page draws a field. */
export type FieldType = 'text' | 'textarea' | 'date' | 'phone' | 'yes-no' | 'id-number' | 'choice'

export interface FieldDefinition {
  /** Key of the answer; also the web form's input name. */
  key: string
  type: FieldType
  /** Short name, for the summary and the web form's label. */
  label: Texts
  /** The chat question, which may refer to earlier answers. */
  prompt(ctx: FormContext, answers: Answers): string
  /** The web form's placeholder. */
  hint?: Texts
  /** May be left empty (by chat: "无", "跳过", "none"). */
  optional?: boolean
  /** Longest accepted answer, in characters (the web form's maxlength too). */
  maxLength?: number
  /** Reads a free-text answer into the stored value (JSON only). */
  parse(text: string, ctx: FormContext): Parsed<unknown>
  /** Checks a parsed value against the answers given so far; null when it is fine. */
  check?(value: unknown, answers: Answers, ctx: FormContext): Problem | null
  /** This field's wording of a problem; undefined falls back to the common messages. */
  problem?(problem: Problem, ctx: FormContext, answers: Answers): string | undefined
  /** The value as the summary shows it. */
  format(value: unknown, ctx: FormContext): string
  /** A value the service proposes (the address on record); the resident confirms or replaces it. */
  proposed?(ctx: FormContext): string | undefined
  /** Asked only when this holds for the answers so far (a passport's nationality); otherwise left empty. */
  when?(answers: Answers): boolean
  /**
   * Personal data kept sealed (an ID number): `format` masks it, form state
   * stores encrypt it, and the resident's message answering it is kept masked.
   */
  sensitive?: boolean
}

/** Whether the field is asked, given the answers so far. */
export const isAsked = (field: FieldDefinition, answers: Answers): boolean =>
  !field.when || field.when(answers)

export interface FormDefinition<A = unknown> {
  /** Stable id, used in Redis state, URLs and the service_requests rows ("home-watch"; no ':'). */
  id: string
  /** The case the finished request becomes. */
  category: CaseCategory
  priority: CasePriority
  title: Texts
  /** One or two sentences said before the first question. */
  intro: Texts
  fields: readonly FieldDefinition[]
  /** What the finished answers must satisfy; the web submission is held to it too. */
  schema: z.ZodType<A>
  /** Why the form cannot be filled in now (nothing left to book), said instead of starting it. */
  unavailable?(ctx: FormContext): string | null
}

export type ProblemMessage = { key: string; message: string }

/** The message a resident reads for a problem with one field's answer. */
export function problemText(
  field: FieldDefinition,
  problem: Problem,
  ctx: FormContext,
  answers: Answers,
): string {
  return field.problem?.(problem, ctx, answers) ?? commonProblem(problem, ctx.language)
}

/**
 * Reads and checks one answer against the answers so far; the value, or the
 * message to show. An empty or "skip" answer to an optional field is null.
 */
export function readAnswer(
  field: FieldDefinition,
  text: string,
  answers: Answers,
  ctx: FormContext,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (field.optional && (bare(text) === '' || isSkip(text))) return { ok: true, value: null }
  const parsed = field.parse(text, ctx)
  if (!parsed.ok) return { ok: false, message: problemText(field, parsed.problem, ctx, answers) }
  const problem = field.check?.(parsed.value, answers, ctx) ?? null
  if (problem) return { ok: false, message: problemText(field, problem, ctx, answers) }
  return { ok: true, value: parsed.value }
}

/**
 * Checks stored answers again (time has passed, or an earlier answer
 * changed): the first field whose answer no longer holds, with why.
 */
export function firstStaleAnswer(
  form: FormDefinition,
  answers: Answers,
  ctx: FormContext,
  from = 0,
): { index: number; message: string } | null {
  for (let i = from; i < form.fields.length; i++) {
    const field = form.fields[i] as FieldDefinition
    const value = answers[field.key]
    if (value === undefined || value === null || !isAsked(field, answers)) continue
    const problem = field.check?.(value, answers, ctx) ?? null
    if (problem) return { index: i, message: problemText(field, problem, ctx, answers) }
  }
  return null
}

/**
 * A whole submission at once (the web form): every field read from its text,
 * in order, so later checks see earlier answers. Answers either the answers
 * the schema accepted or one message per field that is wrong.
 */
export function readSubmission<A>(
  form: FormDefinition<A>,
  raw: Record<string, unknown>,
  ctx: FormContext,
): { ok: true; answers: A } | { ok: false; problems: ProblemMessage[] } {
  const answers: Answers = {}
  const problems: ProblemMessage[] = []
  for (const field of form.fields) {
    if (!isAsked(field, answers)) {
      answers[field.key] = null
      continue
    }
    const given = raw[field.key]
    const text = typeof given === 'boolean' ? (given ? 'yes' : 'no') : typeof given === 'string' ? given : ''
    if (text.trim() === '' && !field.optional) {
      problems.push({ key: field.key, message: commonProblem({ code: 'required' }, ctx.language) })
      continue
    }
    const read = readAnswer(field, text, answers, ctx)
    if (read.ok) answers[field.key] = read.value
    else problems.push({ key: field.key, message: read.message })
  }
  if (problems.length > 0) return { ok: false, problems }
  const parsed = form.schema.safeParse(answers)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        key: String(issue.path[0] ?? ''),
        message: commonProblem({ code: 'invalid' }, ctx.language),
      })),
    }
  }
  return { ok: true, answers: parsed.data }
}

/** The summary lines: "1 住址：…", one per field, empty answers shown as such. */
export function summaryLines(form: FormDefinition, answers: Answers, ctx: FormContext): string[] {
  const colon = ctx.language === 'en' ? ': ' : '：'
  const none = ctx.language === 'en' ? '(none)' : '无'
  return form.fields.flatMap((field, i) => {
    // Numbered as the fields are, so "修改 8" still names the eighth when the seventh is not asked.
    if (!isAsked(field, answers)) return []
    const value = answers[field.key]
    const shown = value === undefined || value === null ? none : field.format(value, ctx)
    return [`${i + 1} ${field.label[ctx.language]}${colon}${shown}`]
  })
}

/** What the web chat page needs to draw a form. */
export interface FormDescription {
  id: string
  title: Texts
  intro: Texts
  fields: Array<{
    key: string
    type: FieldType
    label: Texts
    hint: Texts | null
    optional: boolean
    maxLength: number | null
    /** Filled in from what the service knows (the address on record). */
    value: string | null
    /** A choice field's options now (a select on the page); null for other fields. */
    options: Choice[] | null
  }>
}

export function describeForm(form: FormDefinition, ctx: FormContext): FormDescription {
  return {
    id: form.id,
    title: form.title,
    intro: form.intro,
    fields: form.fields.map((f) => ({
      key: f.key,
      type: f.type,
      label: f.label,
      hint: f.hint ?? null,
      optional: f.optional ?? false,
      maxLength: f.maxLength ?? null,
      value: f.proposed?.(ctx) ?? null,
      options: f.type === 'choice' ? [...(ctx.choices?.[f.key] ?? [])] : null,
    })),
  }
}
