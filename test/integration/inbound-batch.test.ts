import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleInboundBatch, type InboundOutcome } from '../../src/app/handle-inbound.ts'
import type { InboundEvent } from '../../src/domain/types.ts'
import { PermanentError } from '../../src/errors.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

/** Many events in one transaction: what the inbound worker does under load. */
for (const engine of testEngines()) {
  describe(`inbound events handled as a batch (${engine.name})`, () => {
    let stack: TestStack
    let tick = 0

    beforeAll(async () => {
      // No workers: each test hands its own batch to the use case.
      stack = await startTestStack({
        database: await engine.open(),
        label: `batch-${engine.name}`,
        roles: [],
      })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db

    /** Stores an event as an adapter would (without queueing it) and answers its id. */
    const stored = async (sender: string, text: string, overrides: Partial<InboundEvent> = {}) => {
      // Apart by a millisecond each, so the batch sees them in the order they were written.
      const at = new Date(ON_DUTY.getTime() + tick++).toISOString()
      const event: InboundEvent = {
        channel: 'wechat',
        accountId: 'cq-station',
        externalId: randomUUID(),
        sender: { ref: sender, displayName: '测试居民' },
        kind: 'text',
        text,
        sentAt: at,
        receivedAt: at,
        ...overrides,
      }
      const id = `ev-${randomUUID()}`
      await stack.ctx.inboundEvents.save(id, event)
      return id
    }

    const routed = (o: InboundOutcome | Error) => {
      if (o instanceof Error || o.outcome !== 'routed') throw new Error(`not routed: ${JSON.stringify(o)}`)
      return o
    }

    it('puts several messages of one new resident on one case, and other residents on their own', async () => {
      const zhao = `wx-${randomUUID()}`
      const qian = `wx-${randomUUID()}`
      const ids = [
        await stored(zhao, '我住柳营巷12号，楼上每天半夜装修'),
        await stored(qian, '我住王马小区，电动车充电线被人剪了'),
        await stored(zhao, '已经持续一个星期了'),
        await stored(zhao, '麻烦尽快处理'),
      ]
      const outcomes = await handleInboundBatch(stack.ctx.inboundDeps, ids)
      const [first, other, second, third] = outcomes.map(routed)
      expect(first).toMatchObject({ newCase: true })
      expect(second).toMatchObject({ newCase: false, caseId: first!.caseId, caseNumber: first!.caseNumber })
      expect(third).toMatchObject({ newCase: false, caseId: first!.caseId })
      expect(other!.caseId).not.toBe(first!.caseId)
      expect(other!.caseNumber).not.toBe(first!.caseNumber)

      const messages = await db()
        .selectFrom('messages')
        .select(['id', 'case_id', 'direction', 'text'])
        .where('case_id', '=', first!.caseId)
        .orderBy('created_at')
        .execute()
      expect(messages.filter((m) => m.direction === 'inbound').map((m) => m.id)).toEqual([
        ids[0],
        ids[2],
        ids[3],
      ])
      // One acknowledgement naming the case; the follow-ups join it quietly.
      const acks = messages.filter((m) => m.direction === 'outbound')
      expect(acks).toHaveLength(1)
      expect(acks[0]!.text).toContain(first!.caseNumber)

      const kase = await db()
        .selectFrom('cases')
        .select(['version', 'last_message_at', 'status', 'resolution_due_at'])
        .where('id', '=', first!.caseId)
        .executeTakeFirstOrThrow()
      expect(kase.status).toBe('assigned')
      expect(kase.resolution_due_at).toBeInstanceOf(Date)
      // Its deadlines follow it from the start: a reminder before the first-response deadline, an escalation at it.
      const timers = await db()
        .selectFrom('case_timers')
        .select(['kind', 'state'])
        .where('case_id', '=', first!.caseId)
        .execute()
      expect(timers.map((t) => t.kind).sort()).toEqual(['escalation', 'reminder'])
      expect(timers.every((t) => t.state === 'scheduled')).toBe(true)
      const events = await db()
        .selectFrom('inbound_events')
        .select(['id', 'status', 'payload'])
        .where('id', 'in', ids)
        .execute()
      expect(events.every((e) => e.status === 'done' && e.payload === null)).toBe(true)
    })

    it('gives the cases a batch opens the same timers as reading them back would', async () => {
      const ids = [
        await stored(`wx-${randomUUID()}`, '我住柳营巷12号，楼道里的灯坏了一个月了'),
        await stored(`wx-${randomUUID()}`, '有人冒充客服让我转账，我已经转了五千'),
        await stored(`wx-${randomUUID()}`, '你好，想问一下居住证怎么办理'),
      ]
      const caseIds = (await handleInboundBatch(stack.ctx.inboundDeps, ids)).map((o) => routed(o).caseId)
      const timers = () =>
        db()
          .selectFrom('case_timers')
          .select(['id', 'case_id', 'kind', 'case_version', 'due_at', 'anchor_at', 'officer_id', 'state'])
          .where('case_id', 'in', caseIds)
          .orderBy('id')
          .execute()
      const cases = () =>
        db()
          .selectFrom('cases')
          .select(['id', 'first_response_due_at', 'resolution_due_at', 'awaiting_since', 'version'])
          .where('id', 'in', caseIds)
          .orderBy('id')
          .execute()
      const written = { timers: await timers(), cases: await cases() }
      expect(new Set(written.timers.map((t) => t.case_id))).toEqual(new Set(caseIds))
      // Planned again from the stored rows alone, the timers come out the same, and the cases unchanged.
      await db().deleteFrom('case_timers').where('case_id', 'in', caseIds).execute()
      for (const caseId of caseIds) await stack.ctx.deadlines.scheduleForCase(caseId)
      expect({ timers: await timers(), cases: await cases() }).toEqual(written)
    })

    it('fails an event it can never handle alone, and handles the rest', async () => {
      const sun = `wx-${randomUUID()}`
      const good = await stored(sun, '我住长寿桥小区，想咨询一下户口迁移')
      const lost = await stored(`wx-${randomUUID()}`, '你好', { accountId: 'no-such-account' })
      const missing = `ev-${randomUUID()}`
      const outcomes = await handleInboundBatch(stack.ctx.inboundDeps, [lost, good, missing])
      expect(outcomes[0]).toBeInstanceOf(PermanentError)
      expect((outcomes[0] as Error).message).toContain('no-such-account')
      expect(routed(outcomes[1]!).newCase).toBe(true)
      expect(outcomes[2]).toBeInstanceOf(PermanentError)
      const state = await db()
        .selectFrom('inbound_events')
        .select('status')
        .where('id', '=', lost)
        .executeTakeFirstOrThrow()
      // Left as it was, for the worker to park.
      expect(state.status).toBe('pending')
    })

    it('handles an event once, whether it is in a batch twice or handled again later', async () => {
      const li = `wx-${randomUUID()}`
      const id = await stored(li, '我住柳营巷3号，门口的路灯坏了')
      const [a, b] = await handleInboundBatch(stack.ctx.inboundDeps, [id, id])
      // Both copies answer what the one handling did.
      expect(routed(a!).newCase).toBe(true)
      expect(b).toEqual(a)
      expect(await handleInboundBatch(stack.ctx.inboundDeps, [id])).toEqual([{ outcome: 'duplicate' }])
      const messages = await db()
        .selectFrom('messages')
        .select('direction')
        .where((eb) => eb.or([eb('id', '=', id), eb('in_reply_to', '=', id)]))
        .execute()
      expect(messages.map((m) => m.direction).sort()).toEqual(['inbound', 'outbound'])
    })

    it('reopens a case resolved within the week with the same officer, and opens a new one after that', async () => {
      const zhou = `wx-${randomUUID()}`
      const first = routed(
        (
          await handleInboundBatch(stack.ctx.inboundDeps, [
            await stored(zhou, '我住柳营巷5号，门口总有人乱停车'),
          ])
        )[0]!,
      )
      const resolveAt = async (caseId: string, daysAgo: number) => {
        await db()
          .updateTable('cases')
          .set({
            status: 'resolved',
            resolved_at: new Date(stack.clock.now().getTime() - daysAgo * 86_400_000),
          })
          .where('id', '=', caseId)
          .execute()
      }
      await resolveAt(first.caseId, 2)
      const again = routed(
        (await handleInboundBatch(stack.ctx.inboundDeps, [await stored(zhou, '又停在门口了')]))[0]!,
      )
      expect(again).toMatchObject({ caseId: first.caseId, newCase: false })
      const row = await db()
        .selectFrom('cases')
        .select(['status', 'resolved_at', 'assignee_officer_id', 'queue'])
        .where('id', '=', first.caseId)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({ status: 'in_progress', resolved_at: null })
      expect(row.queue).toBe(`officer-${row.assignee_officer_id}`)
      const told = await db()
        .selectFrom('messages')
        .select('text')
        .where('case_id', '=', first.caseId)
        .where('direction', '=', 'outbound')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow()
      expect(told.text).toContain(`${first.caseNumber} 已重新打开`)

      await resolveAt(first.caseId, 8)
      const later = routed(
        (await handleInboundBatch(stack.ctx.inboundDeps, [await stored(zhou, '现在又有车停着')]))[0]!,
      )
      expect(later.newCase).toBe(true)
      expect(later.caseId).not.toBe(first.caseId)
    })

    it("routes a new case to the beat's backup while its officer is on leave", async () => {
      const li = seedIds.officer('330104')
      const now = stack.clock.now()
      const leave = randomUUID()
      await db()
        .insertInto('duty_exceptions')
        .values({
          id: leave,
          station_id: seedIds.station('CQ'),
          officer_id: li,
          kind: 'leave',
          on_duty: false,
          starts_at: new Date(now.getTime() - 3_600_000),
          ends_at: new Date(now.getTime() + 86_400_000),
        })
        .execute()
      stack.ctx.directory.invalidate()
      try {
        const [outcome] = await handleInboundBatch(stack.ctx.inboundDeps, [
          await stored(`wx-${randomUUID()}`, '我住柳营巷9号，楼下烧烤油烟太大'),
        ])
        const queue = routed(outcome!).queue
        expect(queue).toMatch(/^officer-/)
        expect(queue).not.toBe(`officer-${li}`)
      } finally {
        await db().deleteFrom('duty_exceptions').where('id', '=', leave).execute()
        stack.ctx.directory.invalidate()
      }
    })

    it('numbers the cases of concurrent batches without repeating a number', async () => {
      const batches = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const ids = []
          for (let i = 0; i < 5; i++)
            ids.push(await stored(`wx-${randomUUID()}`, '我住王马小区，楼道里堆满杂物'))
          return ids
        }),
      )
      const outcomes = (
        await Promise.all(batches.map((ids) => handleInboundBatch(stack.ctx.inboundDeps, ids)))
      )
        .flat()
        .map(routed)
      const numbers = outcomes.map((o) => o.caseNumber)
      expect(new Set(numbers).size).toBe(20)
      expect(outcomes.every((o) => o.newCase)).toBe(true)
    })

    it('opens one case for a known resident whose messages land in concurrent batches', async () => {
      const sun = `wx-${randomUUID()}`
      const [first] = await handleInboundBatch(stack.ctx.inboundDeps, [
        await stored(sun, '我住王马小区，想咨询一下'),
      ])
      await db()
        .updateTable('cases')
        .set({ status: 'closed' })
        .where('id', '=', routed(first!).caseId)
        .execute()
      const ids = []
      for (let i = 0; i < 6; i++) ids.push(await stored(sun, `楼下车库的门又坏了，第${i + 1}次反映`))
      // Each message in a batch of its own, together with other residents' messages, all at once.
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const other = await stored(`wx-${randomUUID()}`, '我住柳营巷12号，有人乱停车')
          return (await handleInboundBatch(stack.ctx.inboundDeps, [other, id]))[1]!
        }),
      )
      const cases = new Set(outcomes.map((o) => routed(o).caseId))
      expect(cases.size).toBe(1)
      expect(outcomes.filter((o) => routed(o).newCase)).toHaveLength(1)
      expect([...cases][0]).not.toBe(routed(first!).caseId)
    })
  })
}
