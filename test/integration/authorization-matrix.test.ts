import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedIds } from '../../src/store/seed.ts'
import { testEngines } from '../helpers/db.ts'
import { pngOf } from '../helpers/images.ts'
import { type OfficerSession, openSession } from '../helpers/officer-session.ts'
import { residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Every route under /api, for every kind of caller. The routes are read from
 * the app itself, so a route added without a row here fails the suite.
 */

const ROLES = [
  'none',
  'beat',
  'otherBeat',
  'supervisor',
  'admin',
  'otherStation',
  'otherStationSupervisor',
] as const
type Role = (typeof ROLES)[number]

/** ok: 2xx; conflict: 409 (authorised, refused on the case's state); invalid: 400; else the exact status. */
type Outcome = 'ok' | 'conflict' | 'invalid' | 401 | 403 | 404 | 415
type Expectations = Record<Role, Outcome>

interface Target {
  url: string
  /** JSON, or raw bytes (a Buffer) sent with the Content-Type in `headers`. */
  body?: unknown
  headers?: Record<string, string>
}

interface Probe {
  label: string
  /** Builds the request just before it is sent (fresh versions, fresh records, a message failed again). */
  target(): Promise<Target> | Target
  expect: Expectations
  /** The request ends the session: it gets a session of its own. */
  freshSession?: boolean
  /** Server-Sent Events: opened over HTTP and dropped once the status is known. */
  stream?: boolean
}

interface Answer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them
  body: any
}

const everyone = (outcome: Outcome): Expectations => ({
  none: outcome,
  beat: outcome,
  otherBeat: outcome,
  supervisor: outcome,
  admin: outcome,
  otherStation: outcome,
  otherStationSupervisor: outcome,
})
const signedIn = (outcome: Outcome): Expectations => ({ ...everyone(outcome), none: 401 })
/** Case lists and counts: every officer and supervisor of any station; admins do not read cases. */
const caseReaders = (): Expectations => ({ ...signedIn('ok'), admin: 403 })
/** A case in Li's beat, assigned to Li. */
const lisCase = (outcome: Outcome): Expectations => ({
  none: 401,
  beat: outcome,
  otherBeat: 403,
  supervisor: outcome,
  admin: 403,
  otherStation: 404,
  otherStationSupervisor: 404,
})
/** An unassigned case on the duty desk: every officer of the station may work it. */
const deskCase = (outcome: Outcome): Expectations => ({ ...lisCase(outcome), otherBeat: outcome })
/** Supervisor and admin routes that act on the caller's own station. */
const editors = (outcome: Outcome): Expectations => ({
  none: 401,
  beat: 403,
  otherBeat: 403,
  supervisor: outcome,
  admin: outcome,
  otherStation: 403,
  otherStationSupervisor: outcome,
})
/** Supervisor and admin routes on a record of Changqing: another station's supervisor gets 404. */
const editorsOfRecord = (outcome: Outcome): Expectations => ({
  ...editors(outcome),
  otherStationSupervisor: 404,
})

function matches(outcome: Outcome, status: number): boolean {
  if (outcome === 'ok') return status >= 200 && status < 300
  if (outcome === 'conflict') return status === 409
  if (outcome === 'invalid') return status === 400
  return status === outcome
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The app's routes as Fastify's router holds them (printRoutes), so routes
 * hidden from the OpenAPI document are walked too. HEAD is Fastify's
 * automatic twin of GET and is left out.
 */
function routesOf(app: FastifyInstance): string[] {
  const found = new Set<string>()
  const paths: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    const path = (depth > 0 ? (paths[depth - 1] ?? '') : '') + m[2]!
    paths[depth] = path
    paths.length = depth + 1
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') found.add(`${method} ${path}`)
    }
  }
  return [...found].sort()
}

