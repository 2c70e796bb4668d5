import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaseDetailResponse, CaseListResponse } from '../../src/http/routes/cases.ts'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

/*
 * The list and the open case are written as JSON by the database and sent as
 * they are; these tests hold that JSON to the documented schemas and check the
 * reads' other promises: paging, one view entry a minute, nothing shown early.
 */
for (const engine of testEngines()) {
  describe(`case views written by the database (${engine.name})`, () => {
    let stack: TestStack
    let li: OfficerClient // 330104, primary of CQ-01
    let chen: OfficerClient // 330107: CQ-01 is not his beat
    let supervisor: OfficerClient // 330110
    let rural: OfficerClient // a Fengqiao officer
    let caseId: string
    let residentId: string
    let earlierId: string
    const reply = '🙂好的'.repeat(30)

    const caseOf = async (caseNumber: string) =>
      stack.ctx.database.db
        .selectFrom('cases')
        .selectAll()
        .where('number', '=', caseNumber)
        .executeTakeFirstOrThrow()

    const viewsBy = async (officerId: string, id: string) =>
      (
        await stack.ctx.database.db
          .selectFrom('audit_events')
          .select('id')
          .where('subject_id', '=', id)
          .where('action', '=', 'resident.viewed')
          .where('actor', '=', officerId)
          .execute()
      ).length

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `views-${engine.name}` })
      const app = stack.app!
      li = await signIn(stack.ctx, app, '330104')
      chen = await signIn(stack.ctx, app, '330107')
      supervisor = await signIn(stack.ctx, app, '330110')
      const fq = await stack.ctx.database.db
        .selectFrom('officers')
        .select('badge')
        .where('station_id', '=', seedIds.station('FQ'))
        .where('role', '=', 'officer')
        .orderBy('badge')
        .executeTakeFirstOrThrow()
      rural = await signIn(stack.ctx, app, fq.badge)

      const { caseNumber } = await residentWrites(app, '我住柳营巷12号，楼上半夜一直在装修')
      const row = await caseOf(caseNumber)
      caseId = row.id
      residentId = row.resident_id
      // An earlier, closed case of the same resident, handled by Li.
      earlierId = `${row.id}-earlier`
      await stack.ctx.database.db
        .insertInto('cases')
        .values({
          ...row,
          id: earlierId,
          number: `${row.number}-E`,
          status: 'closed',
          opened_at: new Date(row.opened_at.getTime() - 86_400_000),
          resolved_at: new Date(row.opened_at.getTime() - 3_600_000),
          closed_at: new Date(row.opened_at.getTime() - 3_600_000),
        })
        .execute()
      const current = (await li.request('GET', `/api/cases/${caseId}`)).body.case.version as number
      expect(
        (await li.request('POST', `/api/cases/${caseId}/replies`, { text: reply, version: current })).status,
      ).toBe(201)
      expect(
        (await li.request('POST', `/api/cases/${caseId}/notes`, { text: '内部：先电话联系' })).status,
      ).toBe(201)
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('lists cases in exactly the documented shape', async () => {
      const list = await li.request('GET', '/api/cases?queue=mine')
      expect(list.status).toBe(200)
      // The schema drops keys it does not know: an extra key would make these differ.
      expect(list.body).toEqual(CaseListResponse.parse(list.body))
      const row = list.body.cases.find((c: { id: string }) => c.id === caseId)
      expect(row).toMatchObject({
        status: 'in_progress',
        category: 'noise',
        assignee: { id: li.officerId, name: '李明' },
        beat: { id: 'bt-cq-01' },
        residentName: '测试居民',
        escalated: false,
        overdue: false,
        firstResponseDueAt: null,
      })
      expect(new Date(row.lastMessageAt).toISOString()).toBe(row.lastMessageAt)
      // The latest message exchanged (the note does not count), its first 80 characters, never half an emoji.
      expect(row.preview).toBe([...reply].slice(0, 80).join(''))
      expect(row.preview).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
    })

    it('opens a case in exactly the documented shape, with messages, resident, earlier cases and history', async () => {
      const open = await li.request('GET', `/api/cases/${caseId}`)
      expect(open.status).toBe(200)
      expect(open.body).toEqual(CaseDetailResponse.parse(open.body))
      const { case: detail, messages, resident, history } = open.body
      expect(detail).toMatchObject({ id: caseId, status: 'in_progress', resolvedAt: null })
      expect(new Date(detail.openedAt).toISOString()).toBe(detail.openedAt)
      expect(detail.firstRespondedAt).not.toBeNull()
      expect(messages.map((m: { direction: string }) => m.direction)).toEqual([
        'inbound',
        'outbound',
        'outbound',
        'note',
      ])
      expect(messages[2]).toMatchObject({ text: reply, author: { id: li.officerId, name: '李明' } })
      expect(messages[0]).toMatchObject({ author: null, deliveryState: 'received' })
      expect(resident).toMatchObject({ id: residentId, name: '测试居民', language: 'zh', tags: [] })
      expect(resident.earlierCases).toHaveLength(1)
      expect(resident.earlierCases[0]).toMatchObject({
        id: earlierId,
        status: 'closed',
        firstResponseDueAt: null,
        overdue: false,
      })
      expect(history.map((h: { action: string }) => h.action)).toContain('case.opened')
      expect(history.find((h: { action: string }) => h.action === 'resident.viewed')).toMatchObject({
        actor: { id: li.officerId, name: '李明' },
      })
    })

    it('pages through the list with the cursor, without gaps or repeats', async () => {
      const whole = await supervisor.request('GET', '/api/cases?queue=all&status=in_progress,closed&limit=50')
      const ids: string[] = []
      let cursor: string | null = null
      do {
        const page = await supervisor.request(
          'GET',
          `/api/cases?queue=all&status=in_progress,closed&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        )
        expect(page.status).toBe(200)
        ids.push(...page.body.cases.map((c: { id: string }) => c.id))
        cursor = page.body.nextCursor
      } while (cursor && ids.length < 60)
      expect(ids).toEqual(whole.body.cases.map((c: { id: string }) => c.id))
      expect(ids).toEqual(expect.arrayContaining([caseId, earlierId]))
    })

    it('shows nothing to an officer who may not see the case, and audits no view', async () => {
      const forbidden = await chen.request('GET', `/api/cases/${caseId}`)
      expect(forbidden.status).toBe(403)
      expect(forbidden.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } })
      const elsewhere = await rural.request('GET', `/api/cases/${caseId}`)
      expect(elsewhere.status).toBe(404)
      expect(await viewsBy(chen.officerId, caseId)).toBe(0)
      expect(await viewsBy(rural.officerId, caseId)).toBe(0)
    })

    it('writes one resident.viewed entry a minute for each officer and case', async () => {
      const at = stack.clock.now()
      stack.clock.set(at)
      const before = await viewsBy(li.officerId, earlierId)
      for (let i = 0; i < 3; i++)
        expect((await li.request('GET', `/api/cases/${earlierId}`)).status).toBe(200)
      expect(await viewsBy(li.officerId, earlierId)).toBe(before + 1)
      expect((await supervisor.request('GET', `/api/cases/${earlierId}`)).status).toBe(200)
      expect(await viewsBy(supervisor.officerId, earlierId)).toBe(1)
      stack.clock.set(new Date(at.getTime() + 61_000))
      expect((await li.request('GET', `/api/cases/${earlierId}`)).status).toBe(200)
      expect(await viewsBy(li.officerId, earlierId)).toBe(before + 2)
    })
  })
}
