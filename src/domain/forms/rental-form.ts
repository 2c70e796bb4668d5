import { z } from 'zod'
import { type IdDocument, maskIdNumber } from '../personal-data.ts'
import type { Answers, FieldDefinition, FormContext, FormDefinition } from './form.ts'
import { addDays, daysBetween, formatDate, isLocalDate, type LocalDate, localDateOf } from './local-date.ts'
import {
  bare,
  fail,
  idCheckCharacter,
  ok,
  type Parsed,
  type Problem,
  parseDate,
  parseIdNumber,
  parsePhone,
  parseText,
} from './parsers.ts'

/** The answers of a rental registration (出租登记): a landlord registers a new tenant. */
export interface RentalAnswers {
  /** The compound as the station's gazetteer names it (id null when no gazetteer was at hand). */
  compound: { id: string | null; name: string }
  building: string
  unit: string
  tenantName: string
  phone: string
  moveIn: LocalDate
  leaseEnd: LocalDate
  idNumber: IdDocument
  /** For a passport only. */
  nationality: string | null
}

export const RENTAL_LIMITS = {
  /** A tenant who moved in longer ago than this is registered at the station, not by chat. */
  moveInPastDays: 365,
  moveInAheadDays: 90,
  /** The longest lease registered at once (a longer one is registered again before this ends). */
  leaseYears: 5,
}

const PHONE_PATTERN = /^1[3-9]\d{9}$|^0\d{2,3}-\d{7,8}$/
const PASSPORT_PATTERN = /^[A-Z0-9]{5,20}$/

const LocalDateSchema = z.string().refine(isLocalDate, 'a day as YYYY-MM-DD')

export const IdDocumentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mainland'),
    number: z
      .string()
      .regex(/^\d{17}[\dX]$/)
      .refine((n) => idCheckCharacter(n.slice(0, 17)) === n[17], 'check character'),
  }),
  z.object({ kind: z.literal('passport'), number: z.string().regex(PASSPORT_PATTERN) }),
])

const CompoundSchema = z.object({ id: z.string().nullable(), name: z.string().min(2).max(50) })

export const RentalSchema = z
  .object({
    compound: CompoundSchema,
    building: z.string().min(1).max(20),
    unit: z.string().min(1).max(20),
    tenantName: z.string().min(1).max(30),
    phone: z.string().regex(PHONE_PATTERN),
    moveIn: LocalDateSchema,
    leaseEnd: LocalDateSchema,
    idNumber: IdDocumentSchema,
    nationality: z.string().min(2).max(40).nullable(),
  })
  .refine((a) => a.leaseEnd > a.moveIn, { path: ['leaseEnd'], message: 'must be after moveIn' })
  .refine((a) => (a.idNumber.kind === 'passport') === (a.nationality !== null), {
    path: ['nationality'],
    message: 'given for a passport, and only then',
  })

const en = (ctx: FormContext) => ctx.language === 'en'
const today = (ctx: FormContext) => localDateOf(ctx.now, ctx.timeZone)
const asDate = (value: unknown) => (isLocalDate(value) ? value : null)
const isPassport = (answers: Answers) => (answers.idNumber as IdDocument | undefined)?.kind === 'passport'

/** "3幢2单元501" for the summary and the officers' line. */
export function flatLabel(a: Pick<RentalAnswers, 'compound' | 'building' | 'unit'>): string {
  return `${a.compound.name} ${a.building} ${a.unit}`
}

const PASSPORT_WORD = /^(?:护照(?:号码|号)?|passport(?: number| no\.?)?)[\s:：]*/iu
const ID_WORD = /^(?:(?:居民)?身份证(?:号码|号)?|id(?: card)?(?: number| no\.?)?)[\s:：]*/iu

/**
 * A tenant's document number: an 18-character mainland ID (checked with its
 * birth date and check character), or a passport number (letters and digits,
 * or any number written after "护照" / "passport"). A number of digits only is
 * read as a mainland ID, so a mistyped one is re-asked with its problem.
 */
