import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noInboundWrites } from '../../src/app/ports.ts'
import { testEngines } from '../helpers/db.ts'
import type { Mocker } from '../helpers/stack.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

type MockContact = ReturnType<Mocker['createContact']>

interface Heard {
  text: string
  at: number
}

/** Mock contacts' event typings do not resolve under NodeNext; listen through this view. */
function hear(contact: MockContact, fromId: string): Heard[] {
  const heard: Heard[] = []
  ;(
    contact as unknown as {
      on(e: 'message', l: (m: { talker(): { id: string }; text(): string | undefined }) => void): void
    }
  ).on('message', (message) => {
    if (message.talker().id === fromId) heard.push({ text: message.text() ?? '', at: Date.now() })
  })
  return heard
}

const [engine] = testEngines()

describe('outbound sending through a WeChat account', () => {
  let stack: TestStack
  let mocker: Mocker
  let bot: MockContact

  beforeAll(async () => {
    stack = await startTestStack({
      database: await engine!.open(),
      label: 'outbound',
      stationFiles: ['test/fixtures/fast-station.yaml'],
    })
    mocker = stack.mockers.get('ts-officer')!
    bot = mocker.ContactMock.load(mocker.puppet.currentUserId)
  })
  afterAll(async () => {
    await stack?.stop()
  })

  /** A resident who wrote once, so the service holds their conversation. */
  const residentWhoWrote = async (name: string) => {
    const contact = mocker.createContact({ name })
    const heard = hear(contact, bot.id)
    contact.say('我住测试小区，想咨询一下').to(bot)
    await waitFor(() => heard.length >= 1, 'the acknowledgement')
    const identity = await stack.ctx.database.db
      .selectFrom('channel_identities')
      .select(['id', 'resident_id'])
      .where('contact_ref', '=', contact.id)
      .executeTakeFirstOrThrow()
    return { contact, heard, identity }
  }

  const queueReplies = async (identity: { id: string; resident_id: string }, texts: string[]) => {
    const ids = texts.map(() => crypto.randomUUID())
    const outbound = texts.map((text, i) => ({
      id: ids[i]!,
      caseId: null,
      residentId: identity.resident_id,
      identityId: identity.id,
      channel: 'wechat',
      accountId: 'ts-officer',
      inReplyTo: null,
      text,
      // Apart by a millisecond, so the conversation keeps their order.
      createdAt: new Date(Date.now() + i),
    }))
    await stack.ctx.inboundStore.transaction((tx) =>
      tx.write({ ...noInboundWrites(), outbound }).then(() => {}),
    )
    for (const id of ids) await stack.ctx.dispatcher.enqueueOutbound('ts-officer', id)
    return ids
  }

  const states = (ids: string[]) =>
    stack.ctx.database.db
      .selectFrom('messages')
      .select(['id', 'delivery_state', 'failure_reason', 'attempts'])
      .where('id', 'in', ids)
      .execute()

  it('keeps to the account pace and records every message as sent', async () => {
    const { heard, identity } = await residentWhoWrote('节奏居民')
    const texts = Array.from({ length: 6 }, (_, i) => `第${i + 1}条回复`)
    const ids = await queueReplies(identity, texts)
    await waitFor(() => heard.length >= 7, 'six replies', 15_000)
    const replies = heard.slice(1)
    expect(replies.map((h) => h.text).sort()).toEqual([...texts].sort())
    // 600 a minute is one every 100 ms. Arrival times carry the mock's own delivery
    // noise, so check the pace over the whole run and allow a little on each gap.
    expect(replies.at(-1)!.at - replies[0]!.at).toBeGreaterThanOrEqual(5 * 100 - 30)
    for (let i = 3; i < replies.length; i++) {
      expect(replies[i]!.at - replies[i - 3]!.at).toBeGreaterThanOrEqual(3 * 100 - 60)
    }
    await waitFor(
      async () => (await states(ids)).every((s) => s.delivery_state === 'sent'),
      'all marked sent',
    )
  })

  it('marks a message to a contact that is gone as failed with the reason, without retrying', async () => {
    const { identity } = await residentWhoWrote('将删除居民')
    await stack.ctx.database.db
      .updateTable('channel_identities')
      .set({ contact_ref: 'wxid_no_longer_there' })
      .where('id', '=', identity.id)
      .execute()
    const [id] = await queueReplies(identity, ['这条发不出去'])
    const [state] = await waitFor(async () => {
      const rows = await states([id!])
      return rows[0]?.delivery_state === 'failed' ? rows : null
    }, 'the message marked failed')
    expect(state!.failure_reason).toMatch(/contact/i)
    expect(state!.attempts).toBe(1)
  })
})
