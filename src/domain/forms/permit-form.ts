import { z } from 'zod'
import type { Answers, Choice, FieldDefinition, FormContext, FormDefinition, Texts } from './form.ts'
import { bare, fail, ok, parsePhone, parseText } from './parsers.ts'

/** The slot a resident picked: its id, and how it read when picked (for the summary). */
export interface PermitSlotAnswer {
  id: string
  label: Texts
}

/** The answers of a residence-permit (居住证) appointment. */
export interface PermitAnswers {
  /** Whom the permit is for: the office looks for this name on the day. */
  name: string
  phone: string
  slot: PermitSlotAnswer
}

/** Moving an appointment: which one (set when the change starts), and to when. */
export interface PermitMoveAnswers {
  appointment: string
  /** The current slot as it reads, for the question. */
  current: Texts | null
  slot: PermitSlotAnswer
}

export const PERMIT_FORM_ID = 'residence-permit'
export const PERMIT_MOVE_FORM_ID = 'permit-move'

const TextsSchema = z.object({ zh: z.string(), en: z.string() })
const SlotAnswerSchema = z.object({ id: z.string().min(1).max(100), label: TextsSchema })

export const PermitSchema = z.object({
  name: z.string().min(1).max(30),
  phone: z.string().regex(/^1[3-9]\d{9}$|^0\d{2,3}-\d{7,8}$/),
  slot: SlotAnswerSchema,
})

export const PermitMoveSchema = z.object({
  appointment: z.string().min(1),
  current: TextsSchema.nullable(),
  slot: SlotAnswerSchema,
})

const en = (ctx: FormContext) => ctx.language === 'en'
const slots = (ctx: FormContext): readonly Choice[] | undefined => ctx.choices?.slot
const isSlot = (value: unknown): value is PermitSlotAnswer =>
  typeof value === 'object' && value !== null && typeof (value as PermitSlotAnswer).id === 'string'

/** The slot question; `lead` says what it is for (a new appointment, or a move from the current one). */
function slotField(lead: (ctx: FormContext, answers: Answers) => string): FieldDefinition {
  return {
    key: 'slot',
    type: 'choice',
    label: { zh: '预约时段', en: 'Appointment' },
    prompt(ctx, answers) {
      const offered = slots(ctx)
      if (offered === undefined) {
        return en(ctx)
          ? 'The free times could not be looked up just now; reply anything in a minute to see them.'
          : '暂时查不到可预约的时段，请过一分钟回复任意内容再查看。'
      }
      if (offered.length === 0) {
        return en(ctx)
          ? 'There are no free times left. Reply "cancel" to stop; your community officer can help you directly.'
          : '目前没有空余的时段了。回复“取消”退出，也可以直接联系社区民警。'
      }
      return lead(ctx, answers)
    },
    parse(text, ctx) {
      const offered = slots(ctx)
      if (offered === undefined) return fail('slots-unknown')
      const t = bare(text)
      const found = offered.find((o) => o.value === t)
      if (found) return ok({ id: found.value, label: found.label } satisfies PermitSlotAnswer)
      // A slot id that is no longer offered: it filled up (or began) since it was listed.
      if (t.startsWith('ps-')) return fail('slot-taken')
      if (offered.length === 0) return fail('no-slots')
      return fail('not-a-choice', { max: offered.length })
    },
    check(value, _answers, ctx) {
      const offered = slots(ctx)
      if (!offered || !isSlot(value)) return null
      return offered.some((o) => o.value === value.id) ? null : { code: 'slot-taken' }
    },
    problem(problem, ctx) {
      const max = problem.params?.max ?? 1
      switch (problem.code) {
        case 'slot-taken':
          return en(ctx)
            ? 'That time has just been fully booked (or has begun); please pick another.'
            : '这个时段刚刚约满了（或已经开始），请另选一个。'
        case 'no-slots':
          return en(ctx) ? 'There are no free times left.' : '目前没有空余的时段了。'
        case 'slots-unknown':
          return en(ctx) ? 'The free times could not be looked up just now.' : '暂时查不到可预约的时段。'
        case 'not-a-choice':
          return en(ctx)
            ? `Please reply with the number of a time in the list, from 1 to ${max}.`
            : `请回复列表中时段前的编号（1到${max}）。`
        default:
          return undefined
      }
    },
    format: (value, ctx) => (isSlot(value) ? value.label[ctx.language] : ''),
  }
}

