import { createRoster } from '../src/app/roster.ts'
import type { AppContext } from '../src/context.ts'
import { createDutyExceptions } from '../src/store/duty-exceptions.repository.ts'
import { newId } from '../src/store/ids.ts'
import { startBroadcastWorker } from './broadcast.worker.ts'
import { type InboundWorker, startInboundWorker } from './inbound.worker.ts'
import { startRetentionWorker } from './retention.worker.ts'
import { startServiceTimerWorker } from './service-timers.worker.ts'
import { startTimerWorker } from './timers.worker.ts'

export interface WorkerRole {
  stop(): Promise<void>
}

/** How long a stored event may wait unqueued before the sweeper queues it again. */
const SWEEP_AFTER_MS = 60_000

/**
 * The inbound worker as the worker role runs it: an event it can never handle is
 * parked for a person to see. `onParked` hears of each (the bench counts them).
 */
export function startInbound(ctx: AppContext, onParked?: (reason: string) => void): InboundWorker {
  return startInboundWorker({
    connection: ctx.redis.worker,
    prefix: ctx.config.QUEUE_PREFIX,
    concurrency: ctx.config.INBOUND_CONCURRENCY,
    logger: ctx.logger,
    deps: ctx.inboundDeps,
    async onPermanentFailure(eventId, reason) {
      onParked?.(reason)
      await ctx.inboundEvents.markParked(eventId)
      await ctx.park({ channel: 'pipeline', accountId: 'pipeline', reason, detail: { eventId } })
    },
  })
}

/**
 * The worker role: the inbound pipeline, case timers and officers' digests,
 * broadcasts (planning, and handing deliveries to the outbound queues), and
 * a sweeper that re-queues events stored by an adapter that crashed before it
 * could queue them.
 */
export async function startWorkers(
  ctx: AppContext,
  options: { sweepEveryMs?: number } = {},
): Promise<WorkerRole> {
  const { config, logger } = ctx
  const inbound = startInbound(ctx)

  const roster = createRoster({
    store: createDutyExceptions(ctx.database.db),
    directory: ctx.directory,
    cases: ctx.cases.commands,
    clock: ctx.clock,
    newId,
  })
  const sweep = async () => {
    try {
      const pending = await ctx.inboundEvents.pendingOlderThan(SWEEP_AFTER_MS)
      for (const job of pending) await ctx.queues.addInbound(job)
      if (pending.length) logger.info({ count: pending.length }, 're-queued stored inbound events')
    } catch (error) {
      logger.warn({ err: error }, 'inbound sweep failed')
    }
    try {
      // Leave that began since it was entered: the absent officer's cases go to who is on duty.
      const moved = await roster.handOverAbsent()
      if (moved) logger.info({ count: moved }, 'handed over cases of absent officers')
    } catch (error) {
      logger.warn({ err: error }, 'absence hand-over failed')
    }
  }
  const timers = startTimerWorker({
    connection: ctx.redis.worker,
    prefix: config.QUEUE_PREFIX,
    logger,
    deadlines: ctx.deadlines,
  })

  const broadcasts = startBroadcastWorker({
    connection: ctx.redis.worker,
    redis: ctx.redis.producer,
    prefix: config.QUEUE_PREFIX,
    logger,
    runner: ctx.broadcasts.runner,
    tickMs: config.BROADCAST_TICK,
  })

  const serviceTimers = startServiceTimerWorker({
    connection: ctx.redis.worker,
    prefix: config.QUEUE_PREFIX,
    logger,
    homeWatch: ctx.serviceRequests.homeWatch,
    handlers: [ctx.serviceRequests.mediation, ctx.serviceRequests.rental, ctx.serviceRequests.permits],
    submissions: ctx.serviceRequests,
  })

  const retention = await startRetentionWorker(ctx, ctx.redis.worker)

  const timer = setInterval(sweep, options.sweepEveryMs ?? 30_000)
  timer.unref()
  void sweep()

  return {
    async stop() {
      clearInterval(timer)
      await inbound.close()
      await timers.close()
      await serviceTimers.close()
      await retention.close()
      await broadcasts.close()
    },
  }
}
