import { describe, expect, it } from 'vitest'
import { CaseNumbers } from '../../src/app/case-numbers.ts'
import { createMicroBatch } from '../../src/app/micro-batch.ts'

describe('micro-batch', () => {
  it('gathers calls made together into one batch and answers each in order', async () => {
    const batches: number[][] = []
    const batch = createMicroBatch<number, number>({
      run: async (items) => {
        batches.push(items)
        return items.map((n) => n * 10)
      },
      maxSize: 50,
      maxInFlight: 1,
    })
    const answers = await Promise.all([1, 2, 3].map((n) => batch.submit(n)))
    expect(answers).toEqual([10, 20, 30])
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('keeps to the largest batch and the number in flight, queueing the rest', async () => {
    const batches: number[][] = []
    let inFlight = 0
    let mostInFlight = 0
    const batch = createMicroBatch<number, number>({
      run: async (items) => {
        inFlight++
        mostInFlight = Math.max(mostInFlight, inFlight)
        batches.push(items)
        await new Promise((resolve) => setImmediate(resolve))
        inFlight--
        return items
      },
      maxSize: 4,
      maxInFlight: 2,
    })
    const all = Array.from({ length: 10 }, (_, i) => batch.submit(i))
    expect(await Promise.all(all)).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect(batches.every((b) => b.length <= 4)).toBe(true)
    expect(batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect(mostInFlight).toBe(2)
    await batch.drain()
  })

  it('with overlapFrom, gathers a trickle behind the batch in flight and overlaps only a backlog', async () => {
    const batches: number[][] = []
    const release: Array<() => void> = []
    const batch = createMicroBatch<number, number>({
      run: async (items) => {
        batches.push(items)
        await new Promise<void>((resolve) => release.push(resolve))
        return items
      },
      maxSize: 50,
      maxInFlight: 2,
      overlapFrom: 3,
    })
    // Two turns: a freed slot schedules its next batch for the turn after.
    const turn = () => new Promise((resolve) => setImmediate(resolve))
    const settle = async () => {
      await turn()
      await turn()
    }
    const answers = [batch.submit(1)]
    await settle()
    // One in flight: two more arrive one at a time, fewer than overlapFrom, so they wait.
    answers.push(batch.submit(2))
    await settle()
    answers.push(batch.submit(3))
    await settle()
    expect(batches).toEqual([[1]])
    // A third waiting call reaches overlapFrom: a second batch goes out beside the first.
    answers.push(batch.submit(4))
    await settle()
    expect(batches).toEqual([[1], [2, 3, 4]])
    // Both slots busy; what arrives now goes out together once a slot frees, however few.
    answers.push(batch.submit(5))
    await settle()
    expect(batches).toHaveLength(2)
    for (const done of release.splice(0)) done()
    await settle()
    expect(batches).toEqual([[1], [2, 3, 4], [5]])
    for (const done of release.splice(0)) done()
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4, 5])
    await batch.drain()
  })

  it('fails only the item the batch answered with an error, and every item when the batch throws', async () => {
    const batch = createMicroBatch<number, number>({
      run: async (items) => {
        if (items.includes(99)) throw new Error('database away')
        return items.map((n) => (n === 2 ? new Error('two is bad') : n))
      },
      maxSize: 10,
      maxInFlight: 1,
    })
    const results = await Promise.allSettled([1, 2, 3].map((n) => batch.submit(n)))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    await expect(batch.submit(99)).rejects.toThrow('database away')
  })
})

describe('case numbers in blocks', () => {
  const source = () => {
    let last = 0
    const calls: number[] = []
    return {
      calls,
      reserve: async (_station: string, _year: number, count: number) => {
        calls.push(count)
        last += count
        return last
      },
    }
  }

  it('reserves a block once and hands its numbers out lowest first', async () => {
    const db = source()
    const numbers = new CaseNumbers(db, 20)
    expect(await numbers.take('st', 2026, 3)).toEqual([1, 2, 3])
    expect(await numbers.take('st', 2026, 2)).toEqual([4, 5])
    expect(db.calls).toEqual([20])
  })

  it('hands out again what a batch gave back, before anything newer', async () => {
    const numbers = new CaseNumbers(source(), 10)
    const taken = await numbers.take('st', 2026, 5)
    numbers.giveBack('st', 2026, taken.slice(2))
    expect(await numbers.take('st', 2026, 4)).toEqual([3, 4, 5, 6])
  })

  it('never hands one number out twice when batches take at the same time', async () => {
    const numbers = new CaseNumbers(source(), 5)
    const taken = (await Promise.all(Array.from({ length: 8 }, () => numbers.take('st', 2026, 4)))).flat()
    expect(new Set(taken).size).toBe(32)
  })

  it('counts each station and year apart', async () => {
    const numbers = new CaseNumbers(source(), 2)
    await numbers.take('a', 2026, 2)
    expect(await numbers.take('a', 2027, 1)).toHaveLength(1)
    expect(await numbers.take('b', 2026, 1)).toHaveLength(1)
  })
})