for (const engine of testEngines()) {
  describe(`authorization matrix (${engine.name})`, () => {
    let stack: TestStack
    const sessions = new Map<Role, OfficerSession>()
    const badges = new Map<Role, string>([
      ['beat', '330104'],
      ['otherBeat', '330107'],
      ['supervisor', '330110'],
      ['admin', '330111'],
    ])
    const fx = {
      lisCaseId: '',
      deskCaseId: '',
      failedMessageId: '',
      cannedId: '',
      homeWatchCaseId: '',
      pictureId: '',
    }
    const answers: Array<{ route: string; role: Role; status: number }> = []

    const db = () => stack.ctx.database.db
    const version = async (caseId: string) =>
      (await db().selectFrom('cases').select('version').where('id', '=', caseId).executeTakeFirstOrThrow())
        .version
    const status = async (caseId: string) =>
      (await db().selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow())
        .status
    /** The status to move a case to that is a real change from where it is now. */
    const nextStatus = async (caseId: string) =>
      (await status(caseId)) === 'in_progress' ? 'awaiting_resident' : 'in_progress'
    let cannedCounter = 0
    const freshCanned = async () =>
      stack.ctx.canned.create(seedIds.station('CQ'), {
        shortcut: `tmp-${++cannedCounter}`,
        title: '临时',
        body: '临时回复',
        language: 'zh',
      })
    /** Zhou (330109) has no cases; each probe takes a day of its own so no two exceptions overlap. */
    const zhou = seedIds.officer('330109')
    let rosterDay = 0
    const freshDay = () => new Date(Date.UTC(2030, 0, 1 + ++rosterDay)).toISOString().slice(0, 10)
    const freshException = async () => {
      const id = `dx-matrix-${++rosterDay}`
      const startsAt = new Date(Date.UTC(2030, 0, 1 + rosterDay))
      await db()
        .insertInto('duty_exceptions')
        .values({
          id,
          station_id: seedIds.station('CQ'),
          officer_id: zhou,
          kind: 'training',
          on_duty: false,
          starts_at: startsAt,
          ends_at: new Date(startsAt.getTime() + 3_600_000),
        })
        .execute()
      return id
    }

    /** A home watch of the resident of Li's case, in Li's beat (it runs beside their open case). */
    let homeWatches = 0
    const freshHomeWatch = async () => {
      const owner = await db()
        .selectFrom('cases')
        .select(['resident_id', 'identity_id'])
        .where('id', '=', fx.lisCaseId)
        .executeTakeFirstOrThrow()
      const made = await stack.ctx.serviceRequests.submit({
        residentId: owner.resident_id,
        identityId: owner.identity_id,
        stationId: seedIds.station('CQ'),
        completed: {
          form: 'home-watch',
          submissionId: `matrix-home-watch-${++homeWatches}`,
          language: 'zh',
          answers: {
            address: '柳营巷12号',
            awayFrom: '2026-11-25',
            backOn: '2026-11-28',
            contactName: '王芳',
            contactPhone: '13912345678',
            keyHolderOrCamera: true,
            notes: null,
          },
        },
      })
      return made.caseId
    }

    /** A rental registration by the resident of Li's case, of a flat in Li's beat: fresh, or one shared by reads. */
    let rentals = 0
    const freshRental = async () => {
      const owner = await db()
        .selectFrom('cases')
        .select(['resident_id', 'identity_id'])
        .where('id', '=', fx.lisCaseId)
        .executeTakeFirstOrThrow()
      const made = await stack.ctx.serviceRequests.submit({
        residentId: owner.resident_id,
        identityId: owner.identity_id,
        stationId: seedIds.station('CQ'),
        completed: {
          form: 'rental-registration',
          submissionId: `matrix-rental-${++rentals}`,
          language: 'zh',
          answers: {
            compound: { id: seedIds.compound('CQ', '长寿桥小区'), name: '长寿桥小区' },
            building: '3幢',
            unit: '2单元501',
            tenantName: '张伟',
            phone: '13912345678',
            moveIn: '2026-11-20',
            leaseEnd: '2027-11-19',
            idNumber: { kind: 'mainland', number: '330102199001011234' },
            nationality: null,
          },
        },
      })
      return made.caseId
    }
    let sharedRental = ''
    const lisRental = async () => {
      sharedRental ||= await freshRental()
      return sharedRental
    }

    /**
     * A station-wide broadcast by Li (the 'beat' officer), waiting for approval: every
     * probe that changes one gets its own. It reaches a group of the station's account.
     */
    let broadcasts = 0
    const freshBroadcast = async () => {
      const li = seedIds.officer('330104')
      const made = await stack.ctx.broadcasts.compose.create(
        { id: li, role: 'officer', stationId: seedIds.station('CQ'), beatIds: [] },
        {
          title: `矩阵广播${++broadcasts}`,
          text: { zh: '请注意防范电信诈骗。' },
          category: 'anti_fraud',
          targets: { station: true, groups: [{ accountId: 'cq-station', name: '长寿桥小区业主群' }] },
        },
      )
      return made.id
    }
    /** A broadcast to one group of Changqing: other stations' officers cannot target it (400). */
    const groupDraft = {
      title: '矩阵群通知',
      text: { zh: '小区明日停水。' },
      category: 'other',
      targets: { groups: [{ accountId: 'cq-station', name: '流水苑邻里群' }] },
    }
    /** Officers and supervisors compose broadcasts; admins do not. */
    const broadcasters = (outcome: Outcome): Expectations => ({
      ...signedIn(outcome),
      admin: 403,
    })
    /** Approval: supervisors of the broadcast's station only (roles are checked before the record). */
    const approvers = (outcome: Outcome): Expectations => ({
      none: 401,
      beat: 403,
      otherBeat: 403,
      supervisor: outcome,
      admin: 403,
      otherStation: 403,
      otherStationSupervisor: 404,
    })

    /** A mediation asked for by chat by the resident of Li's case, in Li's beat (it runs beside their case). */
    let mediations = 0
    let mediationCaseId = ''
    const freshMediation = async () => {
      const owner = await db()
        .selectFrom('cases')
        .select(['resident_id', 'identity_id'])
        .where('id', '=', fx.lisCaseId)
        .executeTakeFirstOrThrow()
      const made = await stack.ctx.serviceRequests.submit({
        residentId: owner.resident_id,
        identityId: owner.identity_id,
        stationId: seedIds.station('CQ'),
        completed: {
          form: 'mediation',
          submissionId: `matrix-mediation-${++mediations}`,
          language: 'zh',
          answers: {
            otherParty: '楼上邻居',
            otherPartyPhone: null,
            subject: '楼上漏水',
            preferredTimes: null,
          },
        },
      })
      return made.caseId
    }
    const mediationRequestId = async () =>
      (
        await db()
          .selectFrom('mediations')
          .select('request_id')
          .where('case_id', '=', mediationCaseId)
          .executeTakeFirstOrThrow()
      ).request_id
    /** A party, or a session, of the fixture's mediation, for a probe to remove or call off. */
    const freshParty = async () => {
      const id = `mp-matrix-${++mediations}`
      await db()
        .insertInto('mediation_parties')
        .values({ id, request_id: await mediationRequestId(), name: '矩阵当事人', role: 'other' })
        .execute()
      return id
    }
    const freshSession = async () => {
      const id = `ms-matrix-${++mediations}`
      await db()
        .insertInto('mediation_sessions')
        .values({
          id,
          request_id: await mediationRequestId(),
          starts_at: new Date('2030-01-01T02:00:00Z'),
          place: '长寿桥社区警务室',
          created_by: seedIds.officer('330104'),
        })
        .execute()
      return id
    }
    /** An open dispute case of Li's, with a resident of its own (one open case each). */
    const freshDispute = async () => {
      const n = ++mediations
      const li = seedIds.officer('330104')
      await db()
        .insertInto('residents')
        .values({ id: `rs-matrix-dispute-${n}`, code: `MXD${n}`, language: 'zh' })
        .execute()
      await db()
        .insertInto('channel_identities')
        .values({
          id: `ci-matrix-dispute-${n}`,
          resident_id: `rs-matrix-dispute-${n}`,
          channel: 'web',
          account_id: 'web-cq',
          contact_ref: `matrix-dispute-${n}`,
        })
        .execute()
      const id = `cs-matrix-dispute-${n}`
      await db()
        .insertInto('cases')
        .values({
          id,
          number: `CQ-2026-MX${n}`,
          station_id: seedIds.station('CQ'),
          resident_id: `rs-matrix-dispute-${n}`,
          identity_id: `ci-matrix-dispute-${n}`,
          beat_id: seedIds.beat('CQ-01'),
          category: 'dispute',
          priority: 'normal',
          status: 'assigned',
          assignee_officer_id: li,
          queue: `officer-${li}`,
        })
        .execute()
      return id
    }
    /**
     * The dispute (or open mediation) a probe acts on: a new one only once a
     * probe has used the last up, so refused callers and CSRF probes add no
     * cases to Li's lists.
     */
    let unconverted = ''
    const disputeToConvert = async () => {
      const used =
        unconverted === '' ||
        (await db()
          .selectFrom('service_requests')
          .select('id')
          .where('case_id', '=', unconverted)
          .executeTakeFirst()) !== undefined
      if (used) unconverted = await freshDispute()
      return unconverted
    }
    let unconcluded = ''
    const mediationToConclude = async () => {
      const state =
        unconcluded === ''
          ? null
          : (
              await db()
                .selectFrom('mediations')
                .select('state')
                .where('case_id', '=', unconcluded)
                .executeTakeFirst()
            )?.state
      if (state !== 'open') unconcluded = await freshMediation()
      return unconcluded
    }

    /** A slot of Changqing of its own (far ahead), and a residence-permit booking in it by a resident of Li's beat. */
    let permits = 0
    const freshPermitSlot = async () => {
      const n = ++permits
      const id = `ps-matrix-${n}`
      const startsAt = new Date(Date.UTC(2030, 5, 1, n))
      await db()
        .insertInto('permit_slots')
        .values({
          id,
          station_id: seedIds.station('CQ'),
          starts_at: startsAt,
          ends_at: new Date(startsAt.getTime() + 1_800_000),
          capacity: 1,
          source: 'api',
          updated_at: new Date(),
        })
        .execute()
      return id
    }
    const freshPermit = async () => {
      const slotId = await freshPermitSlot()
      const n = permits
      await db()
        .insertInto('residents')
        .values({
          id: `rs-matrix-permit-${n}`,
          code: `MXP${n}`,
          language: 'zh',
          beat_id: seedIds.beat('CQ-01'),
          compound_id: seedIds.compound('CQ', '长寿桥小区'),
        })
        .execute()
      await db()
        .insertInto('channel_identities')
        .values({
          id: `ci-matrix-permit-${n}`,
          resident_id: `rs-matrix-permit-${n}`,
          channel: 'web',
          account_id: 'web-cq',
          contact_ref: `matrix-permit-${n}`,
        })
        .execute()
      const made = await stack.ctx.serviceRequests.submit({
        residentId: `rs-matrix-permit-${n}`,
        identityId: `ci-matrix-permit-${n}`,
        stationId: seedIds.station('CQ'),
        completed: {
          form: 'residence-permit',
          submissionId: `matrix-permit-${n}`,
          language: 'zh',
          answers: {
            name: '吴刚',
            phone: '13912345678',
            slot: { id: slotId, label: { zh: '2030年6月1日', en: '1 Jun 2030' } },
          },
        },
      })
      return { caseId: made.caseId, slotId }
    }
    let permitFixture: { caseId: string; slotId: string } | null = null
    const sharedPermit = async () => {
      permitFixture ??= await freshPermit()
      return permitFixture
    }

    /** The matrix: one row per route, each with one or more probes. */
    const matrix: Record<string, Probe[]> = {
      'POST /api/auth/login': [
        {
          label: 'empty body',
          target: () => ({ url: '/api/auth/login', body: {} }),
          expect: everyone('invalid'),
        },
      ],
      'GET /api/auth/me': [{ label: 'me', target: () => ({ url: '/api/auth/me' }), expect: signedIn('ok') }],
      'POST /api/auth/logout': [
        {
          label: 'own session',
          target: () => ({ url: '/api/auth/logout' }),
          expect: everyone('ok'),
          freshSession: true,
        },
      ],
      'GET /api/cases': [
        { label: 'all queues', target: () => ({ url: '/api/cases?queue=all' }), expect: caseReaders() },
      ],
      'GET /api/queues': [{ label: 'counts', target: () => ({ url: '/api/queues' }), expect: caseReaders() }],
      'GET /api/cases/:id': [
        { label: "Li's case", target: () => ({ url: `/api/cases/${fx.lisCaseId}` }), expect: lisCase('ok') },
        {
          label: 'desk case',
          target: () => ({ url: `/api/cases/${fx.deskCaseId}` }),
          expect: deskCase('ok'),
        },
        {
          label: 'unknown id',
          target: () => ({ url: '/api/cases/no-such-case' }),
          expect: signedIn(404),
        },
      ],
      'PATCH /api/cases/:id': [
        {
          label: "Li's case",
          target: async () => ({
            url: `/api/cases/${fx.lisCaseId}`,
            body: { version: await version(fx.lisCaseId), priority: 'urgent' },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'desk case',
          target: async () => ({
            url: `/api/cases/${fx.deskCaseId}`,
            body: { version: await version(fx.deskCaseId), category: 'consultation' },
          }),
          expect: deskCase('ok'),
        },
      ],
      'POST /api/cases/:id/replies': [
        {
          label: "Li's case",
          target: async () => ({
            url: `/api/cases/${fx.lisCaseId}/replies`,
            body: { text: '您好，已收到。', version: await version(fx.lisCaseId) },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'desk case',
          target: () => ({
            url: `/api/cases/${fx.deskCaseId}/replies`,
            body: { text: '您好，请问您住在哪里？' },
          }),
          expect: deskCase('ok'),
        },
      ],
      'POST /api/cases/:id/notes': [
        {
          label: "Li's case",
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/notes`, body: { text: '内部备注' } }),
          expect: lisCase('ok'),
        },
        {
          label: 'desk case',
          target: () => ({ url: `/api/cases/${fx.deskCaseId}/notes`, body: { text: '内部备注' } }),
          expect: deskCase('ok'),
        },
      ],
      'POST /api/cases/:id/assign': [
        {
          // Assigned to the officer who already has it, so who may see it does not change.
          label: "Li's case to Li",
          target: async () => ({
            url: `/api/cases/${fx.lisCaseId}/assign`,
            body: { version: await version(fx.lisCaseId), officerId: seedIds.officer('330104') },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'desk case to the desk',
          target: async () => ({
            url: `/api/cases/${fx.deskCaseId}/assign`,
            body: { version: await version(fx.deskCaseId), desk: true },
          }),
          expect: deskCase('ok'),
        },
      ],
      'POST /api/cases/:id/status': [
        {
          label: "Li's case",
          target: async () => ({
            url: `/api/cases/${fx.lisCaseId}/status`,
            body: { version: await version(fx.lisCaseId), status: await nextStatus(fx.lisCaseId) },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'desk case',
          target: async () => ({
            url: `/api/cases/${fx.deskCaseId}/status`,
            body: { version: await version(fx.deskCaseId), status: await nextStatus(fx.deskCaseId) },
          }),
          expect: deskCase('ok'),
        },
      ],
      'POST /api/cases/:id/reopen': [
        {
          // The case is open: getting as far as the state check proves the caller was let in.
          label: "Li's open case",
          target: async () => ({
            url: `/api/cases/${fx.lisCaseId}/reopen`,
            body: { version: await version(fx.lisCaseId) },
          }),
          expect: lisCase('conflict'),
        },
      ],
      'POST /api/messages/:id/retry': [
        {
          label: "a failed message of Li's case",
          target: async () => {
            await markFailed(fx.failedMessageId)
            return { url: `/api/messages/${fx.failedMessageId}/retry` }
          },
          expect: lisCase('ok'),
        },
        {
          label: 'unknown id',
          target: () => ({ url: '/api/messages/no-such-message/retry' }),
          expect: signedIn(404),
        },
      ],
      'GET /api/officers': [
        { label: 'officers', target: () => ({ url: '/api/officers' }), expect: signedIn('ok') },
      ],
      'GET /api/canned-replies': [
        { label: 'canned replies', target: () => ({ url: '/api/canned-replies' }), expect: signedIn('ok') },
      ],
      'POST /api/canned-replies': [
        {
          label: 'a new shortcut',
          target: () => ({
            url: '/api/canned-replies',
            body: { shortcut: `new-${++cannedCounter}`, title: '新回复', body: '您好，{resident}' },
          }),
          expect: editors('ok'),
        },
      ],
      'PUT /api/canned-replies/:id': [
        {
          label: 'a Changqing reply',
          target: () => ({
            url: `/api/canned-replies/${fx.cannedId}`,
            body: { shortcut: 'matrix', title: '改过', body: '案件{case}由{officer}处理' },
          }),
          expect: editorsOfRecord('ok'),
        },
      ],
      'DELETE /api/canned-replies/:id': [
        {
          label: 'a Changqing reply',
          target: async () => ({ url: `/api/canned-replies/${(await freshCanned()).id}` }),
          expect: editorsOfRecord('ok'),
        },
      ],
      'GET /api/audit': [
        { label: 'audit log', target: () => ({ url: '/api/audit' }), expect: editors('ok') },
      ],
      'GET /api/reports': [
        { label: 'last week per officer', target: () => ({ url: '/api/reports' }), expect: editors('ok') },
        {
          label: 'from after to',
          target: () => ({ url: '/api/reports?from=2026-11-24&to=2026-11-20' }),
          expect: editors('invalid'),
        },
      ],
      'GET /api/reports.csv': [
        { label: 'per beat', target: () => ({ url: '/api/reports.csv?by=beat' }), expect: editors('ok') },
      ],
      'GET /api/roster': [
        { label: 'roster', target: () => ({ url: '/api/roster' }), expect: signedIn('ok') },
      ],
      'PUT /api/roster/officers/:id/duty': [
        {
          label: "Zhou's pattern",
          target: () => ({
            url: `/api/roster/officers/${zhou}/duty`,
            body: { duty: ['tue-sat 08:30-17:30'] },
          }),
          expect: editorsOfRecord('ok'),
        },
      ],
      'POST /api/roster/officers/:id/exceptions': [
        {
          label: 'training for Zhou',
          target: () => {
            const day = freshDay()
            return {
              url: `/api/roster/officers/${zhou}/exceptions`,
              body: { kind: 'training', startsAt: day, endsAt: day },
            }
          },
          expect: editorsOfRecord('ok'),
        },
        {
          label: 'an unknown kind',
          target: () => ({
            url: `/api/roster/officers/${zhou}/exceptions`,
            body: { kind: 'holiday', startsAt: '2030-06-01', endsAt: '2030-06-02' },
          }),
          expect: { ...editorsOfRecord('invalid'), otherStationSupervisor: 'invalid' },
        },
      ],
      'DELETE /api/roster/exceptions/:id': [
        {
          label: "Zhou's training",
          target: async () => ({ url: `/api/roster/exceptions/${await freshException()}` }),
          expect: editorsOfRecord('ok'),
        },
      ],
      'GET /api/cases/:id/home-watch': [
        {
          label: "Li's home watch",
          target: () => ({ url: `/api/cases/${fx.homeWatchCaseId}/home-watch` }),
          expect: lisCase('ok'),
        },
        {
          label: 'a case that is no home watch',
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/home-watch` }),
          expect: signedIn(404),
        },
      ],
      'POST /api/cases/:id/home-watch/checks': [
        {
          label: "a check of Li's home watch",
          target: () => ({
            url: `/api/cases/${fx.homeWatchCaseId}/home-watch/checks`,
            body: { note: '门窗完好' },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'something to look at, without saying what',
          target: () => ({
            url: `/api/cases/${fx.homeWatchCaseId}/home-watch/checks`,
            body: { result: 'attention' },
          }),
          expect: signedIn('invalid'),
        },
      ],
      'POST /api/cases/:id/home-watch/end': [
        {
          label: "a home watch of Li's, fresh for each probe",
          target: async () => ({ url: `/api/cases/${await freshHomeWatch()}/home-watch/end` }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/attachments': [
        {
          label: 'a picture, as the raw PNG',
          target: () => ({
            url: '/api/attachments',
            body: pngOf(4, 4),
            headers: { 'content-type': 'image/png' },
          }),
          expect: broadcasters('ok'),
        },
        {
          label: 'a web page that says it is a picture',
          target: () => ({
            url: '/api/attachments',
            body: Buffer.from('<html></html>'),
            headers: { 'content-type': 'image/png' },
          }),
          expect: broadcasters(415),
        },
      ],
      'GET /api/attachments/:id': [
        {
          label: 'a picture Li uploaded at Changqing',
          target: () => ({ url: `/api/attachments/${fx.pictureId}` }),
          expect: { ...signedIn('ok'), otherStation: 404, otherStationSupervisor: 404 },
        },
        {
          label: 'a picture that does not exist',
          target: () => ({ url: '/api/attachments/no-such-picture' }),
          expect: signedIn(404),
        },
      ],
      'GET /api/permit-slots': [
        { label: 'the next two weeks', target: () => ({ url: '/api/permit-slots' }), expect: signedIn('ok') },
        {
          label: 'to before from',
          target: () => ({ url: '/api/permit-slots?from=2026-12-02&to=2026-12-01' }),
          expect: signedIn('invalid'),
        },
      ],
      'POST /api/permit-slots': [
        {
          label: 'a Tuesday morning slot',
          target: () => ({
            url: '/api/permit-slots',
            body: { startsAt: '2026-12-01T08:00', minutes: 30, capacity: 2 },
          }),
          expect: editors('ok'),
        },
        {
          label: 'a slot of no length',
          target: () => ({
            url: '/api/permit-slots',
            body: { startsAt: '2026-12-01T08:00', minutes: 0, capacity: 2 },
          }),
          expect: editors('invalid'),
        },
      ],
      'DELETE /api/permit-slots/:id': [
        {
          label: 'a free Changqing slot, fresh for each probe',
          target: async () => ({ url: `/api/permit-slots/${await freshPermitSlot()}` }),
          expect: editorsOfRecord('ok'),
        },
        {
          label: 'a slot someone is booked in',
          target: async () => ({ url: `/api/permit-slots/${(await sharedPermit()).slotId}` }),
          expect: editorsOfRecord('conflict'),
        },
      ],
      'GET /api/permit-appointments': [
        { label: 'today', target: () => ({ url: '/api/permit-appointments' }), expect: caseReaders() },
      ],
      'GET /api/cases/:id/permit': [
        {
          label: "an appointment in Li's beat",
          target: async () => ({ url: `/api/cases/${(await sharedPermit()).caseId}/permit` }),
          expect: lisCase('ok'),
        },
        {
          label: 'a case that is no appointment',
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/permit` }),
          expect: signedIn(404),
        },
      ],
      'POST /api/cases/:id/permit/attendance': [
        {
          label: "an appointment in Li's beat, fresh for each probe",
          target: async () => ({
            url: `/api/cases/${(await freshPermit()).caseId}/permit/attendance`,
            body: { outcome: 'attended' },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'neither came nor did not come',
          target: async () => ({
            url: `/api/cases/${(await sharedPermit()).caseId}/permit/attendance`,
            body: { outcome: 'maybe' },
          }),
          expect: signedIn('invalid'),
        },
      ],
      'GET /api/broadcasts/targets': [
        { label: 'targets', target: () => ({ url: '/api/broadcasts/targets' }), expect: broadcasters('ok') },
      ],
      'POST /api/broadcasts/preview': [
        {
          label: 'own station, station-wide',
          target: () => ({
            url: '/api/broadcasts/preview',
            body: { category: 'weather', targets: { station: true } },
          }),
          expect: broadcasters('ok'),
        },
        {
          label: 'no targets',
          target: () => ({ url: '/api/broadcasts/preview', body: { category: 'weather', targets: {} } }),
          expect: broadcasters('invalid'),
        },
      ],
      'POST /api/broadcasts': [
        {
          label: 'a Changqing group',
          target: () => ({ url: '/api/broadcasts', body: groupDraft }),
          expect: { ...broadcasters('ok'), otherStation: 'invalid', otherStationSupervisor: 'invalid' },
        },
      ],
      'GET /api/broadcasts': [
        { label: 'list', target: () => ({ url: '/api/broadcasts' }), expect: broadcasters('ok') },
      ],
      'GET /api/broadcasts/:id': [
        {
          label: "Li's broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}` }),
          expect: { ...lisCase('ok'), otherBeat: 'ok' },
        },
        {
          label: 'unknown id',
          target: () => ({ url: '/api/broadcasts/no-such-broadcast' }),
          expect: broadcasters(404),
        },
      ],
      'GET /api/broadcasts/:id/report': [
        {
          label: "Li's broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/report` }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/broadcasts/:id/approve': [
        {
          label: "Li's station-wide broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/approve`, body: {} }),
          expect: approvers('ok'),
        },
      ],
      'POST /api/broadcasts/:id/reject': [
        {
          label: "Li's station-wide broadcast",
          target: async () => ({
            url: `/api/broadcasts/${await freshBroadcast()}/reject`,
            body: { note: '再改改' },
          }),
          expect: approvers('ok'),
        },
      ],
      'POST /api/broadcasts/:id/pause': [
        {
          // Waiting for approval, so not sending: getting as far as the state check proves the caller was let in.
          label: "Li's waiting broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/pause` }),
          expect: lisCase('conflict'),
        },
      ],
      'POST /api/broadcasts/:id/resume': [
        {
          label: "Li's waiting broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/resume` }),
          expect: lisCase('conflict'),
        },
      ],
      'POST /api/broadcasts/:id/cancel': [
        {
          label: "Li's waiting broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/cancel` }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/broadcasts/:id/resend-unconfirmed': [
        {
          label: "Li's waiting broadcast",
          target: async () => ({ url: `/api/broadcasts/${await freshBroadcast()}/resend-unconfirmed` }),
          expect: lisCase('conflict'),
        },
      ],
      'GET /api/cases/:id/mediation': [
        {
          label: "Li's mediation",
          target: () => ({ url: `/api/cases/${mediationCaseId}/mediation` }),
          expect: lisCase('ok'),
        },
        {
          label: 'a case that is no mediation',
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/mediation` }),
          expect: signedIn(404),
        },
      ],
      'POST /api/cases/:id/mediation': [
        {
          label: "a dispute of Li's, fresh once one is turned",
          target: async () => ({
            url: `/api/cases/${await disputeToConvert()}/mediation`,
            body: { version: 1, subject: '邻里纠纷' },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'without a subject',
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/mediation`, body: { version: 1 } }),
          expect: signedIn('invalid'),
        },
      ],
      'POST /api/cases/:id/mediation/parties': [
        {
          label: "a party to Li's mediation",
          target: () => ({
            url: `/api/cases/${mediationCaseId}/mediation/parties`,
            body: { role: 'other', name: '矩阵当事人' },
          }),
          expect: lisCase('ok'),
        },
      ],
      'DELETE /api/cases/:id/mediation/parties/:partyId': [
        {
          label: "a party of Li's mediation, fresh for each probe",
          target: async () => ({
            url: `/api/cases/${mediationCaseId}/mediation/parties/${await freshParty()}`,
          }),
          expect: lisCase('ok'),
        },
      ],
      'PUT /api/cases/:id/mediation/mediator': [
        {
          label: "nobody named, on Li's mediation",
          target: () => ({ url: `/api/cases/${mediationCaseId}/mediation/mediator`, body: { none: true } }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/mediation/sessions': [
        {
          label: "a session of Li's mediation",
          target: () => ({
            url: `/api/cases/${mediationCaseId}/mediation/sessions`,
            body: { at: '2026-12-10T10:00', place: '长寿桥社区警务室' },
          }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/mediation/sessions/:sessionId/cancel': [
        {
          label: "a session of Li's mediation, fresh for each probe",
          target: async () => ({
            url: `/api/cases/${mediationCaseId}/mediation/sessions/${await freshSession()}/cancel`,
          }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/mediation/outcome': [
        {
          label: "a mediation of Li's, fresh once one is concluded",
          target: async () => ({
            url: `/api/cases/${await mediationToConclude()}/mediation/outcome`,
            body: { result: 'not_settled', nextStep: 'court' },
          }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/mediation/follow-up': [
        {
          // Not settled yet: getting as far as the state check proves the caller was let in.
          label: "Li's open mediation",
          target: () => ({
            url: `/api/cases/${mediationCaseId}/mediation/follow-up`,
            body: { result: 'kept' },
          }),
          expect: lisCase('conflict'),
        },
      ],
      'GET /api/cases/:id/rental': [
        {
          label: "Li's rental registration",
          target: async () => ({ url: `/api/cases/${await lisRental()}/rental` }),
          expect: lisCase('ok'),
        },
        {
          label: 'a case that is no rental registration',
          target: () => ({ url: `/api/cases/${fx.lisCaseId}/rental` }),
          expect: signedIn(404),
        },
      ],
      'POST /api/cases/:id/rental/review': [
        {
          label: 'verified, on a fresh registration each probe',
          target: async () => ({
            url: `/api/cases/${await freshRental()}/rental/review`,
            body: { decision: 'verified' },
          }),
          expect: lisCase('ok'),
        },
        {
          label: 'a correction without the fields to correct',
          target: async () => ({
            url: `/api/cases/${await lisRental()}/rental/review`,
            body: { decision: 'needs-correction', reason: '证件号码不对' },
          }),
          expect: signedIn('invalid'),
        },
      ],
      'POST /api/cases/:id/rental/inspection': [
        {
          label: "a visit to Li's registered flat",
          target: async () => ({
            url: `/api/cases/${await lisRental()}/rental/inspection`,
            body: { at: '2030-01-08T14:00' },
          }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/rental/tenancy': [
        {
          label: 'moved out, on a fresh registration each probe',
          target: async () => ({
            url: `/api/cases/${await freshRental()}/rental/tenancy`,
            body: { answer: 'moved-out' },
          }),
          expect: lisCase('ok'),
        },
      ],
      'POST /api/cases/:id/rental/reveal': [
        {
          label: "the tenant's ID number of Li's registration",
          target: async () => ({ url: `/api/cases/${await lisRental()}/rental/reveal` }),
          expect: lisCase('ok'),
        },
      ],
      'GET /api/stream': [
        {
          label: 'live stream',
          target: () => ({ url: '/api/stream' }),
          expect: signedIn('ok'),
          stream: true,
        },
      ],
    }

    /** Makes an outbound message failed again, once any earlier retry of it has finished. */
    async function markFailed(messageId: string) {
      await waitFor(async () => {
        const row = await db()
          .selectFrom('messages')
          .select('delivery_state')
          .where('id', '=', messageId)
          .executeTakeFirstOrThrow()
        return row.delivery_state !== 'queued'
      }, 'the earlier retry to finish')
      await db()
        .updateTable('messages')
        .set({ delivery_state: 'failed', failure_reason: 'test: the resident left the chat' })
        .where('id', '=', messageId)
        .execute()
    }

    /** Sends one request as the role; `csrf: false` leaves the header out, a string sends that instead. */
    async function send(
      role: Role,
      method: string,
      target: Target,
      options: { csrf?: boolean | string; stream?: boolean; session?: OfficerSession } = {},
    ): Promise<Answer> {
      const session = options.session ?? sessions.get(role)
      const headers: Record<string, string> = { ...target.headers }
      if (session) {
        headers.cookie = `mb_session=${session.cookie}`
        const csrf = options.csrf ?? true
        if (STATE_CHANGING.has(method) && csrf !== false)
          headers['x-csrf-token'] = csrf === true ? session.csrf : csrf
      }
      if (options.stream) {
        const abort = new AbortController()
        const res = await fetch(`${stack.baseUrl}${target.url}`, { headers, signal: abort.signal })
        try {
          if (res.status === 200) {
            expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
            return { status: res.status, body: null }
          }
          return { status: res.status, body: await res.json() }
        } finally {
          abort.abort()
        }
      }
      const res = await stack.app!.inject({
        method: method as 'GET',
        url: target.url,
        headers,
        ...(target.body !== undefined ? { payload: target.body as object } : {}),
      })
      const json = res.headers['content-type']?.toString().includes('application/json')
      return { status: res.statusCode, body: json ? res.json() : res.body }
    }

    /** A resident writes on the web chat; returns their case once the acknowledgement names it. */
    async function residentWritesCase(text: string) {
      const { caseNumber } = await residentWrites(stack.app!, text, { name: '矩阵居民' })
      return db()
        .selectFrom('cases')
        .select(['id', 'assignee_officer_id', 'beat_id'])
        .where('number', '=', caseNumber)
        .executeTakeFirstOrThrow()
    }

    beforeAll(async () => {
      stack = await startTestStack({ database: await engine.open(), label: `matrix-${engine.name}` })
      const fq = seedIds.station('FQ')
      const lowest = async (role: string) =>
        (
          await db()
            .selectFrom('officers')
            .select('badge')
            .where('station_id', '=', fq)
            .where('role', '=', role)
            .orderBy('badge')
            .executeTakeFirstOrThrow()
        ).badge
      badges.set('otherStation', await lowest('officer'))
      badges.set('otherStationSupervisor', await lowest('supervisor'))
      for (const [role, badge] of badges) sessions.set(role, await openSession(stack.ctx, stack.app!, badge))

      const lis = await residentWritesCase('我住柳营巷12号，楼上半夜一直在装修')
      expect(lis.assignee_officer_id).toBe(seedIds.officer('330104'))
      fx.lisCaseId = lis.id
      const desk = await residentWritesCase('你好，我想问一下办居住证要带什么材料')
      expect(desk.assignee_officer_id).toBeNull()
      expect(desk.beat_id).toBeNull()
      fx.deskCaseId = desk.id
      fx.homeWatchCaseId = await freshHomeWatch()
      fx.pictureId = (
        await stack.ctx.attachments.upload(
          { id: seedIds.officer('330104'), role: 'officer', stationId: seedIds.station('CQ'), beatIds: [] },
          { contentType: 'image/png', bytes: pngOf(8, 8) },
        )
      ).id
      mediationCaseId = await freshMediation()
      const homeWatch = await db()
        .selectFrom('cases')
        .select('assignee_officer_id')
        .where('id', '=', fx.homeWatchCaseId)
        .executeTakeFirstOrThrow()
      expect(homeWatch.assignee_officer_id).toBe(seedIds.officer('330104'))

      // The acknowledgement of Li's case, once sent, stands in for a reply whose channel went away.
      const ack = await waitFor(
        () =>
          db()
            .selectFrom('messages')
            .select('id')
            .where('case_id', '=', lis.id)
            .where('direction', '=', 'outbound')
            .where('delivery_state', '=', 'sent')
            .executeTakeFirst(),
        'the acknowledgement to be sent',
      )
      fx.failedMessageId = ack.id
      await markFailed(ack.id)

      const canned = await send('supervisor', 'POST', {
        url: '/api/canned-replies',
        body: { shortcut: 'matrix', title: '矩阵', body: '{resident}您好' },
      })
      expect(canned.status).toBe(201)
      fx.cannedId = canned.body.id
    })
    afterAll(async () => {
      await stack?.stop()
    })

    it('has a row for every route under /api, and none for a route that is gone', async () => {
      const routes = routesOf(stack.app!)
      // The parser read the router's tree: a change of its format must not empty the walk.
      expect(routes).toEqual(
        expect.arrayContaining(['GET /api/cases', 'POST /api/cases/:id/replies', 'GET /chat']),
      )
      const api = routes.filter((r) => /^[A-Z]+ \/api(\/|$)/.test(r))
      expect(api).toEqual(Object.keys(matrix).sort())
    })

    it('documents every route under /api in the OpenAPI document', async () => {
      const docs = await stack.app!.inject({ method: 'GET', url: '/docs/json' })
      const documented = Object.entries(docs.json().paths as Record<string, object>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replaceAll(/\{(\w+)\}/g, ':$1')}`),
      )
      expect(documented.filter((r) => / \/api(\/|$)/.test(r)).sort()).toEqual(Object.keys(matrix).sort())
    })

    for (const [route, probes] of Object.entries(matrix)) {
      it(`${route}: each role gets what the table says`, async () => {
        const method = route.split(' ')[0]!
        const wrong: string[] = []
        for (const probe of probes) {
          for (const role of ROLES) {
            const session =
              probe.freshSession && role !== 'none'
                ? await openSession(stack.ctx, stack.app!, badges.get(role)!)
                : undefined
            const answer = await send(role, method, await probe.target(), { stream: probe.stream, session })
            answers.push({ route, role, status: answer.status })
            const expected = probe.expect[role]
            if (!matches(expected, answer.status)) {
              wrong.push(
                `${probe.label} as ${role}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body)}`,
              )
            }
          }
        }
        expect(wrong).toEqual([])
      })
    }

    it('refuses every change without the CSRF header, and with a wrong one, for every session', async () => {
      const wrong: string[] = []
      const changes = Object.entries(matrix).filter(
        ([route]) => STATE_CHANGING.has(route.split(' ')[0]!) && route !== 'POST /api/auth/login',
      )
      expect(changes.length).toBeGreaterThan(10)
      for (const [route, probes] of changes) {
        const method = route.split(' ')[0]!
        for (const role of ROLES.filter((r) => r !== 'none')) {
          for (const csrf of [false, 'not-the-token'] as const) {
            const answer = await send(role, method, await probes[0]!.target(), { csrf })
            answers.push({ route, role, status: answer.status })
            if (answer.status !== 403 || answer.body?.error?.code !== 'CSRF')
              wrong.push(
                `${route} as ${role} with csrf=${csrf}: got ${answer.status} ${JSON.stringify(answer.body)}`,
              )
          }
        }
      }
      expect(wrong).toEqual([])
      // Logout without the header did not end the session either.
      for (const role of ROLES.filter((r) => r !== 'none')) {
        expect((await send(role, 'GET', { url: '/api/auth/me' })).status).toBe(200)
      }
    })

    it('signs in without a CSRF header: login is the one change that needs none', async () => {
      const answer = await send('beat', 'POST', { url: '/api/auth/login', body: {} }, { csrf: false })
      expect(answer.status).toBe(400)
      expect(answer.body.error.code).toBe('INVALID_INPUT')
    })

    it('lists only the cases each role may see', async () => {
      // Every page: the probes above open more cases than one page holds.
      const listed = async (role: Role) => {
        const ids: string[] = []
        let cursor: string | null = null
        do {
          const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          const page = (await send(role, 'GET', { url: `/api/cases?queue=all&limit=100${after}` })).body
          ids.push(...(page.cases as Array<{ id: string }>).map((c) => c.id))
          cursor = page.nextCursor ?? null
        } while (cursor)
        return ids
      }
      expect(await listed('beat')).toEqual(expect.arrayContaining([fx.lisCaseId, fx.deskCaseId]))
      expect(await listed('supervisor')).toEqual(expect.arrayContaining([fx.lisCaseId, fx.deskCaseId]))
      const otherBeat = await listed('otherBeat')
      expect(otherBeat).toContain(fx.deskCaseId)
      expect(otherBeat).not.toContain(fx.lisCaseId)
      for (const role of ['otherStation', 'otherStationSupervisor'] as const) {
        const seen = await listed(role)
        expect(seen).not.toContain(fx.lisCaseId)
        expect(seen).not.toContain(fx.deskCaseId)
      }
      const audit = await send('otherStationSupervisor', 'GET', {
        url: `/api/audit?subjectId=${fx.lisCaseId}`,
      })
      expect(audit.status).toBe(200)
      expect(audit.body.events).toEqual([])
      const ownAudit = await send('supervisor', 'GET', { url: `/api/audit?subjectId=${fx.lisCaseId}` })
      expect(ownAudit.body.events.length).toBeGreaterThan(0)
    })

    it('never answered 500', () => {
      expect(answers.length).toBeGreaterThan(ROLES.length * Object.keys(matrix).length)
      expect(answers.filter((a) => a.status >= 500)).toEqual([])
    })
  })
}
