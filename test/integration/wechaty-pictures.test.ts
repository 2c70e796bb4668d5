import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { types } from 'wechaty-puppet'
import { seedIds } from '../../src/store/seed.ts'
import { type SeededResident, seedResidents } from '../helpers/broadcast-residents.ts'
import { testEngines } from '../helpers/db.ts'
import { pngOf } from '../helpers/images.ts'
import { type Mocker, startTestStack, type TestStack } from '../helpers/stack.ts'
import { type PictureClient, pictureClient } from '../helpers/uploads.ts'
import { waitFor } from '../helpers/wait.ts'

const STATION = seedIds.station('BC')
const EAST = { beatId: seedIds.beat('BC-01'), compoundId: seedIds.compound('BC', '东区小区') }
const ACCOUNT = 'bc-a'
const GROUP = '东区平安群'

type MockContact = ReturnType<Mocker['createContact']>
type MockRoom = ReturnType<Mocker['createRoom']>

/** What a contact or group received from the account: a text, or a file with its bytes. */
type Heard = { kind: 'text'; text: string } | { kind: 'picture'; type: number; name: string; bytes: Buffer }

/** Mock contacts' and rooms' event typings do not resolve under NodeNext; listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: {
      id: string
      talker(): { id: string }
      text(): string | undefined
      type(): number
    }) => void,
  ): unknown
}

/**
 * Records, in order, what the account's own user sent: texts as texts, files
 * as the FileBox the mock puppet kept for the message (so the bytes that went
 * out can be compared with the upload).
 */
function hear(mocker: Mocker, source: MockContact | MockRoom, into: Heard[]): void {
  const botId = mocker.puppet.currentUserId
  ;(source as unknown as MessageSource).on('message', (m) => {
    if (m.talker().id !== botId) return
    if (m.type() === types.Message.Text) {
      into.push({ kind: 'text', text: m.text() ?? '' })
      return
    }
    const box = mocker.cacheFileBoxPayload.get(m.id) as { name: string; base64: string } | undefined
    into.push({
      kind: 'picture',
      type: m.type(),
      name: box?.name ?? '',
      bytes: Buffer.from(box?.base64 ?? '', 'base64'),
    })
  })
}

/**
 * Pictures through the Wechaty channel on the mock puppet: a broadcast's
 * image and a home-watch photo each go out as a file message before their
 * text, to contacts and to a group, and a picture with its text counts as
 * one send against the account's pace.
 */
