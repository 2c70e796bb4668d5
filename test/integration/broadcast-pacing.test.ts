import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noInboundWrites } from '../../src/app/ports.ts'
import { type DatabaseHandle, openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { type SeededResident, seedResidents } from '../helpers/broadcast-residents.ts'
import { TEST_DATABASE_URL } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const EAST = { beatId: seedIds.beat('BC-01'), compoundId: seedIds.compound('BC', '东区小区') }
const WEST = { beatId: seedIds.beat('BC-02'), compoundId: seedIds.compound('BC', '西区小区') }
const ACCOUNTS = ['bc-a', 'bc-b', 'bc-c']
/** As in test/fixtures/broadcast-station.yaml: 3000 a minute is a send every 20 ms. */
const INTERVAL_MS = 20
const PER_SECOND = 50
const CAPS: Record<string, number> = { 'bc-a': 5000, 'bc-b': 5000, 'bc-c': 1200 }
const GROUP = '东区平安群'

interface Send {
  at: number
  account: string
  to: string
  head: string
}

/**
 * 5,000 residents over three mock WeChat accounts with fast limits, sent by a
 * worker process that is killed with kill -9 mid-way and replaced. Everything
 * is checked from what was recorded: the send log the mock platform kept (as
 * each send was made) and the grant times in the database, not from timing
 * the test. Two processes share the database, so this runs on PostgreSQL.
 */
describe.skipIf(!TEST_DATABASE_URL)(
  'a broadcast to 5,000 residents across a killed worker (postgres)',
  () => {
    const schema = `t_${randomBytes(6).toString('hex')}`
    const sendLog = join(tmpdir(), `mb-broadcast-${randomBytes(4).toString('hex')}.log`)
    let url: string
    let handle: DatabaseHandle
    let stack: TestStack
    let residents: SeededResident[]
    let author: OfficerClient
    let supervisor: OfficerClient
    const children: ChildProcess[] = []

    const sends = (): Send[] => {
      let text = ''
      try {
        text = readFileSync(sendLog, 'utf8')
      } catch {
        return []
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [at, account, to, head] = line.split('\t')
          return { at: Number(at), account: account!, to: to!, head: head ?? '' }
        })
    }

    const startWorker = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/broadcast-worker-process.ts'], {
        env: {
          ...process.env,
          REDIS_URL: TEST_REDIS_URL,
          DATABASE_URL: url,
          QUEUE_PREFIX: stack.ctx.config.QUEUE_PREFIX,
          LOG_LEVEL: 'silent',
          DATA_DIR: 'memory://',
          DB_POOL_SIZE: '8',
          OUTBOUND_JITTER_MS: '0',
          BROADCAST_TICK: '200ms',
          BROADCAST_LOST_AFTER: '3s',
          SEND_LOG: sendLog,
          SEND_DELAY_MS: '10',
          CLOCK_OFFSET_MS: String(stack.clock.now().getTime() - Date.now()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let stderr = ''
      child.stderr?.on('data', (chunk) => {
        stderr += String(chunk)
      })
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000)
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

    const compose = async (body: Record<string, unknown>) => {
      const created = await author.request('POST', '/api/broadcasts', body)
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const id = created.body.broadcast.id as string
      const approved = await supervisor.request('POST', `/api/broadcasts/${id}/approve`)
      expect(approved.status, JSON.stringify(approved.body)).toBe(200)
      return id
    }

    const deliveries = (broadcastId: string) =>
      handle.db
        .selectFrom('broadcast_deliveries as d')
        .leftJoin('channel_identities as ci', 'ci.id', 'd.identity_id')
        .select([
          'd.id',
          'd.state',
          'd.account_id',
          'd.resident_id',
          'd.group_name',
          'd.send_started_at',
          'ci.contact_ref',
        ])
        .where('d.broadcast_id', '=', broadcastId)
        .execute()

    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      await admin.end()
      const scoped = new URL(TEST_DATABASE_URL!)
      scoped.searchParams.set('options', `-c search_path=${schema}`)
      url = scoped.toString()
      handle = await openDatabase({ url, poolSize: 5 })
      // The API only: the worker processes hold the accounts and the broadcast worker.
      stack = await startTestStack({
        database: handle,
        label: 'bc-kill',
        roles: ['api'],
        stationFiles: ['test/fixtures/broadcast-station.yaml'],
      })
      residents = await seedResidents(handle.db, {
        label: 'kill',
        count: 5000,
        accounts: ACCOUNTS,
        places: [EAST, WEST],
        secondAccountEvery: 10,
        optOutEvery: { n: 20, category: 'anti_fraud' },
        englishEvery: 15,
      })
      author = await signIn(stack.ctx, stack.app!, '770001')
      supervisor = await signIn(stack.ctx, stack.app!, '770009')
    }, 60_000)
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
      await stack?.stop()
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await admin.connect()
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
      rmSync(sendLog, { force: true })
    })

    it('keeps every account to its pace and cap, sends nobody anything twice or against their wishes, and stops on cancel', async () => {
      const first = await startWorker()
      const id = await compose({
        title: '警惕冒充公检法诈骗',
        text: {
          zh: '公检法机关不会通过电话办案，更不会要求转账到“安全账户”。',
          en: 'Police never ask you to move money to a "safe account".',
        },
        category: 'anti_fraud',
        targets: { station: true, groups: [{ accountId: 'bc-a', name: GROUP }] },
      })
      const head = '【反诈提醒】警惕冒充公检法诈骗'
      const ofFirst = (s: Send) => s.head === head || s.head === '[Anti-fraud alerts] 警惕冒充公检法诈骗'

      // A resident's case gets a reply on bc-a while thousands of deliveries wait there.
      await waitFor(() => sends().filter(ofFirst).length >= 300, 'the broadcast to get going', 30_000)
      const replyTo = residents.find((r) => r.contacts[0]!.accountId === 'bc-a' && r.contacts.length === 1)!
      const replyId = randomUUID()
      const identity = await handle.db
        .selectFrom('channel_identities')
        .select('id')
        .where('resident_id', '=', replyTo.id)
        .executeTakeFirstOrThrow()
      await stack.ctx.inboundStore.transaction((tx) =>
        tx
          .write({
            ...noInboundWrites(),
            outbound: [
              {
                id: replyId,
                caseId: null,
                residentId: replyTo.id,
                identityId: identity.id,
                channel: 'wechat',
                accountId: 'bc-a',
                inReplyTo: null,
                text: '您好，您反映的情况已收到。',
                createdAt: stack.clock.now(),
              },
            ],
          })
          .then(() => {}),
      )
      const replyQueuedAt = Date.now()
      await stack.ctx.dispatcher.enqueueOutbound('bc-a', replyId)

      // Kill the worker in the middle, and start another.
      await waitFor(() => sends().filter(ofFirst).length >= 1500, 'a third of the broadcast', 60_000)
      first.kill('SIGKILL')
      await new Promise((resolve) => first.once('exit', resolve))
      const atKill = sends().filter(ofFirst).length
      expect(atKill).toBeLessThan(4000)
      const second = await startWorker()

      // Until bc-a and bc-b are done and bc-c has used its day.
      await waitFor(
        async () => {
          const rows = await deliveries(id)
          const open = rows.filter((d) => d.state === 'pending' || d.state === 'sending')
          const cSent = rows.filter(
            (d) => d.account_id === 'bc-c' && (d.state === 'sent' || d.state === 'unconfirmed'),
          ).length
          return (
            open.every((d) => d.account_id === 'bc-c' && d.state === 'pending') && cSent >= CAPS['bc-c']! - 3
          )
        },
        'every account to finish or reach its cap',
        90_000,
      )
      // One more round of ticks: bc-c must not go on.
      await new Promise((r) => setTimeout(r, 600))
      const rows = await deliveries(id)
      const log = sends()
      const first1 = log.filter(ofFirst)

      // The reply went ahead of the waiting deliveries: hardly any of them went out on bc-a meanwhile.
      const reply = log.find((s) => s.head.startsWith('您好，您反映的情况已收到'))
      expect(reply?.account).toBe('bc-a')
      const overtaken = first1.filter((s) => s.account === 'bc-a' && s.at > replyQueuedAt && s.at < reply!.at)
      expect(overtaken.length).toBeLessThanOrEqual(2)

      // Nobody twice: per contact, and per resident across their accounts.
      const perContact = new Map<string, number>()
      for (const s of first1)
        perContact.set(`${s.account} ${s.to}`, (perContact.get(`${s.account} ${s.to}`) ?? 0) + 1)
      expect([...perContact.entries()].filter(([, n]) => n > 1)).toEqual([])
      const residentOf = new Map(
        residents.flatMap((r) => r.contacts.map((c) => [`${c.accountId} ${c.contactRef}`, r] as const)),
      )
      const perResident = new Map<string, number>()
      for (const s of first1) {
        const r = residentOf.get(`${s.account} ${s.to}`)
        if (r) perResident.set(r.id, (perResident.get(r.id) ?? 0) + 1)
      }
      expect([...perResident.values()].filter((n) => n > 1)).toEqual([])
      // Opted-out residents got nothing.
      const optedOut = residents.filter((r) => r.optedOut)
      expect(optedOut.length).toBe(250)
      expect(optedOut.filter((r) => perResident.has(r.id)).map((r) => r.id)).toEqual([])
      // The group is one send.
      expect(first1.filter((s) => s.to === `group:${GROUP}`)).toHaveLength(1)

      // No delivery lost: each ended sent (once in the log), unconfirmed (the kill's, at most one per
      // account, sent at most once), skipped (opted out), or waits for bc-c's next day.
      const byState = (state: string) => rows.filter((d) => d.state === state)
      expect(rows).toHaveLength(residents.length + 1)
      expect(byState('failed')).toEqual([])
      expect(byState('skipped')).toHaveLength(250)
      expect(byState('unconfirmed').length).toBeLessThanOrEqual(3)
      for (const d of byState('sent')) {
        const key = d.group_name
          ? `${d.account_id} group:${d.group_name}`
          : `${d.account_id} ${d.contact_ref}`
        expect(perContact.get(key), key).toBe(1)
      }
      const pending = byState('pending')
      expect(pending.length).toBeGreaterThan(0)
      expect(pending.every((d) => d.account_id === 'bc-c')).toBe(true)
      expect(rows.length).toBe(byState('sent').length + byState('unconfirmed').length + 250 + pending.length)

      // Daily caps, from the platform's record: bc-c stopped at its cap.
      for (const account of ACCOUNTS) {
        const n = log.filter((s) => s.account === account).length
        expect(n, account).toBeLessThanOrEqual(CAPS[account]!)
      }
      expect(log.filter((s) => s.account === 'bc-c').length).toBeGreaterThanOrEqual(CAPS['bc-c']! - 3)

      // Rates: the pace granted no two sends of an account closer than its interval (kill and restart
      // included), and the platform saw no more than its rate in any second (plus the one on the edge).
      for (const account of ACCOUNTS) {
        const grants = rows
          .filter((d) => d.account_id === account && d.send_started_at)
          .map((d) => d.send_started_at!.getTime())
          .sort((a, b) => a - b)
        expect(grants.length).toBeGreaterThan(1000)
        const closest = Math.min(...grants.slice(1).map((t, i) => t - grants[i]!))
        expect(closest, account).toBeGreaterThanOrEqual(INTERVAL_MS)
        const times = log.filter((s) => s.account === account).map((s) => s.at)
        let most = 0
        for (let i = 0, j = 0; i < times.length; i++) {
          while (times[i]! - times[j]! >= 1000) j++
          most = Math.max(most, i - j + 1)
        }
        expect(most, account).toBeLessThanOrEqual(PER_SECOND + 1)
      }

      // Cancel stops it within a second: nothing of it goes out after that.
      const cancelId = await compose({
        title: '寒潮蓝色预警',
        text: { zh: '明日气温骤降8度以上，请注意防寒保暖。' },
        category: 'weather',
        targets: { beatIds: [WEST.beatId] },
      })
      const ofCancelled = (s: Send) => s.head === '【天气预警】寒潮蓝色预警'
      await waitFor(
        () => sends().filter(ofCancelled).length >= 150,
        'the second broadcast to get going',
        30_000,
      )
      const cancelled = await author.request('POST', `/api/broadcasts/${cancelId}/cancel`)
      const cancelledAt = Date.now()
      expect(cancelled.body.broadcast.state).toBe('cancelled')
      await waitFor(
        async () => (await deliveries(cancelId)).every((d) => !['pending', 'sending'].includes(d.state)),
        'the cancellation to be wound up',
      )
      await new Promise((r) => setTimeout(r, 1500))
      const after = sends().filter(ofCancelled)
      expect(after.filter((s) => s.at > cancelledAt + 1000)).toEqual([])
      const wound = await deliveries(cancelId)
      expect(wound.filter((d) => d.state === 'cancelled').length).toBeGreaterThan(0)
      expect(wound.filter((d) => d.state === 'sent').length).toBe(after.length)
      second.kill('SIGTERM')
    }, 180_000)
  },
)
