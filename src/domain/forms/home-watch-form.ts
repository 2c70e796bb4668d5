import { z } from 'zod'
import type { Answers, FieldDefinition, FormContext, FormDefinition } from './form.ts'
import { daysBetween, formatDate, isLocalDate, type LocalDate, localDateOf } from './local-date.ts'
import { fail, ok, type Problem, parseDate, parsePhone, parseText, parseYesNo } from './parsers.ts'

/** The answers of a holiday home watch (长假照看) request. */
export interface HomeWatchAnswers {
  address: string
  /** The day the resident leaves: the first day the home is checked. */
  awayFrom: LocalDate
  /** The day they are back: checks end the day before, the summary comes that day. */
  backOn: LocalDate
  contactName: string
  contactPhone: string
  /** Someone holds a key, or a camera can be looked at remotely. */
  keyHolderOrCamera: boolean
  notes: string | null
}

/** How far ahead a home watch may be asked for, and how long it may last. */
export const HOME_WATCH_LIMITS = { leadDays: 180, maxDays: 60 }

const PHONE_PATTERN = /^1[3-9]\d{9}$|^0\d{2,3}-\d{7,8}$/

const LocalDateSchema = z.string().refine(isLocalDate, 'a day as YYYY-MM-DD')

export const HomeWatchSchema = z
  .object({
    address: z.string().min(2).max(100),
    awayFrom: LocalDateSchema,
    backOn: LocalDateSchema,
    contactName: z.string().min(1).max(30),
    contactPhone: z.string().regex(PHONE_PATTERN),
    keyHolderOrCamera: z.boolean(),
    notes: z.string().max(300).nullable(),
  })
  .refine((a) => a.backOn > a.awayFrom, { path: ['backOn'], message: 'must be after awayFrom' })

const en = (ctx: FormContext) => ctx.language === 'en'
const today = (ctx: FormContext) => localDateOf(ctx.now, ctx.timeZone)
const asDate = (value: unknown) => (isLocalDate(value) ? value : null)

/** A date field's own problems: "in the past", "too far ahead", "not after the day you leave". */
function dateProblem(problem: Problem, ctx: FormContext, answers: Answers): string | undefined {
  const away = asDate(answers.awayFrom)
  if (problem.code === 'not-after-away' && away) {
    const day = formatDate(away, ctx.language, today(ctx))
    return en(ctx)
      ? `The day you are back must be after the day you leave (${day}).`
      : `回来的日期要晚于出发日期（${day}）。`
  }
  if (problem.code === 'period-too-long') {
    return en(ctx)
      ? `A home watch lasts at most ${HOME_WATCH_LIMITS.maxDays} days; for longer, please talk to your community officer.`
      : `长假照看最长${HOME_WATCH_LIMITS.maxDays}天；时间更长请直接联系社区民警。`
  }
  return undefined
}

const address: FieldDefinition = {
  key: 'address',
  type: 'text',
  label: { zh: '住址', en: 'Address' },
  hint: { zh: '小区、楼栋、门牌号', en: 'Compound, building, flat number' },
  maxLength: 100,
  prompt(ctx) {
    const known = ctx.prefill.address
    if (known) {
      return en(ctx)
        ? `Is the home to watch at ${known}? Reply "yes" to confirm, or send the full address (compound, building and flat number).`
        : `需要照看的住址是「${known}」吗？回复“是”确认，或直接发送完整地址（小区、楼栋、门牌号）。`
    }
    return en(ctx)
      ? 'Which home should we watch? Please send the address (compound, building and flat number).'
      : '请告诉我们需要照看的住址（小区、楼栋、门牌号，如“XX小区3幢501”）。'
  },
  parse: (text) => parseText(text, { min: 2, max: 100 }),
  format: (value) => String(value),
  proposed: (ctx) => ctx.prefill.address,
}

const awayFrom: FieldDefinition = {
  key: 'awayFrom',
  type: 'date',
  label: { zh: '出发日期', en: 'Leaving on' },
  hint: { zh: '如 2月10日、下周五、明天', en: 'e.g. 10 Feb, next Friday, tomorrow' },
  prompt: (ctx) =>
    en(ctx)
      ? 'Which day do you leave? (e.g. "10 Feb", "next Friday", "tomorrow")'
      : '您哪天出发？（如“2月10日”“下周五”“明天”）',
  parse: (text, ctx) => parseDate(text, ctx.now, ctx.timeZone),
  check(value, _answers, ctx) {
    const day = value as LocalDate
    if (day < today(ctx)) return { code: 'past' }
    if (daysBetween(today(ctx), day) > HOME_WATCH_LIMITS.leadDays)
      return { code: 'too-far', params: { max: HOME_WATCH_LIMITS.leadDays } }
    return null
  },
  problem: dateProblem,
  format: (value, ctx) => formatDate(value as LocalDate, ctx.language, today(ctx)),
}

