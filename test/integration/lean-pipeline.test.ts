import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { leanPipelines } from '../../src/queues/lean-pipeline.ts'
import { createRedis } from '../../src/queues/redis.ts'
import { cleanPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts'

type WithScripts = Redis & {
  addTwo(key: string, by: number): Promise<number>
  sumOf(a: string, b: string): Promise<number>
}

describe('pipelines that share their scripts', () => {
  const prefix = uniquePrefix('lean')
  let redis: WithScripts

  beforeAll(() => {
    redis = leanPipelines(new Redis(TEST_REDIS_URL, { enableAutoPipelining: true })) as WithScripts
    redis.defineCommand('addTwo', {
      numberOfKeys: 1,
      lua: 'return redis.call("INCRBY", KEYS[1], tonumber(ARGV[1]) * 2)',
    })
  })
  afterAll(async () => {
    redis.disconnect()
    await cleanPrefix(prefix)
  })

  it('runs scripts and plain commands in one pipeline, answering each in order', async () => {
    const key = `${prefix}:n`
    const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & {
      addTwo(k: string, by: number): unknown
    }
    pipeline.set(key, '1')
    pipeline.addTwo(key, 5)
    pipeline.get(key)
    expect(await pipeline.exec()).toEqual([
      [null, 'OK'],
      [null, 11],
      [null, '11'],
    ])
  })

  it('keeps each pipeline its own queue of commands', async () => {
    const a = redis.pipeline().set(`${prefix}:a`, 'x')
    const b = redis.pipeline()
    expect(a.length).toBe(1)
    expect(b.length).toBe(0)
    expect(await a.exec()).toEqual([[null, 'OK']])
    expect(await b.exec()).toEqual([])
  })

  it('knows a script defined after earlier pipelines were built', async () => {
    redis.pipeline()
    redis.defineCommand('sumOf', {
      numberOfKeys: 2,
      lua: 'return (tonumber(redis.call("GET", KEYS[1])) or 0) + (tonumber(redis.call("GET", KEYS[2])) or 0)',
    })
    await redis.set(`${prefix}:x`, '3')
    await redis.set(`${prefix}:y`, '4')
    const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & {
      sumOf(a: string, b: string): unknown
    }
    pipeline.sumOf(`${prefix}:x`, `${prefix}:y`)
    expect(await pipeline.exec()).toEqual([[null, 7]])
    // Auto-pipelined calls go through the same pipelines.
    expect(
      await Promise.all([redis.sumOf(`${prefix}:x`, `${prefix}:y`), redis.addTwo(`${prefix}:x`, 1)]),
    ).toEqual([7, 5])
  })

  it("carries BullMQ's scripts: jobs added in bulk and one by one are all there", async () => {
    const producer = createRedis(TEST_REDIS_URL, 'producer')
    const queue = new Queue('lean', { connection: producer, prefix })
    try {
      await queue.addBulk(
        Array.from({ length: 5 }, (_, i) => ({ name: 'bulk', data: { i }, opts: { jobId: `b${i}` } })),
      )
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => queue.add('one', { i }, { jobId: `o${i}`, priority: 2 })),
      )
      const counts = await queue.getJobCounts('waiting', 'prioritized')
      expect(counts).toEqual({ waiting: 5, prioritized: 5 })
      expect((await queue.getJob('b3'))?.data).toEqual({ i: 3 })
    } finally {
      await queue.close()
      producer.disconnect()
    }
  })
})
