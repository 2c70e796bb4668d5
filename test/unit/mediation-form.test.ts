import { describe, expect, it } from 'vitest'
import {
  type ConversationDeps,
  type ConversationStep,
  type FormStateStore,
  stepConversation,
} from '../../src/app/forms/conversation.ts'
import type { FormState } from '../../src/domain/forms/engine.ts'
import { type FormContext, readSubmission } from '../../src/domain/forms/form.ts'
import {
  DEFAULT_MEDIATION_SCHEDULE,
  followUpTimerId,
  isMediationTimer,
  planFollowUp,
  planSessionReminders,
  sessionOfTimer,
  sessionTimeProblem,
  sessionTimerId,
  settlementRate,
} from '../../src/domain/forms/mediation.ts'
import { mediationForm } from '../../src/domain/forms/mediation-form.ts'
import {
  mediationOfficerTexts,
  mediationRequestNote,
  mediationResidentTexts,
} from '../../src/domain/forms/mediation-texts.ts'
import { availableServices, serviceForKeyword } from '../../src/domain/forms/registry.ts'
import { mediationCsv } from '../../src/domain/mediation-report.ts'

const TZ = 'Asia/Shanghai'
/** Wednesday 25 November 2026, 10:00 in Hangzhou. */
const NOW = new Date('2026-11-25T02:00:00Z')
const HOUR = 3_600_000

/** A conversation with state kept in memory, as the Redis store keeps it. */
function chat(language: 'zh' | 'en' = 'zh') {
  let saved: FormState | null = null
  const states: FormStateStore = {
    get: async () => saved,
    async put(_id, state) {
      saved = structuredClone(state)
      return true
    },
    async clear() {
      saved = null
      return true
    },
  }
  const deps: ConversationDeps = { states }
  let n = 0
  let last = ''
  return {
    last: () => last,
    async say(text: string): Promise<ConversationStep | null> {
      const step = await stepConversation(deps, {
        residentId: 'r1',
        stationId: 's1',
        timeZone: TZ,
        language,
        text,
        now: NOW,
        messageId: `m${++n}`,
      })
      if (step) {
        await step.save()
        last = step.replies.join('\n')
      }
      return step
    },
  }
}

describe('mediation form by chat', () => {
  it('starts on 调解 and its English words alone, not inside a sentence', () => {
    for (const text of [
      '调解',
      '申请调解',
      '我要调解',
      '矛盾纠纷调解',
      '纠纷调解',
      'mediation',
      'Mediation please',
    ])
      expect(serviceForKeyword(text)?.id, text).toBe('mediation')
    for (const text of ['帮我调解一下邻居的事', '调解什么时候开始', 'mediation meeting tomorrow?'])
      expect(serviceForKeyword(text), text).toBeNull()
    expect(availableServices().map((s) => s.id)).toContain('mediation')
  })

  it('asks four questions, re-asks each bad answer with its reason, and ends with the answers', async () => {
    const c = chat()
    await c.say('调解')
    expect(c.last()).toContain('「矛盾纠纷调解」')
    expect(c.last()).toContain('（1/4）')
    await c.say('13800138000')
    expect(c.last()).toContain('这里请填写对方的姓名或称呼，电话号码下一步再填。')
    expect(c.last()).toContain('（1/4）')
    await c.say('楼上邻居张先生')
    expect(c.last()).toContain('（2/4）您知道楼上邻居张先生的电话吗？')
    await c.say('1380013800')
    expect(c.last()).toContain('手机号应为11位数字，您发的是10位')
    await c.say('他电话我没存')
    expect(c.last()).toContain('不知道对方电话请回复“不知道”')
    await c.say('不知道')
    expect(c.last()).toContain('（3/4）')
    await c.say('漏水')
    expect(c.last()).toContain('请再多说几句发生了什么')
    await c.say('楼上卫生间漏水到我家，十月开始的')
    expect(c.last()).toContain('（4/4）')
    await c.say('周六上午')
    expect(c.last()).toContain('请核对您的「矛盾纠纷调解」')
    expect(c.last()).toContain('1 对方：楼上邻居张先生')
    expect(c.last()).toContain('2 对方电话：无')
    const done = await c.say('确认')
    expect(done?.completed).toEqual({
      form: 'mediation',
      submissionId: 'm10',
      language: 'zh',
      answers: {
        otherParty: '楼上邻居张先生',
        otherPartyPhone: null,
        // Full-width punctuation is folded (NFKC), as in every free-text answer.
        subject: '楼上卫生间漏水到我家,十月开始的',
        preferredTimes: '周六上午',
      },
    })
  })

  it('hands the resident to a person after three unusable answers to one question', async () => {
    const c = chat()
    await c.say('调解')
    await c.say('张先生')
    await c.say('12345')
    await c.say('abc')
    const third = await c.say('not a phone')
    expect(third?.handOff).toBe(true)
    expect(c.last()).toContain('已把您的消息转给社区民警')
  })

  it('works in English, with optional answers left empty', async () => {
    const c = chat('en')
    await c.say('mediation')
    expect(c.last()).toContain('(1/4) Who is the dispute with?')
    await c.say('Mr Zhang upstairs')
    await c.say('139 1234 5678')
    await c.say('Water from his bathroom leaks into our kitchen')
    await c.say('none')
    expect(c.last()).toContain('2 Their phone: 13912345678')
    expect(c.last()).toContain('4 Times that suit you: (none)')
    const done = await c.say('confirm')
    expect(done?.completed?.answers).toMatchObject({ otherPartyPhone: '13912345678', preferredTimes: null })
  })

  it('reads the web form with the same parsers, one message per wrong field', () => {
    const ctx: FormContext = { now: NOW, timeZone: TZ, language: 'zh', prefill: {} }
    const bad = readSubmission(
      mediationForm,
      { otherParty: '12345', otherPartyPhone: '1391234567', subject: '吵', preferredTimes: '' },
      ctx,
    )
    expect(bad.ok).toBe(false)
    if (!bad.ok)
      expect(Object.fromEntries(bad.problems.map((p) => [p.key, p.message]))).toEqual({
        otherParty: '这里请填写对方的姓名或称呼，电话号码下一步再填。',
        otherPartyPhone: '手机号应为11位数字，您发的是10位，请再检查一下。',
        subject: '请再多说几句发生了什么，便于调解员提前了解情况。',
      })
    const good = readSubmission(
      mediationForm,
      { otherParty: '张先生', otherPartyPhone: '', subject: '宅基地边界', preferredTimes: '晚上' },
      ctx,
    )
    expect(good).toEqual({
      ok: true,
      answers: { otherParty: '张先生', otherPartyPhone: null, subject: '宅基地边界', preferredTimes: '晚上' },
    })
  })
})

