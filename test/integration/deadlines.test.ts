import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDeadlines } from '../../src/app/deadlines.ts'
import type { LiveEvent } from '../../src/app/ports.ts'
import type { Actor } from '../../src/domain/access.ts'
import { timerId } from '../../src/domain/deadlines.ts'
import { localParts } from '../../src/domain/duty.ts'
import type { CaseCategory, CasePriority, CaseStatus, Language } from '../../src/domain/types.ts'
import { liveChannel } from '../../src/queues/dispatcher.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { createDeadlineStore } from '../../src/store/case-timers.repository.ts'
import { type DatabaseHandle, openDatabase } from '../../src/store/db.ts'
import { newResidentCode } from '../../src/store/ids.ts'
import { seedIds } from '../../src/store/seed.ts'
import { startTimerWorker, type TimerRole } from '../../workers/timers.worker.ts'
import { TEST_DATABASE_URL, testEngines } from '../helpers/db.ts'
import { openSession } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const STATION = seedIds.station('DL')
const BEAT = seedIds.beat('DL-01')
const QIAN = seedIds.officer('880001') // primary of DL-01
const SUN = seedIds.officer('880002') // backup of DL-01
const LI = seedIds.officer('880003')
const ZHOU = seedIds.officer('880004') // mon-fri 08:30-17:30, sat 09:00-12:00
const ZHENG = seedIds.officer('880101') // London, mon-fri 07:00-15:00
const FIXTURE = 'test/fixtures/deadlines-station.yaml'

/**
 * Times in seconds: first answer in 4 s, reminder at half of it (2 s),
 * escalation at 4 s, re-route 4 s after that; after-care 1 s, 2 s, 2 s.
 */
const FAST = {
  RESPONSE_POLICY: 'normal=4s/1h, urgent=4s/1h, emergency=4s/1h, low=4s/2d',
  REMINDER_AT_SHARE: '0.5',
  AFTERCARE_NUDGE_AFTER: '1s',
  AFTERCARE_RESOLVE_AFTER: '2s',
  AFTERCARE_CLOSE_AFTER: '2s',
}

const actor = (id: string, role: Actor['role'] = 'officer'): Actor => ({
  id,
  role,
  stationId: STATION,
  beatIds: role === 'officer' ? [BEAT] : [],
})
const supervisor = actor(seedIds.officer('880009'), 'supervisor')

let counter = 0

/** What the inbound path leaves behind for a new message: resident, identity, case, message, queue job. */
async function openCase(
  stack: TestStack,
  options: {
    assignee: string | null
    language?: Language
    category?: CaseCategory
    priority?: CasePriority
    status?: CaseStatus
    dueInMs?: number
    openedAt?: Date
    firstRespondedAt?: Date
    resolutionDueAt?: Date
    schedule?: boolean
  },
): Promise<{ id: string; number: string }> {
  const db = stack.ctx.database.db
  const now = stack.clock.now()
  const residentId = randomUUID()
  const identityId = randomUUID()
  const id = randomUUID()
  const number = `DL-2026-${String(++counter).padStart(6, '0')}${randomBytes(2).toString('hex')}`
  const queue = options.assignee ? `officer-${options.assignee}` : `desk-${STATION}`
  await db
    .insertInto('residents')
    .values({ id: residentId, code: newResidentCode(), language: options.language ?? 'zh', beat_id: BEAT })
    .execute()
  await db
    .insertInto('channel_identities')
    .values({
      id: identityId,
      resident_id: residentId,
      channel: 'wechat',
      account_id: 'dl-station',
      contact_ref: `wxid_resident_${randomBytes(4).toString('hex')}`,
    })
    .execute()
  await db
    .insertInto('cases')
    .values({
      id,
      number,
      station_id: STATION,
      resident_id: residentId,
      identity_id: identityId,
      beat_id: BEAT,
      category: options.category ?? 'noise',
      priority: options.priority ?? 'normal',
      status: options.status ?? (options.assignee ? 'assigned' : 'new'),
      assignee_officer_id: options.assignee,
      queue,
      opened_at: options.openedAt ?? now,
      first_response_due_at: new Date(now.getTime() + (options.dueInMs ?? 4000)),
      first_responded_at: options.firstRespondedAt ?? null,
      resolution_due_at: options.resolutionDueAt ?? null,
      last_message_at: now,
    })
    .execute()
  await db
    .insertInto('messages')
    .values({
      id: randomUUID(),
      case_id: id,
      resident_id: residentId,
      identity_id: identityId,
      direction: 'inbound',
      channel: 'wechat',
      account_id: 'dl-station',
      kind: 'text',
      text: '楼上半夜装修，吵得睡不着',
      delivery_state: 'received',
      created_at: now,
    })
    .execute()
  await stack.ctx.dispatcher.enqueueCase({
    queue,
    caseId: id,
    stationId: STATION,
    messageId: id,
    priority: 'normal',
  })
  // The call the inbound path makes after its commit.
  if (options.schedule !== false) await stack.ctx.deadlines.afterCaseChanged([id])
  return { id, number }
}

