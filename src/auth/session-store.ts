import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Clock } from '../app/ports.ts'

/** What the server keeps about a signed-in officer; the cookie holds only a random id. */
export interface SessionData {
  officerId: string
  stationId: string
  role: string
  csrfToken: string
  /** Milliseconds since the epoch, by the store's clock. */
  createdAt: number
  lastSeenAt: number
}

export interface SessionStoreOptions {
  redis: Redis
  /** Key prefix (the deployment's QUEUE_PREFIX). */
  prefix: string
  /** A session unused this long ends. */
  idleMs: number
  /** A session ends this long after login, used or not. */
  maxMs: number
  clock: Clock
}

export interface SessionStore {
  /** Starts a session; the returned id goes into the cookie and is never stored. */
  create(input: {
    officerId: string
    stationId: string
    role: string
  }): Promise<{ id: string; session: SessionData }>
  /**
   * The live session for a cookie id, marked as used now; null when unknown,
   * idle too long or too old. The mark is written only once the last one is a
   * hundredth of the idle timeout old (18 s of 30 minutes), so a session in
   * steady use costs one Redis read a request, and may end that much early.
   */
  touch(id: string): Promise<SessionData | null>
  /** Whether the session still exists and is in time, without counting this as use (open live streams). */
  isAlive(id: string): Promise<boolean>
  /** Ends one session (logout). */
  destroy(id: string): Promise<void>
  /** Ends every session of an officer (disabled, password changed); returns how many there were. */
  destroyAllFor(officerId: string): Promise<number>
  /** How many live sessions an officer has. */
  countFor(officerId: string): Promise<number>
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

/** Cookie ids are 32 random bytes in base64url; anything else is not worth a Redis round trip. */
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/

/**
 * Officer sessions in Redis. The key is the SHA-256 of the cookie id, so a
 * copy of Redis does not hand out usable cookies. Redis expiry enforces the
 * idle timeout (refreshed on every use, never past the absolute end); the
 * timestamps are checked as well, so the store's clock is the authority.
 * A set per officer lists their session keys so all can be ended at once.
 */
export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { redis, prefix, clock } = options
  // PX takes whole milliseconds; fractional minutes from the config would not be.
  const idleMs = Math.ceil(options.idleMs)
  const maxMs = Math.ceil(options.maxMs)
  const remarkAfterMs = idleMs / 100
  const sessionKey = (hashed: string) => `${prefix}:session:${hashed}`
  const officerKey = (officerId: string) => `${prefix}:officer-sessions:${officerId}`

  /** Time left before the session must end, whichever timeout comes first. */
  const ttlFor = (session: SessionData, now: number) => Math.min(idleMs, session.createdAt + maxMs - now)

  const remove = async (hashed: string, officerId: string | null) => {
    const tx = redis.multi().del(sessionKey(hashed))
    if (officerId) tx.srem(officerKey(officerId), hashed)
    await tx.exec()
  }

  return {
    async create(input) {
      const id = randomBytes(32).toString('base64url')
      const hashed = sha256(id)
      const now = clock.now().getTime()
      const session: SessionData = {
        officerId: input.officerId,
        stationId: input.stationId,
        role: input.role,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAt: now,
        lastSeenAt: now,
      }
      await pruneOfficerSet(redis, officerKey(input.officerId), sessionKey)
      await redis
        .multi()
        .set(sessionKey(hashed), JSON.stringify(session), 'PX', ttlFor(session, now))
        .sadd(officerKey(input.officerId), hashed)
        .pexpire(officerKey(input.officerId), maxMs)
        .exec()
      return { id, session }
    },

    async touch(id) {
      if (!ID_SHAPE.test(id)) return null
      const hashed = sha256(id)
      const raw = await redis.get(sessionKey(hashed))
      if (!raw) return null
      const session = parseSession(raw)
      if (!session) {
        await remove(hashed, null)
        return null
      }
      const now = clock.now().getTime()
      const ttl = ttlFor(session, now)
      if (now - session.lastSeenAt >= idleMs || ttl <= 0) {
        await remove(hashed, session.officerId)
        return null
      }
      if (now >= session.lastSeenAt && now - session.lastSeenAt < remarkAfterMs) return session
      const updated = { ...session, lastSeenAt: now }
      // XX: a logout or disable that ran since the read must not be undone by this write.
      const written = await redis.set(sessionKey(hashed), JSON.stringify(updated), 'PX', ttl, 'XX')
      return written === 'OK' ? updated : null
    },

    async isAlive(id) {
      if (!ID_SHAPE.test(id)) return false
      const raw = await redis.get(sessionKey(sha256(id)))
      const session = raw ? parseSession(raw) : null
      if (!session) return false
      const now = clock.now().getTime()
      return now - session.lastSeenAt < idleMs && ttlFor(session, now) > 0
    },

    async destroy(id) {
      if (!ID_SHAPE.test(id)) return
      const hashed = sha256(id)
      const raw = await redis.get(sessionKey(hashed))
      await remove(hashed, raw ? (parseSession(raw)?.officerId ?? null) : null)
    },

    async destroyAllFor(officerId) {
      const members = await redis.smembers(officerKey(officerId))
      const tx = redis.multi()
      for (const hashed of members) tx.del(sessionKey(hashed))
      tx.del(officerKey(officerId))
      const results = (await tx.exec()) ?? []
      return results.slice(0, members.length).filter(([, deleted]) => deleted === 1).length
    },

    async countFor(officerId) {
      return (await pruneOfficerSet(redis, officerKey(officerId), sessionKey)).length
    },
  }
}

/** Drops ids of sessions that expired on their own; returns the live ones. */
async function pruneOfficerSet(
  redis: Redis,
  setKey: string,
  sessionKey: (hashed: string) => string,
): Promise<string[]> {
  const members = await redis.smembers(setKey)
  if (members.length === 0) return []
  const check = redis.pipeline()
  for (const hashed of members) check.exists(sessionKey(hashed))
  const results = (await check.exec()) ?? []
  const gone = members.filter((_, i) => results[i]?.[1] === 0)
  if (gone.length) await redis.srem(setKey, ...gone)
  return members.filter((m) => !gone.includes(m))
}

function parseSession(raw: string): SessionData | null {
  try {
    const value = JSON.parse(raw) as Partial<SessionData>
    if (
      typeof value.officerId === 'string' &&
      typeof value.stationId === 'string' &&
      typeof value.role === 'string' &&
      typeof value.csrfToken === 'string' &&
      typeof value.createdAt === 'number' &&
      typeof value.lastSeenAt === 'number'
    ) {
      return value as SessionData
    }
  } catch {
    // Not ours or corrupted: treated as no session.
  }
  return null
}
