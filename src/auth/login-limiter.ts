import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface LoginLimiterOptions {
  redis: Redis
  /** Key prefix (the deployment's QUEUE_PREFIX). */
  prefix: string
  /** Failures for one username before it is locked (default 5). */
  maxPerUsername?: number
  /** Failures from one client address before it is locked (default 20). */
  maxPerIp?: number
  /** The window failures are counted in, and how long a lock lasts (default 15 minutes). */
  windowMs?: number
}

export type LoginLimit = { locked: false } | { locked: true; retryAfterSeconds: number }

export interface LoginLimiter {
  /** Whether a login for this username from this address may be tried now. */
  check(username: string, ip: string): Promise<LoginLimit>
  /** Counts a failed login; reports whether the username or address is now locked. */
  recordFailure(username: string, ip: string): Promise<LoginLimit>
  /** A successful login forgives the username's earlier failures (not the address's). */
  recordSuccess(username: string): Promise<void>
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32)

/**
 * Failed-login counters in Redis, shared by every API process. A counter's
 * window starts at its first failure; the failure that reaches the limit
 * restarts the expiry, so a lock always lasts a full window from then.
 * Usernames and addresses appear in keys only as hashes.
 */
export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const { redis, prefix } = options
  const maxPerUsername = options.maxPerUsername ?? 5
  const maxPerIp = options.maxPerIp ?? 20
  const windowMs = options.windowMs ?? 15 * 60_000
  const userKey = (username: string) => `${prefix}:login-fail:user:${digest(username.trim().toLowerCase())}`
  const ipKey = (ip: string) => `${prefix}:login-fail:ip:${digest(ip)}`

  const state = (counts: Array<[count: number, pttl: number, max: number]>): LoginLimit => {
    const waits = counts
      .filter(([count, , max]) => count >= max)
      .map(([, pttl]) => (pttl > 0 ? pttl : windowMs))
    if (waits.length === 0) return { locked: false }
    return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) }
  }

  return {
    async check(username, ip) {
      const results =
        (await redis
          .multi()
          .get(userKey(username))
          .pttl(userKey(username))
          .get(ipKey(ip))
          .pttl(ipKey(ip))
          .exec()) ?? []
      const value = (i: number) => Number(results[i]?.[1] ?? 0)
      return state([
        [value(0), value(1), maxPerUsername],
        [value(2), value(3), maxPerIp],
      ])
    },

    async recordFailure(username, ip) {
      const counts: Array<[number, number, number]> = []
      for (const [key, max] of [
        [userKey(username), maxPerUsername],
        [ipKey(ip), maxPerIp],
      ] as const) {
        const results = (await redis.multi().incr(key).pttl(key).exec()) ?? []
        const count = Number(results[0]?.[1] ?? 0)
        let pttl = Number(results[1]?.[1] ?? -1)
        if (count === 1 || count === max || pttl < 0) {
          await redis.pexpire(key, windowMs)
          pttl = windowMs
        }
        counts.push([count, pttl, max])
      }
      return state(counts)
    },

    async recordSuccess(username) {
      await redis.del(userKey(username))
    },
  }
}
