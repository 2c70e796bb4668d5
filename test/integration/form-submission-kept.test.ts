import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'
import { type WechatResident, wechatResident } from '../helpers/wechat-resident.ts'

const CASE_NUMBER = /CQ-2026-\d{6}/
/** A valid mainland ID number (its check character computed). */
const ID = '330102199001011234'

/**
 * A confirmed form commits with the message that confirmed it: a process that
 * dies between that commit and the submission leaves it kept (sealed), and the
 * sweep makes it a request once, later.
 */
for (const engine of testEngines()) {
  describe(`confirmed forms survive a crash after the commit (${engine.name})`, () => {
    let stack: TestStack
    let heard: string[] = []
    let landlord: WechatResident

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `kept-form-${engine.name}` })
      stack.clock.set(ON_DUTY)
    })
    /** Each test's landlord is a new contact, with no request of theirs running. */
    beforeEach(() => {
      landlord = wechatResident(stack, '房东钱先生')
      heard = landlord.heard
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const ask = (text: string, expected: string | RegExp) => landlord.ask(text, expected)
    const kept = async () =>
      (await sql<{ id: string; sealed: string }>`SELECT id, sealed FROM form_submissions`.execute(db())).rows
    const requests = () => db().selectFrom('service_requests').select(['id', 'submission_id']).execute()
    const fillRental = async () => {
      await ask('出租登记', '（1/9）')
      await ask('长寿桥', '（2/9）')
      await ask('3幢', '（3/9）')
      await ask('2单元501', '（4/9）')
      await ask('张伟', '（5/9）')
      await ask('13912345678', '（6/9）')
      await ask('11月20日', '（7/9）')
      await ask('2027年11月19日', '（8/9）')
      await ask(ID, '请核对您的「出租登记」')
    }

    it('keeps nothing once a confirmed form has become a request', async () => {
      await fillRental()
      await ask('确认', CASE_NUMBER)
      expect(await requests()).toHaveLength(1)
      await waitFor(async () => (await kept()).length === 0 || undefined, 'the kept form removed')
    })

    it('submits a form confirmed just before the process died, once, when the sweep runs', async () => {
      const services = stack.ctx.serviceRequests
      await fillRental()
      const afterCommit = services.afterCommit
      // The process "dies" right after the inbound commit of 确认: nothing of the after-commit work runs.
      let skipped = 0
      services.afterCommit = async () => {
        skipped += 1
      }
      try {
        const confirmed = heard.length
        landlord.say('确认')
        const rows = await waitFor(async () => {
          const found = await kept()
          return found.length === 1 ? found : undefined
        }, 'the confirmed form kept with its message')
        expect(rows[0]!.sealed).not.toContain(ID)
        expect(rows[0]!.sealed).not.toContain('张伟')
        expect(heard.slice(confirmed).some((t) => CASE_NUMBER.test(t))).toBe(false)
        expect(skipped).toBeGreaterThan(0)
        expect(await requests()).toHaveLength(1)
        const [confirming] = await db()
          .selectFrom('messages')
          .select(['id', 'text'])
          .where('direction', '=', 'inbound')
          .where('id', '=', rows[0]!.id)
          .execute()
        expect(confirming?.text).toBe('确认')
      } finally {
        services.afterCommit = afterCommit
      }

      const before = heard.length
      // Not yet a minute old: the sweep leaves it to the process that may still be submitting it.
      expect(await services.sweepSubmissions(60_000)).toBe(0)
      expect(await services.sweepSubmissions(0)).toBe(1)
      const told = await waitFor(
        () => heard.slice(before).find((t) => CASE_NUMBER.test(t)),
        'the confirmation with the case number',
      )
      expect(told).toContain('长寿桥小区 3幢 2单元501')
      expect(await kept()).toHaveLength(0)
      expect(await services.sweepSubmissions(0)).toBe(0)
      const all = await requests()
      expect(all).toHaveLength(2)
      expect(new Set(all.map((r) => r.submission_id)).size).toBe(2)
    })

    it('gives up a kept form that no longer opens, instead of trying it for ever', async () => {
      const [resident] = await db().selectFrom('residents').select('id').limit(1).execute()
      const [identity] = await db()
        .selectFrom('channel_identities')
        .select('id')
        .where('resident_id', '=', resident!.id)
        .execute()
      const twoMinutesAgo = new Date(stack.ctx.clock.now().getTime() - 120_000).toISOString()
      await sql`INSERT INTO form_submissions (id, station_id, resident_id, identity_id, sealed, created_at)
                VALUES ('broken-1', ${seedIds.station('CQ')}, ${resident!.id}, ${identity!.id}, 'not sealed',
                        ${twoMinutesAgo}::timestamptz)`.execute(db())
      expect(await stack.ctx.serviceRequests.sweepSubmissions(60_000)).toBe(0)
      expect(await kept()).toHaveLength(0)
    })
  })
}