describe('mediation timers', () => {
  const session = { id: 's1', startsAt: new Date('2026-11-27T06:00:00Z') } // Friday 14:00 in Hangzhou

  it('reminds the day before and the hour before, ids without a colon', () => {
    const planned = planSessionReminders('r1', session, DEFAULT_MEDIATION_SCHEDULE, TZ, NOW)
    expect(planned).toEqual([
      {
        id: 'md-r1-s1-d1',
        kind: 'session-day-before',
        day: '2026-11-27',
        dueAt: new Date('2026-11-26T06:00:00Z'),
      },
      {
        id: 'md-r1-s1-h1',
        kind: 'session-hour-before',
        day: '2026-11-27',
        dueAt: new Date('2026-11-27T05:00:00Z'),
      },
    ])
    for (const p of planned) {
      expect(p.id).not.toContain(':')
      expect(isMediationTimer(p.id)).toBe(true)
      expect(sessionOfTimer('r1', p.id)).toBe('s1')
    }
    expect(sessionTimerId('r1', 's1', 'session-hour-before')).toBe('md-r1-s1-h1')
    expect(sessionOfTimer('r1', followUpTimerId('r1'))).toBeNull()
    expect(isMediationTimer('hw-r1-20261127-remind')).toBe(false)
  })

  it('leaves out a reminder whose time has passed (a session this afternoon gets no day-before)', () => {
    const soon = { id: 's2', startsAt: new Date(NOW.getTime() + 3 * HOUR) }
    const planned = planSessionReminders('r1', soon, DEFAULT_MEDIATION_SCHEDULE, TZ, NOW)
    expect(planned.map((p) => p.kind)).toEqual(['session-hour-before'])
    const sooner = { id: 's3', startsAt: new Date(NOW.getTime() + HOUR / 2) }
    expect(planSessionReminders('r1', sooner, DEFAULT_MEDIATION_SCHEDULE, TZ, NOW)).toEqual([])
  })

  it('plans the follow-up visit thirty days after the agreement, at 09:00 station time', () => {
    // Settled at 23:30 on 30 November in Hangzhou: the local day counts, not the UTC one.
    const settledAt = new Date('2026-11-30T15:30:00Z')
    expect(planFollowUp('r1', settledAt, DEFAULT_MEDIATION_SCHEDULE, TZ)).toEqual({
      id: 'md-r1-followup',
      kind: 'follow-up',
      day: '2026-12-30',
      dueAt: new Date('2026-12-30T01:00:00Z'),
    })
  })

  it('refuses a session in the past, with less than ten minutes’ notice, or half a year away', () => {
    const s = DEFAULT_MEDIATION_SCHEDULE
    expect(sessionTimeProblem(new Date(NOW.getTime() - 1), NOW, s)).toBe('past')
    expect(sessionTimeProblem(new Date(NOW.getTime() + 5 * 60_000), NOW, s)).toBe('too-soon')
    expect(sessionTimeProblem(new Date(NOW.getTime() + 181 * 24 * HOUR), NOW, s)).toBe('too-far')
    expect(sessionTimeProblem(new Date(NOW.getTime() + HOUR), NOW, s)).toBeNull()
  })

  it('counts the settlement rate as settled over concluded, the Fengqiao way', () => {
    expect(settlementRate(49, 50)).toBe(0.98)
    expect(settlementRate(2, 3)).toBe(0.6667)
    expect(settlementRate(0, 0)).toBeNull()
  })
})

