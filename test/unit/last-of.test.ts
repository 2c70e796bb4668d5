import { describe, expect, it } from 'vitest'
import { classify } from '../../src/domain/classify.ts'
import { lastOf } from '../../src/domain/last-of.ts'

describe('lastOf', () => {
  it('computes a text once while it comes in again, and again for a new text', () => {
    const seen: string[] = []
    const upper = lastOf((text: string) => {
      seen.push(text)
      return text.toUpperCase()
    })
    expect([upper('a'), upper('a'), upper('b'), upper('a')]).toEqual(['A', 'A', 'B', 'A'])
    expect(seen).toEqual(['a', 'b', 'a'])
  })

  it('answers the empty text from memory too', () => {
    let calls = 0
    const length = lastOf((text: string) => {
      calls++
      return text.length
    })
    expect([length(''), length('')]).toEqual([0, 0])
    expect(calls).toBe(1)
  })

  it('keeps classify answering each text on its own', () => {
    expect(classify('救命，有人打人').emergency).toBe(true)
    expect(classify('楼上装修太吵了').emergency).toBe(false)
    expect(classify('救命，有人打人').category).toBe('emergency')
  })
})
