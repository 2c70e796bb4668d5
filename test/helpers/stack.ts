import type { FastifyInstance } from 'fastify'
import { mock } from 'wechaty-puppet-mock'
import { type BotRole, startBots } from '../../bots/index.ts'
import { createPuppet } from '../../bots/wechaty/puppet.ts'
import type { Clock } from '../../src/app/ports.ts'
import { loadConfig } from '../../src/config.ts'
import { type AppContext, createContext } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import { createLogger } from '../../src/logger.ts'
import type { DatabaseHandle } from '../../src/store/db.ts'
import { seedStations } from '../../src/store/seed.ts'
import { readStationFile } from '../../src/store/station-file.ts'
import { startWorkers, type WorkerRole } from '../../workers/index.ts'
import { cleanPrefix, TEST_REDIS_URL, uniquePrefix } from './redis.ts'
import { waitFor } from './wait.ts'

export type Mocker = InstanceType<typeof mock.Mocker>

/** Wednesday 25 November 2026, 10:00 in Hangzhou: every demo community officer is on duty. */
export const ON_DUTY = new Date('2026-11-25T02:00:00Z')

export interface TestStack {
  ctx: AppContext
  app: FastifyInstance | null
  baseUrl: string
  /** The mock WeChat world of each bot account, by account id. */
  mockers: Map<string, Mocker>
  clock: { now(): Date; set(at: Date): void }
  stop(): Promise<void>
}

export interface StackOptions {
  database: DatabaseHandle
  label: string
  roles?: Array<'api' | 'worker' | 'bot'>
  stationFiles?: string[]
  env?: Record<string, string>
  at?: Date
  /** Where log lines go (to inspect what gets logged); set LOG_LEVEL in env to see more than nothing. */
  logDestination?: { write(line: string): void }
}

/**
 * The whole service in-process, as `npm start` runs it, against real Redis (own
 * prefix) and the given database, with every WeChat account on the mock puppet.
 */
export async function startTestStack(options: StackOptions): Promise<TestStack> {
  const prefix = uniquePrefix(options.label)
  const config = loadConfig({
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OUTBOUND_JITTER_MS: '0',
    DATA_DIR: 'memory://',
    ...options.env,
  })
  // The clock starts at a chosen moment and runs at real speed, so events keep their
  // order; a test that sets it stops it there, to check timeouts to the minute.
  const started = { at: (options.at ?? ON_DUTY).getTime(), realAt: Date.now() }
  let frozen: Date | null = null
  const clock: Clock & { set(at: Date): void } = {
    now: () => frozen ?? new Date(started.at + (Date.now() - started.realAt)),
    set(at) {
      frozen = at
    },
  }
  const logger = createLogger({ level: config.LOG_LEVEL, destination: options.logDestination })
  const ctx = await createContext(config, logger, { database: options.database, clock })
  for (const file of options.stationFiles ?? ['seeds/changqing.yaml', 'seeds/fengqiao.yaml']) {
    await seedStations(ctx.database.db, await readStationFile(file))
  }
  ctx.directory.invalidate()

  const roles = new Set(options.roles ?? ['api', 'worker', 'bot'])
  const mockers = new Map<string, Mocker>()
  const workers: WorkerRole | null = roles.has('worker') ? await startWorkers(ctx) : null
  const bots: BotRole | null = roles.has('bot')
    ? await startBots(ctx, {
        puppetFactory: async (account) => {
          const mocker = new mock.Mocker()
          mockers.set(account.id, mocker)
          return createPuppet({ puppet: 'mock', mocker })
        },
      })
    : null
  // Every mock account logs in as itself, as a scanned account would.
  for (const [accountId, mocker] of mockers) mocker.login(mocker.createContact({ name: accountId }))
  const wechat = bots?.channels.find((c) => c.kind === 'wechat') as
    | { isLoggedIn(id: string): boolean }
    | undefined
  if (wechat)
    await waitFor(() => [...mockers.keys()].every((id) => wechat.isLoggedIn(id)), 'mock accounts to log in')
  const app = roles.has('api') ? await buildApp(ctx) : null
  const baseUrl = app ? await app.listen({ port: 0, host: '127.0.0.1' }) : ''

  return {
    ctx,
    app,
    baseUrl,
    mockers,
    clock,
    async stop() {
      await app?.close()
      await workers?.stop()
      await bots?.stop()
      await ctx.close()
      await cleanPrefix(prefix)
    },
  }
}
