import type { Redis } from 'ioredis'
import type { ActiveHomeWatch, ActiveRequestIndex, FormStateStore } from '../app/forms/conversation.ts'
import type { FormState } from '../domain/forms/engine.ts'

/**
 * Forms in progress, in Redis under `<prefix>:form:<residentId>`: a hash of
 * the step number (`rev`) and the state (ids and answers, never message
 * text), which expires when the resident has not answered for a day. Writes
 * are conditional on the step they follow, in one Lua script each, so two
 * workers handling a resident's messages cannot undo each other's step.
 */
export function createFormStateStore(redis: Redis, prefix: string): FormStateStore {
  const key = (residentId: string) => `${prefix}:form:${residentId}`
  // ARGV[1]: the rev the write follows ('' for none); then the new rev, state, time-to-live.
  const PUT = `
    local rev = redis.call('HGET', KEYS[1], 'rev')
    if (rev == false and ARGV[1] == '') or rev == ARGV[1] then
      redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'state', ARGV[3])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return 1
    end
    return 0`
  const CLEAR = `
    local rev = redis.call('HGET', KEYS[1], 'rev')
    if ARGV[1] == '*' or rev == ARGV[1] then
      return redis.call('DEL', KEYS[1])
    end
    return 0`
  const revArg = (rev: number | null) => (rev === null ? '' : String(rev))

  return {
    async get(residentId) {
      const raw = await redis.hget(key(residentId), 'state')
      if (!raw) return null
      try {
        return JSON.parse(raw) as FormState
      } catch {
        return null
      }
    },
    async put(residentId, state, expectedRev, ttlMs) {
      const done = await redis.eval(
        PUT,
        1,
        key(residentId),
        revArg(expectedRev),
        String(state.rev),
        JSON.stringify(state),
        String(Math.max(1, Math.round(ttlMs))),
      )
      return done === 1
    },
    async clear(residentId, expectedRev) {
      const done = await redis.eval(
        CLEAR,
        1,
        key(residentId),
        expectedRev === undefined ? '*' : revArg(expectedRev),
      )
      return Number(done) > 0
    },
  }
}

/**
 * Running home watches by resident, under `<prefix>:home-watch:<residentId>`:
 * a hash of request id to its case and dates (no personal data). The key
 * lives until the latest entry's expiry, so entries of ended watches that
 * were never removed lapse by themselves.
 */
export function createActiveRequestIndex(redis: Redis, prefix: string): ActiveRequestIndex {
  const key = (residentId: string) => `${prefix}:home-watch:${residentId}`
  // ARGV: field, value, time to live (ms); the key's expiry only ever moves later.
  const PUT = `
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl < 0 or ttl < tonumber(ARGV[3]) then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
    end
    return 1`
  return {
    async put(residentId, entry, ttlMs) {
      await redis.eval(
        PUT,
        1,
        key(residentId),
        entry.requestId,
        JSON.stringify(entry),
        String(Math.round(ttlMs)),
      )
    },
    async remove(residentId, requestId) {
      await redis.hdel(key(residentId), requestId)
    },
    async list(residentId) {
      const all = await redis.hvals(key(residentId))
      return all.flatMap((raw) => {
        try {
          return [JSON.parse(raw) as ActiveHomeWatch]
        } catch {
          return []
        }
      })
    },
  }
}
