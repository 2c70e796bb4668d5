import { z } from 'zod'
import type { FieldDefinition, FormContext, FormDefinition } from './form.ts'
import { bare, fail, ok, parsePhone, parseText } from './parsers.ts'

/** What a resident asking for mediation (矛盾纠纷调解) tells us; the mediator arranges the rest. */
export interface MediationAnswers {
  /** Who the dispute is with, as the resident names them ("楼上邻居张先生"). */
  otherParty: string
  /** The other side's phone, when the resident knows it. */
  otherPartyPhone: string | null
  /** What it is about. */
  subject: string
  /** When the resident could come to a meeting, in their words ("工作日晚上"). */
  preferredTimes: string | null
}

export const MEDIATION_LIMITS = { otherParty: 50, subjectMin: 4, subject: 500, preferredTimes: 100 }

const PHONE_PATTERN = /^1[3-9]\d{9}$|^0\d{2,3}-\d{7,8}$/

export const MediationSchema = z.object({
  otherParty: z.string().min(1).max(MEDIATION_LIMITS.otherParty),
  otherPartyPhone: z.string().regex(PHONE_PATTERN).nullable(),
  subject: z.string().min(MEDIATION_LIMITS.subjectMin).max(MEDIATION_LIMITS.subject),
  preferredTimes: z.string().max(MEDIATION_LIMITS.preferredTimes).nullable(),
})

const en = (ctx: FormContext) => ctx.language === 'en'

/** "不知道" is an honest answer to "their phone?": it leaves the field empty rather than failing. */
const UNKNOWN =
  /^(?:不知道|不清楚|不晓得|没有他的电话|没有她的电话|没有对方电话|unknown|not known|don'?t know|i don'?t know|no idea)$/iu

const otherParty: FieldDefinition = {
  key: 'otherParty',
  type: 'text',
  label: { zh: '对方', en: 'Other party' },
  hint: { zh: '姓名或称呼，如“楼上邻居张先生”', en: 'Name, or who they are, e.g. "Mr Zhang upstairs"' },
  maxLength: MEDIATION_LIMITS.otherParty,
  prompt: (ctx) =>
    en(ctx)
      ? 'Who is the dispute with? Please give their name, or who they are (e.g. "Mr Zhang, the neighbour upstairs").'
      : '和您发生矛盾纠纷的是谁？请告诉我们对方的姓名或称呼（如“楼上邻居张先生”）。',
  parse(text) {
    const read = parseText(text, { max: MEDIATION_LIMITS.otherParty })
    // The phone number is the next question; a name is not a number.
    if (read.ok && /^\+?[\d\s-]+$/.test(read.value)) return fail('name-is-number')
    return read
  },
  problem: (problem, ctx) =>
    problem.code === 'name-is-number'
      ? en(ctx)
        ? 'Please give their name or who they are here; their phone number comes next.'
        : '这里请填写对方的姓名或称呼，电话号码下一步再填。'
      : undefined,
  format: (value) => String(value),
}

const otherPartyPhone: FieldDefinition = {
  key: 'otherPartyPhone',
  type: 'phone',
  label: { zh: '对方电话', en: 'Their phone' },
  hint: { zh: '知道的话填写，便于调解员联系', en: 'If you know it, so the mediator can call them' },
  optional: true,
  maxLength: 20,
  prompt: (ctx, answers) => {
    const name = typeof answers.otherParty === 'string' ? answers.otherParty : null
    return en(ctx)
      ? `Do you know ${name ? `${name}’s` : 'their'} phone number? It helps the mediator reach them. (Reply "don't know" if not.)`
      : `您知道${name ?? '对方'}的电话吗？便于调解员联系。（不知道请回复“不知道”）`
  },
  parse(text) {
    if (UNKNOWN.test(bare(text))) return ok(null)
    const read = parsePhone(text)
    return read.ok ? ok(read.value.number) : read
  },
  problem: (problem, ctx) =>
    problem.code === 'not-a-phone'
      ? en(ctx)
        ? 'That does not look like a phone number (a mobile has 11 digits starting with 1). If you do not know it, reply "don\'t know".'
        : '这不像电话号码（手机号是1开头的11位数字）。不知道对方电话请回复“不知道”。'
      : undefined,
  format: (value) => String(value),
}

const subject: FieldDefinition = {
  key: 'subject',
  type: 'textarea',
  label: { zh: '纠纷事由', en: 'What it is about' },
  hint: {
    zh: '如漏水、噪音、宅基地边界、欠款，发生多久了',
    en: 'e.g. a leak, noise, a boundary, money owed; and since when',
  },
  maxLength: MEDIATION_LIMITS.subject,
  prompt: (ctx) =>
    en(ctx)
      ? 'What is the dispute about? A few words are enough (e.g. water leaking from upstairs since October).'
      : '请简单说说是什么纠纷（如“楼上漏水到我家，十月开始的”“宅基地边界”“欠款不还”）。',
  parse: (text) => parseText(text, { min: MEDIATION_LIMITS.subjectMin, max: MEDIATION_LIMITS.subject }),
  problem: (problem, ctx) =>
    problem.code === 'too-short'
      ? en(ctx)
        ? 'Please say a little more about what happened, so the mediator can prepare.'
        : '请再多说几句发生了什么，便于调解员提前了解情况。'
      : undefined,
  format: (value) => String(value),
}

const preferredTimes: FieldDefinition = {
  key: 'preferredTimes',
  type: 'text',
  label: { zh: '方便的时间', en: 'Times that suit you' },
  hint: { zh: '如工作日晚上、周六上午', en: 'e.g. weekday evenings, Saturday morning' },
  optional: true,
  maxLength: MEDIATION_LIMITS.preferredTimes,
  prompt: (ctx) =>
    en(ctx)
      ? 'When could you come to a mediation meeting? (e.g. "weekday evenings", "Saturday morning"; reply "any time" if it does not matter)'
      : '您什么时间方便参加调解？（如“工作日晚上”“周六上午”；都可以请回复“都可以”）',
  parse: (text) => parseText(text, { max: MEDIATION_LIMITS.preferredTimes }),
  format: (value) => String(value),
}

/** Dispute mediation: the resident names the other side and the matter; a mediator brings both together. */
export const mediationForm: FormDefinition<MediationAnswers> = {
  id: 'mediation',
  category: 'mediation',
  priority: 'normal',
  title: { zh: '矛盾纠纷调解', en: 'dispute mediation' },
  intro: {
    zh: '调解员会约您和对方坐下来谈，把矛盾化解在身边。只需回答4个问题。',
    en: 'A mediator will bring you and the other side together to settle it close to home. Just four questions.',
  },
  fields: [otherParty, otherPartyPhone, subject, preferredTimes],
  schema: MediationSchema,
}
