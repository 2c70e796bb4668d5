import { describe, expect, it } from 'vitest'
import { shareFreshReads } from '../../src/app/fresh-read.ts'

/** A read the test finishes by hand, remembering which callers were waiting when it started. */
function controlledReads() {
  const started: Array<{ key: string; finish(value: string): void; fail(error: Error): void }> = []
  const read = (key: string) => () =>
    new Promise<string>((resolve, reject) => {
      started.push({ key, finish: resolve, fail: reject })
    })
  return { started, read }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('shareFreshReads', () => {
  it('reads at once when nothing is under way', async () => {
    const share = shareFreshReads<string>()
    const { started, read } = controlledReads()
    const answer = share('a', read('a'))
    expect(started).toHaveLength(1)
    started[0]?.finish('one')
    expect(await answer).toBe('one')
  })

  it('never answers a caller with a read that began before it asked', async () => {
    const share = shareFreshReads<string>()
    const { started, read } = controlledReads()
    const early = share('a', read('a'))
    // These ask while the first read is under way: they must wait for a read of their own.
    const late1 = share('a', read('a'))
    const late2 = share('a', read('a'))
    expect(started).toHaveLength(1)
    started[0]?.finish('before')
    expect(await early).toBe('before')
    await settle()
    // One read, started after they asked, serves both.
    expect(started).toHaveLength(2)
    started[1]?.finish('after')
    expect(await late1).toBe('after')
    expect(await late2).toBe('after')
    expect(started).toHaveLength(2)
  })

  it('keeps keys apart', async () => {
    const share = shareFreshReads<string>()
    const { started, read } = controlledReads()
    const a = share('a', read('a'))
    const b = share('b', read('b'))
    expect(started.map((s) => s.key)).toEqual(['a', 'b'])
    started[1]?.finish('bee')
    started[0]?.finish('ay')
    expect([await a, await b]).toEqual(['ay', 'bee'])
  })

  it('hands a failure to the callers of that read only, and reads again for the next', async () => {
    const share = shareFreshReads<string>()
    const { started, read } = controlledReads()
    const failing = share('a', read('a'))
    const next = share('a', read('a'))
    started[0]?.fail(new Error('database gone'))
    await expect(failing).rejects.toThrow('database gone')
    await settle()
    started[1]?.finish('back')
    expect(await next).toBe('back')
  })

  it('turns a read that throws at once into a rejection and stays usable', async () => {
    const share = shareFreshReads<string>()
    await expect(
      share('a', () => {
        throw new Error('bad input')
      }),
    ).rejects.toThrow('bad input')
    expect(await share('a', async () => 'fine')).toBe('fine')
  })
})
