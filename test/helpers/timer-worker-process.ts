/**
 * A timer worker in a process of its own, for tests that kill it (kill -9)
 * and start another. Configured from the environment like the service; says
 * "ready" on stdout once it consumes the timers queue.
 *
 * SLOW_AFTER_COMMIT_MS holds each officer notice back that long after its
 * transaction has committed, which widens the window in which a killed worker
 * has acted but not yet acknowledged its job: the window the test is about.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../../src/config.ts'
import { createContext } from '../../src/context.ts'
import { createLogger } from '../../src/logger.ts'
import { startTimerWorker } from '../../workers/timers.worker.ts'

const config = loadConfig(process.env)
const logger = createLogger({ level: config.LOG_LEVEL })
const ctx = await createContext(config, logger)

const slowMs = Number(process.env.SLOW_AFTER_COMMIT_MS ?? 0)
if (slowMs > 0) {
  const enqueueNotice = ctx.dispatcher.enqueueNotice.bind(ctx.dispatcher)
  ctx.dispatcher.enqueueNotice = async (notice) => {
    await sleep(slowMs)
    await enqueueNotice(notice)
  }
}

const role = startTimerWorker({
  connection: ctx.redis.worker,
  prefix: config.QUEUE_PREFIX,
  logger,
  deadlines: ctx.deadlines,
  concurrency: 4,
  // A dead worker's jobs are taken over within about a second.
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
  sweepEveryMs: 1000,
  sweepHorizonMs: 5000,
})
await role.worker.waitUntilReady()
process.stdout.write('ready\n')

process.on('SIGTERM', () => {
  void role
    .close()
    .then(() => ctx.close())
    .finally(() => process.exit(0))
})
