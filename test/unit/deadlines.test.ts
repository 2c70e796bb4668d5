import { describe, expect, it } from 'vitest'
import { digestCounts } from '../../src/app/deadlines.ts'
import { ConfigError, loadConfig } from '../../src/config.ts'
import {
  autoResolveNote,
  officerDeadlineTexts,
  residentDeadlineTexts,
} from '../../src/domain/deadline-replies.ts'
import {
  ALWAYS_ON_DUTY,
  addDutyTime,
  DEFAULT_DEADLINE_SETTINGS,
  type DeadlineSettings,
  type DutyCalendar,
  digestSchedules,
  firstResponseDue,
  formatDuration,
  parseDuration,
  planTimers,
  responseTimes,
  type TimedCase,
  timerId,
} from '../../src/domain/deadlines.ts'
import { officerNextOnDuty, officerOnDuty, parseShiftSpec } from '../../src/domain/duty.ts'
import type { DutyException } from '../../src/domain/types.ts'
import { digestText } from '../../src/web/inbox/src/deadline-strings.ts'
import { parseLiveEvent } from '../../src/web/inbox/src/live.ts'

const SH = 'Asia/Shanghai'
/** An instant written as Shanghai wall time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`)
const MIN = 60_000

// 2026-03-02 is a Monday.
const officeHours = parseShiftSpec('mon-fri 08:30-17:30')
const calendar = (exceptions: DutyException[] = []): DutyCalendar => {
  const officer = { duty: officeHours, exceptions }
  return {
    onDuty: (at) => officerOnDuty(officer, at, SH),
    nextOnDuty: (at) => officerNextOnDuty(officer, at, SH),
  }
}

describe('durations', () => {
  it('reads units from milliseconds to days and writes them back', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('30m')).toBe(30 * MIN)
    expect(parseDuration('1.5h')).toBe(90 * MIN)
    expect(parseDuration(' 7d ')).toBe(7 * 86_400_000)
    expect(parseDuration('250ms')).toBe(250)
    expect(formatDuration(72 * 3_600_000)).toBe('3d')
    expect(formatDuration(90_000)).toBe('90s')
  })

  it('refuses zero, negative, unit-less and unknown durations', () => {
    for (const bad of ['0s', '-5m', '30', 'm', '3w', '', '0.0001ms']) expect(parseDuration(bad)).toBeNull()
  })
})

describe('response policy', () => {
  it('takes a category entry first, its missing half from the priority', () => {
    const config = loadConfig({ RESPONSE_POLICY: 'normal=20m/5d, fraud.urgent=5m' })
    const { policy } = config.DEADLINES
    expect(responseTimes(policy, 'noise', 'normal')).toEqual({
      firstResponseMs: 20 * MIN,
      resolutionMs: 5 * 86_400_000,
    })
    expect(responseTimes(policy, 'fraud', 'urgent')).toEqual({
      firstResponseMs: 5 * MIN,
      resolutionMs: 3 * 86_400_000,
    })
    expect(responseTimes(policy, 'dispute', 'urgent').firstResponseMs).toBe(10 * MIN)
  })

  it('keeps RESPONSE_MINUTES as the per-priority default and lets RESPONSE_POLICY override it', () => {
    const config = loadConfig({ RESPONSE_MINUTES: 'normal=45', RESPONSE_POLICY: 'low=1h' })
    expect(config.DEADLINES.policy.byPriority.normal.firstResponseMs).toBe(45 * MIN)
    expect(config.DEADLINES.policy.byPriority.low.firstResponseMs).toBe(60 * MIN)
    expect(config.DEADLINES.policy.byPriority.emergency.firstResponseMs).toBe(2 * MIN)
  })

  it('reads a mapping from the config file form', () => {
    const config = loadConfig({})
    expect(config.DEADLINES).toEqual(DEFAULT_DEADLINE_SETTINGS)
    const fromMapping = loadConfig({
      RESPONSE_POLICY: { 'dispute.normal': { firstResponse: '1h', resolution: '14d' }, urgent: '5m/2d' },
    } as never)
    expect(responseTimes(fromMapping.DEADLINES.policy, 'dispute', 'normal')).toEqual({
      firstResponseMs: 60 * MIN,
      resolutionMs: 14 * 86_400_000,
    })
    expect(fromMapping.DEADLINES.policy.byPriority.urgent.resolutionMs).toBe(2 * 86_400_000)
  })

  it('reads seconds for tests and the after-care times', () => {
    const config = loadConfig({
      RESPONSE_POLICY: 'normal=4s/1h',
      REMINDER_AT_SHARE: '50%',
      AFTERCARE_NUDGE_AFTER: '1s',
      AFTERCARE_RESOLVE_AFTER: '2s',
      AFTERCARE_CLOSE_AFTER: '3s',
      DIGEST_TIME: '07:45',
    })
    expect(config.DEADLINES).toMatchObject({
      reminderShare: 0.5,
      nudgeAfterMs: 1000,
      resolveAfterMs: 2000,
      closeAfterMs: 3000,
      digestMinute: 7 * 60 + 45,
    })
    expect(config.DEADLINES.policy.byPriority.normal.firstResponseMs).toBe(4000)
  })

  const problems = (env: Record<string, unknown>) => {
    try {
      loadConfig(env as Record<string, string>)
    } catch (error) {
      if (error instanceof ConfigError) return error.problems
      throw error
    }
    throw new Error('no ConfigError')
  }

  it.each([
    [
      { RESPONSE_POLICY: 'normal=0m' },
      /^RESPONSE_POLICY\.normal\.firstResponse: must be a positive duration .*\(got "0m"\)$/,
    ],
    [
      { RESPONSE_POLICY: 'urgent=5m/-1d' },
      /^RESPONSE_POLICY\.urgent\.resolution: must be a positive duration/,
    ],
    [
      { RESPONSE_POLICY: 'fraud.quick=5m' },
      /^RESPONSE_POLICY\.fraud\.quick: unknown key.*\(got "fraud\.quick"\)$/,
    ],
    [{ RESPONSE_POLICY: 'normal' }, /^RESPONSE_POLICY\.normal: needs a value like "30m\/7d"/],
    [
      { RESPONSE_POLICY: 'normal=2h/1h' },
      /^RESPONSE_POLICY\.normal: the resolution time \(1h\) is shorter than the first-response time \(2h\)$/,
    ],
    [{ AFTERCARE_NUDGE_AFTER: '0h' }, /^AFTERCARE_NUDGE_AFTER: must be a positive duration/],
    [{ AFTERCARE_NUDGE_AFTER: '4d' }, /^AFTERCARE_NUDGE_AFTER: must be shorter than AFTERCARE_RESOLVE_AFTER/],
    [{ AFTERCARE_CLOSE_AFTER: 'soon' }, /^AFTERCARE_CLOSE_AFTER: .*\(got "soon"\)$/],
    [{ REMINDER_AT_SHARE: '1' }, /^REMINDER_AT_SHARE: must be a share between 0 and 1/],
    [{ DIGEST_TIME: '8am' }, /^DIGEST_TIME: must be a time of day HH:MM/],
  ])('refuses %j at start, naming the setting', (env, expected) => {
    const found = problems(env)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(expected)
  })
})

describe('addDutyTime', () => {
  it('counts calendar time for someone always on duty', () => {
    const start = sh('2026-03-07T23:50:00')
    expect(addDutyTime(start, 30 * MIN, ALWAYS_ON_DUTY)).toEqual(sh('2026-03-08T00:20:00'))
    expect(addDutyTime(start, 3000, ALWAYS_ON_DUTY)).toEqual(new Date(start.getTime() + 3000))
  })

  it('stops the clock at the end of the shift and runs it again at the next one', () => {
    // Friday 17:20: ten minutes left on Friday, twenty more on Monday morning.
    expect(addDutyTime(sh('2026-03-06T17:20:00'), 30 * MIN, calendar())).toEqual(sh('2026-03-09T08:50:00'))
    // Seconds keep their place inside a minute.
    expect(addDutyTime(sh('2026-03-06T17:29:30'), 60_000, calendar())).toEqual(sh('2026-03-09T08:30:30'))
  })

  it('starts counting at the next shift when the case arrives off duty', () => {
    expect(addDutyTime(sh('2026-03-07T10:00:00'), 30 * MIN, calendar())).toEqual(sh('2026-03-09T09:00:00'))
  })

  it('skips leave', () => {
    const leave: DutyException = {
      id: 'x',
      kind: 'leave',
      onDuty: false,
      startsAt: sh('2026-03-09T00:00:00'),
      endsAt: sh('2026-03-11T00:00:00'),
      note: null,
      source: 'api',
    }
    expect(addDutyTime(sh('2026-03-06T17:20:00'), 30 * MIN, calendar([leave]))).toEqual(
      sh('2026-03-11T08:50:00'),
    )
  })

  it("gives a case's first-response deadline by its category and its holder's hours", () => {
    const { policy } = loadConfig({ RESPONSE_POLICY: 'fraud.urgent=5m' }).DEADLINES
    const friday = sh('2026-03-06T17:28:00')
    expect(firstResponseDue(policy, 'fraud', 'urgent', friday, calendar())).toEqual(sh('2026-03-09T08:33:00'))
    expect(firstResponseDue(policy, 'noise', 'urgent', friday)).toEqual(sh('2026-03-06T17:38:00'))
  })

  it('falls back to calendar time for someone never on duty again', () => {
    const never: DutyCalendar = { onDuty: () => false, nextOnDuty: () => null }
    expect(addDutyTime(sh('2026-03-06T17:20:00'), 30 * MIN, never)).toEqual(sh('2026-03-06T17:50:00'))
  })
})

describe('planTimers', () => {
  const settings: DeadlineSettings = {
    ...DEFAULT_DEADLINE_SETTINGS,
    policy: {
      byPriority: {
        emergency: { firstResponseMs: 2 * MIN, resolutionMs: 86_400_000 },
        urgent: { firstResponseMs: 10 * MIN, resolutionMs: 86_400_000 },
        normal: { firstResponseMs: 40 * MIN, resolutionMs: 86_400_000 },
        low: { firstResponseMs: 120 * MIN, resolutionMs: 86_400_000 },
      },
      byCategory: {},
    },
  }
  const due = sh('2026-03-04T10:40:00')
  const base: TimedCase = {
    status: 'assigned',
    category: 'noise',
    priority: 'normal',
    assigneeOfficerId: 'of-1',
    firstResponseDueAt: due,
    firstRespondedAt: null,
    escalationLevel: 0,
    escalatedAt: null,
    awaitingSince: null,
    lastInboundAt: null,
    resolvedAt: null,
    ratingAskedAt: null,
    cancelReason: null,
  }
  const kinds = (c: Partial<TimedCase>, cal?: DutyCalendar) =>
    planTimers({ ...base, ...c }, settings, cal).map((t) => [t.kind, t.dueAt.toISOString()])

  it('reminds the officer at the configured share of the time and escalates at the deadline', () => {
    expect(kinds({})).toEqual([
      ['reminder', sh('2026-03-04T10:30:00').toISOString()],
      ['escalation', due.toISOString()],
    ])
    const plan = planTimers(base, settings)
    expect(plan.every((t) => t.anchorAt.getTime() === due.getTime() && t.officerId === 'of-1')).toBe(true)
  })

  it('only escalates a case waiting at the duty desk (nobody to remind)', () => {
    expect(kinds({ assigneeOfficerId: null, status: 'new' })).toEqual([['escalation', due.toISOString()]])
  })

  it('re-routes one more first-response time after the escalation, then only reminds the new holder', () => {
    const escalatedAt = sh('2026-03-04T10:40:02')
    expect(kinds({ escalationLevel: 1, escalatedAt })).toEqual([
      ['reroute', sh('2026-03-04T11:20:02').toISOString()],
    ])
    expect(kinds({ escalationLevel: 1, escalatedAt, assigneeOfficerId: null, status: 'new' })).toEqual([])
    expect(kinds({ escalationLevel: 2 })).toEqual([['reminder', sh('2026-03-04T10:30:00').toISOString()]])
  })

  it('plans nothing for an answered case', () => {
    expect(kinds({ firstRespondedAt: sh('2026-03-04T10:05:00') })).toEqual([])
    expect(kinds({ status: 'in_progress' })).toEqual([])
  })

  it('moves a reminder that would fall off duty to the start of the shift, if that is before the deadline', () => {
    // Deadline Monday 08:35 after a Friday-evening case: 10 minutes before it is 08:25, before the shift.
    const monday = sh('2026-03-09T08:35:00')
    expect(kinds({ firstResponseDueAt: monday }, calendar())[0]).toEqual([
      'reminder',
      sh('2026-03-09T08:30:00').toISOString(),
    ])
  })

  it('nudges the resident and resolves after-care, unless they have answered', () => {
    const since = sh('2026-03-04T12:00:00')
    const awaiting = { status: 'awaiting_resident' as const, firstRespondedAt: since, awaitingSince: since }
    expect(kinds(awaiting)).toEqual([
      ['resident-nudge', sh('2026-03-05T12:00:00').toISOString()],
      ['auto-resolve', sh('2026-03-07T12:00:00').toISOString()],
    ])
    expect(kinds({ ...awaiting, lastInboundAt: sh('2026-03-04T13:00:00') })).toEqual([])
    expect(kinds({ ...awaiting, lastInboundAt: sh('2026-03-04T11:00:00') })).toHaveLength(2)
  })

  it('asks for a rating at once and closes a resolved case after the configured time', () => {
    const resolvedAt = sh('2026-03-04T15:00:00')
    const resolved = { status: 'resolved' as const, firstRespondedAt: resolvedAt, resolvedAt }
    expect(kinds(resolved)).toEqual([
      ['rating', resolvedAt.toISOString()],
      ['close', sh('2026-03-11T15:00:00').toISOString()],
    ])
    expect(kinds({ ...resolved, ratingAskedAt: sh('2026-03-04T15:00:01') }).map(([k]) => k)).toEqual([
      'close',
    ])
    // Asked after an earlier resolution, then reopened and resolved again: asked again.
    expect(kinds({ ...resolved, ratingAskedAt: sh('2026-03-01T09:00:00') }).map(([k]) => k)).toEqual([
      'rating',
      'close',
    ])
    expect(kinds({ ...resolved, cancelReason: 'withdrawn' }).map(([k]) => k)).toEqual(['close'])
  })
})

describe('timer ids and digest schedules', () => {
  it('builds a BullMQ-safe id from case, kind and version', () => {
    const id = timerId('3f2c8a90-1b2c-4d5e-8f90-123456789abc', 'escalation', 7)
    expect(id).toBe('tm-3f2c8a90-1b2c-4d5e-8f90-123456789abc-escalation-v7')
    expect(id).not.toContain(':')
  })

  it('has one schedule per shift start, days sharing a start in one pattern', () => {
    const duty = parseShiftSpec('mon-fri 08:30-17:30; sat 09:00-12:00; sun 20:00-08:00')
    expect(digestSchedules('of-1', duty, 480)).toEqual([
      { id: 'digest-of-1-0830', pattern: '30 8 * * 1,2,3,4,5' },
      { id: 'digest-of-1-0900', pattern: '0 9 * * 6' },
      { id: 'digest-of-1-2000', pattern: '0 20 * * 0' },
    ])
    expect(digestSchedules('of-2', [], 465)).toEqual([{ id: 'digest-of-2-0745', pattern: '45 7 * * *' }])
  })

  it('counts open, due today and overdue cases, most overdue first', () => {
    const now = sh('2026-03-04T08:30:00')
    const dayEnd = sh('2026-03-05T00:00:00')
    const counts = digestCounts(
      [
        {
          number: 'A-1',
          status: 'assigned',
          firstResponseDueAt: sh('2026-03-04T08:00:00'),
          firstRespondedAt: null,
          resolutionDueAt: null,
        },
        {
          number: 'A-2',
          status: 'in_progress',
          firstResponseDueAt: sh('2026-03-04T07:00:00'),
          firstRespondedAt: sh('2026-03-04T06:00:00'),
          resolutionDueAt: sh('2026-03-04T18:00:00'),
        },
        {
          number: 'A-3',
          status: 'in_progress',
          firstResponseDueAt: null,
          firstRespondedAt: null,
          resolutionDueAt: sh('2026-03-02T18:00:00'),
        },
        {
          number: 'A-4',
          status: 'assigned',
          firstResponseDueAt: sh('2026-03-05T09:00:00'),
          firstRespondedAt: null,
          resolutionDueAt: sh('2026-03-09T09:00:00'),
        },
      ],
      now,
      dayEnd,
    )
    expect(counts).toEqual({ open: 4, dueToday: 1, overdue: 2, overdueNumbers: ['A-3', 'A-1'] })
  })
})

describe('deadline texts', () => {
  it("names the case and category for officers, never the resident's words", () => {
    const zh = officerDeadlineTexts('zh')
    expect(zh.reminder({ caseNumber: 'CQ-2026-000001', category: 'noise' }, '今天 10:30')).toBe(
      '即将超时 CQ-2026-000001（噪音扰民）· 请在今天 10:30前首次回复 · 请在收件箱查看',
    )
    expect(
      officerDeadlineTexts('en').digest({
        date: '4 Mar',
        open: 3,
        dueToday: 1,
        overdue: 1,
        overdueNumbers: ['CQ-2026-000002'],
      }),
    ).toBe('Today 4 Mar · open 3 · due today 1 · overdue 1 (CQ-2026-000002) · see the inbox')
  })

  it('writes to residents in their language', () => {
    expect(residentDeadlineTexts('zh').askRating('CQ-2026-000003')).toContain('1 到 5')
    expect(residentDeadlineTexts('en').passedOn('CQ-2026-000003', 'Officer Sun Er')).toContain(
      'passed to Officer Sun Er',
    )
    expect(autoResolveNote(72 * 3_600_000, 'zh')).toBe('系统自动办结：居民3天内未回复。')
    expect(autoResolveNote(2000, 'en')).toBe(
      'Resolved automatically: the resident did not answer within 2 seconds.',
    )
  })
})

describe('the digest in the inbox', () => {
  it('reads the digest frame and shows its counts', () => {
    const event = parseLiveEvent('digest', '{"open":3,"dueToday":1,"overdue":2}')
    expect(event).toEqual({ type: 'digest', open: 3, dueToday: 1, overdue: 2 })
    expect(parseLiveEvent('digest', '{"open":"3"}')).toBeNull()
    expect(parseLiveEvent('case', '{"caseId":"c1","kind":"reminder"}')).toEqual({
      type: 'case',
      caseId: 'c1',
      kind: 'reminder',
    })
    expect(digestText('zh', { open: 3, dueToday: 1, overdue: 2 })).toBe(
      '今日概览：在办 3 件，今日到期 1 件，已超时 2 件。',
    )
    expect(digestText('en', { open: 3, dueToday: 1, overdue: 2 })).toBe(
      'Today: 3 open, 1 due today, 2 overdue.',
    )
  })
})