export function parseIdDocument(text: string, now: Date, timeZone: string): Parsed<IdDocument> {
  const t = bare(text)
  const passport = PASSPORT_WORD.exec(t)
  const rest = t.replace(PASSPORT_WORD, '').replace(ID_WORD, '')
  const compact = rest.replace(/[\s-]/g, '').toUpperCase()
  if (passport) {
    return PASSPORT_PATTERN.test(compact)
      ? ok({ kind: 'passport', number: compact })
      : fail('passport-format')
  }
  if (compact === '') return fail('empty')
  if (/^[\dX]+$/.test(compact) && /^\d/.test(compact)) {
    const read = parseIdNumber(compact, now, timeZone)
    return read.ok ? ok({ kind: 'mainland', number: read.value }) : read
  }
  if (/^[A-Z0-9]+$/.test(compact) && /[A-Z]/.test(compact)) {
    return PASSPORT_PATTERN.test(compact)
      ? ok({ kind: 'passport', number: compact })
      : fail('passport-format')
  }
  return fail('id-document-unreadable')
}

function dateProblem(problem: Problem, ctx: FormContext, answers: Answers): string | undefined {
  const moveIn = asDate(answers.moveIn)
  switch (problem.code) {
    case 'move-in-too-old':
      return en(ctx)
        ? `That is more than ${RENTAL_LIMITS.moveInPastDays} days ago; please register this tenant at the community police office.`
        : `入住已超过${RENTAL_LIMITS.moveInPastDays}天，请到社区警务室办理登记。`
    case 'lease-not-after-move-in': {
      const day = moveIn ? formatDate(moveIn, ctx.language, today(ctx)) : ''
      return en(ctx)
        ? `The lease must end after the move-in day (${day}).`
        : `租约到期日要晚于入住日期（${day}）。`
    }
    case 'lease-over':
      return en(ctx)
        ? 'That day has passed: a lease that has already ended needs no registration. Please give the day the lease ends.'
        : '这个日期已经过去了：已经到期的租约不需要登记。请填写租约的到期日。'
    case 'lease-too-long':
      return en(ctx)
        ? `Please register at most ${RENTAL_LIMITS.leaseYears} years at a time; give a day within ${RENTAL_LIMITS.leaseYears} years of moving in.`
        : `一次最多登记${RENTAL_LIMITS.leaseYears}年，请填写入住后${RENTAL_LIMITS.leaseYears}年以内的日期。`
    default:
      return undefined
  }
}

const compound: FieldDefinition = {
  key: 'compound',
  type: 'text',
  label: { zh: '小区', en: 'Compound' },
  hint: { zh: '如 长寿桥小区', en: 'e.g. Changshouqiao' },
  maxLength: 50,
  prompt: (ctx) =>
    en(ctx)
      ? 'Which compound (or village) is the rented flat in?'
      : '出租屋在哪个小区（或村）？请发送小区名称，如“长寿桥小区”。',
  parse(text, ctx) {
    const read = parseText(text, { min: 2, max: 50 })
    if (!read.ok) return read
    const places = ctx.prefill.places
    if (!places || !ctx.stationId) return ok({ id: null, name: read.value })
    const found = places.findCompound(ctx.stationId, read.value)
    return found ? ok({ id: found.id, name: found.name }) : fail('compound-unknown', { given: read.value })
  },
  problem: (problem, ctx) =>
    problem.code === 'compound-unknown'
      ? en(ctx)
        ? `We could not find "${problem.params?.given}" among the compounds of this station. Please write the compound's full name, as on its gate (e.g. "Changshouqiao").`
        : `在本派出所辖区没有找到“${problem.params?.given}”。请写小区的全称（如“长寿桥小区”），或小区门口所写的名称。`
      : undefined,
  format: (value) => (value as RentalAnswers['compound']).name,
}

const building: FieldDefinition = {
  key: 'building',
  type: 'text',
  label: { zh: '楼栋', en: 'Building' },
  hint: { zh: '如 3幢、12号楼', en: 'e.g. Building 3' },
  maxLength: 20,
  prompt: (ctx, answers) => {
    const name = (answers.compound as RentalAnswers['compound'] | undefined)?.name ?? ''
    return en(ctx) ? `Which building of ${name}?` : `${name}的哪一幢（楼栋号）？如“3幢”。`
  },
  parse: (text) => parseText(text, { max: 20 }),
  format: (value) => String(value),
}