/** Live events of the station, as the inbox's streams receive them. */
async function listenLive(
  stack: TestStack,
): Promise<{ events: LiveEvent[]; heard(like: Partial<LiveEvent>): Promise<LiveEvent>; close(): void }> {
  const sub = new Redis(TEST_REDIS_URL)
  const events: LiveEvent[] = []
  sub.on('message', (_channel, payload: string) => events.push(JSON.parse(payload) as LiveEvent))
  await sub.subscribe(liveChannel(stack.ctx.config.QUEUE_PREFIX, STATION))
  const fits = (event: LiveEvent, like: Partial<LiveEvent>) =>
    Object.entries(like).every(
      ([key, value]) => JSON.stringify(event[key as keyof LiveEvent]) === JSON.stringify(value),
    )
  return {
    events,
    // Events are published after the commit and arrive over pub/sub: wait for them.
    heard: (like) => waitFor(() => events.find((e) => fits(e, like)), `live event ${JSON.stringify(like)}`),
    close: () => sub.disconnect(),
  }
}

/** Signs the officer in and opens their inbox's live stream; keeps the frames it reads. */
async function openStream(stack: TestStack, badge: string) {
  const { cookie } = await openSession(stack.ctx, stack.app!, badge)
  const abort = new AbortController()
  const response = await fetch(`${stack.baseUrl}/api/stream`, {
    headers: { cookie: `mb_session=${cookie}` },
    signal: abort.signal,
  })
  expect(response.status).toBe(200)
  let text = ''
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        text += decoder.decode(value, { stream: true })
      }
    } catch {
      // Aborted by close().
    }
  })()
  await waitFor(() => text.includes(': connected'), 'the stream to connect')
  return {
    frames: () =>
      text
        .split('\n\n')
        .filter((block) => block.includes('data: '))
        .map((block) => ({
          event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
          // biome-ignore lint/suspicious/noExplicitAny: frames are read loosely and asserted on
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as any,
        })),
    async close() {
      abort.abort()
      await reading
    },
  }
}

function helpers(stack: TestStack) {
  const db = () => stack.ctx.database.db
  return {
    caseRow: (id: string) =>
      db().selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    timers: (caseId: string) =>
      db()
        .selectFrom('case_timers')
        .selectAll()
        .where('case_id', '=', caseId)
        // Timers made in one transaction share created_at: the sooner due comes first.
        .orderBy('created_at')
        .orderBy('due_at')
        .execute(),
    timer: (id: string) => db().selectFrom('case_timers').selectAll().where('id', '=', id).executeTakeFirst(),
    notices: (caseId: string) =>
      db()
        .selectFrom('officer_notices')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute(),
    outbound: (caseId: string) =>
      db()
        .selectFrom('messages')
        .select(['id', 'text', 'direction', 'delivery_state'])
        .where('case_id', '=', caseId)
        .where('direction', 'in', ['outbound', 'note'])
        .orderBy('created_at')
        .execute(),
    audits: (caseId: string, action: string) =>
      db()
        .selectFrom('audit_events')
        .select(['actor', 'detail'])
        .where('subject_id', '=', caseId)
        .where('action', '=', action)
        .execute(),
    fired: async (id: string) =>
      (await db().selectFrom('case_timers').select('state').where('id', '=', id).executeTakeFirst())
        ?.state === 'fired',
    timersQueue: () => stack.ctx.queues.get(QueueNames.timers),
  }
}