const backOn: FieldDefinition = {
  key: 'backOn',
  type: 'date',
  label: { zh: '回来日期', en: 'Back on' },
  hint: { zh: '如 2月20日', en: 'e.g. 20 Feb' },
  prompt(ctx, answers) {
    const away = asDate(answers.awayFrom)
    const leaving = away ? formatDate(away, ctx.language, today(ctx)) : null
    return en(ctx)
      ? `Which day are you back?${leaving ? ` (You leave on ${leaving}.)` : ''}`
      : `您哪天回来？${leaving ? `（出发日期：${leaving}）` : ''}`
  },
  parse: (text, ctx) => parseDate(text, ctx.now, ctx.timeZone),
  check(value, answers, ctx) {
    const day = value as LocalDate
    const away = asDate(answers.awayFrom)
    if (away && day <= away) return { code: 'not-after-away' }
    if (day < today(ctx)) return { code: 'past' }
    if (away && daysBetween(away, day) > HOME_WATCH_LIMITS.maxDays) return { code: 'period-too-long' }
    return null
  },
  problem: dateProblem,
  format: (value, ctx) => formatDate(value as LocalDate, ctx.language, today(ctx)),
}

const contactName: FieldDefinition = {
  key: 'contactName',
  type: 'text',
  label: { zh: '紧急联系人', en: 'Emergency contact' },
  hint: { zh: '姓名', en: 'Name' },
  maxLength: 30,
  prompt: (ctx) =>
    en(ctx)
      ? 'Whom may the officer call while you are away, if something is wrong? Please give their name.'
      : '您不在家期间，如有情况民警可以联系谁？请告诉我们紧急联系人的姓名。',
  parse(text) {
    const read = parseText(text, { max: 30 })
    // A phone number is the next question; a name is not a number.
    if (read.ok && /^\+?[\d\s-]+$/.test(read.value)) return fail('name-is-number')
    return read
  },
  problem: (problem, ctx) =>
    problem.code === 'name-is-number'
      ? en(ctx)
        ? 'Please give the contact’s name here; the phone number comes next.'
        : '这里请填写联系人的姓名，电话号码下一步再填。'
      : undefined,
  format: (value) => String(value),
}

const contactPhone: FieldDefinition = {
  key: 'contactPhone',
  type: 'phone',
  label: { zh: '联系人电话', en: 'Contact’s phone' },
  hint: { zh: '手机号，或带区号的座机', en: 'Mobile, or landline with area code' },
  maxLength: 20,
  prompt(ctx, answers) {
    const name = typeof answers.contactName === 'string' ? answers.contactName : null
    return en(ctx)
      ? `What is ${name ? `${name}’s` : 'their'} phone number? (a mobile, or a landline with its area code)`
      : `${name ?? '联系人'}的电话号码是多少？（手机号，或带区号的座机）`
  },
  parse(text) {
    const read = parsePhone(text)
    return read.ok ? ok(read.value.number) : read
  },
  format: (value) => String(value),
}

const keyHolderOrCamera: FieldDefinition = {
  key: 'keyHolderOrCamera',
  type: 'yes-no',
  label: { zh: '钥匙托管人或摄像头', en: 'Key holder or camera' },
  prompt: (ctx) =>
    en(ctx)
      ? 'Does someone hold a key (family, friends, property management), or is there a camera the officer can look at remotely? Reply "yes" or "no".'
      : '家里有没有能帮忙开门的钥匙托管人（亲友、物业等），或可以远程查看的摄像头？请回复“有”或“没有”。',
  parse: (text) => parseYesNo(text),
  format: (value, ctx) => (value ? (en(ctx) ? 'yes' : '有') : en(ctx) ? 'no' : '没有'),
}

const notes: FieldDefinition = {
  key: 'notes',
  type: 'textarea',
  label: { zh: '备注', en: 'Notes' },
  hint: {
    zh: '如阳台门没锁、会有快递、家中有宠物',
    en: 'e.g. a balcony door that does not lock, parcels, pets',
  },
  optional: true,
  maxLength: 300,
  prompt: (ctx) =>
    en(ctx)
      ? 'Anything else the officer should know? (e.g. a balcony door that does not lock, parcels arriving, pets; reply "none" if not)'
      : '还有什么需要民警注意的吗？（如阳台门没锁、会有快递、家中有宠物；没有请回复“无”）',
  parse: (text) => parseText(text, { max: 300 }),
  format: (value) => String(value),
}

/** The holiday home watch form: the station looks after a home while its family is away. */
export const homeWatchForm: FormDefinition<HomeWatchAnswers> = {
  id: 'home-watch',
  category: 'home_watch',
  priority: 'low',
  title: { zh: '长假照看', en: 'holiday home watch' },
  intro: {
    zh: '出远门期间，社区民警每天上门查看您的住所，并把结果发给您。',
    en: 'While you are away, your community officer checks your home every day and tells you how it is.',
  },
  fields: [address, awayFrom, backOn, contactName, contactPhone, keyHolderOrCamera, notes],
  schema: HomeWatchSchema,
}