const unit: FieldDefinition = {
  key: 'unit',
  type: 'text',
  label: { zh: '单元和门牌号', en: 'Entrance and flat' },
  hint: { zh: '如 2单元501', en: 'e.g. entrance 2, flat 501' },
  maxLength: 20,
  prompt: (ctx) =>
    en(ctx)
      ? 'Which entrance and flat number? (e.g. "entrance 2, 501")'
      : '单元和门牌号是多少？如“2单元501”。',
  parse: (text) => parseText(text, { max: 20 }),
  format: (value) => String(value),
}

const tenantName: FieldDefinition = {
  key: 'tenantName',
  type: 'text',
  label: { zh: '租客姓名', en: 'Tenant’s name' },
  maxLength: 30,
  prompt: (ctx) =>
    en(ctx)
      ? 'What is the tenant’s full name, as on their ID card or passport?'
      : '租客的姓名是什么？（与身份证或护照上一致）',
  parse(text) {
    const read = parseText(text, { max: 30 })
    // The document number comes later; a name has no run of digits.
    if (read.ok && /\d{4,}/.test(read.value)) return fail('name-is-number')
    return read
  },
  problem: (problem, ctx) =>
    problem.code === 'name-is-number'
      ? en(ctx)
        ? 'Please give the tenant’s name here; their phone and ID numbers come later.'
        : '这里请填写租客的姓名，电话和证件号码后面再填。'
      : undefined,
  format: (value) => String(value),
}

const phone: FieldDefinition = {
  key: 'phone',
  type: 'phone',
  label: { zh: '租客电话', en: 'Tenant’s phone' },
  hint: { zh: '手机号，或带区号的座机', en: 'Mobile, or landline with area code' },
  maxLength: 20,
  prompt: (ctx, answers) => {
    const name = typeof answers.tenantName === 'string' ? answers.tenantName : null
    return en(ctx)
      ? `What is ${name ? `${name}’s` : 'the tenant’s'} phone number?`
      : `${name ?? '租客'}的电话号码是多少？`
  },
  parse(text) {
    const read = parsePhone(text)
    return read.ok ? ok(read.value.number) : read
  },
  format: (value) => String(value),
}

const moveIn: FieldDefinition = {
  key: 'moveIn',
  type: 'date',
  label: { zh: '入住日期', en: 'Moved in on' },
  hint: { zh: '如 11月20日、今天', en: 'e.g. 20 Nov, today' },
  prompt: (ctx) =>
    en(ctx)
      ? 'Which day did (or will) the tenant move in? (e.g. "20 Nov", "today", "next Monday")'
      : '租客哪天入住（或将要入住）？如“11月20日”“今天”“下周一”。',
  parse: (text, ctx) => parseDate(text, ctx.now, ctx.timeZone),
  check(value, _answers, ctx) {
    const day = value as LocalDate
    if (daysBetween(day, today(ctx)) > RENTAL_LIMITS.moveInPastDays) return { code: 'move-in-too-old' }
    if (daysBetween(today(ctx), day) > RENTAL_LIMITS.moveInAheadDays)
      return { code: 'too-far', params: { max: RENTAL_LIMITS.moveInAheadDays } }
    return null
  },
  problem: dateProblem,
  format: (value, ctx) => formatDate(value as LocalDate, ctx.language, today(ctx)),
}

