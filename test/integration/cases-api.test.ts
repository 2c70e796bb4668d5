import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

for (const engine of testEngines()) {
  describe(`officer case API (${engine.name})`, () => {
    let stack: TestStack
    let li: OfficerClient // 330104, primary of CQ-01
    let zhang: OfficerClient // 330106, primary of CQ-03
    let chen: OfficerClient // 330107, primary of CQ-04: not Li's beat
    let supervisor: OfficerClient // 330110
    let admin: OfficerClient // 330111
    let rural: OfficerClient // a Fengqiao officer

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `cases-${engine.name}` })
      const app = stack.app!
      li = await signIn(stack.ctx, app, '330104')
      zhang = await signIn(stack.ctx, app, '330106')
      chen = await signIn(stack.ctx, app, '330107')
      supervisor = await signIn(stack.ctx, app, '330110')
      admin = await signIn(stack.ctx, app, '330111')
      const fq = await stack.ctx.database.db
        .selectFrom('officers')
        .select('badge')
        .where('station_id', '=', seedIds.station('FQ'))
        .where('role', '=', 'officer')
        .orderBy('badge')
        .executeTakeFirstOrThrow()
      rural = await signIn(stack.ctx, app, fq.badge)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    /** A resident writes on the web chat and waits for the acknowledgement; returns their token and case. */
    const residentWrites = async (text: string, language: 'zh' | 'en' = 'zh') => {
      const app = stack.app!
      const session = await app.inject({
        method: 'POST',
        url: '/chat/api/sessions',
        payload: { name: '测试居民', language },
      })
      const token = session.json().token as string
      await app.inject({
        method: 'POST',
        url: '/chat/api/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { text, clientMessageId: 'first' },
      })
      const messages = await residentSees(token, 1)
      const caseNumber = messages.find((m) => m.direction === 'outbound')!.caseNumber as string
      const row = await stack.ctx.database.db
        .selectFrom('cases')
        .select(['id', 'version'])
        .where('number', '=', caseNumber)
        .executeTakeFirstOrThrow()
      return { token, caseId: row.id, caseNumber }
    }
    const residentSees = (token: string, replies: number) =>
      waitFor(async () => {
        const res = await stack.app!.inject({
          method: 'GET',
          url: '/chat/api/messages',
          headers: { authorization: `Bearer ${token}` },
        })
        const messages = res.json().messages as Array<{
          direction: string
          text: string
          caseNumber?: string
        }>
        return messages.filter((m) => m.direction === 'outbound').length >= replies ? messages : null
      }, `${replies} message(s) to the resident`)
    const version = async (caseId: string) =>
      (await li.request('GET', `/api/cases/${caseId}`)).body.case.version as number

    it('answers 401 without a session', async () => {
      const res = await stack.app!.inject({ method: 'GET', url: '/api/cases' })
      expect(res.statusCode).toBe(401)
      expect(res.json().error.code).toBe('UNAUTHORIZED')
    })

    it("lists the officer's new case, opens it with messages and resident, and audits the view", async () => {
      const { caseId, caseNumber } = await residentWrites('我住柳营巷12号，楼上半夜一直在装修')
      const list = await li.request('GET', '/api/cases?queue=mine')
      expect(list.status).toBe(200)
      const row = list.body.cases.find((c: { id: string }) => c.id === caseId)
      expect(row).toMatchObject({
        number: caseNumber,
        status: 'assigned',
        category: 'noise',
        assignee: { id: li.officerId },
      })
      expect(row.preview).toContain('案件编号')
      const counts = await li.request('GET', '/api/queues')
      expect(counts.body.mine).toBeGreaterThanOrEqual(1)

      const detail = await li.request('GET', `/api/cases/${caseId}`)
      expect(detail.status).toBe(200)
      expect(detail.body.messages.map((m: { direction: string }) => m.direction)).toEqual([
        'inbound',
        'outbound',
      ])
      expect(detail.body.resident).toMatchObject({ name: '测试居民', language: 'zh' })
      expect(detail.body.history.map((h: { action: string }) => h.action)).toContain('case.opened')
      const viewed = await stack.ctx.database.db
        .selectFrom('audit_events')
        .select(['actor', 'action'])
        .where('subject_id', '=', caseId)
        .where('action', '=', 'resident.viewed')
        .execute()
      expect(viewed).toContainEqual({ actor: li.officerId, action: 'resident.viewed' })
    })

    it('audits each of many views made at the same moment, with its own officer, case and station', async () => {
      const cases = [
        (await residentWrites('我住柳营巷20号，楼下有人乱停车')).caseId,
        (await residentWrites('我住柳营巷20号，电动车充电线拉到楼道里')).caseId,
      ]
      // Views arriving together are written with one statement: each must still land as its own entry.
      const opened = await Promise.all(
        cases.flatMap((caseId) => [li, supervisor].map((o) => o.request('GET', `/api/cases/${caseId}`))),
      )
      expect(opened.map((r) => r.status)).toEqual([200, 200, 200, 200])
      const viewed = await stack.ctx.database.db
        .selectFrom('audit_events')
        .select(['actor', 'subject_id', 'station_id', 'subject_type'])
        .where('subject_id', 'in', cases)
        .where('action', '=', 'resident.viewed')
        .execute()
      const cq = seedIds.station('CQ')
      expect(viewed).toHaveLength(4)
      for (const caseId of cases) {
        for (const officer of [li, supervisor]) {
          expect(viewed).toContainEqual({
            actor: officer.officerId,
            subject_id: caseId,
            station_id: cq,
            subject_type: 'case',
          })
        }
      }
    })

    it('replies, keeps notes internal, refuses a stale version with who changed it, and transfers and resolves', async () => {
      const { token, caseId, caseNumber } = await residentWrites('我住柳营巷20号，邻居家狗天天叫')
      const v1 = await version(caseId)
      const reply = await li.request('POST', `/api/cases/${caseId}/replies`, {
        text: '您好，我是李明，马上了解情况。',
        version: v1,
      })
      expect(reply.status).toBe(201)
      expect(reply.body.case.status).toBe('in_progress')
      await residentSees(token, 2)

      const note = await li.request('POST', `/api/cases/${caseId}/notes`, { text: '内部：此户上月也投诉过' })
      expect(note.status).toBe(201)

      const stale = await li.request('POST', `/api/cases/${caseId}/status`, {
        version: v1,
        status: 'awaiting_resident',
      })
      expect(stale.status).toBe(409)
      expect(stale.body.error.message).toContain(caseNumber)
      expect(stale.body.error.message).toContain('李明')

      const transfer = await li.request('POST', `/api/cases/${caseId}/assign`, {
        version: await version(caseId),
        officerId: zhang.officerId,
      })
      expect(transfer.status).toBe(200)
      expect(transfer.body.case.assignee.id).toBe(zhang.officerId)
      const told = await residentSees(token, 3)
      expect(told.at(-1)!.text).toContain('张伟警官')
      expect(await stack.ctx.queues.get(`officer-${zhang.officerId}`).getJob(`case-${caseId}`)).toBeDefined()
      expect(await stack.ctx.queues.get(`officer-${li.officerId}`).getJob(`case-${caseId}`)).toBeUndefined()

      const zhangView = await zhang.request('GET', `/api/cases/${caseId}`)
      const resolved = await zhang.request('POST', `/api/cases/${caseId}/status`, {
        version: zhangView.body.case.version,
        status: 'resolved',
      })
      expect(resolved.status).toBe(200)
      expect(resolved.body.case.status).toBe('resolved')
      const final = await residentSees(token, 4)
      // The resolution, and then (from the after-care timer) the question to rate the help.
      expect(final.filter((m) => m.direction === 'outbound')[3]!.text).toContain('已办结')
      // The note never reached the resident.
      expect(final.map((m) => m.text).join('\n')).not.toContain('此户上月')
      expect(
        await stack.ctx.queues.get(`officer-${zhang.officerId}`).getJob(`case-${caseId}`),
      ).toBeUndefined()

      const reopened = await supervisor.request('POST', `/api/cases/${caseId}/reopen`, {
        version: resolved.body.case.version,
      })
      expect(reopened.status).toBe(200)
      expect(reopened.body.case.status).toBe('in_progress')
    })

    it('tells an English-speaking resident in English', async () => {
      const { token, caseId } = await residentWrites('I live in Changshouqiao, my bike was stolen', 'en')
      await li.request('POST', `/api/cases/${caseId}/status`, {
        version: await version(caseId),
        status: 'awaiting_resident',
      })
      const messages = await residentSees(token, 2)
      expect(messages.at(-1)!.text).toMatch(/Officer Li Ming needs a little more information/)
    })

    it('keeps stations apart and roles in their lanes', async () => {
      const { caseId } = await residentWrites('我住柳营巷30号，门口有人乱停车')
      expect((await rural.request('GET', `/api/cases/${caseId}`)).status).toBe(404)
      expect((await rural.request('POST', `/api/cases/${caseId}/notes`, { text: 'x' })).status).toBe(404)
      expect(
        (await rural.request('GET', '/api/cases?queue=all')).body.cases.map((c: { id: string }) => c.id),
      ).not.toContain(caseId)
      // Chen covers another beat: the case is Li's and in Li's beat.
      expect((await chen.request('GET', `/api/cases/${caseId}`)).status).toBe(403)
      expect(
        (await chen.request('GET', '/api/cases?queue=all')).body.cases.map((c: { id: string }) => c.id),
      ).not.toContain(caseId)
      expect((await supervisor.request('GET', `/api/cases/${caseId}`)).status).toBe(200)
      expect((await admin.request('GET', '/api/cases')).status).toBe(403)
      expect((await li.request('GET', '/api/cases/no-such-case')).status).toBe(404)
      expect((await li.request('GET', '/api/audit')).status).toBe(403)
      expect((await supervisor.request('GET', '/api/audit')).status).toBe(200)
    })

    it('refuses bad bodies with 400 naming the field', async () => {
      const { caseId } = await residentWrites('我住柳营巷40号，想咨询一下户口迁移')
      const empty = await li.request('POST', `/api/cases/${caseId}/replies`, { text: '   ' })
      expect(empty.status).toBe(400)
      expect(empty.body.error.message).toMatch(/text/)
      const long = await li.request('POST', `/api/cases/${caseId}/replies`, { text: 'x'.repeat(4001) })
      expect(long.status).toBe(400)
      expect(long.body.error.message).toMatch(/4000/)
      const noVersion = await li.request('POST', `/api/cases/${caseId}/status`, { status: 'resolved' })
      expect(noVersion.status).toBe(400)
      expect(noVersion.body.error.message).toMatch(/version/)
      const badStatus = await li.request('POST', `/api/cases/${caseId}/status`, {
        version: 1,
        status: 'closed',
      })
      expect(badStatus.status).toBe(400)
      const nobody = await li.request('POST', `/api/cases/${caseId}/assign`, {
        version: await version(caseId),
        officerId: 'of-000000',
      })
      expect(nobody.status).toBe(400)
      expect(nobody.body.error.message).toMatch(/officerId/)
    })

    it('serves canned replies and the OpenAPI document', async () => {
      const canned = await li.request('GET', '/api/canned-replies')
      expect(canned.body.replies.map((r: { shortcut: string }) => r.shortcut)).toContain('hello')
      expect(
        (await li.request('POST', '/api/canned-replies', { shortcut: 'x', title: 't', body: 'b' })).status,
      ).toBe(403)
      const created = await supervisor.request('POST', '/api/canned-replies', {
        shortcut: 'thanks',
        title: '感谢',
        body: '感谢{resident}的配合',
      })
      expect(created.status).toBe(201)
      const docs = await stack.app!.inject({ method: 'GET', url: '/docs/json' })
      expect(docs.statusCode).toBe(200)
      expect(Object.keys(docs.json().paths)).toEqual(
        expect.arrayContaining(['/api/cases', '/api/cases/{id}/replies', '/chat/api/messages']),
      )
    })
  })
}
