import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import type { AccountPace, SendCounter } from '../app/broadcasts/ports.ts'
import type { Clock } from '../app/ports.ts'
import { localDay, sendGapMs } from '../domain/broadcast-pace.ts'

/**
 * One atomic step of an account's pace, on Redis' own clock so every process
 * agrees: refuse while the previous send's gap has not passed (answering how
 * long to wait), or when a cap is given and the day's sends reached it;
 * otherwise take the slot, set the next one a gap later and count the send.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return {0, math.ceil(nextAt - now)} end
local cap = tonumber(ARGV[2])
if cap > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= cap then return {-1, 0} end
local gap = tonumber(ARGV[1])
if gap > 0 then redis.call('SET', KEYS[1], tostring(now + gap), 'PX', math.ceil(gap) + 60000) end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], 259200)
return {1, now}
`

type TakeCommand = (paceKey: string, dayKey: string, gapMs: string, cap: string) => Promise<[number, number]>

export interface PaceOptions {
  accountId: string
  /** 0: no limit (sends are still counted per day). */
  ratePerMinute: number
  jitterMs: number
  /** The station's: a day's cap runs from local midnight. */
  timeZone: string
}

/**
 * Every send of a WeChat account, whichever process and queue job makes it,
 * passes its pace here: gaps of at least 60 s / rate (jitter only lengthens
 * them), and a count per local day that daily caps are checked against.
 */
export function createSendPace(redis: Redis, prefix: string, clock: Clock) {
  if (!('mbPaceTake' in redis)) redis.defineCommand('mbPaceTake', { numberOfKeys: 2, lua: TAKE })
  const take = (redis as unknown as { mbPaceTake: TakeCommand }).mbPaceTake.bind(redis)
  const paceKey = (accountId: string) => `${prefix}:pace:${accountId}`
  const dayKey = (accountId: string, day: string) => `${prefix}:sent:${accountId}:${day}`

  function forAccount(options: PaceOptions): AccountPace {
    return {
      async take(cap = 0) {
        const gap = sendGapMs(options.ratePerMinute, options.jitterMs)
        const day = localDay(clock.now(), options.timeZone)
        for (;;) {
          const [granted, value] = await take(
            paceKey(options.accountId),
            dayKey(options.accountId, day),
            String(gap),
            String(cap),
          )
          if (granted === 1) return new Date(value)
          if (granted === -1) return null
          await sleep(Math.max(1, value))
        }
      },
    }
  }

  const counter: SendCounter = {
    async sentToday(accounts, now) {
      if (accounts.length === 0) return new Map()
      const values = await redis.mget(...accounts.map((a) => dayKey(a.id, localDay(now, a.timeZone))))
      return new Map(accounts.map((a, i) => [a.id, Number(values[i] ?? 0)]))
    },
  }

  return { forAccount, counter }
}

export type SendPace = ReturnType<typeof createSendPace>
