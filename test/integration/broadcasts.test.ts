import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleInboundBatch } from '../../src/app/handle-inbound.ts'
import type { LiveEvent } from '../../src/app/ports.ts'
import { liveChannel } from '../../src/queues/dispatcher.ts'
import { broadcastRepliedTo } from '../../src/store/broadcast-replies.repository.ts'
import { seedIds } from '../../src/store/seed.ts'
import { type SeededResident, seedResidents } from '../helpers/broadcast-residents.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { type Mocker, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const STATION = seedIds.station('BC')
const EAST = { beatId: seedIds.beat('BC-01'), compoundId: seedIds.compound('BC', '东区小区') }
const WEST = { beatId: seedIds.beat('BC-02'), compoundId: seedIds.compound('BC', '西区小区') }
const ACCOUNTS = ['bc-a', 'bc-b', 'bc-c']
const GROUP = '东区平安群'

type MockContact = ReturnType<Mocker['createContact']>
type MockRoom = ReturnType<Mocker['createRoom']>

/** Mock contacts' and rooms' event typings do not resolve under NodeNext; listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

/** The texts each mock contact (or room) heard from the account's own user. */
function hear(source: MockContact | MockRoom, botId: string, into: string[]): void {
  ;(source as unknown as MessageSource).on('message', (m) => {
    if (m.talker().id === botId) into.push(m.text() ?? '')
  })
}

const draft = (over: Record<string, unknown> = {}) => ({
  title: '警惕冒充客服退款诈骗',
  text: {
    zh: '近期有骗子冒充网购客服，以退款为由索要验证码，请勿转账。',
    en: 'Fake refund calls ask for codes: never transfer money.',
  },
  category: 'anti_fraud',
  targets: { beatIds: [EAST.beatId] },
  ...over,
})

