import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InboundEvent } from '../../src/domain/types.ts'
import { fetcherConcurrency, INBOUND_FETCHERS, startInboundWorker } from '../../workers/inbound.worker.ts'
import { testEngines } from '../helpers/db.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

describe('how the inbound concurrency splits over its fetching workers', () => {
  it('gives each of the fetchers a share, and never more fetchers than jobs', () => {
    expect(INBOUND_FETCHERS).toBe(4)
    expect(fetcherConcurrency(400)).toEqual({ fetchers: 4, each: 100 })
    expect(fetcherConcurrency(30)).toEqual({ fetchers: 4, each: 8 })
    expect(fetcherConcurrency(3)).toEqual({ fetchers: 3, each: 1 })
    expect(fetcherConcurrency(1)).toEqual({ fetchers: 1, each: 1 })
  })
})

/** A backlog met by the inbound worker: what a restart or a burst of replies looks like. */
for (const engine of testEngines()) {
  describe(`the inbound worker facing a backlog (${engine.name})`, () => {
    let stack: TestStack

    beforeAll(async () => {
      // No worker role: this test starts the inbound worker itself, once the backlog is queued.
      stack = await startTestStack({
        database: await engine.open(),
        label: `backlog-${engine.name}`,
        roles: [],
      })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('shares the backlog among its fetchers and handles every event once', async () => {
      const ids: string[] = []
      for (let i = 0; i < 60; i++) {
        const at = new Date(ON_DUTY.getTime() + i).toISOString()
        const event: InboundEvent = {
          channel: 'wechat',
          accountId: 'cq-station',
          externalId: randomUUID(),
          sender: { ref: `wx-${randomUUID()}` },
          kind: 'text',
          text: `我住柳营巷${(i % 20) + 1}号，楼下有人乱停车`,
          sentAt: at,
          receivedAt: at,
        }
        const id = `ev-${randomUUID()}`
        await stack.ctx.inboundEvents.save(id, event)
        await stack.ctx.queues.addInbound({ eventId: id, accountId: event.accountId })
        ids.push(id)
      }

      const { config, logger } = stack.ctx
      const inbound = startInboundWorker({
        connection: stack.ctx.redis.worker,
        prefix: config.QUEUE_PREFIX,
        concurrency: 24,
        logger,
        deps: stack.ctx.inboundDeps,
        onPermanentFailure: async (eventId, reason) => {
          throw new Error(`event ${eventId} parked: ${reason}`)
        },
      })
      const completedBy = inbound.workers.map(() => 0)
      inbound.workers.forEach((worker, i) => {
        worker.on('completed', () => {
          completedBy[i]!++
        })
      })
      try {
        await waitFor(() => completedBy.reduce((a, b) => a + b, 0) >= ids.length, 'the backlog to be handled')
      } finally {
        await inbound.close()
      }

      expect(inbound.workers).toHaveLength(INBOUND_FETCHERS)
      expect(completedBy.filter((n) => n > 0).length).toBeGreaterThan(1)
      expect(completedBy.reduce((a, b) => a + b, 0)).toBe(ids.length)
      const db = stack.ctx.database.db
      const stored = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('id', 'in', ids)
        .executeTakeFirstOrThrow()
      expect(Number(stored.n)).toBe(ids.length)
      const cases = await db
        .selectFrom('messages')
        .select('case_id')
        .distinct()
        .where('id', 'in', ids)
        .execute()
      expect(cases).toHaveLength(ids.length)
    })
  })
}
