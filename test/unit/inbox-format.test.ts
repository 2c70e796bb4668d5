import { describe, expect, it } from 'vitest'
import {
  applyCanned,
  compareCases,
  fillCanned,
  filterCanned,
  findCannedTrigger,
  formatClock,
  formatDue,
  formatSpan,
  mergeById,
  neighbourId,
  nextDeliveryState,
  retryAfterMinutes,
  sortCases,
} from '../../src/web/inbox/src/format.ts'
import { initialLang, MESSAGE_KEYS, t, tKey } from '../../src/web/inbox/src/i18n.ts'
import { parseLiveEvent } from '../../src/web/inbox/src/live.ts'
import { caseIdFromPath, casePath } from '../../src/web/inbox/src/paths.ts'
import type { CannedReply, CaseSummary } from '../../src/web/inbox/src/types.ts'

const MIN = 60_000
const NOW = Date.parse('2026-03-12T06:00:00Z')
const at = (minutesFromNow: number): string => new Date(NOW + minutesFromNow * MIN).toISOString()

function summary(id: string, fields: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id,
    number: `CQ-2026-${id}`,
    status: 'assigned',
    category: 'consultation',
    priority: 'normal',
    queue: 'officer',
    escalated: false,
    assignee: null,
    beat: null,
    compound: null,
    residentName: null,
    preview: '',
    lastMessageAt: at(-60),
    firstResponseDueAt: null,
    overdue: false,
    version: 1,
    ...fields,
  }
}

describe('time until due', () => {
  it('says how late an overdue case is, in Chinese and English', () => {
    expect(formatDue(at(-12), NOW, 'zh')).toEqual({ text: '逾期 12 分钟', overdue: true, soon: false })
    expect(formatDue(at(-12), NOW, 'en')?.text).toBe('overdue 12 min')
  })

  it('says how long is left before the deadline and flags the last 15 minutes', () => {
    expect(formatDue(at(8), NOW, 'zh')).toEqual({ text: '8 分钟后到期', overdue: false, soon: true })
    expect(formatDue(at(8), NOW, 'en')?.text).toBe('due in 8 min')
    expect(formatDue(at(40), NOW, 'en')).toEqual({ text: 'due in 40 min', overdue: false, soon: false })
  })

  it('rounds time left up and lateness down', () => {
    expect(formatDue(new Date(NOW + 30_000).toISOString(), NOW, 'en')?.text).toBe('due in 1 min')
    expect(formatDue(new Date(NOW - 59_000).toISOString(), NOW, 'zh')?.text).toBe('刚刚逾期')
    expect(formatDue(new Date(NOW - 59_000).toISOString(), NOW, 'en')?.text).toBe('just overdue')
  })

  it('uses hours and days for longer spans', () => {
    expect(formatDue(at(-125), NOW, 'zh')?.text).toBe('逾期 2 小时 5 分')
    expect(formatDue(at(-120), NOW, 'en')?.text).toBe('overdue 2 h')
    expect(formatDue(at(3 * 24 * 60 + 5), NOW, 'zh')?.text).toBe('3 天后到期')
    expect(formatSpan(59, 'en')).toBe('59 min')
    expect(formatSpan(61, 'en')).toBe('1 h 1 min')
  })

  it('trusts the server when it already calls a case overdue', () => {
    expect(formatDue(at(2), NOW, 'zh', true)?.overdue).toBe(true)
  })

  it('has nothing to say without a valid deadline', () => {
    expect(formatDue(null, NOW, 'zh')).toBeNull()
    expect(formatDue('not a date', NOW, 'zh')).toBeNull()
  })
})

describe('message times', () => {
  const now = new Date(2026, 2, 12, 15, 30).getTime()

  it('shows the clock today, "yesterday" the day before, then the date', () => {
    expect(formatClock(new Date(2026, 2, 12, 9, 5).toISOString(), now, 'zh')).toBe('09:05')
    expect(formatClock(new Date(2026, 2, 11, 23, 59).toISOString(), now, 'zh')).toBe('昨天 23:59')
    expect(formatClock(new Date(2026, 2, 11, 23, 59).toISOString(), now, 'en')).toBe('Yesterday 23:59')
    expect(formatClock(new Date(2026, 0, 3, 8, 0).toISOString(), now, 'zh')).toBe('1月3日 08:00')
    expect(formatClock(new Date(2026, 0, 3, 8, 0).toISOString(), now, 'en')).toBe('3 Jan 08:00')
    expect(formatClock(new Date(2025, 11, 31, 8, 0).toISOString(), now, 'zh')).toBe('2025年12月31日 08:00')
  })
})

