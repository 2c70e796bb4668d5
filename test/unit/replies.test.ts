import { describe, expect, it } from 'vitest'
import { type Handler, replies, statusUpdates } from '../../src/domain/replies.ts'
import type { Language } from '../../src/domain/types.ts'

const CASE = 'CQ-2026-000123'

const names = {
  zh: {
    officer: '李明',
    beat: '长寿桥社区',
    desk: '长庆派出所值班室',
    expectBy: '今天 14:30',
    backAt: '明天 08:30',
  },
  en: {
    officer: 'Li Ming',
    beat: 'Changshouqiao community',
    desk: 'Changqing duty desk',
    expectBy: 'today 14:30',
    backAt: 'tomorrow 08:30',
  },
} as const

const LANGUAGES: Language[] = ['zh', 'en']

describe.each(LANGUAGES)('replies (%s)', (language) => {
  const say = replies(language)
  const n = names[language]

  it('acknowledges with the case number, the officer, the beat and when to expect an answer', () => {
    const handler: Handler = { kind: 'officer', name: n.officer, beatName: n.beat }
    const text = say.ack({ caseNumber: CASE, handler, expectBy: n.expectBy })
    expect(text).toContain(CASE)
    expect(text).toContain(n.officer)
    expect(text).toContain(n.beat)
    expect(text).toContain(n.expectBy)
    expect(text).toContain('110')
    expect(text).not.toContain(n.backAt)
  })

  it('says when an off-duty officer is back instead of an expected time', () => {
    const handler: Handler = { kind: 'officer', name: n.officer, backAt: n.backAt }
    const text = say.ack({ caseNumber: CASE, handler, expectBy: n.expectBy })
    expect(text).toContain(CASE)
    expect(text).toContain(n.officer)
    expect(text).toContain(n.backAt)
    expect(text).toMatch(language === 'zh' ? /不在岗/ : /off duty/)
    expect(text).not.toContain(n.expectBy)
    expect(text).toContain('110')
  })

  it('acknowledges a case taken by the duty desk with the desk name', () => {
    const text = say.ack({ caseNumber: CASE, handler: { kind: 'desk', name: n.desk }, expectBy: n.expectBy })
    expect(text).toContain(CASE)
    expect(text).toContain(n.desk)
    expect(text).toContain(n.expectBy)
    expect(text).toContain('110')
    expect(text).not.toContain(n.officer)
  })

  it('names the community officer and when they are back when the desk stands in', () => {
    const handler: Handler = { kind: 'desk', name: n.desk, officerBack: { name: n.officer, at: n.backAt } }
    const text = say.ack({ caseNumber: CASE, handler, expectBy: n.expectBy })
    expect(text).toContain(n.desk)
    expect(text).toContain(n.officer)
    expect(text).toContain(n.backAt)
    expect(text).toContain(n.expectBy)
  })

  it('tells an emergency to call 110, with the case number and the duty desk', () => {
    const text = say.emergency(CASE)
    expect(text).toContain('110')
    expect(text).toContain(CASE)
    expect(text).toMatch(language === 'zh' ? /值班室/ : /duty desk/)
    // The call to 110 comes before anything else the resident has to read.
    expect(text.indexOf('110')).toBeLessThan(text.indexOf(CASE))
  })

  it('asks for the address with the case number, and again more specifically', () => {
    const first = say.askAddress(CASE, false)
    const retry = say.askAddress(CASE, true)
    expect(first).toContain(CASE)
    expect(first).toContain('110')
    expect(retry).toContain(CASE)
    expect(retry).not.toBe(first)
  })

  it('points to 110 when the message cannot be read or is empty', () => {
    expect(say.unreadable()).toContain('110')
    expect(say.empty()).toContain('110')
    expect(say.unreadable()).not.toBe(say.empty())
  })

  it('states the length limit for a long message', () => {
    expect(say.tooLong(4000)).toContain('4000')
  })
})

describe('replies language', () => {
  it('writes Chinese for zh and English for en', () => {
    const ack = (language: Language) =>
      replies(language).ack({ caseNumber: CASE, handler: { kind: 'desk', name: 'x' }, expectBy: 'y' })
    expect(ack('zh')).toMatch(/[\u4e00-\u9fff]/)
    expect(ack('en')).not.toMatch(/[\u4e00-\u9fff]/)
  })
})

describe.each(LANGUAGES)('statusUpdates (%s)', (language) => {
  const say = statusUpdates(language)
  const n = names[language]

  it('names the case and whoever now handles it', () => {
    for (const text of [
      say.assigned(CASE, n.officer),
      say.inProgress(CASE, n.officer),
      say.awaitingResident(CASE, n.officer),
      say.reopened(CASE, n.officer),
    ]) {
      expect(text).toContain(CASE)
      expect(text).toContain(n.officer)
    }
    expect(say.toDesk(CASE, n.desk)).toContain(n.desk)
    expect(say.toDesk(CASE, n.desk)).toContain(CASE)
    expect(say.resolved(CASE)).toContain(CASE)
  })
})