for (const engine of testEngines()) {
  describe(`pictures on WeChat (${engine.name})`, () => {
    let stack: TestStack
    let zhao: PictureClient
    let residents: SeededResident[]
    const heard = new Map<string, Heard[]>()
    const db = () => stack.ctx.database.db
    const heardBy = (ref: string) => heard.get(ref) ?? []
    const sentToday = async () =>
      (
        await stack.ctx.sendPace.counter.sentToday(
          [{ id: ACCOUNT, timeZone: 'Asia/Shanghai' }],
          stack.clock.now(),
        )
      ).get(ACCOUNT) ?? 0

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `wx-pictures-${engine.name}`,
        stationFiles: ['test/fixtures/broadcast-station.yaml'],
        env: { BROADCAST_TICK: '100ms', BROADCAST_QUIET_HOURS: 'off' },
      })
      residents = await seedResidents(db(), {
        label: `pic${engine.name}`,
        count: 3,
        accounts: [ACCOUNT],
        places: [EAST],
      })
      const mocker = stack.mockers.get(ACCOUNT)!
      for (const r of residents) {
        for (const c of r.contacts) {
          const into: Heard[] = []
          heard.set(c.contactRef, into)
          hear(mocker, mocker.createContact({ id: c.contactRef, name: c.contactRef }), into)
        }
      }
      const room = mocker.createRoom({ topic: GROUP, memberIdList: [mocker.puppet.currentUserId] })
      const into: Heard[] = []
      heard.set(GROUP, into)
      hear(mocker, room, into)
      zhao = await pictureClient(stack.ctx, stack.app!, '770001')
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('sends a broadcast’s picture before its text to every contact and group, one send each', async () => {
      const picture = pngOf(32, 20, [200, 30, 30])
      const up = await zhao.upload(picture, 'image/png')
      expect(up.status, JSON.stringify(up.body)).toBe(201)

      const draft = {
        title: '警惕冒充客服退款诈骗',
        text: { zh: '近期有骗子冒充网购客服，请勿转账。' },
        category: 'anti_fraud',
        targets: { beatIds: [EAST.beatId], groups: [{ accountId: ACCOUNT, name: GROUP }] },
        imageId: up.body.id,
      }
      const preview = await zhao.json('POST', '/api/broadcasts/preview', draft)
      expect(preview.status, JSON.stringify(preview.body)).toBe(200)
      expect(preview.body.image).toEqual({ id: up.body.id, mime: 'image/png', size: picture.length })

      const before = await sentToday()
      const created = await zhao.json('POST', '/api/broadcasts', draft)
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      expect(created.body.broadcast.imageId).toBe(up.body.id)
      const id = created.body.broadcast.id as string
      await waitFor(
        async () => (await zhao.json('GET', `/api/broadcasts/${id}`)).body.broadcast.state === 'completed',
        'the broadcast to complete',
        20_000,
      )
      const recipients = [...residents.flatMap((r) => r.contacts.map((c) => c.contactRef)), GROUP]
      for (const ref of recipients) {
        await waitFor(() => heardBy(ref).length >= 2, `${ref} to hear the picture and the text`)
        const [first, second] = heardBy(ref)
        expect(first?.kind, ref).toBe('picture')
        if (first?.kind === 'picture') {
          // An image message (the mock makes one of a file it knows as JPEG or PNG).
          expect(first.type).toBe(types.Message.Image)
          expect(Buffer.compare(first.bytes, picture)).toBe(0)
          expect(first.name).toBe(`${up.body.id}.png`)
        }
        expect(second).toEqual({
          kind: 'text',
          text: expect.stringContaining('【反诈提醒】警惕冒充客服退款诈骗'),
        })
        // The picture is sent as a picture, not also as a link line.
        expect(second?.kind === 'text' && second.text).not.toMatch(/图片|Picture/)
      }
      const sent = await db()
        .selectFrom('broadcast_deliveries')
        .select(db().fn.countAll<string>().as('n'))
        .where('broadcast_id', '=', id)
        .where('state', '=', 'sent')
        .executeTakeFirstOrThrow()
      expect(Number(sent.n)).toBe(recipients.length)
      // One slot of the pace per recipient, picture and text together.
      expect((await sentToday()) - before).toBe(recipients.length)
    })

    it('refuses a broadcast whose picture is not one of the station’s', async () => {
      const res = await zhao.json('POST', '/api/broadcasts', {
        title: '通知',
        text: { zh: '明日停水。' },
        category: 'other',
        targets: { beatIds: [EAST.beatId] },
        imageId: 'no-such-picture',
      })
      expect(res.status).toBe(400)
      expect(res.body.error.message).toMatch(
        /imageId: no picture no-such-picture was uploaded at your station/,
      )
    })

    it('sends a home-watch photo to the resident’s WeChat before the words about the visit', async () => {
      const resident = residents[0]!
      const contact = resident.contacts[0]!
      const made = await stack.ctx.serviceRequests.submit({
        residentId: resident.id,
        identityId: `ci-pic${engine.name}-0`,
        stationId: STATION,
        completed: {
          form: 'home-watch',
          submissionId: `wx-photo-${engine.name}`,
          language: 'zh',
          answers: {
            address: '东区小区',
            awayFrom: '2026-11-25',
            backOn: '2026-11-27',
            contactName: '王芳',
            contactPhone: '13912345678',
            keyHolderOrCamera: true,
            notes: null,
          },
        },
      })
      const heardBefore = heardBy(contact.contactRef).length
      const photo = pngOf(16, 16, [20, 160, 60])
      const up = await zhao.upload(photo, 'image/png')
      const before = await sentToday()
      const res = await zhao.json('POST', `/api/cases/${made.caseId}/home-watch/checks`, {
        photoId: up.body.id,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)

      await waitFor(
        () => heardBy(contact.contactRef).some((h) => h.kind === 'text' && h.text.includes('查看了您的住所')),
        'the resident to hear of the check',
      )
      const after = heardBy(contact.contactRef).slice(heardBefore)
      const told = after.findIndex((h) => h.kind === 'text' && h.text.includes('查看了您的住所'))
      const shown = after[told - 1]
      expect(shown?.kind).toBe('picture')
      if (shown?.kind === 'picture') {
        expect(shown.type).toBe(types.Message.Image)
        expect(Buffer.compare(shown.bytes, photo)).toBe(0)
      }
      expect(after[told]).toEqual({
        kind: 'text',
        text: expect.stringMatching(/^赵一警官 \d\d:\d\d 查看了您的住所：一切正常/),
      })
      const message = await db()
        .selectFrom('messages')
        .select(['delivery_state', 'attachment_id'])
        .where('attachment_id', '=', up.body.id)
        .executeTakeFirstOrThrow()
      await waitFor(
        async () =>
          (
            await db()
              .selectFrom('messages')
              .select('delivery_state')
              .where('attachment_id', '=', up.body.id)
              .executeTakeFirst()
          )?.delivery_state === 'sent',
        'the message to be marked sent',
      )
      expect(message.attachment_id).toBe(up.body.id)
      expect((await sentToday()) - before).toBe(1)
    })
  })
}