describe('case order', () => {
  it('puts overdue cases first, then the nearest deadline, then cases without one by latest message', () => {
    const cases = [
      summary('quiet-old', { lastMessageAt: at(-300) }),
      summary('due-later', { firstResponseDueAt: at(30) }),
      summary('overdue', { firstResponseDueAt: at(-5), overdue: true }),
      summary('quiet-new', { lastMessageAt: at(-1) }),
      summary('very-overdue', { firstResponseDueAt: at(-50), overdue: true }),
      summary('due-soon', { firstResponseDueAt: at(5) }),
    ]
    expect(sortCases(cases).map((c) => c.id)).toEqual([
      'very-overdue',
      'overdue',
      'due-soon',
      'due-later',
      'quiet-new',
      'quiet-old',
    ])
  })

  it('breaks full ties by id so the order is stable', () => {
    expect(compareCases(summary('a'), summary('b'))).toBeLessThan(0)
    expect(compareCases(summary('b'), summary('a'))).toBeGreaterThan(0)
    expect(compareCases(summary('a'), summary('a'))).toBe(0)
  })

  it('merges a reload into the list by id: newer copies win, nothing appears twice', () => {
    const current = [summary('a', { preview: 'old' }), summary('b')]
    const incoming = [
      summary('a', { preview: 'new', firstResponseDueAt: at(1) }),
      summary('c', { lastMessageAt: at(0) }),
    ]
    const merged = mergeById(current, incoming, compareCases)
    expect(merged.map((c) => c.id)).toEqual(['a', 'c', 'b'])
    expect(merged[0]?.preview).toBe('new')
  })

  it('moves to the next and previous case and stops at the ends', () => {
    const list = [{ id: 'a' }, { id: 'b' }, { id: 'c' }]
    expect(neighbourId(list, 'a', 1)).toBe('b')
    expect(neighbourId(list, 'b', -1)).toBe('a')
    expect(neighbourId(list, 'c', 1)).toBe('c')
    expect(neighbourId(list, 'a', -1)).toBe('a')
    expect(neighbourId(list, null, 1)).toBe('a')
    expect(neighbourId(list, 'gone', -1)).toBe('c')
    expect(neighbourId([], 'a', 1)).toBeNull()
  })
})

describe('canned replies', () => {
  const replies: CannedReply[] = [
    { id: '1', shortcut: '/hello', title: '问候', body: '{resident}您好，我是{officer}。' },
    { id: '2', shortcut: '/help', title: '求助', body: 'x' },
    { id: '3', shortcut: '/wait', title: 'Please hold', body: 'y' },
    { id: '4', shortcut: 'thanks', title: '感谢 hello', body: 'z' },
  ]

  it('fills resident, case and officer, every time they appear, and leaves other braces alone', () => {
    const vars = { resident: '王阿姨', case: 'CQ-2026-000123', officer: '李明' }
    expect(fillCanned('{resident}您好，案件 {case} 由{officer}负责。{resident}请放心。{unknown}', vars)).toBe(
      '王阿姨您好，案件 CQ-2026-000123 由李明负责。王阿姨请放心。{unknown}',
    )
  })

  it('notices a shortcut typed with / or # at the start or after a space, up to the caret', () => {
    expect(findCannedTrigger('/he', 3)).toEqual({ start: 0, query: 'he' })
    expect(findCannedTrigger('您好 #Wa', 6)).toEqual({ start: 3, query: 'wa' })
    expect(findCannedTrigger('/', 1)).toEqual({ start: 0, query: '' })
    expect(findCannedTrigger('/hello world', 12)).toBeNull()
    expect(findCannedTrigger('and/or', 6)).toBeNull()
    expect(findCannedTrigger('/he and more', 3)).toEqual({ start: 0, query: 'he' })
  })

  it('ranks exact and prefix shortcut matches before partial and title matches', () => {
    expect(filterCanned(replies, 'hel').map((r) => r.id)).toEqual(['1', '2', '4'])
    expect(filterCanned(replies, 'hello').map((r) => r.id)).toEqual(['1', '4'])
    expect(filterCanned(replies, 'HOLD').map((r) => r.id)).toEqual(['3'])
    expect(filterCanned(replies, '').map((r) => r.id)).toEqual(['1', '2', '4', '3'])
    expect(filterCanned(replies, 'nothing')).toEqual([])
  })

  it('replaces the typed shortcut with the filled reply and puts the caret after it', () => {
    const text = '先说一句 /hel 然后'
    const caret = 9
    const trigger = findCannedTrigger(text, caret)
    expect(trigger).toEqual({ start: 5, query: 'hel' })
    if (!trigger) return
    expect(applyCanned(text, caret, trigger, '您好')).toEqual({ text: '先说一句 您好 然后', caret: 7 })
  })
})

