import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleInbound } from '../../src/app/handle-inbound.ts'
import type { InboundEvent } from '../../src/domain/types.ts'
import { QueueNames } from '../../src/queues/names.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { type Mocker, startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

type MockContact = ReturnType<Mocker['createContact']>

/** Mock contacts are event emitters whose typings do not resolve under NodeNext: listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

/** Collects the texts the bot user `from` says to a mock contact. */
function hear(contact: MockContact, from: MockContact): string[] {
  const heard: string[] = []
  ;(contact as unknown as MessageSource).on('message', (message) => {
    const text = message.text()
    if (message.talker().id === from.id && text !== undefined) heard.push(text)
  })
  return heard
}

const CASE_NUMBER = /CQ-2026-\d{6}/
const LI = '330104' // primary of CQ-01 (长寿桥社区); WeChat wxid_officer_li on cq-station
const ZHANG = '330106' // primary of CQ-03; WeChat wxid_officer_zhang on cq-station
const WANG = '330105' // primary of CQ-02 (王马社区); no WeChat configured
const CHEN = '330107' // no WeChat configured

for (const engine of testEngines()) {
  describe(`officer notices on their own WeChat (${engine.name})`, () => {
    let stack: TestStack
    let mocker: Mocker
    let bot: MockContact
    /** What the station account said to each officer's own WeChat. */
    let toLi: string[]
    let toZhang: string[]
    let li: OfficerClient

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `notice-${engine.name}` })
      const station = stack.mockers.get('cq-station')
      if (!station) throw new Error('the stack holds no mock account cq-station')
      mocker = station
      bot = mocker.ContactMock.load(mocker.puppet.currentUserId)
      // The officers are friends of the station account, with the contact ids the station file names.
      toLi = hear(mocker.createContact({ id: 'wxid_officer_li', name: '李明' }), bot)
      toZhang = hear(mocker.createContact({ id: 'wxid_officer_zhang', name: '张伟' }), bot)
      li = await signIn(stack.ctx, stack.app!, LI)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    const db = () => stack.ctx.database.db
    const caseOf = (number: string) =>
      db().selectFrom('cases').selectAll().where('number', '=', number).executeTakeFirstOrThrow()
    const noticesOf = (caseId: string) =>
      db()
        .selectFrom('officer_notices')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute()
    const numberIn = (text: string) => {
      const number = CASE_NUMBER.exec(text)?.[0]
      if (!number) throw new Error(`no case number in: ${text}`)
      return number
    }
    /** A new resident of the station account says `text`; returns what the account answers them. */
    const resident = (name: string) => {
      const contact = mocker.createContact({ name })
      const heard = hear(contact, bot)
      return { heard, say: (text: string) => contact.say(text).to(bot) }
    }
    const acknowledged = async (heard: string[], handler: string) =>
      numberIn(
        await waitFor(() => heard.find((t) => t.includes(handler)), `the acknowledgement naming ${handler}`),
      )

    it("tells 李明 on his WeChat of a new case in his beat: number, category and compound, not the resident's words", async () => {
      const wu = resident('吴阿姨')
      const words = '我住长寿桥小区，楼上半夜装修噪音太吵了'
      wu.say(words)
      const number = await acknowledged(wu.heard, '李明')

      const notice = await waitFor(() => toLi.find((t) => t.includes(number)), "李明's notice")
      expect(notice).toBe(`新案件 ${number}（噪音扰民）· 长寿桥小区 · 请在收件箱查看`)
      expect(notice).not.toContain('装修')
      expect(notice).not.toContain('吴阿姨')

      const row = await caseOf(number)
      expect(row.assignee_officer_id).toBe(seedIds.officer(LI))
      const stored = await waitFor(async () => {
        const rows = await noticesOf(row.id)
        return rows[0]?.delivery_state === 'sent' ? rows : null
      }, 'the notice marked sent')
      expect(stored).toHaveLength(1)
      expect(stored[0]).toMatchObject({
        officer_id: seedIds.officer(LI),
        account_id: 'cq-station',
        contact_ref: 'wxid_officer_li',
        text: notice,
        attempts: 1,
        failure_reason: null,
      })
      expect(stored[0]?.sent_at).toBeInstanceOf(Date)
      // The job carries the notice id and nothing else.
      const job = await stack.ctx.queues
        .get(QueueNames.outbound('cq-station'))
        .getJob(`notice-${stored[0]?.id}`)
      expect(job?.data).toEqual({ noticeId: stored[0]?.id })
    })

    it('tells the officer when a case moves to their queue after the resident says where they live', async () => {
      const zheng = resident('郑先生')
      zheng.say('请问居住证到期了怎么续办')
      const asked = await waitFor(() => zheng.heard.find((t) => CASE_NUMBER.test(t)), 'the address question')
      const number = numberIn(asked)
      expect((await caseOf(number)).queue).toBe(`desk-${seedIds.station('CQ')}`)
      expect(toLi.some((t) => t.includes(number))).toBe(false)

      zheng.say('长寿新村')
      expect(await acknowledged(zheng.heard, '李明')).toBe(number)
      const notice = await waitFor(() => toLi.find((t) => t.includes(number)), "李明's notice")
      expect(notice).toBe(`新案件 ${number}（咨询）· 长寿桥小区 · 请在收件箱查看`)
      expect(await noticesOf((await caseOf(number)).id)).toHaveLength(1)
    })

    it('tells an officer with WeChat of a case transferred to them through the case API', async () => {
      const feng = resident('冯女士')
      feng.say('我住长寿桥小区，邻居为了停车位和我吵起来了')
      const number = await acknowledged(feng.heard, '李明')
      const row = await caseOf(number)
      await waitFor(() => toLi.find((t) => t.includes(number)), "李明's notice of the new case")

      const version = (await li.request('GET', `/api/cases/${row.id}`)).body.case.version
      const transfer = await li.request('POST', `/api/cases/${row.id}/assign`, {
        version,
        officerId: seedIds.officer(ZHANG),
      })
      expect(transfer.status).toBe(200)

      const notice = await waitFor(() => toZhang.find((t) => t.includes(number)), "张伟's notice")
      // "我住长寿桥小区" bound the resident's address, so the notice can name the compound.
      expect(notice).toBe(`转交案件 ${number}（纠纷调解）· 长寿桥小区 · 请在收件箱查看`)
      expect(notice).not.toContain('停车位')
      expect(notice).not.toContain('冯女士')
      await waitFor(() => feng.heard.find((t) => t.includes('张伟警官')), 'the resident told of the transfer')
      const notices = await waitFor(async () => {
        const rows = await noticesOf(row.id)
        return rows.length === 2 && rows.every((r) => r.delivery_state === 'sent') ? rows : null
      }, 'both notices sent')
      expect(notices.map((n) => [n.officer_id, n.contact_ref])).toEqual([
        [seedIds.officer(LI), 'wxid_officer_li'],
        [seedIds.officer(ZHANG), 'wxid_officer_zhang'],
      ])
    })

    it('sends a notice stored before a crash once the event is handled again', async () => {
      const zhou = mocker.createContact({ name: '周师傅' })
      const now = new Date().toISOString()
      const event: InboundEvent = {
        channel: 'wechat',
        accountId: 'cq-station',
        externalId: randomUUID(),
        sender: { ref: zhou.id, displayName: '周师傅' },
        kind: 'text',
        text: '我住长寿桥小区，隔壁每天半夜噪音很大',
        sentAt: now,
        receivedAt: now,
      }
      const eventId = `ev-${randomUUID()}`
      // Stored but not queued: only this test handles it.
      await stack.ctx.inboundEvents.save(eventId, event)
      const deps = stack.ctx.inboundDeps
      const crashing = {
        ...deps,
        dispatcher: {
          ...deps.dispatcher,
          enqueueNotice: async () => {
            throw new Error('the process died here')
          },
        },
      }
      await expect(handleInbound(crashing, eventId)).rejects.toThrow('the process died here')
      const opened = await db()
        .selectFrom('cases')
        .innerJoin('channel_identities as ci', 'ci.id', 'cases.identity_id')
        .select(['cases.id', 'cases.number'])
        .where('ci.contact_ref', '=', zhou.id)
        .executeTakeFirstOrThrow()
      const number = opened.number
      expect(await noticesOf(opened.id)).toMatchObject([
        { officer_id: seedIds.officer(LI), delivery_state: 'queued' },
      ])
      expect(toLi.some((t) => t.includes(number))).toBe(false)

      expect(await handleInbound(deps, eventId)).toEqual({ outcome: 'duplicate' })
      const notice = await waitFor(
        () => toLi.find((t) => t.includes(number)),
        "李明's notice after the re-dispatch",
      )
      expect(notice).toBe(`新案件 ${number}（噪音扰民）· 长寿桥小区 · 请在收件箱查看`)
      expect(await noticesOf(opened.id)).toHaveLength(1)
    })

    it('sends nothing to officers without WeChat, or to an officer taking a case themselves, and nothing fails', async () => {
      // A new case for 王芳, who has no WeChat configured.
      const qian = resident('钱大爷')
      qian.say('我住王马小区，电动车充电线被人剪了')
      const toWang = await acknowledged(qian.heard, '王芳')
      const wangCase = await caseOf(toWang)
      expect(wangCase.assignee_officer_id).toBe(seedIds.officer(WANG))

      // A transfer to 陈静, who has none either.
      const chenClient = await signIn(stack.ctx, stack.app!, CHEN)
      const supervisor = await signIn(stack.ctx, stack.app!, '330110')
      const version = (await supervisor.request('GET', `/api/cases/${wangCase.id}`)).body.case.version
      const transfer = await supervisor.request('POST', `/api/cases/${wangCase.id}/assign`, {
        version,
        officerId: chenClient.officerId,
      })
      expect(transfer.status).toBe(200)
      await waitFor(() => qian.heard.find((t) => t.includes('陈静警官')), 'the resident told of the transfer')

      // 李明 takes a case from the duty desk himself.
      const sun = resident('孙女士')
      sun.say('想咨询一下养狗要不要登记')
      const deskNumber = numberIn(
        await waitFor(() => sun.heard.find((t) => CASE_NUMBER.test(t)), 'the address question'),
      )
      const deskCase = await caseOf(deskNumber)
      const taken = await li.request('POST', `/api/cases/${deskCase.id}/assign`, {
        version: (await li.request('GET', `/api/cases/${deskCase.id}`)).body.case.version,
        officerId: li.officerId,
      })
      expect(taken.status).toBe(200)
      await waitFor(() => sun.heard.find((t) => t.includes('李明警官')), 'the resident told 李明 has it')

      expect(await noticesOf(wangCase.id)).toEqual([])
      expect(await noticesOf(deskCase.id)).toEqual([])
      expect(toLi.some((t) => t.includes(deskNumber))).toBe(false)
      const failed = await db()
        .selectFrom('officer_notices')
        .select('id')
        .where('delivery_state', '!=', 'sent')
        .execute()
      expect(failed).toEqual([])
      const events = await db()
        .selectFrom('inbound_events')
        .select('status')
        .where('account_id', '=', 'cq-station')
        .execute()
      expect(events.every((e) => e.status === 'done')).toBe(true)
      const failedSends = await stack.ctx.queues.get(QueueNames.outbound('cq-station')).getFailed()
      expect(failedSends).toEqual([])
    })
  })
}
