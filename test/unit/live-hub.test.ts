import { EventEmitter } from 'node:events'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.ts'
import { LiveHub } from '../../src/queues/live-hub.ts'

/** Enough of an ioredis subscriber: subscriptions the test confirms by hand, messages it emits. */
class FakeSubscriber extends EventEmitter {
  readonly subscribed: string[] = []
  readonly unsubscribed: string[] = []
  private readonly pending: Array<() => void> = []

  subscribe(channel: string): Promise<number> {
    this.subscribed.push(channel)
    return new Promise((resolve) => this.pending.push(() => resolve(1)))
  }

  async unsubscribe(channel: string): Promise<number> {
    this.unsubscribed.push(channel)
    return 0
  }

  confirm(): void {
    for (const done of this.pending.splice(0)) done()
  }

  disconnect(): void {}
}

const logger = createLogger({ level: 'silent' })

function hubWith(): { hub: LiveHub; redis: FakeSubscriber } {
  const redis = new FakeSubscriber()
  return { hub: new LiveHub(redis as unknown as Redis, logger), redis }
}

describe('LiveHub', () => {
  it('parses a message once for all its JSON listeners, and still hands raw listeners the text', async () => {
    const { hub, redis } = hubWith()
    const got: unknown[] = []
    const raw: string[] = []
    const parse = JSON.parse
    let parses = 0
    const subscriptions = Promise.all([
      hub.subscribeJson('live:st-cq', (v) => got.push(v)),
      hub.subscribeJson('live:st-cq', (v) => got.push(v)),
      hub.subscribeJson('live:st-cq', (v) => got.push(v)),
      hub.subscribe('live:st-cq', (t) => raw.push(t)),
    ])
    redis.confirm()
    await subscriptions
    JSON.parse = (text: string) => {
      parses++
      return parse(text)
    }
    try {
      redis.emit('message', 'live:st-cq', '{"caseId":"c1"}')
    } finally {
      JSON.parse = parse
    }
    expect(parses).toBe(1)
    expect(got).toEqual([{ caseId: 'c1' }, { caseId: 'c1' }, { caseId: 'c1' }])
    expect(got[0]).toBe(got[2])
    expect(raw).toEqual(['{"caseId":"c1"}'])
    expect(redis.subscribed).toEqual(['live:st-cq'])
  })

  it('drops a message that is not JSON for JSON listeners only', async () => {
    const { hub, redis } = hubWith()
    const got: unknown[] = []
    const raw: string[] = []
    const subscriptions = Promise.all([
      hub.subscribeJson('ch', (v) => got.push(v)),
      hub.subscribe('ch', (t) => raw.push(t)),
    ])
    redis.confirm()
    await subscriptions
    redis.emit('message', 'ch', 'not json')
    expect(got).toEqual([])
    expect(raw).toEqual(['not json'])
  })

  it('lets no listener start before Redis confirmed the subscription, however late it joined', async () => {
    const { hub, redis } = hubWith()
    const ready: string[] = []
    const first = hub.subscribeJson('ch', () => {}).then(() => ready.push('first'))
    const second = hub.subscribeJson('ch', () => {}).then(() => ready.push('second'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(ready).toEqual([])
    redis.confirm()
    await Promise.all([first, second])
    expect(ready.sort()).toEqual(['first', 'second'])
    expect(redis.subscribed).toEqual(['ch'])
  })

  it('unsubscribes when the last listener of a channel leaves', async () => {
    const { hub, redis } = hubWith()
    const subscriptions = Promise.all([hub.subscribeJson('ch', () => {}), hub.subscribe('ch', () => {})])
    redis.confirm()
    const [stopJson, stopRaw] = await subscriptions
    await stopJson()
    expect(redis.unsubscribed).toEqual([])
    await stopRaw()
    expect(redis.unsubscribed).toEqual(['ch'])
  })
})