describe('small helpers', () => {
  it('reads Retry-After as seconds or as a date, in whole minutes', () => {
    expect(retryAfterMinutes('600', NOW)).toBe(10)
    expect(retryAfterMinutes('61', NOW)).toBe(2)
    expect(retryAfterMinutes(new Date(NOW + 5 * MIN).toUTCString(), NOW)).toBe(5)
    expect(retryAfterMinutes(null, NOW)).toBeNull()
    expect(retryAfterMinutes('soon', NOW)).toBeNull()
    expect(retryAfterMinutes('0', NOW)).toBeNull()
  })

  it('never lets a late "queued" overwrite "sent", but lets a retry re-queue a failure', () => {
    expect(nextDeliveryState('queued', 'sent')).toBe('sent')
    expect(nextDeliveryState('sent', 'queued')).toBe('sent')
    expect(nextDeliveryState('queued', 'failed')).toBe('failed')
    expect(nextDeliveryState('failed', 'queued')).toBe('queued')
    expect(nextDeliveryState('failed', 'sent')).toBe('sent')
  })

  it('puts a case in the address bar and reads it back', () => {
    expect(casePath('a b/c')).toBe('/inbox/case/a%20b%2Fc')
    expect(caseIdFromPath(casePath('a b/c'))).toBe('a b/c')
    expect(caseIdFromPath('/inbox/case/123/')).toBe('123')
    expect(caseIdFromPath('/inbox')).toBeNull()
    expect(caseIdFromPath('/inbox/case/%E0%A4%A')).toBeNull()
  })

  it('accepts only well-formed live events', () => {
    expect(parseLiveEvent('case', '{"caseId":"c1","kind":"message"}')).toEqual({
      type: 'case',
      caseId: 'c1',
      kind: 'message',
    })
    expect(parseLiveEvent('delivery', '{"caseId":"c1","messageId":"m1","state":"sent"}')).toEqual({
      type: 'delivery',
      caseId: 'c1',
      messageId: 'm1',
      state: 'sent',
    })
    expect(parseLiveEvent('delivery', '{"caseId":"c1"}')).toBeNull()
    expect(parseLiveEvent('case', 'not json')).toBeNull()
    expect(parseLiveEvent('other', '{"caseId":"c1","kind":"message"}')).toBeNull()
  })
})

describe('translations', () => {
  it('is Chinese unless English was chosen', () => {
    expect(initialLang(null)).toBe('zh')
    expect(initialLang('fr')).toBe('zh')
    expect(initialLang('en')).toBe('en')
  })

  it('looks up both languages and fills placeholders', () => {
    expect(t('zh', 'queueMine')).toBe('我的')
    expect(t('en', 'queueMine')).toBe('Mine')
    expect(t('zh', 'queueBeats')).toBe('我的警务区')
    expect(t('zh', 'noteLabel')).toBe('内部备注 — 不会发送给居民')
    expect(t('en', 'assignTitle', { number: 'CQ-1' })).toBe('Transfer case CQ-1')
    expect(t('en', 'assignTitle')).toBe('Transfer case {number}')
  })

  it('falls back to the raw value for keys built at run time that do not exist', () => {
    expect(tKey('zh', 'status.awaiting_resident', 'x')).toBe('等待居民')
    expect(tKey('en', 'status.someday', 'someday')).toBe('someday')
  })

  it('has a non-empty text for every key in both languages, with the same placeholders', () => {
    for (const key of MESSAGE_KEYS) {
      const zh = t('zh', key)
      const en = t('en', key)
      expect(zh, key).not.toBe('')
      expect(en, key).not.toBe('')
      const names = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort()
      // English dates name the month, Chinese ones number it.
      if (key !== 'dateMonthDay' && key !== 'dateFull') expect(names(en), key).toEqual(names(zh))
    }
  })
})