for (const engine of testEngines()) {
  describe(`deadlines and after-care (${engine.name})`, () => {
    let stack: TestStack
    let role: TimerRole
    let live: Awaited<ReturnType<typeof listenLive>>
    let h: ReturnType<typeof helpers>

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `deadlines-${engine.name}`,
        roles: ['api'],
        stationFiles: [FIXTURE],
        env: FAST,
      })
      h = helpers(stack)
      live = await listenLive(stack)
      role = startTimerWorker({
        connection: stack.ctx.redis.worker,
        prefix: stack.ctx.config.QUEUE_PREFIX,
        logger: stack.ctx.logger,
        deadlines: stack.ctx.deadlines,
        sweepEveryMs: 60_000,
      })
    })
    afterAll(async () => {
      live?.close()
      await role?.close()
      await stack?.stop()
    })

    it('reminds, then escalates, then re-routes an unanswered case, each once', async () => {
      const { id, number } = await openCase(stack, { assignee: QIAN, language: 'en' })
      const opened = await h.caseRow(id)
      const reminderId = timerId(id, 'reminder', opened.version)
      const escalationId = timerId(id, 'escalation', opened.version)
      expect((await h.timers(id)).map((t) => [t.id, t.kind, t.state, t.officer_id])).toEqual([
        [reminderId, 'reminder', 'scheduled', QIAN],
        [escalationId, 'escalation', 'scheduled', QIAN],
      ])
      const job = await h.timersQueue().getJob(reminderId)
      expect(await job?.getState()).toBe('delayed')
      // Ids only in the job, and no ':' in its id.
      expect(job?.data).toEqual({ timerId: reminderId, caseId: id })
      expect(reminderId).not.toContain(':')

      // The reminder, at half the first-response time.
      await waitFor(() => h.fired(reminderId), 'the reminder')
      const afterReminder = await h.notices(id)
      expect(afterReminder).toHaveLength(1)
      expect(afterReminder[0]).toMatchObject({ officer_id: QIAN, contact_ref: 'wxid_dl_qian' })
      expect(afterReminder[0]?.text).toMatch(
        new RegExp(`^即将超时 ${number}（噪音扰民）· 请在今天 \\d\\d:\\d\\d前首次回复 · 请在收件箱查看$`),
      )
      expect(afterReminder[0]?.text).not.toContain('装修')
      const noticeJob = await waitFor(
        () =>
          stack.ctx.queues.get(QueueNames.outbound('dl-station')).getJob(`notice-${afterReminder[0]?.id}`),
        'the send job of the notice',
      )
      expect(noticeJob.data).toEqual({ noticeId: afterReminder[0]?.id })
      await live.heard({ type: 'case.reminder', caseId: id, assigneeId: QIAN })
      expect((await h.caseRow(id)).escalated).toBe(false)

      // The escalation at the deadline: the officer and the beat's backup are told; the supervisor's queue shows it.
      await waitFor(() => h.fired(escalationId), 'the escalation')
      const escalated = await h.caseRow(id)
      expect(escalated).toMatchObject({ escalated: true, escalation_level: 1, assignee_officer_id: QIAN })
      expect(escalated.escalated_at).toBeInstanceOf(Date)
      expect(escalated.version).toBe(opened.version)
      const afterEscalation = (await h.notices(id))
        .filter((n) => !n.text.startsWith('即将超时'))
        .sort((a, b) => a.officer_id.localeCompare(b.officer_id))
      expect(afterEscalation.map((n) => [n.officer_id, n.text])).toEqual([
        [QIAN, `已超时 ${number}（噪音扰民）· 首次回复已超时，已报值班室 · 请尽快在收件箱回复`],
        [SUN, `超时升级 ${number}（噪音扰民）· 钱一警官未在时限内回复，请协助跟进 · 请在收件箱查看`],
      ])
      const queue = await stack.ctx.cases.reads.list(supervisor, { queue: 'escalated', limit: 50 })
      expect(queue.cases.map((c: { id: string }) => c.id)).toContain(id)
      await live.heard({ type: 'case.escalated', caseId: id })
      const rerouteId = timerId(id, 'reroute', opened.version)
      expect(await h.timer(rerouteId)).toMatchObject({ state: 'scheduled', officer_id: QIAN })

      // The second breach: the backup takes the case, the resident is told in English.
      await waitFor(() => h.fired(rerouteId), 'the re-route', 15_000)
      const rerouted = await h.caseRow(id)
      expect(rerouted).toMatchObject({
        assignee_officer_id: SUN,
        queue: `officer-${SUN}`,
        status: 'assigned',
        escalation_level: 2,
        version: opened.version + 1,
      })
      expect(rerouted.first_response_due_at!.getTime()).toBeGreaterThan(
        opened.first_response_due_at!.getTime(),
      )
      const told = (await h.outbound(id)).map((m) => m.text)
      expect(told).toEqual([
        `Sorry to keep you waiting. Case ${number} has been passed to Officer Sun Er, who will answer you soon. In an emergency, call 110.`,
      ])
      const last = (await h.notices(id)).filter((n) => n.text.startsWith('超时转交'))
      expect(last.map((n) => [n.officer_id, n.text])).toEqual([
        [SUN, `超时转交 ${number}（噪音扰民）· 原负责民警未回复，现由您处理 · 请在收件箱查看`],
      ])
      await live.heard({ type: 'case.routed', caseId: id, assigneeId: SUN })
      // The queue move comes after the commit, before the live event.
      expect(await stack.ctx.queues.get(`officer-${QIAN}`).getJob(`case-${id}`)).toBeUndefined()
      expect(await stack.ctx.queues.get(`officer-${SUN}`).getJob(`case-${id}`)).toBeDefined()
      // The new holder gets their own reminder, under the new version's id.
      expect(await h.timer(timerId(id, 'reminder', opened.version + 1))).toMatchObject({
        kind: 'reminder',
        state: 'scheduled',
        officer_id: SUN,
        case_version: opened.version + 1,
      })
      for (const action of ['case.reminded', 'case.escalated', 'case.rerouted']) {
        expect(await h.audits(id, action)).toHaveLength(1)
      }
    })

    it('finishes a re-route whose process died after its commit, and re-routes only once', async () => {
      const { id, number } = await openCase(stack, { assignee: QIAN, schedule: false })
      const now = stack.clock.now().getTime()
      // Escalated five seconds ago: the re-route (4 s after the escalation) is due.
      await stack.ctx.database.db
        .updateTable('cases')
        .set({
          first_response_due_at: new Date(now - 6000),
          escalated: true,
          escalated_at: new Date(now - 5000),
          escalation_level: 1,
        })
        .where('id', '=', id)
        .execute()
      // A process that stores timers without queueing them, and dies after its commit.
      const dying = createDeadlines({
        store: createDeadlineStore(stack.ctx.database.db),
        timers: { add: async () => {}, remove: async () => {} },
        digests: { list: async () => [], upsert: async () => {}, remove: async () => {} },
        directory: stack.ctx.directory,
        dispatcher: {
          ...stack.ctx.dispatcher,
          removeCase: async () => {
            throw new Error('the process died here')
          },
        },
        clock: stack.clock,
        newId: randomUUID,
        settings: { ...stack.ctx.config.DEADLINES, officerLanguage: 'zh', defaultTimeZone: 'Asia/Shanghai' },
      })
      await dying.scheduleForCase(id)
      const rerouteId = (await h.timers(id)).find((t) => t.kind === 'reroute')!.id
      await expect(dying.fire(rerouteId)).rejects.toThrow('the process died here')
      expect(await h.caseRow(id)).toMatchObject({ assignee_officer_id: SUN, escalation_level: 2 })
      expect(await stack.ctx.queues.get(`officer-${QIAN}`).getJob(`case-${id}`)).toBeDefined()

      // The job runs again (BullMQ retries it, or another worker takes it over).
      expect(await stack.ctx.deadlines.fire(rerouteId)).toEqual({ outcome: 'already-fired' })
      expect(await stack.ctx.deadlines.fire(rerouteId)).toEqual({ outcome: 'already-fired' })
      expect(await stack.ctx.queues.get(`officer-${QIAN}`).getJob(`case-${id}`)).toBeUndefined()
      expect(await stack.ctx.queues.get(`officer-${SUN}`).getJob(`case-${id}`)).toBeDefined()
      const told = await h.outbound(id)
      expect(told.map((m) => m.text)).toEqual([
        `抱歉让您久等了。您的案件 ${number} 已转由孙二警官处理，会尽快回复您。紧急情况请直接拨打110。`,
      ])
      expect(
        await stack.ctx.queues.get(QueueNames.outbound('dl-station')).getJob(`out-${told[0]?.id}`),
      ).toBeDefined()
      expect(await h.audits(id, 'case.rerouted')).toHaveLength(1)
      expect((await h.notices(id)).filter((n) => n.text.startsWith('超时转交'))).toHaveLength(1)
      // The new holder's reminder, stored by the dead process, now has its job.
      const reminder = (await h.timers(id)).find((t) => t.kind === 'reminder' && t.officer_id === SUN)!
      expect(await h.timersQueue().getJob(reminder.id)).toBeDefined()
    })

    it('cancels the reminder and escalation when the officer replies, and removes their jobs', async () => {
      const { id } = await openCase(stack, { assignee: QIAN })
      const { version } = await h.caseRow(id)
      await stack.ctx.cases.commands.reply(actor(QIAN), id, { text: '您好，我马上过来看看。', version })
      const timers = await h.timers(id)
      expect(timers.map((t) => [t.kind, t.state])).toEqual([
        ['reminder', 'cancelled'],
        ['escalation', 'cancelled'],
      ])
      for (const t of timers) expect(await h.timersQueue().getJob(t.id)).toBeUndefined()
      // A job that slipped through anyway does nothing.
      expect(await stack.ctx.deadlines.fire(timers[0]!.id)).toEqual({ outcome: 'cancelled' })
      expect(await h.notices(id)).toEqual([])
      expect((await h.caseRow(id)).escalated).toBe(false)
    })

    it('never reminds about a case answered behind its back, even when the job runs', async () => {
      const { id } = await openCase(stack, { assignee: QIAN })
      const { version } = await h.caseRow(id)
      // Answered by a writer that did not tell the deadline service: the jobs stay queued.
      await stack.ctx.database.db
        .updateTable('cases')
        .set({ first_responded_at: stack.clock.now(), status: 'in_progress' })
        .where('id', '=', id)
        .execute()
      const reminderId = timerId(id, 'reminder', version)
      const state = await waitFor(async () => {
        const t = await h.timer(reminderId)
        return t?.state === 'scheduled' ? null : t?.state
      }, 'the reminder job to run')
      expect(state).toBe('cancelled')
      expect(await h.notices(id)).toEqual([])
      // Handling it twice changes nothing.
      expect(await stack.ctx.deadlines.fire(reminderId)).toEqual({ outcome: 'cancelled' })
      expect(await h.audits(id, 'case.reminded')).toEqual([])
    })

    it('gives a reassigned case a fresh deadline and new timers under the new version', async () => {
      const { id, number } = await openCase(stack, { assignee: QIAN })
      const before = await h.caseRow(id)
      await stack.ctx.cases.commands.assign(supervisor, id, {
        version: before.version,
        target: { officerId: LI },
      })
      const after = await h.caseRow(id)
      expect(after.version).toBe(before.version + 1)
      expect(after.first_response_due_at!.getTime()).toBeGreaterThan(before.first_response_due_at!.getTime())
      const timers = await h.timers(id)
      expect(timers.map((t) => [t.id, t.state, t.officer_id])).toEqual([
        [timerId(id, 'reminder', before.version), 'cancelled', QIAN],
        [timerId(id, 'escalation', before.version), 'cancelled', QIAN],
        [timerId(id, 'reminder', after.version), 'scheduled', LI],
        [timerId(id, 'escalation', after.version), 'scheduled', LI],
      ])
      expect(timers[3]?.due_at).toEqual(after.first_response_due_at)
      await waitFor(() => h.fired(timerId(id, 'reminder', after.version)), "李三's reminder")
      const reminders = (await h.notices(id)).filter((n) => n.text.startsWith('即将超时'))
      expect(reminders.map((n) => [n.officer_id, n.text.split(' ')[1]])).toEqual([
        [LI, `${number}（噪音扰民）·`],
      ])
    })

    it('nudges a resident who does not answer, resolves with a note, asks for a rating and closes', async () => {
      const { id, number } = await openCase(stack, { assignee: QIAN })
      let c = await h.caseRow(id)
      await stack.ctx.cases.commands.reply(actor(QIAN), id, { text: '请问是几号楼？', version: c.version })
      c = await h.caseRow(id)
      await stack.ctx.cases.commands.setStatus(actor(QIAN), id, {
        version: c.version,
        status: 'awaiting_resident',
      })
      const awaiting = await h.caseRow(id)
      expect(awaiting.awaiting_since).toBeInstanceOf(Date)
      expect((await h.timers(id)).filter((t) => t.state === 'scheduled').map((t) => t.kind)).toEqual([
        'resident-nudge',
        'auto-resolve',
      ])

      const closed = await waitFor(
        async () => {
          const row = await h.caseRow(id)
          return row.status === 'closed' ? row : null
        },
        'the case to close',
        15_000,
      )
      expect(closed.closed_at).toBeInstanceOf(Date)
      expect(closed.resolved_at!.getTime()).toBeGreaterThanOrEqual(awaiting.awaiting_since!.getTime() + 1900)
      expect(closed.rating_asked_at).toBeInstanceOf(Date)
      expect(closed.awaiting_since).toBeNull()
      const texts = (await h.outbound(id)).map((m) => [m.direction, m.text])
      // After the officer's reply and the status message: the nudge, then resolution (note and message, written together), then the rating question.
      expect(texts).toHaveLength(6)
      expect(texts[2]).toEqual([
        'outbound',
        expect.stringMatching(new RegExp(`^关于案件 ${number}，民警还在等您的回复.*自动办结。$`)),
      ])
      expect(texts.slice(3, 5)).toEqual(
        expect.arrayContaining([
          ['note', '系统自动办结：居民2秒内未回复。'],
          [
            'outbound',
            `案件 ${number} 较长时间没有收到您的回复，已先行办结。如仍需帮助，直接回复本消息即可。`,
          ],
        ]),
      )
      expect(texts[5]).toEqual(['outbound', expect.stringContaining(`请为案件 ${number} 的办理打个分`)])
      expect((await h.timers(id)).filter((t) => t.state === 'fired').map((t) => t.kind)).toEqual([
        'resident-nudge',
        'auto-resolve',
        'rating',
        'close',
      ])
      expect(await stack.ctx.queues.get(`officer-${QIAN}`).getJob(`case-${id}`)).toBeUndefined()
    })

    it('leaves a resident who answered alone, and does not close a reopened case', async () => {
      const { id } = await openCase(stack, { assignee: QIAN })
      let c = await h.caseRow(id)
      await stack.ctx.cases.commands.reply(actor(QIAN), id, { text: '请补充门牌号。', version: c.version })
      c = await h.caseRow(id)
      await stack.ctx.cases.commands.setStatus(actor(QIAN), id, {
        version: c.version,
        status: 'awaiting_resident',
      })
      c = await h.caseRow(id)
      await stack.ctx.database.db
        .insertInto('messages')
        .values({
          id: randomUUID(),
          case_id: id,
          resident_id: c.resident_id,
          identity_id: c.identity_id,
          direction: 'inbound',
          channel: 'wechat',
          account_id: 'dl-station',
          kind: 'text',
          text: '3幢2单元',
          delivery_state: 'received',
          created_at: new Date(stack.clock.now().getTime() + 1),
        })
        .execute()
      await stack.ctx.deadlines.afterCaseChanged([id])
      expect((await h.timers(id)).filter((t) => t.kind === 'resident-nudge').map((t) => t.state)).toEqual([
        'cancelled',
      ])

      await stack.ctx.cases.commands.setStatus(actor(QIAN), id, { version: c.version, status: 'resolved' })
      const rating = await waitFor(
        async () => (await h.timers(id)).find((t) => t.kind === 'rating' && t.state === 'fired'),
        'the rating question',
      )
      expect(rating).toBeDefined()
      c = await h.caseRow(id)
      await stack.ctx.cases.commands.reopen(actor(QIAN), id, { version: c.version })
      const close = (await h.timers(id)).find((t) => t.kind === 'close')
      expect(close?.state).toBe('cancelled')
      expect(await stack.ctx.deadlines.fire(close!.id)).toEqual({ outcome: 'cancelled' })
      expect((await h.caseRow(id)).status).toBe('in_progress')
      expect((await h.outbound(id)).filter((m) => m.text?.includes('民警还在等您的回复'))).toEqual([])
    })

    it("creates each officer's digest scheduler at their shift start, in the station's time zone", async () => {
      await stack.ctx.deadlines.syncDigestSchedules()
      const schedulers = await h.timersQueue().getJobSchedulers(0, -1, true)
      const byId = new Map(schedulers.map((s) => [s.key, s]))
      expect(byId.get(`digest-${ZHOU}-0830`)).toMatchObject({
        pattern: '30 8 * * 1,2,3,4,5',
        tz: 'Asia/Shanghai',
      })
      expect(byId.get(`digest-${ZHOU}-0900`)).toMatchObject({ pattern: '0 9 * * 6', tz: 'Asia/Shanghai' })
      expect(byId.get(`digest-${QIAN}-0800`)).toMatchObject({ pattern: '0 8 * * *', tz: 'Asia/Shanghai' })
      const london = byId.get(`digest-${ZHENG}-0700`)
      expect(london).toMatchObject({ pattern: '0 7 * * 1,2,3,4,5', tz: 'Europe/London' })
      const next = localParts(new Date(london!.next!), 'Europe/London')
      expect([next.hour, next.minute]).toEqual([7, 0])
      expect([1, 2, 3, 4, 5]).toContain(next.weekday)

      // An officer who leaves loses their schedule; syncing again changes nothing else.
      await stack.ctx.database.db
        .updateTable('officers')
        .set({ active: false })
        .where('id', '=', LI)
        .execute()
      stack.ctx.directory.invalidate()
      expect(await stack.ctx.deadlines.syncDigestSchedules()).toEqual({ upserted: 0, removed: 1 })
      expect((await h.timersQueue().getJobSchedulers(0, -1, true)).map((s) => s.key)).not.toContain(
        `digest-${LI}-0800`,
      )
      await stack.ctx.database.db.updateTable('officers').set({ active: true }).where('id', '=', LI).execute()
      stack.ctx.directory.invalidate()
    })

    it('sends the digest once per slot: open, due today and overdue, case numbers only', async () => {
      const now = stack.clock.now()
      const hour = 3_600_000
      const overdue = await openCase(stack, {
        assignee: ZHOU,
        status: 'in_progress',
        firstRespondedAt: now,
        openedAt: new Date(now.getTime() - 3 * hour),
        resolutionDueAt: new Date(now.getTime() - 2 * hour),
        schedule: false,
      })
      await openCase(stack, {
        assignee: ZHOU,
        status: 'in_progress',
        firstRespondedAt: now,
        resolutionDueAt: new Date(now.getTime() + hour),
        schedule: false,
      })
      await openCase(stack, {
        assignee: ZHOU,
        status: 'in_progress',
        firstRespondedAt: now,
        resolutionDueAt: new Date(now.getTime() + 48 * hour),
        schedule: false,
      })
      const slot = new Date('2026-11-25T00:30:00Z')
      expect(await stack.ctx.deadlines.sendDigest(ZHOU, slot)).toBe('sent')
      expect(await stack.ctx.deadlines.sendDigest(ZHOU, slot)).toBe('sent')
      const notices = await stack.ctx.database.db
        .selectFrom('officer_notices')
        .selectAll()
        .where('officer_id', '=', ZHOU)
        .execute()
      expect(notices).toHaveLength(1)
      expect(notices[0]).toMatchObject({
        id: `digest-${ZHOU}-${slot.getTime()}`,
        case_id: null,
        contact_ref: 'wxid_dl_zhou',
        text: `今日概览 11月25日 · 在办 3 件 · 今日到期 1 件 · 已超时 1 件（${overdue.number}）· 请在收件箱查看`,
      })
      const job = await stack.ctx.queues
        .get(QueueNames.outbound('dl-station'))
        .getJob(`notice-${notices[0]?.id}`)
      expect(job?.data).toEqual({ noticeId: notices[0]?.id })
      await live.heard({
        type: 'officer.digest',
        assigneeId: ZHOU,
        digest: { open: 3, dueToday: 1, overdue: 1 },
      })

      // In the inbox: the officer's own live stream shows it, a colleague's does not.
      const zhouStream = await openStream(stack, '880004')
      const qianStream = await openStream(stack, '880001')
      const second = new Date(slot.getTime() + 3_600_000)
      await stack.ctx.deadlines.sendDigest(ZHOU, second)
      const frame = await waitFor(
        () => zhouStream.frames().find((f) => f.event === 'digest'),
        'the digest in the inbox',
      )
      expect(frame.data).toEqual({ open: 3, dueToday: 1, overdue: 1 })
      // Events reach each stream in order: once 钱一 has the next one, he would have had the digest.
      await stack.ctx.dispatcher.publish({
        type: 'case.updated',
        stationId: STATION,
        caseId: overdue.id,
        assigneeId: QIAN,
        beatId: BEAT,
      })
      await waitFor(() => qianStream.frames().some((f) => f.data?.caseId === overdue.id), "钱一's next event")
      expect(qianStream.frames().filter((f) => f.event === 'digest')).toEqual([])
      await zhouStream.close()
      await qianStream.close()

      // On leave: no digest.
      await stack.ctx.database.db
        .insertInto('duty_exceptions')
        .values({
          id: randomUUID(),
          station_id: STATION,
          officer_id: ZHOU,
          kind: 'leave',
          on_duty: false,
          starts_at: new Date(now.getTime() - hour),
          ends_at: new Date(now.getTime() + 24 * hour),
        })
        .execute()
      stack.ctx.directory.invalidate()
      expect(await stack.ctx.deadlines.sendDigest(ZHOU, new Date(slot.getTime() + 86_400_000))).toBe(
        'skipped',
      )
    })
  })
}

