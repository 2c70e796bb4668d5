import { type BotRole, startBots } from '../bots/index.ts'
import { startWorkers, type WorkerRole } from '../workers/index.ts'
import { type DemoLogin, ensureDemoLogins } from './cli/demo-logins.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createContext } from './context.ts'
import { buildApp } from './http/app.ts'
import { createLogger } from './logger.ts'
import { RedisCheckError } from './queues/redis.ts'
import { seedStations } from './store/seed.ts'
import { readStationFile } from './store/station-file.ts'

/**
 * Starts the roles named in ROLES (api, worker, bot; all three by default, for
 * one station on one machine). Shutdown runs in the opposite order of the flow:
 * stop taking requests, then finish jobs, then let go of the chat accounts.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const logger = createLogger({ level: config.LOG_LEVEL })
  const ctx = await createContext(config, logger)

  for (const file of config.STATION_FILES) {
    const summary = await seedStations(ctx.database.db, await readStationFile(file), {
      defaultTimeZone: config.TIME_ZONE,
    })
    logger.info({ file, ...summary }, 'station data loaded')
  }
  ctx.directory.invalidate()
  const demoLogins = config.DEMO ? await ensureDemoLogins(ctx.database.db) : []

  const roles = new Set(config.ROLES)
  const workers: WorkerRole | null = roles.has('worker') ? await startWorkers(ctx) : null
  const bots: BotRole | null = roles.has('bot') ? await startBots(ctx) : null
  const app = roles.has('api') ? await buildApp(ctx) : null
  if (app) {
    await app.listen({ port: config.PORT, host: config.HOST })
    const shownHost = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST
    logger.info(
      { engine: ctx.database.engine },
      `maplebridge is up: resident chat at http://${shownHost}:${config.PORT}/chat`,
    )
    if (demoLogins.length) printDemoBanner(`http://${shownHost}:${config.PORT}`, demoLogins)
  }

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    await app?.close()
    await workers?.stop()
    await bots?.stop()
    await ctx.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

/** The demo's fixed, documented sign-ins, printed for the person trying it (never logged). */
function printDemoBanner(baseUrl: string, logins: DemoLogin[]): void {
  const rows = logins.map(
    (l) => `  ${l.station}  ${l.role.padEnd(10)} ${l.username.padEnd(16)} ${l.password}   (${l.name})`,
  )
  process.stdout.write(
    `\n  maplebridge demo\n  residents: ${baseUrl}/chat     officers: ${baseUrl}/inbox     API docs: ${baseUrl}/docs\n\n  station role       username         password\n${rows.join('\n')}\n\n`,
  )
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RedisCheckError) {
    process.stderr.write(`maplebridge cannot start.\n${error.message}\n`)
  } else {
    process.stderr.write(`maplebridge failed to start: ${(error as Error).stack ?? String(error)}\n`)
  }
  process.exit(1)
})
