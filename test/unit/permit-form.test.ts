import { describe, expect, it } from 'vitest'
import { NO_CONTEXT, parseCommand } from '../../src/domain/commands.ts'
import { continueForm, type FormState, MAX_FAILURES, startForm } from '../../src/domain/forms/engine.ts'
import { type Choice, describeForm, type FormContext, readSubmission } from '../../src/domain/forms/form.ts'
import { permitForm, permitMoveForm } from '../../src/domain/forms/permit-form.ts'
import {
  parsePermitCommand,
  permitReminderId,
  permitSlotId,
  planPermitReminder,
  planSlotTimes,
  slotLabel,
} from '../../src/domain/forms/permit-slots.ts'
import { permitRequestNote, permitResidentTexts } from '../../src/domain/forms/permit-texts.ts'
import { serviceForKeyword } from '../../src/domain/forms/registry.ts'

const TZ = 'Asia/Shanghai'
/** Wednesday 25 November 2026, 10:00 in Hangzhou. */
const NOW = new Date('2026-11-25T02:00:00Z')
const hz = (day: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 10, day, hh - 8, mm))

const choice = (id: string, day: number, hh: number, mm = 0): Choice => ({
  value: id,
  label: slotLabel({ startsAt: hz(day, hh, mm), endsAt: hz(day, hh, mm + 30) }, TZ, NOW),
})
const OFFERED = [choice('ps-a', 25, 11), choice('ps-b', 25, 14), choice('ps-c', 25, 14, 30)]

const ctx = (choices?: readonly Choice[], language: 'zh' | 'en' = 'zh'): FormContext => ({
  now: NOW,
  timeZone: TZ,
  language,
  prefill: {},
  ...(choices ? { choices: { slot: choices } } : {}),
})

/** Runs answers through the engine from the start, the offers fixed per answer. */
function answerAll(answers: Array<[string, readonly Choice[] | undefined]>, language: 'zh' | 'en' = 'zh') {
  const started = startForm(permitForm, ctx(OFFERED, language))
  if (started.kind !== 'asked') throw new Error(started.kind)
  let state: FormState = started.state
  let replies = started.replies
  for (const [text, offered] of answers) {
    const outcome = continueForm(permitForm, state, text, ctx(offered, language))
    replies = outcome.replies
    if (outcome.kind !== 'asked') return { outcome, state, replies }
    state = outcome.state
  }
  return { outcome: null, state, replies }
}

describe('permit slots from opening hours', () => {
  const plan = { hours: ['mon-fri 09:00-11:30', 'mon-fri 14:00-15:15'], minutes: 30 }

  it('cuts each range into slots, leaving out a remainder too short and the weekend', () => {
    // Friday 27 to Monday 30 November.
    const slots = planSlotTimes(plan, '2026-11-27', '2026-11-30', TZ)
    const friday = slots.filter((s) => s.startsAt < hz(28, 0))
    expect(friday.map((s) => s.startsAt.toISOString())).toEqual(
      [hz(27, 9), hz(27, 9, 30), hz(27, 10), hz(27, 10, 30), hz(27, 11), hz(27, 14), hz(27, 14, 30)].map(
        (d) => d.toISOString(),
      ),
    )
    expect(friday[0]?.endsAt.toISOString()).toBe(hz(27, 9, 30).toISOString())
    expect(slots).toHaveLength(14)
    expect(slots.some((s) => s.startsAt >= hz(28, 0) && s.startsAt < hz(30, 0))).toBe(false)
  })

  it('names a slot by its station and start, with no ":" (it is part of job ids)', () => {
    expect(permitSlotId('st-cq', hz(27, 9))).toBe('ps-st-cq-202611270100')
    expect(permitReminderId('req-1', 2)).toBe('pa-req-1-m2-remind')
    expect(permitReminderId('req-1', 2)).not.toContain(':')
  })

  it('reads a slot with its weekday, in both languages, the year only when it is not this one', () => {
    expect(slotLabel({ startsAt: hz(27, 9), endsAt: hz(27, 9, 30) }, TZ, NOW)).toEqual({
      zh: '11月27日（周五）09:00–09:30',
      en: 'Fri 27 Nov 09:00–09:30',
    })
    const nextYear = new Date('2027-01-04T01:00:00Z')
    expect(
      slotLabel({ startsAt: nextYear, endsAt: new Date(nextYear.getTime() + 1_800_000) }, TZ, NOW).zh,
    ).toBe('2027年1月4日（周一）09:00–09:30')
  })

  it('reminds at 10:00 the day before, unless that has passed', () => {
    expect(planPermitReminder('r1', 0, hz(27, 9), TZ, NOW)).toEqual({
      id: 'pa-r1-m0-remind',
      kind: 'permit-reminder',
      day: '2026-11-27',
      dueAt: hz(26, 10),
    })
    expect(planPermitReminder('r1', 0, hz(26, 9), TZ, NOW)).toBeNull()
    expect(planPermitReminder('r1', 0, hz(25, 15), TZ, NOW)).toBeNull()
  })
})

