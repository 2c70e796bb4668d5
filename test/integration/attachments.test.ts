import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { GIF_BYTES, pngOf, TINY_JPEG, WEBP_BYTES } from '../helpers/images.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'
import { type PictureClient, pictureClient } from '../helpers/uploads.ts'
import { waitFor } from '../helpers/wait.ts'

const MAX_BYTES = 64 * 1024

interface PageMessage {
  id: string
  direction: 'inbound' | 'outbound'
  text: string
  image?: { id: string; mime: string; url: string }
}

/**
 * Pictures: the upload route (its checks and refusals), officers reading them
 * within their station only, a home-watch photo that goes to the resident,
 * and the web chat serving it only to the resident it was sent to.
 */
for (const engine of testEngines()) {
  describe(`attachments (${engine.name})`, () => {
    let stack: TestStack
    let li: PictureClient
    let otherBeat: PictureClient
    let fengqiao: PictureClient

    const app = () => stack.app!
    const db = () => stack.ctx.database.db
    const stored = async () =>
      Number(
        (await db().selectFrom('attachments').select(db().fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      )

    /** A web chat resident asks for a holiday home watch through the form API: their token and the new case. */
    const homeWatchRequest = async (request: {
      resident: { name?: string; language?: 'zh' | 'en' }
      submissionId: string
      address: string
      backOn: string
      keyHolderOrCamera: 'yes' | 'no'
    }) => {
      const session = await app().inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: request.resident,
      })
      const token = session.json().token as string
      const submitted = await app().inject({
        method: 'POST',
        url: '/chat/api/forms/home-watch',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          submissionId: request.submissionId,
          answers: {
            address: request.address,
            awayFrom: '2026-11-25',
            backOn: request.backOn,
            contactName: '王芳',
            contactPhone: '13912345678',
            keyHolderOrCamera: request.keyHolderOrCamera,
          },
        },
      })
      expect(submitted.statusCode, submitted.body).toBe(201)
      const { id: caseId } = await db()
        .selectFrom('cases')
        .select('id')
        .where('number', '=', submitted.json().caseNumber as string)
        .executeTakeFirstOrThrow()
      return { token, caseId }
    }

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `attachments-${engine.name}`,
        roles: ['api', 'bot'],
        env: { BOT_ACCOUNTS: 'web-cq', WEB_CHAT_STATION: 'CQ', ATTACHMENT_MAX_BYTES: String(MAX_BYTES) },
      })
      stack.clock.set(ON_DUTY)
      li = await pictureClient(stack.ctx, app(), '330104')
      otherBeat = await pictureClient(stack.ctx, app(), '330107')
      fengqiao = await pictureClient(stack.ctx, app(), '681004')
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('stores a picture checked by its bytes and gives it back to officers of the station', async () => {
      const png = pngOf(40, 30)
      const up = await li.upload(png, 'image/png')
      expect(up.status, JSON.stringify(up.body)).toBe(201)
      expect(up.body).toEqual({ id: expect.any(String), mime: 'image/png', size: png.length })

      const row = await db()
        .selectFrom('attachments')
        .select(['station_id', 'uploaded_by', 'mime', 'size_bytes', 'sha256'])
        .where('id', '=', up.body.id)
        .executeTakeFirstOrThrow()
      expect(row).toEqual({
        station_id: seedIds.station('CQ'),
        uploaded_by: seedIds.officer('330104'),
        mime: 'image/png',
        size_bytes: png.length,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      })

      for (const reader of [li, otherBeat]) {
        const got = await reader.get(`/api/attachments/${up.body.id}`)
        expect(got.status).toBe(200)
        expect(got.headers['content-type']).toBe('image/png')
        expect(got.headers['x-content-type-options']).toBe('nosniff')
        expect(Buffer.compare(got.bytes, png)).toBe(0)
      }
      const etag = (await li.get(`/api/attachments/${up.body.id}`)).headers.etag as string
      expect(etag).toBe(`"${row.sha256}"`)
      expect((await li.get(`/api/attachments/${up.body.id}`, { 'if-none-match': etag })).status).toBe(304)

      // Every accepted format, each recognised by its bytes.
      for (const [bytes, type] of [
        [TINY_JPEG, 'image/jpeg'],
        [GIF_BYTES, 'image/gif'],
        [WEBP_BYTES, 'image/webp'],
      ] as const) {
        const res = await li.upload(bytes, type)
        expect(res.status, JSON.stringify(res.body)).toBe(201)
        expect(res.body.mime).toBe(type)
      }
    })

    it('refuses what is not one of the pictures, saying what is wrong, and stores nothing', async () => {
      const before = await stored()
      const refused = async (bytes: Buffer, type: string | null, status: number, message: RegExp) => {
        const res = await li.upload(bytes, type)
        expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(status)
        expect(res.body.error.message).toMatch(message)
      }
      const accepted = /image\/jpeg, image\/png, image\/webp or image\/gif/
      await refused(Buffer.from('just some words'), 'text/plain', 415, accepted)
      await refused(Buffer.from('{"picture": true}'), 'application/json', 415, /got "application\/json"/)
      await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 415, accepted)
      await refused(pngOf(4, 4), null, 415, /got none/)
      // A declared picture whose bytes are a web page is refused for its bytes.
      await refused(
        Buffer.from('<html><script>alert(1)</script></html>'),
        'image/png',
        415,
        /the bytes are not a JPEG, PNG, WebP, GIF picture/,
      )
      await refused(
        TINY_JPEG,
        'image/png',
        400,
        /says image\/png but the picture is a JPEG; send it as image\/jpeg/,
      )
      await refused(Buffer.alloc(0), 'image/png', 400, /body: the picture is empty/)
      expect(await stored()).toBe(before)
    })

    it('refuses a picture over the limit with 413, announced or not', async () => {
      const before = await stored()
      const big = pngOf(160, 160, [0, 0, 0], { noise: true })
      expect(big.length).toBeGreaterThan(MAX_BYTES)
      const res = await li.upload(big, 'image/png')
      expect(res.status).toBe(413)
      expect(res.body.error.message).toMatch(/the picture is \d+(\.\d)? KB; at most 64 KB can be uploaded/)

      // Without a Content-Length (streamed), the body limit stops it while it is read.
      const { cookie: session, csrf } = li.session
      const streamed = await fetch(`${stack.baseUrl}/api/attachments`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', cookie: `mb_session=${session}`, 'x-csrf-token': csrf },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < big.length; i += 16 * 1024)
              controller.enqueue(new Uint8Array(big.subarray(i, i + 16 * 1024)))
            controller.close()
          },
        }),
        duplex: 'half',
      } as RequestInit)
      expect(streamed.status).toBe(413)
      expect(((await streamed.json()) as { error: { message: string } }).error.message).toMatch(
        /the picture is too large; at most 64 KB can be uploaded/,
      )
      expect(await stored()).toBe(before)
    })

    it('keeps pictures within the station: others get 404, nobody signed in 401, no CSRF header 403', async () => {
      const mine = (await li.upload(pngOf(8, 8), 'image/png')).body.id as string
      const theirs = (await fengqiao.upload(pngOf(8, 8, [0, 200, 0]), 'image/png')).body
      expect(theirs.id).toEqual(expect.any(String))
      expect((await fengqiao.get(`/api/attachments/${mine}`)).status).toBe(404)
      expect((await li.get(`/api/attachments/${theirs.id}`)).status).toBe(404)
      expect((await li.get('/api/attachments/no-such-picture')).status).toBe(404)
      expect((await fengqiao.get(`/api/attachments/${theirs.id}`)).status).toBe(200)
      const anonymous = await app().inject({ method: 'GET', url: `/api/attachments/${mine}` })
      expect(anonymous.statusCode).toBe(401)
      const anonymousUpload = await app().inject({
        method: 'POST',
        url: '/api/attachments',
        headers: { 'content-type': 'image/png' },
        payload: pngOf(4, 4),
      })
      expect(anonymousUpload.statusCode).toBe(401)
      const forged = await li.upload(pngOf(4, 4), 'image/png', { csrf: false })
      expect(forged.status).toBe(403)
      expect(forged.body.error.code).toBe('CSRF')
    })

    it('sends a home-watch photo to the resident, whose web chat alone may load it', async () => {
      const { token, caseId } = await homeWatchRequest({
        resident: { name: '照片居民', language: 'zh' },
        submissionId: `photo-${engine.name}`,
        address: '柳营巷12号',
        backOn: '2026-11-28',
        keyHolderOrCamera: 'yes',
      })

      const photo = pngOf(24, 24, [220, 120, 20])
      const up = await li.upload(photo, 'image/png')
      const foreign = (await fengqiao.upload(pngOf(6, 6), 'image/png')).body.id as string

      // Another station's picture cannot go into a check, nor can one that does not exist.
      for (const photoId of [foreign, 'no-such-picture']) {
        const res = await li.json('POST', `/api/cases/${caseId}/home-watch/checks`, { photoId })
        expect(res.status).toBe(400)
        expect(res.body.error.message).toMatch(/photoId: no picture .* was uploaded at your station/)
      }

      const checked = await li.json('POST', `/api/cases/${caseId}/home-watch/checks`, {
        note: '门窗完好',
        photoId: up.body.id,
      })
      expect(checked.status, JSON.stringify(checked.body)).toBe(201)
      expect(checked.body.check).toMatchObject({ photoId: up.body.id, photoRef: null, note: '门窗完好' })
      const today = checked.body.homeWatch.days.find((d: { date: string }) => d.date === '2026-11-25')
      expect(today.checks[0].photoId).toBe(up.body.id)
      expect((await li.json('GET', `/api/cases/${caseId}/home-watch`)).body.homeWatch.days[0].checks).toEqual(
        [expect.objectContaining({ photoId: up.body.id })],
      )

      const messages = async (bearer: string) =>
        (
          await app().inject({
            method: 'GET',
            url: '/chat/api/messages',
            headers: { authorization: `Bearer ${bearer}` },
          })
        ).json().messages as PageMessage[]
      const told = await waitFor(
        async () => (await messages(token)).find((m) => m.text.includes('查看了您的住所')),
        'the resident to be told of the check',
      )
      expect(told.text).toBe('李明警官 10:00 查看了您的住所：一切正常。备注：门窗完好')
      expect(told.image).toEqual({
        id: up.body.id,
        mime: 'image/png',
        url: `/chat/api/attachments/${up.body.id}`,
      })
      // The message was sent as any other (the web chat publishes it; the bytes stay in the database).
      await waitFor(
        async () =>
          (
            await db()
              .selectFrom('messages')
              .select(['delivery_state', 'attachment_id'])
              .where('id', '=', told.id)
              .executeTakeFirst()
          )?.delivery_state === 'sent',
        'the message to be sent',
      )

      const asResident = (bearer: string | null, id: string) =>
        app().inject({
          method: 'GET',
          url: `/chat/api/attachments/${id}`,
          headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        })
      const own = await asResident(token, up.body.id)
      expect(own.statusCode).toBe(200)
      expect(own.headers['content-type']).toBe('image/png')
      expect(Buffer.compare(own.rawPayload, photo)).toBe(0)

      // Another resident, a picture sent to nobody, no token: nothing to see.
      const other = (
        await app().inject({ method: 'POST', url: '/chat/api/sessions', payload: { language: 'zh' } })
      ).json().token as string
      expect((await asResident(other, up.body.id)).statusCode).toBe(404)
      const unsent = (await li.upload(pngOf(5, 5), 'image/png')).body.id as string
      expect((await asResident(token, unsent)).statusCode).toBe(404)
      expect((await asResident(null, up.body.id)).statusCode).toBe(401)
      expect((await asResident('not-a-token', up.body.id)).statusCode).toBe(401)
      // The officer's cookie is no way in to the resident's route.
      expect((await li.get(`/chat/api/attachments/${up.body.id}`)).status).toBe(401)

      const audit = await db()
        .selectFrom('audit_events')
        .select('detail')
        .where('action', '=', 'home_watch.checked')
        .where('subject_id', '=', caseId)
        .executeTakeFirstOrThrow()
      expect(audit.detail).toMatchObject({ photo: true })
    })

    it('still takes a photo reference as text, as before uploads', async () => {
      const { caseId } = await homeWatchRequest({
        resident: {},
        submissionId: `ref-${engine.name}`,
        address: '柳营巷14号',
        backOn: '2026-11-27',
        keyHolderOrCamera: 'no',
      })
      const res = await li.json('POST', `/api/cases/${caseId}/home-watch/checks`, {
        photoRef: 'photos/cq/0003.jpg',
      })
      expect(res.status).toBe(201)
      expect(res.body.check).toMatchObject({ photoRef: 'photos/cq/0003.jpg', photoId: null })
    })
  })
}
