import { describe, expect, it } from 'vitest'
import { createViewMemory } from '../../src/app/cases/case-reads.ts'

const MINUTE = 60_000

describe('createViewMemory (one resident.viewed entry a minute per officer and case)', () => {
  it('says yes to the first look, no again within the window, yes once it has passed', () => {
    const views = createViewMemory(MINUTE)
    expect(views.firstSince('of-1 c-1', 0)).toBe(true)
    expect(views.firstSince('of-1 c-1', 1_000)).toBe(false)
    expect(views.firstSince('of-1 c-1', MINUTE - 1)).toBe(false)
    expect(views.firstSince('of-1 c-1', MINUTE)).toBe(true)
    expect(views.firstSince('of-1 c-1', MINUTE + 30_000)).toBe(false)
  })

  it('keeps officers and cases apart', () => {
    const views = createViewMemory(MINUTE)
    expect(views.firstSince('of-1 c-1', 0)).toBe(true)
    expect(views.firstSince('of-2 c-1', 0)).toBe(true)
    expect(views.firstSince('of-1 c-2', 0)).toBe(true)
    expect(views.firstSince('of-1 c-1', 10)).toBe(false)
  })

  it('forgets a look whose entry could not be written, so the next look writes it', () => {
    const views = createViewMemory(MINUTE)
    expect(views.firstSince('of-1 c-1', 0)).toBe(true)
    views.forget('of-1 c-1')
    expect(views.firstSince('of-1 c-1', 5)).toBe(true)
  })

  it('counts a clock that went back as a new look rather than staying quiet for long', () => {
    const views = createViewMemory(MINUTE)
    expect(views.firstSince('of-1 c-1', 10 * MINUTE)).toBe(true)
    expect(views.firstSince('of-1 c-1', 5 * MINUTE)).toBe(true)
  })
})
