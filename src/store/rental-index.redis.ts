import type { Redis } from 'ioredis'
import type { PendingLeaseQuestion, RentalIndex } from '../app/forms/rental-store.ts'

/**
 * A landlord's open lease questions and pending correction, under
 * `<prefix>:rental:<residentId>`: a hash of `q:<requestId>` → question (ids,
 * case number, day) and `fix` → the correction's form state, sealed by the
 * caller. The key lives until its latest entry's time is up; an entry past
 * its own time is not answered (a correction lapses sooner than a question).
 */
export function createRentalIndex(redis: Redis, prefix: string): RentalIndex {
  const key = (residentId: string) => `${prefix}:rental:${residentId}`
  // ARGV: field, value, time to live (ms); the key's expiry only ever moves later.
  const PUT = `
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl < 0 or ttl < tonumber(ARGV[3]) then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
    end
    return 1`
  // ARGV: the request id whose correction may be removed.
  const REMOVE_FIX = `
    local raw = redis.call('HGET', KEYS[1], 'fix')
    if raw and cjson.decode(raw).requestId == ARGV[1] then
      return redis.call('HDEL', KEYS[1], 'fix')
    end
    return 0`
  const put = (residentId: string, field: string, value: object, ttlMs: number) => {
    const ms = Math.max(1, Math.round(ttlMs))
    const entry = { ...value, expiresAt: Date.now() + ms }
    return redis.eval(PUT, 1, key(residentId), field, JSON.stringify(entry), String(ms))
  }
  const read = <T>(raw: string | null | undefined): T | null => {
    if (!raw) return null
    try {
      const { expiresAt, ...entry } = JSON.parse(raw) as { expiresAt?: number }
      return expiresAt !== undefined && expiresAt < Date.now() ? null : (entry as T)
    } catch {
      return null
    }
  }

  return {
    async putQuestion(residentId, question, ttlMs) {
      await put(residentId, `q:${question.requestId}`, question, ttlMs)
    },
    async removeQuestion(residentId, requestId) {
      await redis.hdel(key(residentId), `q:${requestId}`)
    },
    async questions(residentId) {
      const all = await redis.hgetall(key(residentId))
      return Object.entries(all).flatMap(([field, raw]) => {
        const question = field.startsWith('q:') ? read<PendingLeaseQuestion>(raw) : null
        return question ? [question] : []
      })
    },
    async putCorrection(residentId, entry, ttlMs) {
      await put(residentId, 'fix', entry, ttlMs)
    },
    async correction(residentId) {
      return read<{ requestId: string; sealedState: string }>(await redis.hget(key(residentId), 'fix'))
    },
    async removeCorrection(residentId, requestId) {
      await redis.eval(REMOVE_FIX, 1, key(residentId), requestId)
    },
  }
}
