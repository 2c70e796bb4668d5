import { describe, expect, it } from 'vitest'
import {
  DEFAULT_HOME_WATCH_SCHEDULE,
  homeWatchTimerId,
  parseHomeWatchCommand,
  planHomeWatchTimers,
} from '../../src/domain/forms/home-watch.ts'

const TZ = 'Asia/Shanghai'
const at = (iso: string) => new Date(iso)
const plan = (since: string, awayFrom = '2026-02-10', backOn = '2026-02-13') =>
  planHomeWatchTimers('req1', { awayFrom, backOn }, DEFAULT_HOME_WATCH_SCHEDULE, TZ, at(since)).map(
    (t) => `${t.id} ${t.dueAt.toISOString()}`,
  )

describe('home watch timers', () => {
  it('plans a reminder at 09:00 and a deadline at 21:00 for each day away, and the end on the return day', () => {
    expect(plan('2026-02-09T02:00:00Z')).toEqual([
      'hw-req1-20260210-remind 2026-02-10T01:00:00.000Z',
      'hw-req1-20260210-missed 2026-02-10T13:00:00.000Z',
      'hw-req1-20260211-remind 2026-02-11T01:00:00.000Z',
      'hw-req1-20260211-missed 2026-02-11T13:00:00.000Z',
      'hw-req1-20260212-remind 2026-02-12T01:00:00.000Z',
      'hw-req1-20260212-missed 2026-02-12T13:00:00.000Z',
      'hw-req1-end-20260213 2026-02-13T02:00:00.000Z',
    ])
  })

  it('reminds at once of a day already begun, and asks for no check too soon to be done', () => {
    // 15:00 on the day of leaving: today's check is still six hours away.
    expect(plan('2026-02-10T07:00:00Z').slice(0, 2)).toEqual([
      'hw-req1-20260210-remind 2026-02-10T07:00:00.000Z',
      'hw-req1-20260210-missed 2026-02-10T13:00:00.000Z',
    ])
    // 20:00: an hour before the deadline is too late to ask for today's.
    expect(plan('2026-02-10T12:00:00Z')[0]).toBe('hw-req1-20260211-remind 2026-02-11T01:00:00.000Z')
  })

  it('names each timer by request, day and kind, with no colon (BullMQ job ids)', () => {
    const ids = [
      homeWatchTimerId('r', 'check-reminder', '2026-02-10'),
      homeWatchTimerId('r', 'check-missed', '2026-02-10'),
      homeWatchTimerId('r', 'end', '2026-02-13'),
    ]
    expect(new Set(ids).size).toBe(3)
    for (const id of ids) expect(id).not.toContain(':')
  })
})

describe('home watch commands by chat', () => {
  it('reads extensions and early ends in Chinese and English', () => {
    expect(parseHomeWatchCommand('延长到3月1日')).toEqual({ kind: 'extend', until: '3月1日' })
    expect(parseHomeWatchCommand('照看延长至下周日')).toEqual({ kind: 'extend', until: '下周日' })
    expect(parseHomeWatchCommand('extend to March 1')).toEqual({ kind: 'extend', until: 'march 1' })
    expect(parseHomeWatchCommand('Extend home watch until Mar 3')).toEqual({ kind: 'extend', until: 'mar 3' })
    for (const end of [
      '提前结束',
      '结束照看',
      '我回来了',
      '请提前结束',
      'end home watch',
      "I'm back",
      'stop the home watch',
    ])
      expect(parseHomeWatchCommand(end), end).toEqual({ kind: 'end' })
  })

  it('leaves everything else alone', () => {
    for (const text of ['延长', '结束', '我回来了再说吧，楼下的车还在', 'end', 'back', '提前结束？怎么操作'])
      expect(parseHomeWatchCommand(text), text).toBeNull()
  })
})
