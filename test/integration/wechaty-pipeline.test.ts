import { randomUUID } from 'node:crypto'
import { FileBox } from 'file-box'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as PUPPET from 'wechaty-puppet'
import { WechatMessageType } from '../../bots/wechaty/normalize.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type Mocker, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

type MockContact = ReturnType<Mocker['createContact']>
type MockRoom = ReturnType<Mocker['createRoom']>

/**
 * Mock contacts and rooms are event emitters whose typings do not resolve under NodeNext
 * (typed-emitter ships CommonJS types), so listen through this narrow view.
 */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

/** Collects the texts `from` (a bot's own user) says to a mock contact or in a mock room. */
function hear(source: MockContact | MockRoom, from: MockContact): string[] {
  const heard: string[] = []
  ;(source as unknown as MessageSource).on('message', (message) => {
    const text = message.text()
    if (message.talker().id === from.id && text !== undefined) heard.push(text)
  })
  return heard
}

/** The contact a mock account is logged in as (the stack logs each account in as itself). */
function botUserOf(mocker: Mocker): MockContact {
  return mocker.ContactMock.load(mocker.puppet.currentUserId)
}

const CASE_NUMBER = /CQ-2026-\d{6}/
const ASKS_ADDRESS = '请告诉我们您住在哪个小区或村'
const UNREADABLE = '暂时无法读取这种类型的消息'

