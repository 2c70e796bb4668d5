import { describe, expect, it } from 'vitest'
import { chooseRoute, formatCaseNumber, queueNameFor, type RoutingInput } from '../../src/domain/routing.ts'
import type { Beat, Officer } from '../../src/domain/types.ts'

const STATION = 'st-cq'

const officer = (id: string, overrides: Partial<Officer> = {}): Officer => ({
  id,
  stationId: STATION,
  name: id,
  badge: id.replace(/\D/g, '') || '1',
  capacity: 2,
  duty: [],
  active: true,
  ...overrides,
})

const BEAT: Beat = {
  id: 'bt-cq-01',
  stationId: STATION,
  code: 'CQ-01',
  name: '长寿桥社区',
  primaryOfficerId: 'of-primary',
  backupOfficerId: 'of-backup',
}

interface Scenario {
  emergency?: boolean
  currentAssigneeId?: string | null
  beat?: Beat | null
  officers?: Officer[]
  offDuty?: string[]
  openCases?: Record<string, number>
}

/** Builds the routing input: both beat officers active, on duty and free unless the scenario says otherwise. */
function route(scenario: Scenario = {}) {
  const officers = scenario.officers ?? [officer('of-primary'), officer('of-backup'), officer('of-other')]
  const input: RoutingInput = {
    stationId: STATION,
    emergency: scenario.emergency ?? false,
    currentAssigneeId: scenario.currentAssigneeId ?? null,
    beat: scenario.beat === undefined ? BEAT : scenario.beat,
    officers: new Map(officers.map((o) => [o.id, o])),
    isOnDuty: (o) => !(scenario.offDuty ?? []).includes(o.id),
    openCaseCount: (id) => scenario.openCases?.[id] ?? 0,
  }
  return chooseRoute(input)
}

describe('chooseRoute', () => {
  it('sends an emergency to the duty desk, even with an assignee and a free primary', () => {
    expect(route({ emergency: true, currentAssigneeId: 'of-other' })).toEqual({
      kind: 'desk',
      stationId: STATION,
      reason: 'emergency',
    })
  })

  it('keeps the current assignee (sticky), even off duty and at capacity', () => {
    expect(
      route({ currentAssigneeId: 'of-other', offDuty: ['of-other'], openCases: { 'of-other': 9 } }),
    ).toEqual({ kind: 'officer', officerId: 'of-other', reason: 'sticky' })
  })

  it('keeps the current assignee when the resident has no beat', () => {
    expect(route({ currentAssigneeId: 'of-other', beat: null })).toMatchObject({
      kind: 'officer',
      officerId: 'of-other',
      reason: 'sticky',
    })
  })

  it('does not keep an assignee who is no longer active, or unknown', () => {
    const officers = [officer('of-primary'), officer('of-backup'), officer('of-gone', { active: false })]
    expect(route({ officers, currentAssigneeId: 'of-gone' })).toEqual({
      kind: 'officer',
      officerId: 'of-primary',
      reason: 'beat-primary',
    })
    expect(route({ currentAssigneeId: 'of-unknown' })).toMatchObject({ officerId: 'of-primary' })
  })

  it('picks the beat primary when on duty and under capacity', () => {
    expect(route({ openCases: { 'of-primary': 1 } })).toEqual({
      kind: 'officer',
      officerId: 'of-primary',
      reason: 'beat-primary',
    })
  })

  it('falls back to the backup when the primary is full', () => {
    expect(route({ openCases: { 'of-primary': 2 } })).toEqual({
      kind: 'officer',
      officerId: 'of-backup',
      reason: 'beat-backup',
    })
  })

  it('falls back to the backup when the primary is off duty', () => {
    expect(route({ offDuty: ['of-primary'] })).toEqual({
      kind: 'officer',
      officerId: 'of-backup',
      reason: 'beat-backup',
    })
  })

  it('falls back to the backup when the primary is inactive', () => {
    const officers = [officer('of-primary', { active: false }), officer('of-backup')]
    expect(route({ officers })).toMatchObject({ officerId: 'of-backup', reason: 'beat-backup' })
  })

  it('sends to the desk when primary and backup are both off duty or full', () => {
    const desk = { kind: 'desk', stationId: STATION, reason: 'all-busy-or-off-duty' }
    expect(route({ offDuty: ['of-primary', 'of-backup'] })).toEqual(desk)
    expect(route({ openCases: { 'of-primary': 2, 'of-backup': 5 } })).toEqual(desk)
    expect(route({ offDuty: ['of-primary'], openCases: { 'of-backup': 2 } })).toEqual(desk)
  })

  it('sends to the desk when the beat has no backup and the primary is busy', () => {
    expect(route({ beat: { ...BEAT, backupOfficerId: null }, offDuty: ['of-primary'] })).toEqual({
      kind: 'desk',
      stationId: STATION,
      reason: 'all-busy-or-off-duty',
    })
  })

  it('sends to the desk when no beat is known', () => {
    expect(route({ beat: null })).toEqual({ kind: 'desk', stationId: STATION, reason: 'no-beat' })
  })

  it('sends to the desk when the beat has no active officer', () => {
    const unstaffed = { kind: 'desk', stationId: STATION, reason: 'beat-unstaffed' }
    const inactive = [officer('of-primary', { active: false }), officer('of-backup', { active: false })]
    expect(route({ officers: inactive })).toEqual(unstaffed)
    expect(route({ beat: { ...BEAT, primaryOfficerId: null, backupOfficerId: null } })).toEqual(unstaffed)
    expect(route({ officers: [officer('of-other')] })).toEqual(unstaffed)
  })
})

describe('queueNameFor', () => {
  it('names officer and desk queues without ":"', () => {
    expect(queueNameFor({ kind: 'officer', officerId: 'of-330104', reason: 'beat-primary' })).toBe(
      'officer-of-330104',
    )
    expect(queueNameFor({ kind: 'desk', stationId: 'st-cq', reason: 'no-beat' })).toBe('desk-st-cq')
  })
})

describe('formatCaseNumber', () => {
  it('pads the counter to six digits', () => {
    expect(formatCaseNumber('CQ', 2026, 123)).toBe('CQ-2026-000123')
    expect(formatCaseNumber('FQ', 2027, 1)).toBe('FQ-2027-000001')
  })

  it('keeps counters past six digits whole', () => {
    expect(formatCaseNumber('CQ', 2026, 1_234_567)).toBe('CQ-2026-1234567')
  })
})