/**
 * A worker killed with kill -9 in the middle of its work, and another started
 * after it: from the database, each reminder acted exactly once, none for an
 * answered case, and every notice got its send job. Two processes need a
 * shared database, so this runs against PostgreSQL only.
 */
describe.skipIf(!TEST_DATABASE_URL)('timers across a killed worker (postgres)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`
  let url: string
  let handle: DatabaseHandle
  let stack: TestStack
  const children: ChildProcess[] = []

  const startWorker = async (env: Record<string, string>): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/timer-worker-process.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let stderr = ''
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk)
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 30_000)
      child.stdout?.on('data', (chunk) => {
        if (String(chunk).includes('ready')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)))
    })
    return child
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.end()
    const scoped = new URL(TEST_DATABASE_URL!)
    scoped.searchParams.set('options', `-c search_path=${schema}`)
    url = scoped.toString()
    handle = await openDatabase({ url, poolSize: 5 })
    stack = await startTestStack({
      database: handle,
      label: 'deadlines-kill',
      roles: [],
      stationFiles: [FIXTURE],
      // Both processes read the real clock.
      at: new Date(),
      env: { ...FAST, RESPONSE_POLICY: 'normal=8s/1h', REMINDER_AT_SHARE: '0.25' },
    })
  })
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await stack?.stop()
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  it('acts on each reminder exactly once, never for an answered case', async () => {
    const h = helpers(stack)
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: url,
      QUEUE_PREFIX: stack.ctx.config.QUEUE_PREFIX,
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      DB_POOL_SIZE: '5',
      ...FAST,
      RESPONSE_POLICY: 'normal=8s/1h',
      REMINDER_AT_SHARE: '0.25',
      SLOW_AFTER_COMMIT_MS: '300',
    }
    const first = await startWorker(env)

    // Reminders 2 s after opening, staggered by 100 ms: a steady stream for the worker.
    // Of every five cases, one is answered through the inbox (its timers cancelled), one behind the
    // deadline service's back (its jobs stay queued and must find the case answered).
    const cases: Array<{ id: string; answered: 'no' | 'reply' | 'behind' }> = []
    for (let i = 0; i < 30; i++) {
      const answered = i % 5 === 0 ? 'reply' : i % 5 === 1 ? 'behind' : 'no'
      const { id } = await openCase(stack, { assignee: QIAN, dueInMs: 8000 + i * 100 })
      cases.push({ id, answered })
      const { version } = await h.caseRow(id)
      if (answered === 'reply') {
        await stack.ctx.cases.commands.reply(actor(QIAN), id, { text: '收到，马上处理。', version })
      } else if (answered === 'behind') {
        await handle.db
          .updateTable('cases')
          .set({ first_responded_at: new Date(), status: 'in_progress' })
          .where('id', '=', id)
          .execute()
      }
    }
    const reminderIds = await Promise.all(
      cases.map(async (c) => timerId(c.id, 'reminder', (await h.timers(c.id))[0]!.case_version)),
    )
    const firedCount = async () =>
      (
        await handle.db
          .selectFrom('case_timers')
          .select('id')
          .where('id', 'in', reminderIds)
          .where('state', '=', 'fired')
          .execute()
      ).length

    // Kill the worker in the middle of the stream.
    await waitFor(async () => (await firedCount()) >= 5, 'some reminders to fire', 20_000)
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    const atKill = await firedCount()
    expect(atKill).toBeLessThan(18)
    // The killed worker had acted on some reminders without finishing: their notices have no send job yet.
    const stored = await handle.db
      .selectFrom('officer_notices')
      .select('id')
      .where(
        'case_id',
        'in',
        cases.map((c) => c.id),
      )
      .where('text', 'like', '即将超时%')
      .execute()
    const outbound = stack.ctx.queues.get(QueueNames.outbound('dl-station'))
    const unqueued = (
      await Promise.all(stored.map(async (n) => ((await outbound.getJob(`notice-${n.id}`)) ? 0 : 1)))
    ).reduce<number>((a, b) => a + b, 0)
    expect(unqueued).toBeGreaterThan(0)

    await startWorker({ ...env, SLOW_AFTER_COMMIT_MS: '0' })
    const open = cases.filter((c) => c.answered === 'no')
    await waitFor(
      async () => {
        const rows = await handle.db
          .selectFrom('case_timers')
          .select(['state'])
          .where('id', 'in', reminderIds)
          .execute()
        return rows.every((r) => r.state !== 'scheduled')
      },
      'every reminder to be handled',
      30_000,
    )

    for (const c of cases) {
      const reminder = (await h.timers(c.id)).find((t) => t.kind === 'reminder')!
      const notices = (await h.notices(c.id)).filter((n) => n.text.startsWith('即将超时'))
      const audits = await h.audits(c.id, 'case.reminded')
      if (c.answered === 'no') {
        expect(reminder.state).toBe('fired')
        expect(notices).toHaveLength(1)
        expect(audits).toHaveLength(1)
      } else {
        expect(reminder.state).toBe('cancelled')
        expect(notices).toEqual([])
        expect(audits).toEqual([])
      }
    }
    // Every notice reached its send queue, one job each.
    const all = await handle.db
      .selectFrom('officer_notices')
      .select('id')
      .where(
        'case_id',
        'in',
        open.map((c) => c.id),
      )
      .where('text', 'like', '即将超时%')
      .execute()
    expect(all).toHaveLength(open.length)
    await waitFor(
      async () => (await Promise.all(all.map((n) => outbound.getJob(`notice-${n.id}`)))).every(Boolean),
      'a send job for every notice',
    )
  })

  it('keeps reminders that fall due while every process is down, even those whose jobs Redis lost', async () => {
    const h = helpers(stack)
    // Nothing runs the timers while the cases are opened and their reminders fall due.
    const cases = []
    for (let i = 0; i < 4; i++) cases.push(await openCase(stack, { assignee: QIAN, language: 'zh' }))
    const reminders = await Promise.all(
      cases.map(async (c) => timerId(c.id, 'reminder', (await h.caseRow(c.id)).version)),
    )
    // Two of the delayed jobs are gone, as after a Redis restart without its append-only file.
    for (const id of reminders.slice(0, 2)) await h.timersQueue().remove(id)
    await waitFor(async () => {
      const due = await handle.db
        .selectFrom('case_timers')
        .select('due_at')
        .where('id', 'in', reminders)
        .execute()
      return due.every((t) => t.due_at.getTime() < Date.now())
    }, 'the reminders falling due with nothing running')
    const worker = await startWorker({
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: url,
      QUEUE_PREFIX: stack.ctx.config.QUEUE_PREFIX,
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      DB_POOL_SIZE: '5',
      ...FAST,
      RESPONSE_POLICY: 'normal=8s/1h',
      REMINDER_AT_SHARE: '0.25',
    })
    try {
      await waitFor(async () => {
        const fired = await Promise.all(reminders.map((id) => h.fired(id)))
        return fired.every(Boolean)
      }, 'every reminder fired after the restart')
      for (const c of cases) expect(await h.audits(c.id, 'case.reminded')).toHaveLength(1)
    } finally {
      worker.kill('SIGKILL')
    }
  })
})
