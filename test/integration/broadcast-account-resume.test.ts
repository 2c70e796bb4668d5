import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAccountResume } from '../../src/app/broadcasts/account-resume.ts'
import type { LiveEvent } from '../../src/app/ports.ts'
import { liveChannel } from '../../src/queues/dispatcher.ts'
import { seedIds } from '../../src/store/seed.ts'
import { type SeededResident, seedResidents } from '../helpers/broadcast-residents.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { type Mocker, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const STATION = seedIds.station('RS')
const AUTHOR = seedIds.officer('790001')
const PLACE = { beatId: seedIds.beat('RS-01'), compoundId: seedIds.compound('RS', '重连小区') }
const ACCOUNT = 'rs-a'
const TEXT = '今晚小区停水检修，请提前储水。'

type MockContact = ReturnType<Mocker['createContact']>

/** Mock contacts' event typings do not resolve under NodeNext; listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

/**
 * A WeChat account that logs out in the middle of a broadcast pauses its
 * deliveries; when it logs in again they go on by themselves, with nobody
 * pressing Resume, and the author is told. Everything runs as the service
 * runs it: API, worker (the broadcast tick) and bot role (the account on the
 * mock puppet, its outbound worker at 120 sends a minute).
 */
for (const engine of testEngines()) {
  describe(`a broadcast account logging in again (${engine.name})`, () => {
    let stack: TestStack
    let author: OfficerClient
    let residents: SeededResident[]
    let mocker: Mocker
    /** What each contact heard from the account. */
    const heard = new Map<string, string[]>()
    const live: LiveEvent[] = []
    let sub: Redis

    const db = () => stack.ctx.database.db
    const eventOf = (type: string, id: string) =>
      live.find((e) => e.type === `broadcast.${type}` && e.broadcast?.id === id)
    const states = async (id: string) => {
      const rows = await db()
        .selectFrom('broadcast_deliveries')
        .select(['state', sql<number>`count(*)::int`.as('n')])
        .where('broadcast_id', '=', id)
        .groupBy('state')
        .execute()
      return Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number | undefined>
    }
    const auditOf = (id: string) =>
      db()
        .selectFrom('audit_events')
        .select(['action', 'actor', 'detail'])
        .where('subject_id', '=', id)
        .where('action', 'like', 'broadcast.%')
        .orderBy('at')
        .execute()

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `bcresume-${engine.name}`,
        stationFiles: ['test/fixtures/broadcast-resume-station.yaml'],
        env: { BROADCAST_TICK: '100ms', BROADCAST_LOST_AFTER: '30s' },
      })
      residents = await seedResidents(db(), {
        label: `rs${engine.name}`,
        count: 12,
        accounts: [ACCOUNT],
        places: [PLACE],
      })
      mocker = stack.mockers.get(ACCOUNT)!
      const botId = mocker.puppet.currentUserId
      for (const r of residents) {
        for (const c of r.contacts) {
          const contact: MockContact = mocker.createContact({ id: c.contactRef, name: c.contactRef })
          const into: string[] = []
          heard.set(c.contactRef, into)
          ;(contact as unknown as MessageSource).on('message', (m) => {
            if (m.talker().id === botId) into.push(m.text() ?? '')
          })
        }
      }
      sub = new Redis(TEST_REDIS_URL)
      sub.on('message', (_c, payload: string) => live.push(JSON.parse(payload) as LiveEvent))
      await sub.subscribe(liveChannel(stack.ctx.config.QUEUE_PREFIX, STATION))
      author = await signIn(stack.ctx, stack.app!, '790001')
    })
    afterAll(async () => {
      sub?.disconnect()
      await stack?.stop()
    })

    let broadcastId: string

    it('pauses the deliveries when the account logs out mid-send, and goes on by itself once it logs in again', async () => {
      const self = mocker.ContactMock.load(mocker.puppet.currentUserId)
      const created = await author.request('POST', '/api/broadcasts', {
        title: '停水通知',
        text: { zh: TEXT },
        category: 'other',
        targets: { beatIds: [PLACE.beatId] },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const id = created.body.broadcast.id as string
      broadcastId = id

      // Out between two sends (one every 500 ms): a few have gone, none is under way.
      await waitFor(async () => {
        const now = await states(id)
        if ((now.sent ?? 0) < 3 || (now.sending ?? 0) > 0) return false
        await mocker.puppet.logout()
        return true
      }, 'three deliveries to go out')
      const paused = await waitFor(() => eventOf('account_paused', id), 'the account paused event')
      expect(paused.broadcast).toMatchObject({ accountId: ACCOUNT, reason: 'logged_out', authorId: AUTHOR })
      const atPause = await states(id)
      expect(atPause.pending).toBeGreaterThan(0)
      expect(atPause.failed).toBeUndefined()
      const pauses = await db()
        .selectFrom('broadcast_account_pauses')
        .select(['account_id', 'reason'])
        .where('broadcast_id', '=', id)
        .execute()
      expect(pauses).toEqual([{ account_id: ACCOUNT, reason: 'logged_out' }])
      expect(eventOf('account_resumed', id)).toBeUndefined()

      // Logged in again: nobody presses Resume.
      mocker.login(self)
      const resumed = await waitFor(() => eventOf('account_resumed', id), 'the account resumed event')
      expect(resumed.broadcast).toMatchObject({
        accountId: ACCOUNT,
        reason: 'logged_in',
        authorId: AUTHOR,
        state: 'sending',
      })
      const done = await waitFor(
        async () => {
          const b = (await author.request('GET', `/api/broadcasts/${id}`)).body.broadcast
          return b.state === 'completed' ? b : null
        },
        'the broadcast to complete',
        20_000,
      )
      expect(done.progress).toMatchObject({ planned: 12, sent: 12, failed: 0, unconfirmed: 0, skipped: 0 })

      // Every resident got it, and nobody got it twice.
      for (const r of residents) {
        const ref = r.contacts[0]!.contactRef
        expect(
          heard.get(ref)!.filter((t) => t.includes(TEXT)),
          ref,
        ).toHaveLength(1)
      }
      const audit = await auditOf(id)
      expect(audit.map((a) => a.action)).toEqual([
        'broadcast.created',
        'broadcast.started',
        'broadcast.account_paused',
        'broadcast.account_resumed',
        'broadcast.completed',
      ])
      expect(audit[3]).toMatchObject({ actor: 'system', detail: { accountId: ACCOUNT, reason: 'logged_in' } })
      const left = await db()
        .selectFrom('broadcast_account_pauses')
        .select('account_id')
        .where('broadcast_id', '=', id)
        .execute()
      expect(left).toEqual([])
    })

    it('lifts only an account’s own pause of a live broadcast, once, and keeps a finished one’s', async () => {
      // An account of no bot process here: nothing but this test lifts its pauses.
      const gone = 'rs-elsewhere'
      const created = await author.request('POST', '/api/broadcasts', {
        title: '暂停中的通知',
        text: { zh: '暂停中的通知正文' },
        category: 'other',
        targets: { beatIds: [PLACE.beatId] },
        sendAt: new Date(stack.clock.now().getTime() + 3_600_000).toISOString(),
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const scheduled = created.body.broadcast.id as string
      // Paused by its author, and its account's own pause on top.
      await db().updateTable('broadcasts').set({ state: 'paused' }).where('id', '=', scheduled).execute()
      await db()
        .insertInto('broadcast_account_pauses')
        .values([
          { broadcast_id: scheduled, account_id: gone, reason: 'logged_out' },
          { broadcast_id: broadcastId, account_id: gone, reason: 'logged_out' },
        ])
        .execute()
      const events: LiveEvent[] = []
      const resume = createAccountResume({
        store: stack.ctx.broadcasts.sendStore,
        publish: async (event) => void events.push(event),
        audit: (entry) => stack.ctx.audit.record(entry),
      })
      expect(await resume.sweep([gone, ACCOUNT])).toBe(1)
      expect(events).toEqual([
        expect.objectContaining({
          type: 'broadcast.account_resumed',
          stationId: STATION,
          broadcast: expect.objectContaining({ id: scheduled, accountId: gone, state: 'paused' }),
        }),
      ])
      // The author's pause stands; the completed broadcast keeps the record of why its account stopped.
      const after = await db()
        .selectFrom('broadcasts')
        .select('state')
        .where('id', '=', scheduled)
        .executeTakeFirstOrThrow()
      expect(after.state).toBe('paused')
      const left = await db()
        .selectFrom('broadcast_account_pauses')
        .select('broadcast_id')
        .where('account_id', '=', gone)
        .execute()
      expect(left).toEqual([{ broadcast_id: broadcastId }])
      // Again: nothing left to lift, nobody told twice.
      expect(await resume.sweep([gone])).toBe(0)
      expect(events).toHaveLength(1)
      expect((await auditOf(scheduled)).filter((a) => a.action === 'broadcast.account_resumed')).toHaveLength(
        1,
      )
    })
  })
}
