import type { Redis } from 'ioredis'
import type { BookedPermit, FreeSlot, PermitCache } from '../app/forms/permit-store.ts'

/** A snapshot nobody refreshed for this long is dropped: the next reader refreshes it. */
const FREE_TTL_MS = 2 * 86_400_000

/**
 * Residence-permit state the conversation hook reads instead of the database:
 * `<prefix>:permit-free:<stationId>`, the station's free slots as last read
 * (ids and times), and `<prefix>:permit-booked:<residentId>`, a resident's
 * booking to come (ids and times; no names, no phone numbers).
 */
export function createPermitCache(redis: Redis, prefix: string): PermitCache {
  const freeKey = (stationId: string) => `${prefix}:permit-free:${stationId}`
  const bookedKey = (residentId: string) => `${prefix}:permit-booked:${residentId}`
  // Deletes the booking only if it is still the given request's (a newer one may have replaced it).
  const DROP = `
    local raw = redis.call('GET', KEYS[1])
    if raw and cjson.decode(raw).requestId == ARGV[1] then
      return redis.call('DEL', KEYS[1])
    end
    return 0`

  return {
    async free(stationId) {
      const raw = await redis.get(freeKey(stationId))
      if (!raw) return null
      try {
        const data = JSON.parse(raw) as {
          at: string
          slots: Array<{ id: string; startsAt: string; endsAt: string }>
        }
        return {
          at: new Date(data.at),
          slots: data.slots.map(
            (s): FreeSlot => ({ id: s.id, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) }),
          ),
        }
      } catch {
        return null
      }
    },
    async putFree(stationId, snapshot) {
      await redis.set(freeKey(stationId), JSON.stringify(snapshot), 'PX', FREE_TTL_MS)
    },
    async booked(residentId) {
      const raw = await redis.get(bookedKey(residentId))
      if (!raw) return null
      try {
        const data = JSON.parse(raw) as Omit<BookedPermit, 'startsAt' | 'endsAt'> & {
          startsAt: string
          endsAt: string
        }
        return { ...data, startsAt: new Date(data.startsAt), endsAt: new Date(data.endsAt) }
      } catch {
        return null
      }
    },
    async putBooked(residentId, entry, ttlMs) {
      await redis.set(bookedKey(residentId), JSON.stringify(entry), 'PX', Math.max(1000, Math.round(ttlMs)))
    },
    async dropBooked(residentId, requestId) {
      await redis.eval(DROP, 1, bookedKey(residentId), requestId)
    },
  }
}
