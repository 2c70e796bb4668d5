import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRoster } from '../../src/app/roster.ts'
import { officerOnDuty } from '../../src/domain/duty.ts'
import { createDutyExceptions } from '../../src/store/duty-exceptions.repository.ts'
import { seedIds, seedStations } from '../../src/store/seed.ts'
import { parseStationFile } from '../../src/store/station-file.ts'
import { testEngines } from '../helpers/db.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { residentMessages, residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

const LI = seedIds.officer('330104') // primary of CQ-01, backup Wang
const WANG = seedIds.officer('330105') // backup of CQ-01, primary of CQ-02 (backup Zhang)
const ZHANG = seedIds.officer('330106')
const LIU = seedIds.officer('330108') // on leave over the Spring Festival in the seed file
const ZHOU = seedIds.officer('330109')
const HOUR = 3_600_000

for (const engine of testEngines()) {
  describe(`duty rosters (${engine.name})`, () => {
    let stack: TestStack
    let li: OfficerClient
    let supervisor: OfficerClient // 330110
    let admin: OfficerClient // 330111
    let ruralSupervisor: OfficerClient
    let ruralOfficerId: string

    const db = () => stack.ctx.database.db
    const at = (offsetMs: number) => new Date(stack.clock.now().getTime() + offsetMs).toISOString()
    const caseOf = (number: string) =>
      db()
        .selectFrom('cases')
        .select(['id', 'assignee_officer_id', 'queue', 'status'])
        .where('number', '=', number)
        .executeTakeFirstOrThrow()
    const rosterOf = async (client: OfficerClient, officerId: string) => {
      const res = await client.request('GET', '/api/roster')
      expect(res.status).toBe(200)
      return res.body.officers.find((o: { id: string }) => o.id === officerId)
    }

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `roster-${engine.name}` })
      const app = stack.app!
      li = await signIn(stack.ctx, app, '330104')
      supervisor = await signIn(stack.ctx, app, '330110')
      admin = await signIn(stack.ctx, app, '330111')
      const fq = async (role: string) =>
        db()
          .selectFrom('officers')
          .select(['id', 'badge'])
          .where('station_id', '=', seedIds.station('FQ'))
          .where('role', '=', role)
          .orderBy('badge')
          .executeTakeFirstOrThrow()
      ruralSupervisor = await signIn(stack.ctx, app, (await fq('supervisor')).badge)
      ruralOfficerId = (await fq('officer')).id
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it("lists the station's officers with their pattern, the file's exceptions and who is on duty", async () => {
      const res = await li.request('GET', '/api/roster')
      expect(res.status).toBe(200)
      expect(res.body.timeZone).toBe('Asia/Shanghai')
      expect(res.body.officers).toHaveLength(8)
      const mine = res.body.officers.find((o: { id: string }) => o.id === LI)
      expect(mine).toMatchObject({
        badge: '330104',
        dutySpec: ['mon-fri 08:30-17:30', 'sat 09:00-12:00'],
        dutySource: 'file',
        onDuty: true,
        nextOnDuty: res.body.now,
        exceptions: [],
      })
      expect(mine.beats.map((b: { code: string; as: string }) => `${b.code}:${b.as}`)).toEqual([
        'CQ-01:primary',
        'CQ-06:backup',
      ])
      const liu = res.body.officers.find((o: { id: string }) => o.id === LIU)
      expect(liu.exceptions).toMatchObject([
        {
          kind: 'leave',
          onDuty: false,
          source: 'file',
          note: '春节休假',
          // 5 to 12 February 2027 in Hangzhou, both whole days.
          startsAt: '2027-02-04T16:00:00.000Z',
          endsAt: '2027-02-12T16:00:00.000Z',
          createdBy: null,
        },
        { kind: 'swap_on', onDuty: true, source: 'file', startsAt: '2027-02-13T01:00:00.000Z' },
      ])
      // Fengqiao's officers are not part of Changqing's roster.
      expect(res.body.officers.every((o: { badge: string }) => o.badge.startsWith('3301'))).toBe(true)
    })

    it('lets a supervisor replace a weekly pattern, refusing bad and overlapping shifts, and audits it', async () => {
      const bad = await supervisor.request('PUT', `/api/roster/officers/${ZHOU}/duty`, {
        duty: ['mon-fri 08:30-17:30', 'someday 09:00-10:00'],
      })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toMatch(/^duty\[1\]: .*unknown day "someday"/)
      const overlap = await supervisor.request('PUT', `/api/roster/officers/${ZHOU}/duty`, {
        duty: ['mon-fri 08:30-17:30', 'wed 17:00-20:00'],
      })
      expect(overlap.status).toBe(400)
      expect(overlap.body.error.message).toContain('"wed 08:30-17:30" and "wed 17:00-20:00" overlap')
      expect(
        (await li.request('PUT', `/api/roster/officers/${ZHOU}/duty`, { duty: ['daily 08:00-09:00'] }))
          .status,
      ).toBe(403)

      const ok = await admin.request('PUT', `/api/roster/officers/${ZHOU}/duty`, {
        duty: ['mon-thu 08:00-16:00', 'sun 20:00-08:00'],
      })
      expect(ok.status).toBe(200)
      expect(ok.body.officer).toMatchObject({
        dutySpec: ['mon-thu 08:00-16:00', 'sun 20:00-08:00'],
        dutySource: 'api',
      })
      const audit = await db()
        .selectFrom('audit_events')
        .select(['actor', 'detail'])
        .where('action', '=', 'roster.duty_changed')
        .where('subject_id', '=', ZHOU)
        .executeTakeFirstOrThrow()
      expect(audit).toEqual({
        actor: admin.officerId,
        detail: { from: ['tue-sat 08:30-17:30'], to: ['mon-thu 08:00-16:00', 'sun 20:00-08:00'] },
      })
      // Routing reads the new pattern: the directory was told.
      expect((await stack.ctx.directory.get()).officers.get(ZHOU)?.duty).toHaveLength(5)
    })

    it('refuses impossible exceptions with a message naming the field', async () => {
      const url = `/api/roster/officers/${ZHOU}/exceptions`
      const backwards = await supervisor.request('POST', url, {
        kind: 'leave',
        startsAt: '2027-03-10',
        endsAt: '2027-03-08',
      })
      expect(backwards.status).toBe(400)
      expect(backwards.body.error.message).toMatch(/^endsAt: .*is not after startsAt/)
      const unknownKind = await supervisor.request('POST', url, {
        kind: 'holiday',
        startsAt: '2027-03-08',
        endsAt: '2027-03-10',
      })
      expect(unknownKind.status).toBe(400)
      expect(unknownKind.body.error.message).toMatch(/^kind: expected one of leave, sick/)
      const garbled = await supervisor.request('POST', url, {
        kind: 'sick',
        startsAt: 'next monday',
        endsAt: '2027-03-10',
      })
      expect(garbled.status).toBe(400)
      expect(garbled.body.error.message).toContain('startsAt')
      const past = await supervisor.request('POST', url, {
        kind: 'sick',
        startsAt: '2026-01-01',
        endsAt: '2026-01-02',
      })
      expect(past.status).toBe(400)
      expect(past.body.error.message).toMatch(/^endsAt: .*already passed/)
    })

    it("answers 404 for another station's officer and exception, and 403 for an officer", async () => {
      const body = { kind: 'leave', startsAt: '2027-03-08', endsAt: '2027-03-10' }
      const across = await supervisor.request(
        'POST',
        `/api/roster/officers/${ruralOfficerId}/exceptions`,
        body,
      )
      expect(across.status).toBe(404)
      expect(
        (await supervisor.request('PUT', `/api/roster/officers/${ruralOfficerId}/duty`, { duty: [] })).status,
      ).toBe(404)
      const rural = await ruralSupervisor.request(
        'POST',
        `/api/roster/officers/${ruralOfficerId}/exceptions`,
        body,
      )
      expect(rural.status).toBe(201)
      expect(
        (await supervisor.request('DELETE', `/api/roster/exceptions/${rural.body.exception.id}`)).status,
      ).toBe(404)
      expect((await li.request('POST', `/api/roster/officers/${LI}/exceptions`, body)).status).toBe(403)
      // Still there for its own station.
      expect(
        (await ruralSupervisor.request('DELETE', `/api/roster/exceptions/${rural.body.exception.id}`)).status,
      ).toBe(204)
    })

    it('adds a future exception without handing anything over, refuses an overlapping one, and removes it', async () => {
      const added = await supervisor.request('POST', `/api/roster/officers/${ZHOU}/exceptions`, {
        kind: 'training',
        startsAt: '2027-03-08 09:00',
        endsAt: '2027-03-09 17:00',
        note: '市局培训',
      })
      expect(added.status).toBe(201)
      expect(added.body).toMatchObject({
        exception: {
          kind: 'training',
          onDuty: false,
          source: 'api',
          startsAt: '2027-03-08T01:00:00.000Z',
          endsAt: '2027-03-09T09:00:00.000Z',
          note: '市局培训',
          createdBy: { id: supervisor.officerId },
        },
        handedOver: [],
      })
      const clash = await supervisor.request('POST', `/api/roster/officers/${ZHOU}/exceptions`, {
        kind: 'leave',
        startsAt: '2027-03-09',
        endsAt: '2027-03-12',
      })
      expect(clash.status).toBe(409)
      expect(clash.body.error.message).toContain('already has training')

      const id = added.body.exception.id as string
      expect((await rosterOf(li, ZHOU)).exceptions.map((e: { id: string }) => e.id)).toEqual([id])
      expect((await supervisor.request('DELETE', `/api/roster/exceptions/${id}`)).status).toBe(204)
      expect((await supervisor.request('DELETE', `/api/roster/exceptions/${id}`)).status).toBe(404)
      expect((await rosterOf(li, ZHOU)).exceptions).toEqual([])
      const actions = await db()
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', '=', ZHOU)
        .where('action', 'like', 'roster.exception_%')
        .orderBy('at')
        .execute()
      expect(actions.map((a) => a.action)).toEqual(['roster.exception_added', 'roster.exception_removed'])
    })

    it("hands an officer's open cases to the beat backup when they go on leave, telling each resident", async () => {
      const zh = await residentWrites(stack.app!, '我住柳营巷12号，楼上半夜一直在装修')
      const en = await residentWrites(
        stack.app!,
        'I live in Changshouqiao, the dog next door barks all night',
        {
          language: 'en',
          name: 'Test Resident',
        },
      )
      for (const r of [zh, en]) expect((await caseOf(r.caseNumber)).assignee_officer_id).toBe(LI)

      const leave = await supervisor.request('POST', `/api/roster/officers/${LI}/exceptions`, {
        kind: 'leave',
        startsAt: at(0),
        endsAt: at(72 * HOUR),
        note: '年假',
      })
      expect(leave.status).toBe(201)
      const moved = leave.body.handedOver as Array<{ number: string; to: { officerId?: string } }>
      expect(moved.map((m) => m.number).sort()).toEqual(
        expect.arrayContaining([zh.caseNumber, en.caseNumber]),
      )
      for (const m of moved) expect(m.to).toEqual({ officerId: WANG, name: '王芳' })

      for (const r of [zh, en]) {
        const row = await caseOf(r.caseNumber)
        expect(row).toMatchObject({ assignee_officer_id: WANG, queue: `officer-${WANG}` })
        const audit = await db()
          .selectFrom('audit_events')
          .select(['actor', 'detail'])
          .where('subject_id', '=', row.id)
          .where('action', '=', 'case.assigned')
          .executeTakeFirstOrThrow()
        expect(audit).toEqual({
          actor: supervisor.officerId,
          detail: { from: LI, to: WANG, reason: 'officer-absent' },
        })
      }
      const zhSees = await waitFor(
        async () => (await residentMessages(stack.app!, zh.token)).find((m) => m.text.includes('王芳警官')),
        'the Chinese status update',
      )
      expect(zhSees.text).toBe(`您的案件 ${zh.caseNumber} 现由王芳警官负责处理。`)
      const enSees = await waitFor(
        async () => (await residentMessages(stack.app!, en.token)).find((m) => m.text.includes('Wang Fang')),
        'the English status update',
      )
      expect(enSees.text).toBe(`Officer Wang Fang is now handling case ${en.caseNumber}.`)

      // Routing and the officer list see the leave at once.
      const li0 = (await stack.ctx.directory.get()).officers.get(LI)!
      expect(li0.exceptions?.map((e) => e.kind)).toEqual(['leave'])
      expect(officerOnDuty(li0, stack.clock.now(), 'Asia/Shanghai')).toBe(false)
      const officers = await supervisor.request('GET', '/api/officers')
      expect(officers.body.officers.find((o: { id: string }) => o.id === LI).onDuty).toBe(false)
      const mine = await rosterOf(supervisor, LI)
      expect(mine).toMatchObject({ onDuty: false, openCases: 0 })
      // Back after the leave: the first shift once three days have passed.
      expect(new Date(mine.nextOnDuty).getTime()).toBeGreaterThanOrEqual(
        new Date(at(72 * HOUR)).getTime() - 60_000,
      )
    })

    it('hands over to the duty desk when the backup is off duty too, for leave starting within the hour', async () => {
      const wangma = await residentWrites(stack.app!, '我住王马巷5号，门口的车一直挡着路')
      expect((await caseOf(wangma.caseNumber)).assignee_officer_id).toBe(WANG)
      const sick = await supervisor.request('POST', `/api/roster/officers/${ZHANG}/exceptions`, {
        kind: 'sick',
        startsAt: at(0),
        endsAt: at(24 * HOUR),
      })
      expect(sick.status).toBe(201)

      // Wang holds Li's two cases of CQ-01 (Li on leave) and this one of CQ-02 (backup Zhang sick).
      const leave = await supervisor.request('POST', `/api/roster/officers/${WANG}/exceptions`, {
        kind: 'leave',
        startsAt: at(HOUR / 2),
        endsAt: at(48 * HOUR),
      })
      expect(leave.status).toBe(201)
      expect(leave.body.handedOver.length).toBeGreaterThanOrEqual(3)
      for (const m of leave.body.handedOver) expect(m.to).toEqual({ desk: true })
      expect(await caseOf(wangma.caseNumber)).toMatchObject({
        assignee_officer_id: null,
        queue: `desk-${seedIds.station('CQ')}`,
      })
      await waitFor(
        async () =>
          (await residentMessages(stack.app!, wangma.token)).find(
            (m) => m.text === `您的案件 ${wangma.caseNumber} 已转由长庆派出所值班室处理。`,
          ),
        'the resident to hear the duty desk has the case',
      )
    })

    it('loads exceptions from the station file, replacing only the ones the file made', async () => {
      const apiMade = await supervisor.request('POST', `/api/roster/officers/${LIU}/exceptions`, {
        kind: 'swap_off',
        startsAt: '2027-03-01 08:30',
        endsAt: '2027-03-01 17:30',
      })
      expect(apiMade.status).toBe(201)
      const apiDuty = (await rosterOf(li, ZHOU)).dutySpec

      const text = await readFile('seeds/changqing.yaml', 'utf8')
      const edited = text.replace('from: 2027-02-05, to: 2027-02-12', 'from: 2027-01-28, to: 2027-02-03')
      expect(edited).not.toBe(text)
      await seedStations(db(), parseStationFile(edited, 'edited.yaml'))
      const liu = await rosterOf(li, LIU)
      expect(
        liu.exceptions.map((e: { kind: string; source: string; startsAt: string }) => [
          e.kind,
          e.source,
          e.startsAt,
        ]),
      ).toEqual([
        ['leave', 'file', '2027-01-27T16:00:00.000Z'],
        ['swap_on', 'file', '2027-02-13T01:00:00.000Z'],
        ['swap_off', 'api', '2027-03-01T00:30:00.000Z'],
      ])
      // A pattern a supervisor set survives the reload; the file's patterns still apply to the others.
      expect((await rosterOf(li, ZHOU)).dutySpec).toEqual(apiDuty)
      expect((await rosterOf(li, LI)).dutySource).toBe('file')

      // Loading the file as it was puts its own leave back, once.
      await seedStations(db(), parseStationFile(text, 'seeds/changqing.yaml'))
      const restored = await rosterOf(li, LIU)
      expect(restored.exceptions.filter((e: { source: string }) => e.source === 'file')).toHaveLength(2)
      expect(restored.exceptions[0].startsAt).toBe('2027-02-04T16:00:00.000Z')
    })

    it('hands the cases over when a leave entered earlier begins, through the worker sweep', async () => {
      const r = await residentWrites(stack.app!, '我住王马小区，楼道里的电动车天天充电，很危险')
      const holder = (await caseOf(r.caseNumber)).assignee_officer_id
      expect(holder).not.toBeNull()
      const leave = await supervisor.request('POST', `/api/roster/officers/${holder}/exceptions`, {
        kind: 'leave',
        // Well after any leave the earlier tests entered.
        startsAt: at(200 * HOUR),
        endsAt: at(224 * HOUR),
      })
      expect(leave.status).toBe(201)
      expect(leave.body.handedOver).toEqual([])
      const roster = createRoster({
        store: createDutyExceptions(db()),
        directory: stack.ctx.directory,
        cases: stack.ctx.cases.commands,
        clock: stack.clock,
        newId: () => crypto.randomUUID(),
      })
      // Before the leave begins nothing moves; once it has begun, the sweep hands the case on.
      expect(await roster.handOverAbsent()).toBe(0)
      stack.clock.set(new Date(stack.clock.now().getTime() + 201 * HOUR))
      expect(await roster.handOverAbsent()).toBeGreaterThanOrEqual(1)
      const row = await caseOf(r.caseNumber)
      expect(row.assignee_officer_id).not.toBe(holder)
      const audit = await db()
        .selectFrom('audit_events')
        .select(['actor', 'detail'])
        .where('subject_id', '=', row.id)
        .where('action', '=', 'case.assigned')
        .executeTakeFirstOrThrow()
      expect(audit).toMatchObject({ actor: 'system', detail: { from: holder, reason: 'officer-absent' } })
    })
  })
}
