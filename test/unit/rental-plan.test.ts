import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RENTAL_SCHEDULE,
  inspectionTimerId,
  isCorrectionRequest,
  parseTenancyAnswer,
  planInspectionReminder,
  planLeaseTimers,
} from '../../src/domain/forms/rental.ts'

const TZ = 'Asia/Shanghai'
/** Wednesday 25 November 2026, 10:00 in Hangzhou. */
const NOW = new Date('2026-11-25T02:00:00Z')

describe('rental registration timers', () => {
  it('asks seven days before the lease ends at 10:00, and ends it the day after', () => {
    const timers = planLeaseTimers('req1', '2027-11-19', DEFAULT_RENTAL_SCHEDULE, TZ, NOW)
    expect(timers).toEqual([
      {
        id: 'rr-req1-ask-20271119',
        kind: 'lease-ask',
        day: '2027-11-19',
        dueAt: new Date('2027-11-12T02:00:00Z'),
      },
      {
        id: 'rr-req1-end-20271119',
        kind: 'lease-end',
        day: '2027-11-19',
        dueAt: new Date('2027-11-20T02:00:00Z'),
      },
    ])
    expect(timers.every((t) => !t.id.includes(':'))).toBe(true)
  })

  it('leaves the question out when its day has passed (a short lease), keeping the end', () => {
    const timers = planLeaseTimers('req1', '2026-11-28', DEFAULT_RENTAL_SCHEDULE, TZ, NOW)
    expect(timers.map((t) => t.kind)).toEqual(['lease-end'])
  })

  it('reminds of a visit at 10:00 the day before, unless that has passed', () => {
    const visit = new Date('2026-12-02T06:00:00Z') // 14:00 in Hangzhou
    expect(planInspectionReminder('req1', visit, DEFAULT_RENTAL_SCHEDULE, TZ, NOW)).toEqual({
      id: 'rr-req1-visit-202612021400',
      kind: 'inspection-reminder',
      day: '2026-12-02',
      dueAt: new Date('2026-12-01T02:00:00Z'),
    })
    const tomorrow = new Date('2026-11-26T06:00:00Z')
    expect(planInspectionReminder('req1', tomorrow, DEFAULT_RENTAL_SCHEDULE, TZ, NOW)).toBeNull()
    expect(inspectionTimerId('req1', tomorrow, TZ)).toBe('rr-req1-visit-202611261400')
  })
})

describe("the landlord's answers", () => {
  it('reads "stays until", a bare "stays" (to ask the day) and "moved out", in Chinese and English', () => {
    expect(parseTenancyAnswer('续租到2027年11月30日')).toEqual({ kind: 'stays', until: '2027年11月30日' })
    expect(parseTenancyAnswer('租客续签至明年3月1日')).toEqual({ kind: 'stays', until: '明年3月1日' })
    expect(parseTenancyAnswer('stays until 30 Nov 2027')).toEqual({ kind: 'stays', until: '30 nov 2027' })
    expect(parseTenancyAnswer('续租')).toEqual({ kind: 'stays-without-date' })
    expect(parseTenancyAnswer('已搬走')).toEqual({ kind: 'moved-out' })
    expect(parseTenancyAnswer('不续租了')).toEqual({ kind: 'moved-out' })
    expect(parseTenancyAnswer('The tenant moved out.')).toEqual({ kind: 'moved-out' })
    expect(parseTenancyAnswer('楼上又在装修')).toBeNull()
  })

  it('takes "修改登记" as the start of a correction, and nothing longer', () => {
    expect(isCorrectionRequest('修改登记')).toBe(true)
    expect(isCorrectionRequest('Correct registration')).toBe(true)
    expect(isCorrectionRequest('我想修改登记的电话号码和地址')).toBe(false)
  })
})