const leaseEnd: FieldDefinition = {
  key: 'leaseEnd',
  type: 'date',
  label: { zh: '租约到期日', en: 'Lease ends on' },
  hint: { zh: '如 2027年11月19日', en: 'e.g. 19 Nov 2027' },
  prompt(ctx, answers) {
    const moved = asDate(answers.moveIn)
    const since = moved ? formatDate(moved, ctx.language, today(ctx)) : null
    return en(ctx)
      ? `Which day does the lease end?${since ? ` (Moved in on ${since}.)` : ''} e.g. "19 Nov 2027"`
      : `租约哪天到期？${since ? `（入住日期：${since}）` : ''}如“2027年11月19日”。`
  },
  parse: (text, ctx) => parseDate(text, ctx.now, ctx.timeZone),
  check(value, answers, ctx) {
    const day = value as LocalDate
    const moved = asDate(answers.moveIn)
    if (moved && day <= moved) return { code: 'lease-not-after-move-in' }
    if (day < today(ctx)) return { code: 'lease-over' }
    if (moved && day > addDays(moved, Math.round(RENTAL_LIMITS.leaseYears * 365.25)))
      return { code: 'lease-too-long' }
    return null
  },
  problem: dateProblem,
  format: (value, ctx) => formatDate(value as LocalDate, ctx.language, today(ctx)),
}

const idNumber: FieldDefinition = {
  key: 'idNumber',
  type: 'id-number',
  label: { zh: '证件号码', en: 'ID or passport number' },
  hint: { zh: '18位身份证号；护照请写“护照 E12345678”', en: '18-digit ID number, or "passport E12345678"' },
  maxLength: 40,
  sensitive: true,
  prompt: (ctx) =>
    en(ctx)
      ? 'What is the tenant’s 18-digit ID number? For a passport, write "passport" and its number, e.g. "passport E12345678". (Officers see it masked; it is kept encrypted.)'
      : '租客的18位身份证号码是多少？持护照的请写“护照”加号码，如“护照 E12345678”。（号码加密保存，民警看到的是部分隐藏的号码）',
  parse: (text, ctx) => parseIdDocument(text, ctx.now, ctx.timeZone),
  problem(problem, ctx) {
    if (problem.code === 'id-length') {
      const length = problem.params?.length ?? ''
      return en(ctx)
        ? `An ID number has 18 characters; yours has ${length}. If it is a passport number, write "passport" before it.`
        : `身份证号应为18位，您发的是${length}位。如果是护照号码，请在号码前加“护照”。`
    }
    if (problem.code === 'passport-format')
      return en(ctx)
        ? 'A passport number is 5 to 20 letters and digits, e.g. "passport E12345678".'
        : '护照号码由5到20位字母和数字组成，如“护照 E12345678”。'
    if (problem.code === 'id-document-unreadable')
      return en(ctx)
        ? 'Please send the 18-digit ID number, or "passport" and the passport number.'
        : '请发送18位身份证号码，或“护照”加护照号码。'
    return undefined
  },
  format: (value) => maskIdNumber((value as IdDocument).number),
}

const nationality: FieldDefinition = {
  key: 'nationality',
  type: 'text',
  label: { zh: '国籍（持护照时）', en: 'Nationality (passport only)' },
  hint: { zh: '如 美国', en: 'e.g. United States' },
  maxLength: 40,
  when: isPassport,
  prompt: (ctx) =>
    en(ctx)
      ? 'What is the tenant’s nationality (the country of the passport)?'
      : '租客的国籍是？（护照签发国）',
  parse(text) {
    const read = parseText(text, { min: 2, max: 40 })
    if (read.ok && /\d/.test(read.value)) return fail('nationality-format')
    return read
  },
  problem: (problem, ctx) =>
    problem.code === 'nationality-format'
      ? en(ctx)
        ? 'Please write the country, e.g. "United States".'
        : '请写国家名称，如“美国”。'
      : undefined,
  format: (value) => String(value),
}

/** The rental registration form: where the flat is, who the tenant is, how long they stay. */
export const rentalForm: FormDefinition<RentalAnswers> = {
  id: 'rental-registration',
  category: 'rental_registration',
  priority: 'low',
  title: { zh: '出租登记', en: 'rental registration' },
  intro: {
    zh: '请登记新租客的信息，社区民警核验后会告诉您结果。证件号码加密保存。',
    en: 'Register your new tenant; your community officer checks it and tells you. ID numbers are kept encrypted.',
  },
  fields: [compound, building, unit, tenantName, phone, moveIn, leaseEnd, idNumber, nationality],
  schema: RentalSchema,
}

/** The keys an officer may ask a landlord to correct. */
export const RENTAL_FIELD_KEYS = rentalForm.fields.map((f) => f.key)