describe('what a booked resident may say', () => {
  it('reads cancelling and moving, with courtesies, in both languages', () => {
    for (const text of [
      '取消预约',
      '请帮我取消预约，谢谢',
      '取消居住证预约',
      'cancel my appointment',
      'Cancel appointment.',
    ])
      expect(parsePermitCommand(text)).toEqual({ kind: 'cancel' })
    for (const text of [
      '改约',
      '我想改约',
      '更改预约',
      'move appointment',
      'reschedule',
      'Please move my appointment',
    ])
      expect(parsePermitCommand(text)).toEqual({ kind: 'move' })
  })

  it('leaves alone what is not only the command, and the bare withdrawal word', () => {
    for (const text of ['取消', 'cancel', '我的预约取消了吗？想问一下什么时候能办好', '改天再说', '预约'])
      expect(parsePermitCommand(text)).toBeNull()
  })

  it('does not clash with the withdrawal command: 取消预约 is no withdrawal, 取消 no appointment change', () => {
    expect(parseCommand('取消预约', NO_CONTEXT)).toBeNull()
    expect(parseCommand('cancel appointment', NO_CONTEXT)).toBeNull()
    expect(parseCommand('改约', NO_CONTEXT)).toBeNull()
    expect(parseCommand('取消', NO_CONTEXT)).toEqual({ kind: 'withdraw', reason: null })
  })

  it('starts the form with 居住证 and its English words', () => {
    for (const text of [
      '居住证',
      '我要办居住证',
      '预约居住证',
      'residence permit',
      'book residence permit appointment',
    ])
      expect(serviceForKeyword(text)?.id).toBe('residence-permit')
  })
})

describe('the appointment form', () => {
  it('asks name, phone, then the time as a numbered list', () => {
    const { replies, state } = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
    ])
    const question = replies.join('\n')
    expect(question).toContain('（3/3）您想哪个时间到社区警务室办理？请回复时段前的编号：')
    expect(question).toContain(
      '1. 11月25日（周三）11:00–11:30\n2. 11月25日（周三）14:00–14:30\n3. 11月25日（周三）14:30–15:00',
    )
    expect(state.shown).toEqual({ slot: ['ps-a', 'ps-b', 'ps-c'] })
  })

  it('takes a number as the line the resident read, even when the list has moved on since', () => {
    const moved = [choice('ps-b', 25, 14), choice('ps-c', 25, 14, 30)]
    const { replies, state } = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
      ['2', moved],
    ])
    expect(state.answers.slot).toEqual({ id: 'ps-b', label: OFFERED[1]?.label })
    expect(replies.join('\n')).toContain('3 预约时段：11月25日（周三）14:00–14:30')
  })

  it('says a picked time filled up and lists the free ones again', () => {
    const { replies, state } = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
      ['1', [choice('ps-b', 25, 14)]],
    ])
    const text = replies.join('\n')
    expect(text).toContain('这个时段刚刚约满了（或已经开始），请另选一个。')
    expect(text).toContain('1. 11月25日（周三）14:00–14:30')
    expect(text).not.toContain('11:00')
    expect(state.shown).toEqual({ slot: ['ps-b'] })
  })

  it('re-asks a number outside the list or words, and offers a person after three tries', () => {
    const { replies } = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
      ['12', OFFERED],
    ])
    expect(replies.join('\n')).toContain('请回复列表中时段前的编号（1到3）。')
    const english = answerAll(
      [
        ['Zhao Min', OFFERED],
        ['13812345678', OFFERED],
        ['the morning one', OFFERED],
      ],
      'en',
    )
    expect(english.replies.join('\n')).toContain(
      'Please reply with the number of a time in the list, from 1 to 3.',
    )
    const gaveUp = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
      ...Array.from({ length: MAX_FAILURES }, (): [string, readonly Choice[]] => ['随便', OFFERED]),
    ])
    expect(gaveUp.outcome?.kind).toBe('handed-off')
  })

  it('checks the time again at the summary: one filled up meanwhile is asked for again', () => {
    const { state } = answerAll([
      ['赵敏', OFFERED],
      ['13812345678', OFFERED],
      ['1', OFFERED],
    ])
    const confirm = continueForm(permitForm, state, '确认', ctx([choice('ps-c', 25, 14, 30)]))
    expect(confirm.kind).toBe('asked')
    expect(confirm.replies.join('\n')).toContain('这个时段刚刚约满了')
    const completed = continueForm(permitForm, state, '确认', ctx(OFFERED))
    expect(completed).toMatchObject({
      kind: 'completed',
      answers: { name: '赵敏', phone: '13812345678', slot: { id: 'ps-a' } },
    })
  })

  it('does not start when nothing is free, and says so; says when the times cannot be looked up', () => {
    const none = startForm(permitForm, ctx([]))
    expect(none.kind).toBe('handed-off')
    expect(none.replies[0]).toContain('没有可预约的空余时段')
    const unknown = answerAll([
      ['赵敏', undefined],
      ['13812345678', undefined],
    ])
    expect(unknown.replies.join('\n')).toContain('暂时查不到可预约的时段')
    const move = startForm(permitMoveForm, ctx([], 'en'), 0, { appointment: 'r1', current: null })
    expect(move.replies[0]).toContain('your appointment stays as it is')
  })

  it('starts a move with the current time named and the appointment kept in the answers', () => {
    const current = OFFERED[0]!.label
    const started = startForm(permitMoveForm, ctx(OFFERED.slice(1)), 0, { appointment: 'r1', current })
    expect(started.kind).toBe('asked')
    expect(started.replies[0]).toContain('（1/1）您现在的预约是11月25日（周三）11:00–11:30。想改到哪个时段？')
    if (started.kind !== 'asked') return
    const summary = continueForm(permitMoveForm, started.state, '1', ctx(OFFERED.slice(1)))
    if (summary.kind !== 'asked') throw new Error(summary.kind)
    expect(continueForm(permitMoveForm, summary.state, '确认', ctx(OFFERED.slice(1)))).toMatchObject({
      kind: 'completed',
      answers: { appointment: 'r1', current, slot: { id: 'ps-b' } },
    })
  })

  it('draws the time as a select on the web page and reads its value as the chat does', () => {
    const described = describeForm(permitForm, ctx(OFFERED))
    expect(described.fields.map((f) => [f.key, f.type])).toEqual([
      ['name', 'text'],
      ['phone', 'phone'],
      ['slot', 'choice'],
    ])
    expect(described.fields[2]?.options).toEqual(OFFERED)
    expect(described.fields[0]?.options).toBeNull()
    const read = readSubmission(
      permitForm,
      { name: '赵敏', phone: '13812345678', slot: 'ps-c' },
      ctx(OFFERED),
    )
    expect(read).toEqual({
      ok: true,
      answers: { name: '赵敏', phone: '13812345678', slot: { id: 'ps-c', label: OFFERED[2]?.label } },
    })
    const gone = readSubmission(permitForm, { name: '赵敏', phone: '138', slot: 'ps-z' }, ctx(OFFERED))
    expect(gone.ok).toBe(false)
    if (!gone.ok)
      expect(Object.fromEntries(gone.problems.map((p) => [p.key, p.message]))).toEqual({
        phone: '手机号应为11位数字，您发的是3位，请再检查一下。',
        slot: '这个时段刚刚约满了（或已经开始），请另选一个。',
      })
  })
})