const name: FieldDefinition = {
  key: 'name',
  type: 'text',
  label: { zh: '申请人姓名', en: 'Applicant' },
  hint: { zh: '办居住证的人的姓名', en: 'The name of the person the permit is for' },
  maxLength: 30,
  prompt: (ctx) =>
    en(ctx)
      ? 'Whose residence permit is it? Please give their full name as on their ID card.'
      : '请问办理居住证的申请人叫什么名字？（与身份证上一致）',
  parse(text) {
    const read = parseText(text, { max: 30 })
    // The phone number is the next question; a name is not a number.
    if (read.ok && /^\+?[\d\s-]+$/.test(read.value)) return fail('name-is-number')
    return read
  },
  problem: (problem, ctx) =>
    problem.code === 'name-is-number'
      ? en(ctx)
        ? 'Please give the applicant’s name here; the phone number comes next.'
        : '这里请填写申请人的姓名，电话号码下一步再填。'
      : undefined,
  format: (value) => String(value),
}

const phone: FieldDefinition = {
  key: 'phone',
  type: 'phone',
  label: { zh: '联系电话', en: 'Phone' },
  hint: { zh: '手机号，或带区号的座机', en: 'Mobile, or landline with area code' },
  maxLength: 20,
  prompt: (ctx) =>
    en(ctx)
      ? 'What phone number can the office reach you on? (a mobile, or a landline with its area code)'
      : '您的联系电话是多少？（手机号，或带区号的座机）',
  parse(text) {
    const read = parsePhone(text)
    return read.ok ? ok(read.value.number) : read
  },
  format: (value) => String(value),
}

const newSlot = slotField((ctx) =>
  en(ctx)
    ? 'When would you like to come to the community police office? Reply with the number of a time:'
    : '您想哪个时间到社区警务室办理？请回复时段前的编号：',
)

const noneLeft = (ctx: FormContext): string | null =>
  slots(ctx)?.length === 0
    ? en(ctx)
      ? 'There are no free appointment times at the community police office just now. We have passed your message to your community officer, who will contact you.'
      : '社区警务室目前没有可预约的空余时段。我们已把您的消息转给社区民警，民警会与您联系。'
    : null

/** A residence-permit appointment at the community police office. */
export const permitForm: FormDefinition<PermitAnswers> = {
  id: PERMIT_FORM_ID,
  category: 'residence_permit',
  priority: 'low',
  title: { zh: '居住证预约', en: 'residence permit appointment' },
  intro: {
    zh: '预约一个时间到社区警务室办理居住证，预约成功后告诉您要带的材料，前一天再提醒您。',
    en: 'Book a time to apply for your residence permit at the community police office; you will be told what to bring and reminded the day before.',
  },
  // The time comes last: the free times are looked up meanwhile, and are freshest when asked for.
  fields: [name, phone, newSlot],
  schema: PermitSchema,
  unavailable: noneLeft,
}

/** Moving a booked appointment to another free time; the old one is kept until the new one is booked. */
export const permitMoveForm: FormDefinition<PermitMoveAnswers> = {
  id: PERMIT_MOVE_FORM_ID,
  category: 'residence_permit',
  priority: 'low',
  title: { zh: '改约', en: 'appointment change' },
  intro: {
    zh: '改到另一个时段；改约成功前，原来的预约保留不变。',
    en: 'Pick another time; your current appointment stays until the new one is booked.',
  },
  fields: [
    slotField((ctx, answers) => {
      const current = (answers.current as Texts | null | undefined)?.[ctx.language]
      if (en(ctx)) {
        return `${current ? `Your appointment is on ${current}. ` : ''}Which time would you like instead? Reply with its number:`
      }
      return `${current ? `您现在的预约是${current}。` : ''}想改到哪个时段？请回复编号：`
    }),
  ],
  schema: PermitMoveSchema,
  unavailable: (ctx) =>
    slots(ctx)?.length === 0
      ? en(ctx)
        ? 'There are no other free times just now, so your appointment stays as it is. We have passed your message to your community officer.'
        : '目前没有其他空余时段，您的预约保持不变。我们已把您的消息转给社区民警。'
      : null,
}