describe('mediation texts', () => {
  it('tells parties in their language, officers without names or words', () => {
    const zh = mediationResidentTexts('zh')
    const en = mediationResidentTexts('en')
    expect(
      zh.scheduled({ caseNumber: 'FQ-2026-000001', when: '11月27日（周五） 14:00', place: '调解室' }),
    ).toBe(
      '调解会已安排（案件 FQ-2026-000001）：11月27日（周五） 14:00，地点：调解室。请准时参加；如不能到场，请直接回复本消息。',
    )
    expect(en.reminder({ caseNumber: 'X', when: 'tomorrow 14:00', place: 'the station', soon: 'day' })).toBe(
      'Reminder: the mediation meeting is tomorrow 14:00 at the station (case X). Please be on time.',
    )
    expect(zh.notSettled({ caseNumber: 'X', nextStep: 'committee' })).toContain('人民调解委员会')
    expect(en.notSettled({ caseNumber: 'X', nextStep: 'court' })).toContain('people’s court')
    expect(zh.notSettled({ caseNumber: 'X', nextStep: 'police' })).toContain('依法处理')
    expect(zh.settled({ caseNumber: 'X', terms: '赔偿500元', followUpDays: 30 })).toContain(
      '双方达成的协议：赔偿500元。',
    )
    const officer = mediationOfficerTexts('zh').sessionReminder({
      caseNumber: 'FQ-2026-000001',
      when: '14:00',
      soon: 'hour',
    })
    expect(officer).toBe('调解会提醒 FQ-2026-000001：一小时后（14:00）有调解会，请在收件箱查看当事人和地点。')
    const note = mediationRequestNote(
      { otherParty: '张先生', otherPartyPhone: '13912345678', subject: '漏水', preferredTimes: null },
      'zh',
    )
    expect(note).toBe('矛盾纠纷调解申请：对方：张先生，13912345678；事由：漏水；方便时间：未说明')
  })

  it('writes the CSV section as wide as the main table, with the rate in percent', () => {
    const figures = {
      opened: 3,
      concluded: 3,
      settled: 2,
      notSettled: 1,
      referredCommittee: 1,
      referredCourt: 0,
      referredPolice: 0,
      settlementRate: 0.6667,
      followUps: 1,
    }
    const csv = mediationCsv(
      {
        rows: [
          {
            mediator: { kind: 'officer', id: 'o1', code: '681011', name: '蒋文斌', nameEn: 'Jiang Wenbin' },
            ...figures,
          },
          { mediator: { kind: 'team', id: null, code: null, name: null, nameEn: null }, ...figures },
        ],
        total: figures,
      },
      'zh',
      13,
    )
    const lines = csv.split('\r\n')
    expect(lines.at(-1)).toBe('')
    expect(lines.slice(0, -1).every((l) => l.split(',').length === 13)).toBe(true)
    expect(lines[0]).toBe(',,,,,,,,,,,,')
    expect(lines[3]).toBe('蒋文斌,681011,3,3,2,1,1,0,0,66.7,1,,')
    expect(lines[4]).toBe('调解团队,,3,3,2,1,1,0,0,66.7,1,,')
    expect(lines[5]).toBe('合计,,3,3,2,1,1,0,0,66.7,1,,')
  })
})
