import { Redis, type RedisOptions } from 'ioredis'
import { leanPipelines } from './lean-pipeline.ts'

/**
 * Producers fail fast when Redis is away (the caller gets an error at once
 * instead of a request hanging); workers and subscribers wait for it to return.
 */
export function createRedis(url: string, purpose: 'producer' | 'worker' | 'subscriber'): Redis {
  const options: RedisOptions =
    purpose === 'producer'
      ? // Auto-pipelining batches the many small commands of concurrent requests into fewer round trips.
        { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false, enableAutoPipelining: true }
      : purpose === 'worker'
        ? // A batch of jobs finishing together sends its completions in one write, not one each.
          { maxRetriesPerRequest: null, enableReadyCheck: true, enableAutoPipelining: true }
        : { maxRetriesPerRequest: null, enableReadyCheck: true }
  return leanPipelines(new Redis(url, { ...options, connectionName: `maplebridge-${purpose}` }))
}

export class RedisCheckError extends Error {
  override name = 'RedisCheckError'
}

/**
 * Checks, before anything starts, that Redis answers, is new enough for
 * BullMQ and will never evict keys (an evicted job is a lost message).
 */
export async function checkRedis(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 3000,
  })
  client.on('error', () => {})
  const shown = url.replace(/\/\/[^@]*@/, '//***@')
  try {
    await client.connect()
  } catch (error) {
    throw new RedisCheckError(
      `Cannot reach Redis at ${shown} (${(error as Error).message}). Start Redis 6.2 or newer, or set REDIS_URL to where it runs.`,
    )
  }
  try {
    const info = await client.info()
    const field = (name: string) => info.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1]?.trim()
    const version = field('redis_version') ?? '0'
    const [major = 0, minor = 0] = version.split('.').map(Number)
    if (major < 6 || (major === 6 && minor < 2)) {
      throw new RedisCheckError(`Redis at ${shown} is version ${version}; maplebridge needs 6.2 or newer.`)
    }
    const policy = field('maxmemory_policy')
    if (policy && policy !== 'noeviction') {
      throw new RedisCheckError(
        `Redis at ${shown} has maxmemory-policy=${policy}; queued messages could be evicted and lost. ` +
          'Set "maxmemory-policy noeviction" in redis.conf (or run: redis-cli CONFIG SET maxmemory-policy noeviction).',
      )
    }
  } finally {
    client.disconnect()
  }
}