for (const engine of testEngines()) {
  describe(`broadcasts (${engine.name})`, () => {
    let stack: TestStack
    let author: OfficerClient
    let otherOfficer: OfficerClient
    let supervisor: OfficerClient
    let secondSupervisor: OfficerClient
    let admin: OfficerClient
    let residents: SeededResident[]
    /** What each contact ref (or the group) heard. */
    const heard = new Map<string, string[]>()
    const live: LiveEvent[] = []
    let sub: Redis

    const db = () => stack.ctx.database.db
    const heardBy = (ref: string) => heard.get(ref) ?? []

    /** Moves the service's clock (and stops it there); officers' sessions expire across such jumps, so sign in again. */
    async function setClock(at: string) {
      stack.clock.set(new Date(at))
      author = await signIn(stack.ctx, stack.app!, '770001')
    }

    async function waitState(id: string, state: string, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const res = await author.request('GET', `/api/broadcasts/${id}`)
          return res.body.broadcast.state === state ? res.body.broadcast : null
        },
        `broadcast ${id} to be ${state}`,
        timeoutMs,
      )
    }

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `bc-${engine.name}`,
        stationFiles: ['test/fixtures/broadcast-station.yaml'],
        env: { BROADCAST_APPROVAL_THRESHOLD: '20', BROADCAST_TICK: '100ms', BROADCAST_LOST_AFTER: '2s' },
      })
      residents = await seedResidents(db(), {
        label: engine.name,
        count: 30,
        accounts: ACCOUNTS,
        places: [EAST, WEST],
        secondAccountEvery: 5,
        optOutEvery: { n: 7, category: 'anti_fraud' },
        englishEvery: 6,
        tagEvery: { n: 4, tag: 'elderly_alone' },
      })
      for (const accountId of ACCOUNTS) {
        const mocker = stack.mockers.get(accountId)!
        const botId = mocker.puppet.currentUserId
        for (const r of residents) {
          for (const c of r.contacts.filter((c) => c.accountId === accountId)) {
            const contact = mocker.createContact({ id: c.contactRef, name: c.contactRef })
            const into: string[] = []
            heard.set(c.contactRef, into)
            hear(contact, botId, into)
          }
        }
        if (accountId === 'bc-a') {
          const room = mocker.createRoom({ topic: GROUP, memberIdList: [botId] })
          const into: string[] = []
          heard.set(GROUP, into)
          hear(room, botId, into)
        }
      }
      sub = new Redis(TEST_REDIS_URL)
      sub.on('message', (_c, payload: string) => live.push(JSON.parse(payload) as LiveEvent))
      await sub.subscribe(liveChannel(stack.ctx.config.QUEUE_PREFIX, STATION))
      author = await signIn(stack.ctx, stack.app!, '770001')
      otherOfficer = await signIn(stack.ctx, stack.app!, '770002')
      supervisor = await signIn(stack.ctx, stack.app!, '770009')
      secondSupervisor = await signIn(stack.ctx, stack.app!, '770010')
      admin = await signIn(stack.ctx, stack.app!, '770011')
    })
    afterAll(async () => {
      sub?.disconnect()
      await stack?.stop()
    })

    it('refuses bad drafts with a 400 that says what is wrong', async () => {
      const refused = async (body: unknown, pattern: RegExp) => {
        const res = await author.request('POST', '/api/broadcasts', body)
        expect(res.status, JSON.stringify(res.body)).toBe(400)
        expect(res.body.error.message).toMatch(pattern)
      }
      await refused(draft({ text: { zh: '   ' } }), /text\.zh: must not be empty/)
      await refused(
        draft({ text: { zh: '防'.repeat(700) } }),
        /text\.zh: .*2\d{3} bytes.*at most 2048 bytes.*shorten it by \d+ bytes/,
      )
      await refused(draft({ text: { zh: '短', en: 'x'.repeat(2100) } }), /text\.en: .*at most 2048 bytes/)
      await refused(draft({ targets: {} }), /targets: choose/)
      await refused(draft({ targets: { tags: ['nobody-has-this'] } }), /targets: they match no resident/)
      await refused(
        draft({ targets: { beatIds: ['bt-cq-01'] } }),
        /targets\.beatIds: no beat bt-cq-01 in your station/,
      )
      await refused(
        draft({ targets: { groups: [{ accountId: 'bc-b', name: GROUP }] } }),
        /not a group your station/,
      )
      await refused(draft({ sendAt: '2020-01-01T08:00:00+08:00' }), /sendAt: .* is in the past/)
      await refused(draft({ sendAt: 'tomorrow' }), /sendAt/)
      await refused(draft({ category: 'gossip' }), /category/)
      expect((await admin.request('POST', '/api/broadcasts', draft())).status).toBe(403)
      expect(await db().selectFrom('broadcasts').select('id').execute()).toEqual([])
    })

    it('refuses a broadcast everyone it matches has opted out of, saying so', async () => {
      const optedOut = residents.filter((r) => r.optedOut)
      // Target exactly the opted-out residents through a tag only they carry.
      await db()
        .updateTable('residents')
        .set({ tags: sql`tags || '["only-opted-out"]'::jsonb` })
        .where(
          'id',
          'in',
          optedOut.map((r) => r.id),
        )
        .execute()
      const all = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ targets: { tags: ['only-opted-out'] } }),
      )
      expect(all.status).toBe(400)
      expect(all.body.error.message).toMatch(
        new RegExp(`none of the ${optedOut.length} residents .* turned anti-fraud alerts off`),
      )
    })

    it('previews whom a draft reaches, through which accounts, and how long it takes', async () => {
      const east = residents.filter((_, i) => i % 2 === 0)
      const res = await author.request('POST', '/api/broadcasts/preview', {
        category: 'anti_fraud',
        targets: { beatIds: [EAST.beatId], groups: [{ accountId: 'bc-a', name: GROUP }] },
        title: '提醒',
        text: { zh: '请注意', en: 'Take care' },
      })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      const p = res.body
      expect(p.optedOut).toBe(east.filter((r) => r.optedOut).length)
      expect(p.residents).toBe(east.filter((r) => !r.optedOut).length)
      expect(p.groups).toBe(1)
      expect(p.noContact).toBe(0)
      expect(p.accounts.map((a: { id: string }) => a.id).sort()).toEqual(ACCOUNTS)
      expect(p.accounts.reduce((n: number, a: { residents: number }) => n + a.residents, 0)).toBe(p.residents)
      // 3000 a minute: each account's share takes well under a second, but some time.
      expect(p.estimatedSeconds).toBeGreaterThan(0)
      expect(p.estimatedSeconds).toBeLessThan(5)
      expect(p.approval).toEqual({ required: false, reason: null, threshold: 20 })
      expect(p.bytes.zh).toBeGreaterThan(10)
      expect(p.bytes.max).toBe(2048)
      expect(p.urgent).toBe(false)
      const wide = await author.request('POST', '/api/broadcasts/preview', {
        category: 'weather',
        targets: { station: true },
      })
      expect(wide.body.approval).toMatchObject({ required: true, reason: 'station_wide' })
      expect(wide.body.urgent).toBe(true)
    })

    it('needs a supervisor other than the author for a station-wide broadcast, and shows who approved it and when', async () => {
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ targets: { station: true, groups: [{ accountId: 'bc-a', name: GROUP }] } }),
      )
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const b = created.body.broadcast
      expect(b.state).toBe('pending_approval')
      expect(b.approval).toMatchObject({ required: true, reason: 'station_wide', decision: null, by: null })
      expect((await author.request('POST', `/api/broadcasts/${b.id}/approve`)).status).toBe(403)
      expect((await otherOfficer.request('POST', `/api/broadcasts/${b.id}/approve`)).status).toBe(403)
      // Nothing goes out while it waits.
      await new Promise((r) => setTimeout(r, 400))
      expect(
        await db().selectFrom('broadcast_deliveries').select('id').where('broadcast_id', '=', b.id).execute(),
      ).toEqual([])

      const approved = await supervisor.request('POST', `/api/broadcasts/${b.id}/approve`, {
        note: '同意发送',
      })
      expect(approved.status, JSON.stringify(approved.body)).toBe(200)
      expect((await secondSupervisor.request('POST', `/api/broadcasts/${b.id}/approve`)).status).toBe(409)
      const seen = await author.request('GET', `/api/broadcasts/${b.id}`)
      expect(seen.body.broadcast.approval).toMatchObject({
        decision: 'approved',
        by: { id: seedIds.officer('770009'), name: '孙主任' },
        note: '同意发送',
      })
      expect(Date.parse(seen.body.broadcast.approval.at)).toBeGreaterThan(0)

      const done = await waitState(b.id, 'completed')
      const reached = residents.filter((r) => !r.optedOut)
      expect(done.progress).toMatchObject({
        planned: residents.length + 1,
        sent: reached.length + 1,
        skipped: residents.length - reached.length,
        failed: 0,
        pending: 0,
        etaSeconds: null,
      })
      // Exactly once to every resident who did not opt out, through one of their accounts; nothing to the others.
      for (const r of residents) {
        const got = r.contacts
          .flatMap((c) => heardBy(c.contactRef))
          .filter((t) => t.includes('冒充客服') || t.includes('Fake refund'))
        expect(got.length, r.id).toBe(r.optedOut ? 0 : 1)
        if (!r.optedOut)
          expect(got[0]).toContain(
            r.language === 'en'
              ? '[Anti-fraud alerts] 警惕冒充客服退款诈骗\nFake refund'
              : '【反诈提醒】警惕冒充客服退款诈骗\n近期',
          )
      }
      // The group counts as one send.
      expect(heardBy(GROUP).filter((t) => t.includes('冒充客服'))).toHaveLength(1)
      // Residents held by two accounts were spread over both.
      const doubles = await db()
        .selectFrom('broadcast_deliveries')
        .select(['account_id'])
        .where('broadcast_id', '=', b.id)
        .where(
          'resident_id',
          'in',
          residents.filter((r) => r.contacts.length > 1).map((r) => r.id),
        )
        .execute()
      expect(new Set(doubles.map((d) => d.account_id)).size).toBeGreaterThan(1)

      const report = await author.request('GET', `/api/broadcasts/${b.id}/report`)
      expect(report.status).toBe(200)
      expect(report.body.skipped).toEqual({ opted_out: residents.length - reached.length, no_contact: 0 })
      expect(report.body.failures).toEqual([])
      expect((await otherOfficer.request('GET', `/api/broadcasts/${b.id}/report`)).status).toBe(403)
      const actions = (
        await db().selectFrom('audit_events').select('action').where('subject_id', '=', b.id).execute()
      ).map((a) => a.action)
      expect(actions).toEqual(
        expect.arrayContaining([
          'broadcast.created',
          'broadcast.approved',
          'broadcast.started',
          'broadcast.completed',
          'broadcast.report_viewed',
        ]),
      )
      // Progress went out live, to the end.
      const end = await waitFor(
        () => live.find((e) => e.broadcast?.id === b.id && e.broadcast?.state === 'completed'),
        'the completed event',
      )
      expect(end).toMatchObject({
        type: 'broadcast.state',
        caseId: '',
        assigneeId: null,
        broadcast: { authorId: seedIds.officer('770001'), counts: { sent: reached.length + 1, pending: 0 } },
      })
      // It started with its counts (a broadcast this small may finish before a progress event is due).
      const started = live.find((e) => e.broadcast?.id === b.id && e.broadcast?.state === 'sending')
      expect(started?.broadcast?.counts).toMatchObject({
        planned: residents.length + 1,
        sent: 0,
        skipped: residents.length - reached.length,
      })
    })

    it('lets a supervisor who wrote a broadcast have it approved by another, and lists broadcasts newest first', async () => {
      const created = await supervisor.request(
        'POST',
        '/api/broadcasts',
        draft({
          category: 'fire_safety',
          title: '冬季用火安全',
          text: { zh: '请勿在楼道给电瓶车充电。' },
          targets: { tags: ['elderly_alone'], compoundIds: [WEST.compoundId] },
        }),
      )
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const b = created.body.broadcast
      // Under the threshold of 20, not station-wide: it goes at once.
      expect(b.state).toBe('scheduled')
      expect(b.approval.required).toBe(false)
      await waitState(b.id, 'completed')
      const list = await otherOfficer.request('GET', '/api/broadcasts?limit=1')
      expect(list.body.broadcasts[0].id).toBe(b.id)
      expect(list.body.nextCursor).not.toBeNull()
      const next = await otherOfficer.request(
        'GET',
        `/api/broadcasts?limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`,
      )
      expect(next.body.broadcasts[0].id).not.toBe(b.id)
      const waiting = await supervisor.request(
        'POST',
        '/api/broadcasts',
        draft({ targets: { station: true } }),
      )
      expect(
        (await supervisor.request('POST', `/api/broadcasts/${waiting.body.broadcast.id}/approve`)).body.error
          .message,
      ).toMatch(/another supervisor/)
      const rejected = await secondSupervisor.request(
        'POST',
        `/api/broadcasts/${waiting.body.broadcast.id}/reject`,
        { note: '内容需修改' },
      )
      expect(rejected.body.broadcast).toMatchObject({
        state: 'rejected',
        approval: { decision: 'rejected', note: '内容需修改' },
      })
      expect(
        (await supervisor.request('GET', '/api/broadcasts?state=rejected')).body.broadcasts.map(
          (x: { id: string }) => x.id,
        ),
      ).toEqual([waiting.body.broadcast.id])
      expect((await admin.request('GET', '/api/broadcasts')).status).toBe(403)
    })

    it('reports a contact that is gone as failed with the reason', async () => {
      const victim = residents.find((r) => !r.optedOut && r.contacts.length === 1 && r.id.endsWith('-4'))!
      await db()
        .updateTable('channel_identities')
        .set({ contact_ref: 'wxid_gone_for_good' })
        .where('resident_id', '=', victim.id)
        .execute()
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({
          category: 'traffic',
          title: '道路施工',
          text: { zh: '东区路口施工，请绕行。' },
          targets: { beatIds: [EAST.beatId] },
        }),
      )
      const done = await waitState(created.body.broadcast.id, 'completed')
      expect(done.progress.failed).toBe(1)
      const report = await author.request('GET', `/api/broadcasts/${created.body.broadcast.id}/report`)
      expect(report.body.failures).toEqual([
        expect.objectContaining({
          state: 'failed',
          resident: expect.objectContaining({ id: victim.id }),
          reason: expect.stringMatching(/contact is gone/i),
          attempts: 1,
        }),
      ])
      await db()
        .updateTable('channel_identities')
        .set({ contact_ref: victim.contacts[0]!.contactRef })
        .where('resident_id', '=', victim.id)
        .execute()
    })

    it('pauses, resumes and cancels only from states that allow it', async () => {
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ title: '暂停测试', sendAt: new Date(stack.clock.now().getTime() + 3_600_000).toISOString() }),
      )
      const id = created.body.broadcast.id
      expect(created.body.broadcast.state).toBe('scheduled')
      expect((await author.request('POST', `/api/broadcasts/${id}/pause`)).status).toBe(409)
      expect((await otherOfficer.request('POST', `/api/broadcasts/${id}/cancel`)).status).toBe(403)
      const cancelled = await supervisor.request('POST', `/api/broadcasts/${id}/cancel`)
      expect(cancelled.body.broadcast).toMatchObject({
        state: 'cancelled',
        cancelledBy: { id: seedIds.officer('770009') },
      })
      expect((await author.request('POST', `/api/broadcasts/${id}/resume`)).body.error.message).toMatch(
        /cancelled: it cannot be resumed/,
      )
      expect((await author.request('GET', '/api/broadcasts/no-such-id')).status).toBe(404)
    })

    it('pauses the deliveries of a logged-out account and tells the author, then goes on once it logs in again', async () => {
      const mocker = stack.mockers.get('bc-b')!
      const self = mocker.ContactMock.load(mocker.puppet.currentUserId)
      await mocker.puppet.logout()
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ category: 'other', title: '登出测试', text: { zh: '登出测试正文' } }),
      )
      const id = created.body.broadcast.id
      await waitFor(
        () => live.find((e) => e.type === 'broadcast.account_paused' && e.broadcast?.id === id),
        'the account paused event',
      )
      const paused = live.find((e) => e.type === 'broadcast.account_paused' && e.broadcast?.id === id)!
      expect(paused.broadcast).toMatchObject({
        accountId: 'bc-b',
        reason: 'logged_out',
        authorId: seedIds.officer('770001'),
      })
      // The other accounts finish their share; bc-b's wait, none failed.
      const detail = await waitFor(async () => {
        const d = (await author.request('GET', `/api/broadcasts/${id}`)).body.broadcast
        const others = d.accounts.filter((a: { id: string }) => a.id !== 'bc-b')
        return others.every((a: { counts: { pending: number } }) => a.counts.pending === 0) ? d : null
      }, 'the other accounts to finish')
      const b = detail.accounts.find((a: { id: string }) => a.id === 'bc-b')
      expect(b.paused).toBe('logged_out')
      expect(b.counts.pending).toBeGreaterThan(0)
      expect(detail.progress.failed).toBe(0)
      const audit = await db()
        .selectFrom('audit_events')
        .select(['action', 'detail'])
        .where('subject_id', '=', id)
        .where('action', '=', 'broadcast.account_paused')
        .execute()
      expect(audit).toHaveLength(1)
      // While it waits, progress goes out live with the counts and an estimate of the time left.
      const progress = await waitFor(
        () => live.find((e) => e.type === 'broadcast.progress' && e.broadcast?.id === id),
        'a progress event',
      )
      expect(progress.broadcast?.counts?.pending).toBeGreaterThan(0)
      expect(typeof progress.broadcast?.etaSeconds).toBe('number')

      // No one presses Resume: the login lets its deliveries go on (broadcast-account-resume.test.ts).
      mocker.login(self)
      await waitFor(
        () => live.find((e) => e.type === 'broadcast.account_resumed' && e.broadcast?.id === id),
        'bc-b to log in again and its deliveries to go on',
      )
      const done = await waitState(id, 'completed')
      expect(done.progress.failed).toBe(0)
      expect(done.progress.sent).toBe(done.progress.planned - done.progress.skipped)
    })

    it('holds non-urgent broadcasts in quiet hours and lets urgent ones through', async () => {
      // 23:30 in Hangzhou.
      await setClock('2026-11-26T15:30:00Z')
      const fraud = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ title: '夜间反诈', text: { zh: '夜间反诈正文' } }),
      )
      const weather = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ category: 'weather', title: '寒潮预警', text: { zh: '今夜有寒潮，注意保暖。' } }),
      )
      const preview = await author.request('POST', '/api/broadcasts/preview', {
        category: 'anti_fraud',
        targets: { beatIds: [EAST.beatId] },
      })
      expect(preview.status, JSON.stringify(preview.body)).toBe(200)
      expect(preview.body.quietHoursNow).toBe(true)
      // Held until 07:00: more than seven hours.
      expect(preview.body.estimatedSeconds).toBeGreaterThan(7 * 3600)
      await waitState(weather.body.broadcast.id, 'completed')
      // Planned, counted by the worker, and held.
      const held = await waitFor(async () => {
        const b = (await author.request('GET', `/api/broadcasts/${fraud.body.broadcast.id}`)).body.broadcast
        return b.progress?.etaSeconds ? b : null
      }, 'the held broadcast to be counted')
      expect(held.state).toBe('sending')
      expect(held.progress.sent).toBe(0)
      expect(held.progress.etaSeconds).toBeGreaterThan(7 * 3600)
      await setClock('2026-11-26T23:05:00Z') // 07:05
      await waitState(fraud.body.broadcast.id, 'completed')
    })

    it('does not send what a dead worker left claimed, reports it unconfirmed, and sends it again only when asked', async () => {
      // 23:30 on another night: the notice is planned and held until 07:00, so a claim can be staged.
      await setClock('2026-11-27T15:30:00Z')
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ title: '认领测试', text: { zh: '认领测试正文' } }),
      )
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const id = created.body.broadcast.id
      const planned = await waitFor(async () => {
        const rows = await db()
          .selectFrom('broadcast_deliveries')
          .selectAll()
          .where('broadcast_id', '=', id)
          .where('state', '=', 'pending')
          .execute()
        return rows.length ? rows : null
      }, 'the plan')
      // A worker claimed one and died before it said how the send went.
      const lost = planned.find((d) => d.resident_id !== null)!
      await db()
        .updateTable('broadcast_deliveries')
        .set({
          state: 'sending',
          claim_token: 'dead-worker',
          claimed_at: new Date(stack.clock.now().getTime() - 60_000),
        })
        .where('id', '=', lost.id)
        .execute()
      await setClock('2026-11-27T23:05:00Z') // 07:05
      await waitState(id, 'completed')
      const row = await db()
        .selectFrom('broadcast_deliveries')
        .selectAll()
        .where('id', '=', lost.id)
        .executeTakeFirstOrThrow()
      expect(row.state).toBe('unconfirmed')
      const ref = residents
        .find((r) => r.id === lost.resident_id)!
        .contacts.find((c) => c.accountId === lost.account_id)!.contactRef
      expect(heardBy(ref).filter((t) => t.includes('认领测试'))).toHaveLength(0)
      const report = await author.request('GET', `/api/broadcasts/${id}/report`)
      expect(report.body.failures).toEqual([
        expect.objectContaining({ state: 'unconfirmed', reason: expect.stringMatching(/not sent again/) }),
      ])
      const resend = await author.request('POST', `/api/broadcasts/${id}/resend-unconfirmed`)
      expect(resend.body).toEqual({ requeued: 1 })
      await waitFor(async () => heardBy(ref).some((t) => t.includes('认领测试')), 'the resend')
      await waitState(id, 'completed')
      expect(heardBy(ref).filter((t) => t.includes('认领测试'))).toHaveLength(1)
      expect((await author.request('POST', `/api/broadcasts/${id}/resend-unconfirmed`)).status).toBe(409)
    })

    it('sends nothing while paused and goes on from where it stopped on resume', async () => {
      await setClock('2026-11-28T15:30:00Z') // 23:30: planned, then held by the quiet hours
      const created = await author.request(
        'POST',
        '/api/broadcasts',
        draft({ title: '暂停恢复', text: { zh: '暂停恢复正文' } }),
      )
      const id = created.body.broadcast.id
      await waitState(id, 'sending')
      const paused = await author.request('POST', `/api/broadcasts/${id}/pause`)
      expect(paused.body.broadcast).toMatchObject({
        state: 'paused',
        pausedBy: { id: seedIds.officer('770001') },
      })
      expect((await author.request('POST', `/api/broadcasts/${id}/pause`)).status).toBe(409)
      await setClock('2026-11-28T23:05:00Z') // 07:05: it could go now, but it is paused
      await new Promise((r) => setTimeout(r, 600))
      const held = await db()
        .selectFrom('broadcast_deliveries')
        .select('state')
        .where('broadcast_id', '=', id)
        .execute()
      expect(held.filter((d) => d.state === 'sent')).toEqual([])
      expect((await author.request('POST', `/api/broadcasts/${id}/resume`)).body.broadcast.state).toBe(
        'sending',
      )
      const done = await waitState(id, 'completed')
      expect(done.progress.sent).toBe(done.progress.planned - done.progress.skipped)
      for (const r of residents.filter((_, i) => i % 2 === 0 && !residents[i]!.optedOut)) {
        expect(
          r.contacts.flatMap((c) => heardBy(c.contactRef)).filter((t) => t.includes('暂停恢复')),
          r.id,
        ).toHaveLength(1)
      }
    })

    it('tells which broadcast a resident answered, and links cases opened by such replies', async () => {
      const sent = await db()
        .selectFrom('broadcast_deliveries')
        .select(['broadcast_id', 'resident_id', 'account_id', 'sent_at'])
        .where('state', '=', 'sent')
        .where('resident_id', 'is not', null)
        .orderBy('sent_at', 'desc')
        .executeTakeFirstOrThrow()
      const after = new Date(sent.sent_at!.getTime() + 60_000)
      expect(await broadcastRepliedTo(db(), sent.resident_id!, sent.account_id!, after)).toBe(
        sent.broadcast_id,
      )
      expect(await broadcastRepliedTo(db(), sent.resident_id!, 'another-account', after)).toBeNull()
      expect(
        await broadcastRepliedTo(
          db(),
          sent.resident_id!,
          sent.account_id!,
          new Date(sent.sent_at!.getTime() + 49 * 3_600_000),
        ),
      ).toBeNull()

      const contact = await db()
        .selectFrom('channel_identities')
        .select(['contact_ref', 'channel'])
        .where('resident_id', '=', sent.resident_id!)
        .where('account_id', '=', sent.account_id!)
        .executeTakeFirstOrThrow()
      /** The resident writes at `at` (their earlier cases closed): the broadcast their new case answers. */
      const writeAt = async (at: Date, key: string, text: string) => {
        await db()
          .updateTable('cases')
          .set({ status: 'closed' })
          .where('resident_id', '=', sent.resident_id!)
          .execute()
        stack.clock.set(at)
        const eventId = `ev-${engine.name}-broadcast-${key}`
        await stack.ctx.inboundEvents.save(eventId, {
          channel: contact.channel,
          accountId: sent.account_id!,
          externalId: eventId,
          sender: { ref: contact.contact_ref },
          kind: 'text',
          text,
          sentAt: at.toISOString(),
          receivedAt: at.toISOString(),
        })
        const [outcome] = await handleInboundBatch(stack.ctx.inboundDeps, [eventId])
        expect(outcome).toMatchObject({ outcome: 'routed', newCase: true })
        const opened = await db()
          .selectFrom('cases')
          .select('broadcast_id')
          .where('id', '=', (outcome as { caseId: string }).caseId)
          .executeTakeFirstOrThrow()
        return opened.broadcast_id
      }

      // Through the inbound path: the resident's answer opens a case linked to the broadcast.
      expect(await writeAt(after, 'answer', '我家楼下也有人发这种诈骗短信，怎么办？')).toBe(sent.broadcast_id)
      // Two days later the broadcast is past its window: a new case is the resident's own.
      const late = new Date(sent.sent_at!.getTime() + 49 * 3_600_000)
      expect(await writeAt(late, 'late', '我的快递丢了，能帮忙看看监控吗？')).toBeNull()
    })
  })
}