for (const engine of testEngines()) {
  describe(`WeChat residents through the whole inbound path (${engine.name})`, () => {
    let stack: TestStack
    /** Every text a mock resident sent: inbound rows may hold these and nothing else. */
    const residentTexts = new Set<string>()

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `wxpipe-${engine.name}` })
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const account = (id: string) => {
      const mocker = stack.mockers.get(id)
      if (!mocker) throw new Error(`the stack holds no mock account ${id}`)
      return { mocker, bot: botUserOf(mocker) }
    }
    const say = (
      resident: MockContact,
      text: string,
      to: MockContact | MockRoom,
      mentions?: MockContact[],
    ) => {
      // What is stored of a group message is its text without the @-mention of the account.
      residentTexts.add(text.replace(/^@[^\u2005]+\u2005/, ''))
      resident.say(text, mentions).to(to)
    }
    const db = () => stack.ctx.database.db
    const caseOf = (number: string) =>
      db().selectFrom('cases').selectAll().where('number', '=', number).executeTakeFirstOrThrow()
    const identityOf = (accountId: string, contact: MockContact) =>
      db()
        .selectFrom('channel_identities')
        .selectAll()
        .where('channel', '=', 'wechat')
        .where('account_id', '=', accountId)
        .where('contact_ref', '=', contact.id)
        .executeTakeFirst()
    const inboundOf = async (accountId: string, contact: MockContact) => {
      const identity = await identityOf(accountId, contact)
      if (!identity) return []
      return db()
        .selectFrom('messages')
        .selectAll()
        .where('identity_id', '=', identity.id)
        .where('direction', '=', 'inbound')
        .orderBy('created_at')
        .execute()
    }
    const numberIn = (text: string) => {
      const number = CASE_NUMBER.exec(text)?.[0]
      if (!number) throw new Error(`no case number in the reply: ${text}`)
      return number
    }
    const officerJob = (badge: string, caseId: string) =>
      stack.ctx.queues.get(`officer-${seedIds.officer(badge)}`).getJob(`case-${caseId}`)

    it("acknowledges a resident writing to an officer's own account and queues the case for that officer", async () => {
      const { mocker, bot } = account('cq-li-ming')
      const resident = mocker.createContact({ name: '王阿姨' })
      const heard = hear(resident, bot)

      say(resident, '你好，我想问一下办居住证要带什么材料', bot)
      const ack = await waitFor(() => heard.find((t) => CASE_NUMBER.test(t)), 'the acknowledgement')
      expect(ack).toContain('李明')
      expect(ack).toContain('110')

      const row = await caseOf(numberIn(ack))
      expect(row).toMatchObject({
        assignee_officer_id: seedIds.officer('330104'),
        beat_id: seedIds.beat('CQ-01'),
        queue: `officer-${seedIds.officer('330104')}`,
        status: 'assigned',
        category: 'consultation',
      })
      const job = await officerJob('330104', row.id)
      expect(job?.data).toMatchObject({ caseId: row.id })
      expect(JSON.stringify(job?.data)).not.toMatch(/居住证|王阿姨/)

      const inbound = await inboundOf('cq-li-ming', resident)
      expect(inbound.map((m) => [m.kind, m.text, m.case_id])).toEqual([
        ['text', '你好，我想问一下办居住证要带什么材料', row.id],
      ])
      const identity = await identityOf('cq-li-ming', resident)
      const person = await db()
        .selectFrom('residents')
        .select(['display_name', 'language'])
        .where('id', '=', identity!.resident_id)
        .executeTakeFirstOrThrow()
      expect(person).toEqual({ display_name: '王阿姨', language: 'zh' })
    })

    it('asks a resident of the station account where they live, binds the answer and names the beat officer', async () => {
      const { mocker, bot } = account('cq-station')
      const resident = mocker.createContact({ name: '赵先生' })
      const heard = hear(resident, bot)

      say(resident, '请问晚上可以去派出所办事吗', bot)
      const ask = await waitFor(() => heard.find((t) => t.includes(ASKS_ADDRESS)), 'the address question')
      const number = numberIn(ask)
      const pending = await caseOf(number)
      expect(pending.awaiting_address).toBe(true)
      expect(pending.assignee_officer_id).toBeNull()
      expect(pending.queue).toBe(`desk-${seedIds.station('CQ')}`)

      say(resident, '流水苑', bot)
      const ack = await waitFor(
        () => heard.find((t) => t.includes('张伟')),
        'the acknowledgement naming 张伟',
      )
      expect(numberIn(ack)).toBe(number)
      expect(heard).toHaveLength(2)

      const routed = await caseOf(number)
      expect(routed).toMatchObject({
        awaiting_address: false,
        assignee_officer_id: seedIds.officer('330106'),
        beat_id: seedIds.beat('CQ-03'),
        queue: `officer-${seedIds.officer('330106')}`,
      })
      const person = await db()
        .selectFrom('residents')
        .select(['compound_id', 'beat_id'])
        .where('id', '=', routed.resident_id)
        .executeTakeFirstOrThrow()
      expect(person).toEqual({
        compound_id: seedIds.compound('CQ', '流水苑'),
        beat_id: seedIds.beat('CQ-03'),
      })
      expect(await officerJob('330106', routed.id)).toBeDefined()
      expect(
        await stack.ctx.queues.get(`desk-${seedIds.station('CQ')}`).getJob(`case-${routed.id}`),
      ).toBeUndefined()
    })

    it('opens a case from an image, keeps its media type, and adds a later image to the same case', async () => {
      const { mocker, bot } = account('cq-zhang-wei')
      const resident = mocker.createContact({ name: '孙女士' })
      const heard = hear(resident, bot)
      const photo = Buffer.from('a photo of the broken lock on the bike shed')

      resident.say(FileBox.fromBase64(photo.toString('base64'), 'lock.jpg')).to(bot)
      const ack = await waitFor(() => heard.find((t) => CASE_NUMBER.test(t)), 'the acknowledgement')
      expect(ack).toContain('张伟')
      const row = await caseOf(numberIn(ack))
      expect(row.assignee_officer_id).toBe(seedIds.officer('330106'))

      resident.say(FileBox.fromBase64(Buffer.from('second angle').toString('base64'), 'lock-2.png')).to(bot)
      const images = await waitFor(async () => {
        const rows = await inboundOf('cq-zhang-wei', resident)
        return rows.length === 2 && rows.every((r) => r.case_id) ? rows : null
      }, 'both images stored on a case')
      expect(images.map((m) => [m.kind, m.text, m.media, m.case_id])).toEqual([
        ['image', null, { type: 'image', sizeBytes: photo.length, name: 'lock.jpg' }, row.id],
        ['image', null, { type: 'image', sizeBytes: 12, name: 'lock-2.png' }, row.id],
      ])
      // A follow-up on an open case is not acknowledged again.
      expect(heard).toHaveLength(1)
    })

    it('answers an emoticon and a contact card politely that it cannot read them, and opens no case', async () => {
      const { mocker, bot } = account('cq-zhang-wei')
      const resident = mocker.createContact({ name: '钱大爷' })
      const heard = hear(resident, bot)
      const send = (type: number, text: string) => {
        // The mock contact can only say text and files, so the platform message is built directly.
        const payload: PUPPET.payloads.Message = {
          id: randomUUID(),
          talkerId: resident.id,
          listenerId: bot.id,
          timestamp: Date.now(),
          type,
          text,
        }
        mocker.MessageMock.create(payload)
        mocker.puppet.emit('message', { messageId: payload.id })
      }

      send(WechatMessageType.Emoticon, '<msg><emoji md5="0f2b" len="2048" /></msg>')
      await waitFor(() => heard.length === 1, 'the reply to the emoticon')
      send(WechatMessageType.Contact, '<msg username="wxid_friend" nickname="朋友" />')
      await waitFor(() => heard.length === 2, 'the reply to the contact card')
      for (const reply of heard) {
        expect(reply).toContain(UNREADABLE)
        expect(reply).toContain('110')
      }

      const inbound = await inboundOf('cq-zhang-wei', resident)
      expect(inbound.map((m) => [m.kind, m.case_id])).toEqual([
        ['unknown', null],
        ['unknown', null],
      ])
      const identity = await identityOf('cq-zhang-wei', resident)
      const cases = await db()
        .selectFrom('cases')
        .select('id')
        .where('resident_id', '=', identity!.resident_id)
        .execute()
      expect(cases).toEqual([])
    })

    it('takes a group message only when the account is @-mentioned in a group it serves, and answers in the group', async () => {
      const { mocker, bot } = account('cq-li-ming')
      const resident = mocker.createContact({ name: '周师傅' })
      const served = mocker.createRoom({ topic: '长寿桥小区业主群', memberIdList: [bot.id, resident.id] })
      const unserved = mocker.createRoom({ topic: '长寿桥广场舞群', memberIdList: [bot.id, resident.id] })
      const inServed = hear(served, bot)
      const inUnserved = hear(unserved, bot)

      say(resident, '大家好，明天上午小区停水', served)
      say(resident, '@cq-li-ming\u2005广场上音响太响了', unserved, [bot])
      say(resident, '@cq-li-ming\u2005我家楼下的路灯坏了好几天了', served, [bot])

      const ack = await waitFor(
        () => inServed.find((t) => CASE_NUMBER.test(t)),
        'the acknowledgement in the group',
      )
      expect(ack).toMatch(/^@周师傅 /)
      expect(ack).toContain('李明')
      const row = await caseOf(numberIn(ack))
      expect(row.assignee_officer_id).toBe(seedIds.officer('330104'))

      const inbound = await inboundOf('cq-li-ming', resident)
      expect(inbound.map((m) => [m.text, m.case_id])).toEqual([['我家楼下的路灯坏了好几天了', row.id]])
      const identity = await identityOf('cq-li-ming', resident)
      expect(identity?.group_ref).toBe(served.id)
      const stray = await db()
        .selectFrom('inbound_events')
        .select('id')
        .where('account_id', '=', 'cq-li-ming')
        .where((eb) =>
          eb.or([
            eb(sql<string>`payload::text`, 'like', '%停水%'),
            eb(sql<string>`payload::text`, 'like', '%音响%'),
          ]),
        )
        .execute()
      expect(stray).toEqual([])
      expect(inUnserved).toEqual([])
    })

    it("never turns the bots' own sends into inbound messages", async () => {
      const { mocker, bot } = account('cq-station')
      const resident = mocker.createContact({ name: '吴阿姨' })
      const heard = hear(resident, bot)

      say(resident, '我住柳营巷12号，楼道灯坏了', bot)
      const ack = await waitFor(() => heard.find((t) => CASE_NUMBER.test(t)), 'the acknowledgement')
      say(resident, '谢谢', bot)
      await waitFor(
        async () => (await inboundOf('cq-station', resident)).length === 2,
        'the follow-up stored',
      )

      const outbound = await db()
        .selectFrom('messages')
        .select(['text', 'delivery_state'])
        .where('direction', '=', 'outbound')
        .where('case_id', '=', (await caseOf(numberIn(ack))).id)
        .execute()
      expect(outbound).toEqual([{ text: ack, delivery_state: 'sent' }])

      // Every bot has sent something by now (acks, the group answer, polite refusals); none came back in.
      const botIds = [...stack.mockers.values()].map((m) => botUserOf(m).id)
      const botIdentities = await db()
        .selectFrom('channel_identities')
        .select('id')
        .where('contact_ref', 'in', botIds)
        .execute()
      expect(botIdentities).toEqual([])
      const inbound = await db()
        .selectFrom('messages')
        .select(['kind', 'text'])
        .where('direction', '=', 'inbound')
        .where('channel', '=', 'wechat')
        .execute()
      for (const message of inbound) {
        if (message.kind === 'text') expect(residentTexts).toContain(message.text)
        else expect(message.text).toBeNull()
      }
    })
  })
}
