import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROMPT_TTL_MS, runSelfService, type SelfServiceResult } from '../../src/app/self-service.ts'
import { BROADCAST_CATEGORIES } from '../../src/domain/broadcast-categories.ts'
import type { Language } from '../../src/domain/types.ts'
import type { Database, DatabaseHandle } from '../../src/store/db.ts'
import { migrate } from '../../src/store/migrate.ts'
import { selfServiceStore } from '../../src/store/self-service.repository.ts'
import { testEngines } from '../helpers/db.ts'

const STATION = 'st-ss'
const LI_MING = 'of-ss-1'
const WANG_FANG = 'of-ss-2'
const ACCOUNT = 'web-ss'
const T0 = new Date('2026-03-02T02:00:00.000Z')
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000)

interface Resident {
  residentId: string
  identityId: string
  language: Language
}

for (const engine of testEngines()) {
  describe(`resident self-service (${engine.name})`, () => {
    let handle: DatabaseHandle
    let db: Database
    let counter = 0

    beforeAll(async () => {
      handle = await engine.open()
      db = handle.db
      await migrate(handle)
      await db
        .insertInto('stations')
        .values({
          id: STATION,
          code: 'SS',
          name: '长庆派出所',
          name_en: 'Changqing Police Station',
          time_zone: 'Asia/Shanghai',
          desk_name: '长庆派出所值班室',
          desk_name_en: 'Changqing duty desk',
          updated_at: T0,
        })
        .execute()
      for (const [id, name, nameEn] of [
        [LI_MING, '李明', 'Li Ming'],
        [WANG_FANG, '王芳', 'Wang Fang'],
      ] as const) {
        await db
          .insertInto('officers')
          .values({
            id,
            station_id: STATION,
            badge: id,
            name,
            name_en: nameEn,
            role: 'officer',
            capacity: 30,
            duty: '[]',
            team: null,
            notify_account_id: null,
            notify_contact_ref: null,
            updated_at: T0,
          })
          .execute()
      }
    })
    afterAll(async () => {
      await handle?.close()
    })

    async function newResident(language: Language = 'zh'): Promise<Resident> {
      const residentId = randomUUID()
      const identityId = randomUUID()
      await db
        .insertInto('residents')
        .values({ id: residentId, code: `MB${randomUUID().slice(0, 8)}`, display_name: '测试居民', language })
        .execute()
      await db
        .insertInto('channel_identities')
        .values({
          id: identityId,
          resident_id: residentId,
          channel: 'web',
          account_id: ACCOUNT,
          contact_ref: randomUUID(),
        })
        .execute()
      return { residentId, identityId, language }
    }

    async function newCase(
      who: Resident,
      fields: { status: string; assignee?: string | null; ratingAskedAt?: Date; updatedAt?: Date },
    ) {
      counter++
      const id = randomUUID()
      const number = `SS-2026-${String(counter).padStart(6, '0')}`
      const assignee = fields.assignee === undefined ? LI_MING : fields.assignee
      await db
        .insertInto('cases')
        .values({
          id,
          number,
          station_id: STATION,
          resident_id: who.residentId,
          identity_id: who.identityId,
          beat_id: null,
          category: 'noise',
          priority: 'normal',
          status: fields.status,
          assignee_officer_id: assignee,
          queue: assignee ? `officer-${assignee}` : `desk-${STATION}`,
          opened_at: minutes(-60 + counter),
          last_message_at: fields.updatedAt ?? minutes(-30),
          updated_at: fields.updatedAt ?? minutes(-30),
          rating_asked_at: fields.ratingAskedAt ?? null,
          ...(fields.status === 'resolved' ? { resolved_at: minutes(-20) } : {}),
          ...(fields.status === 'closed' ? { closed_at: minutes(-20) } : {}),
        })
        .execute()
      return { id, number }
    }

    /**
     * What the inbound path does with one message: store it, run self-service in the
     * same transaction, and store any replies as outbound messages answering it.
     */
    async function say(who: Resident, text: string, at: Date = T0): Promise<SelfServiceResult> {
      return db.transaction().execute(async (trx) => {
        const messageId = randomUUID()
        await trx
          .insertInto('messages')
          .values({
            id: messageId,
            resident_id: who.residentId,
            identity_id: who.identityId,
            direction: 'inbound',
            channel: 'web',
            account_id: ACCOUNT,
            external_id: messageId,
            kind: 'text',
            text,
            delivery_state: 'received',
            created_at: at,
          })
          .execute()
        const result = await runSelfService(selfServiceStore(trx), {
          residentId: who.residentId,
          stationId: STATION,
          language: who.language,
          text,
          messageId,
          now: at,
        })
        if (result.handled) {
          await trx
            .updateTable('messages')
            .set({ case_id: result.caseId })
            .where('id', '=', messageId)
            .execute()
          for (const reply of result.replies)
            await officerOrBotSays(trx, who, reply, at, messageId, result.caseId)
        }
        return result
      })
    }

    async function officerOrBotSays(
      trx: Database,
      who: Resident,
      text: string,
      at: Date,
      inReplyTo: string | null = null,
      caseId: string | null = null,
    ) {
      await trx
        .insertInto('messages')
        .values({
          id: randomUUID(),
          case_id: caseId,
          resident_id: who.residentId,
          identity_id: who.identityId,
          direction: 'outbound',
          channel: 'web',
          account_id: ACCOUNT,
          in_reply_to: inReplyTo,
          kind: 'text',
          text,
          delivery_state: 'queued',
          created_at: at,
        })
        .execute()
    }

    const replyOf = (result: SelfServiceResult): string => {
      if (!result.handled) throw new Error('expected the message to be handled as a command')
      return result.replies.join('\n')
    }

    const caseRow = (id: string) =>
      db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

    const auditOf = (subjectId: string, action: string) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .where('action', '=', action)
        .execute()

    describe('status', () => {
      it("lists only the resident's open cases, with status in plain words, officer and last update", async () => {
        const me = await newResident()
        const other = await newResident()
        const open = await newCase(me, { status: 'in_progress', updatedAt: minutes(-10) })
        const done = await newCase(me, { status: 'closed' })
        const theirs = await newCase(other, { status: 'assigned', assignee: WANG_FANG })

        const result = await say(me, '进度')
        const text = replyOf(result)
        expect(text).toContain(open.number)
        expect(text).toContain('李明警官')
        expect(text).toContain('民警正在处理')
        expect(text).toContain('今天 09:50')
        expect(text).not.toContain(done.number)
        expect(text).not.toContain(theirs.number)
        expect(text).not.toContain('王芳')
        expect(result.handled && result.caseId).toBeNull()
      })

      it('names the duty desk for an unassigned case, in English for an English speaker', async () => {
        const me = await newResident('en')
        const open = await newCase(me, { status: 'new', assignee: null })
        const text = replyOf(await say(me, 'Status?'))
        expect(text).toContain(open.number)
        expect(text).toContain('Changqing duty desk')
        expect(text).toContain('You have 1 open case')
      })

      it('says so when there is nothing open', async () => {
        const me = await newResident()
        await newCase(me, { status: 'resolved' })
        expect(replyOf(await say(me, '查询进度'))).toContain('没有正在办理的案件')
      })
    })

    describe('broadcast preferences', () => {
      const optOuts = async (residentId: string) =>
        (
          await db
            .selectFrom('resident_opt_outs')
            .select('category')
            .where('resident_id', '=', residentId)
            .orderBy('category')
            .execute()
        ).map((r) => r.category)

      it('turns categories off and on again, one at a time or all at once', async () => {
        const me = await newResident()
        expect(replyOf(await say(me, '退订 反诈'))).toContain('已退订反诈提醒')
        expect(await optOuts(me.residentId)).toEqual(['anti_fraud'])

        await say(me, '退订：天气、交通')
        expect(await optOuts(me.residentId)).toEqual(['anti_fraud', 'traffic', 'weather'])
        const listed = replyOf(await say(me, '我的订阅'))
        expect(listed).toMatch(/已退订：反诈提醒、交通出行、天气预警/)
        expect(listed).toContain('消防安全')

        await say(me, '订阅 反诈')
        expect(await optOuts(me.residentId)).toEqual(['traffic', 'weather'])
        await say(me, '订阅')
        expect(await optOuts(me.residentId)).toEqual([])
        await say(me, '退订')
        expect(await optOuts(me.residentId)).toEqual([...BROADCAST_CATEGORIES].sort())

        const audits = await db
          .selectFrom('audit_events')
          .select(['action', 'actor'])
          .where('subject_id', '=', me.residentId)
          .orderBy('at')
          .execute()
        expect(audits.map((a) => a.action)).toContain('resident.unsubscribed')
        expect(audits.map((a) => a.action)).toContain('resident.subscribed')
        expect(new Set(audits.map((a) => a.actor))).toEqual(new Set(['resident']))
      })

      it('works in English, and explains an unknown category without changing anything', async () => {
        const me = await newResident('en')
        await say(me, 'unsubscribe fraud')
        expect(await optOuts(me.residentId)).toEqual(['anti_fraud'])
        const text = replyOf(await say(me, 'unsubscribe parcels'))
        expect(text).toContain('"parcels"')
        expect(await optOuts(me.residentId)).toEqual(['anti_fraud'])
        await say(me, 'subscribe fraud')
        expect(await optOuts(me.residentId)).toEqual([])
      })
    })

    describe('rating', () => {
      it('takes 1-5 only while a rating is pending, and only once', async () => {
        const me = await newResident()
        const resolved = await newCase(me, { status: 'resolved' })

        // Not asked yet: a number is a message for the officer.
        expect(await say(me, '5')).toEqual({ handled: false })

        await db
          .updateTable('cases')
          .set({ rating_asked_at: minutes(-5) })
          .where('id', '=', resolved.id)
          .execute()
        const tooHigh = await say(me, '6')
        expect(replyOf(tooHigh)).toContain('1 到 5')
        expect(await say(me, '非常满意，谢谢李警官')).toEqual({ handled: false })
        expect((await caseRow(resolved.id)).satisfaction).toBeNull()

        const rated = await say(me, '４分', minutes(1))
        expect(rated).toMatchObject({ handled: true, ratedCaseId: resolved.id, caseId: resolved.id })
        expect(replyOf(rated)).toContain('4分')
        const row = await caseRow(resolved.id)
        expect(row.satisfaction).toBe(4)
        expect(row.rated_at?.toISOString()).toBe(minutes(1).toISOString())
        expect(await auditOf(resolved.id, 'case.rated')).toHaveLength(1)

        expect(await say(me, '5', minutes(2))).toEqual({ handled: false })
        expect((await caseRow(resolved.id)).satisfaction).toBe(4)
      })

      it('does not read a number as a rating while the resident has an open case', async () => {
        const me = await newResident()
        await newCase(me, { status: 'resolved', ratingAskedAt: minutes(-5) })
        await newCase(me, { status: 'in_progress' })
        expect(await say(me, '3')).toEqual({ handled: false })
      })
    })

    describe('withdrawal', () => {
      it('asks first, then closes the open case with the reason, a system line, audit and cancelled timers', async () => {
        const me = await newResident()
        const open = await newCase(me, { status: 'in_progress' })
        await db
          .insertInto('case_timers')
          .values({
            id: `reminder-${open.id}-1`,
            case_id: open.id,
            kind: 'reminder',
            case_version: 1,
            due_at: minutes(10),
          })
          .execute()

        const asked = await say(me, '取消，已经和邻居协商好了')
        expect(replyOf(asked)).toContain(open.number)
        expect(asked).toMatchObject({ handled: true, caseId: open.id })
        expect(asked.handled && asked.withdrawnCaseId).toBeUndefined()
        expect((await caseRow(open.id)).status).toBe('in_progress')

        const done = await say(me, '确认', minutes(1))
        expect(done).toMatchObject({
          handled: true,
          caseId: open.id,
          withdrawnCaseId: open.id,
          changedCase: {
            id: open.id,
            stationId: STATION,
            queue: `officer-${LI_MING}`,
            assigneeOfficerId: LI_MING,
          },
        })
        expect(replyOf(done)).toContain('已撤回')
        const row = await caseRow(open.id)
        expect(row.status).toBe('closed')
        expect(row.closed_at?.toISOString()).toBe(minutes(1).toISOString())
        expect(row.cancel_reason).toBe('withdrawn by the resident: 已经和邻居协商好了')
        expect(await auditOf(open.id, 'case.withdrawn')).toHaveLength(1)
        const system = await db
          .selectFrom('messages')
          .select('text')
          .where('case_id', '=', open.id)
          .where('direction', '=', 'system')
          .execute()
        expect(system.map((m) => m.text)).toEqual([
          '居民已撤回诉求 · Withdrawn by the resident: 已经和邻居协商好了',
        ])
        const timer = await db
          .selectFrom('case_timers')
          .select('state')
          .where('case_id', '=', open.id)
          .executeTakeFirstOrThrow()
        expect(timer.state).toBe('cancelled')

        // The question is used up: another "确认" is just a message.
        expect(await say(me, '确认', minutes(2))).toEqual({ handled: false })
      })

      it('leaves the case alone for a sentence with 取消 in it, a "no", or a confirmation that came too late', async () => {
        const me = await newResident()
        const open = await newCase(me, { status: 'assigned' })
        expect(await say(me, '我想取消明天的预约，可以吗')).toEqual({ handled: false })
        expect(await say(me, '取消订单怎么办')).toEqual({ handled: false })
        expect(await say(me, '确认')).toEqual({ handled: false })

        await say(me, '取消', minutes(1))
        expect(replyOf(await say(me, '不', minutes(2)))).toContain('继续办理')
        expect(await say(me, '确认', minutes(3))).toEqual({ handled: false })

        await say(me, '取消', minutes(4))
        expect(await say(me, '确认', new Date(minutes(4).getTime() + PROMPT_TTL_MS + 1000))).toEqual({
          handled: false,
        })

        // The officer wrote after the question: "好的" answers the officer, not us.
        await say(me, 'cancel', minutes(60))
        await db.transaction().execute((trx) => officerOrBotSays(trx, me, '请问是几楼？', minutes(61)))
        expect(await say(me, '好的', minutes(62))).toEqual({ handled: false })

        expect((await caseRow(open.id)).status).toBe('assigned')
        expect(await auditOf(open.id, 'case.withdrawn')).toHaveLength(0)
      })

      it('has nothing to withdraw without an open case; words after the command then go to the officer', async () => {
        const me = await newResident('en')
        expect(replyOf(await say(me, 'cancel'))).toContain('no open request')
        expect(await say(me, 'cancel: my neighbour is quiet now')).toEqual({ handled: false })
      })
    })

    describe('menu', () => {
      it('a number picks from the menu only while the menu is the last thing said', async () => {
        const me = await newResident()
        const open = await newCase(me, { status: 'in_progress' })
        const menu = replyOf(await say(me, '帮助'))
        expect(menu).toContain('110')
        expect(menu).toMatch(/^1 /m)

        const status = await say(me, '1', minutes(1))
        expect(replyOf(status)).toContain(open.number)
        // The status answer moved the conversation on: "1" is a message again.
        expect(await say(me, '1', minutes(2))).toEqual({ handled: false })

        await say(me, '菜单', minutes(3))
        // A number past the menu's end is answered with the range it has.
        expect(replyOf(await say(me, '12', minutes(4)))).toMatch(/请回复菜单中的数字 1 到 \d+/)
        expect(replyOf(await say(me, '2', minutes(5)))).toContain('安全提醒')

        await say(me, 'menu', minutes(6))
        await say(me, '楼上又开始吵了', minutes(7))
        expect(await say(me, '3', minutes(8))).toEqual({ handled: false })
      })

      it('a number right after the menu picks from it even when a rating is pending', async () => {
        const me = await newResident()
        const rated = await newCase(me, { status: 'resolved', ratingAskedAt: minutes(-5) })
        await say(me, '帮助')
        expect(replyOf(await say(me, '2', minutes(1)))).toContain('安全提醒')
        expect((await caseRow(rated.id)).satisfaction).toBeNull()
      })
    })

    it('a normal message, or an emergency shaped like a command, is not handled and changes nothing', async () => {
      const me = await newResident()
      const open = await newCase(me, { status: 'in_progress' })
      for (const text of ['帮助我看看楼下的车', '楼上很吵', '2', 'help me please', '取消！有人在打我']) {
        expect(await say(me, text), text).toEqual({ handled: false })
      }
      expect((await caseRow(open.id)).status).toBe('in_progress')
      const prompts = await db
        .selectFrom('resident_prompts')
        .selectAll()
        .where('resident_id', '=', me.residentId)
        .execute()
      expect(prompts).toEqual([])
    })
  })
}