describe('what the resident and the office read', () => {
  const handler = { name: '李明警官', beatName: '长寿桥社区' }

  it('confirms with what to bring, in both languages', () => {
    const zh = permitResidentTexts('zh').booked({
      caseNumber: 'CQ-2026-000001',
      when: '11月27日（周五）09:00–09:30',
      handler,
    })
    expect(zh).toContain('编号 CQ-2026-000001')
    expect(zh).toContain('接待民警：李明警官（长寿桥社区）')
    for (const thing of ['居民身份证原件', '房屋租赁合同', '证件照', '回复“改约”', '回复“取消预约”'])
      expect(zh).toContain(thing)
    const en = permitResidentTexts('en').booked({
      caseNumber: 'CQ-2026-000001',
      when: 'Fri 27 Nov 09:00–09:30',
      handler: { name: 'Officer Li Ming' },
    })
    for (const thing of [
      'ID card',
      'lease',
      'passport-size photos',
      '"move appointment"',
      '"cancel appointment"',
    ])
      expect(en).toContain(thing)
  })

  it('reminds, cancels and marks in the resident’s language', () => {
    expect(permitResidentTexts('en').reminder('Fri 27 Nov 09:00–09:30')).toContain(
      'Reminder: tomorrow, Fri 27 Nov 09:00–09:30, you have an appointment',
    )
    expect(permitResidentTexts('zh').cancelled('11月27日（周五）09:00–09:30')).toBe(
      '已取消您 11月27日（周五）09:00–09:30 的居住证预约。需要时再发“居住证”重新预约。',
    )
    expect(permitResidentTexts('en').noShow('Fri 27 Nov 09:00–09:30')).toContain('it has lapsed')
  })

  it('gives officers the applicant, the phone and the time on one line', () => {
    const answers = { name: '赵敏', phone: '13812345678', slot: { id: 'ps-a', label: OFFERED[0]!.label } }
    expect(permitRequestNote(answers, 'zh')).toBe(
      '居住证预约：申请人 赵敏，电话 13812345678，时段 11月25日（周三）11:00–11:30。',
    )
    expect(permitRequestNote(answers, 'en')).toBe(
      'Residence permit appointment: applicant 赵敏, phone 13812345678, Wed 25 Nov 11:00–11:30.',
    )
  })
})
