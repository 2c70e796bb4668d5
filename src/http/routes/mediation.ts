import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { createViewMemory } from '../../app/cases/case-reads.ts'
import type { Mediation, MediatorInput } from '../../app/forms/mediation.ts'
import type { Clock } from '../../app/ports.ts'
import { FOLLOW_UP_RESULTS, NEXT_STEPS, PARTY_ROLES } from '../../domain/forms/mediation.ts'
import { LOCAL_TIME } from '../../domain/roster.ts'
import type { AuditEntry } from '../../store/audit.repository.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import { CaseParams } from '../schemas/cases.ts'

export interface MediationRouteOptions {
  mediation: Mediation
  audit(entry: AuditEntry): Promise<void>
  clock: Clock
}

const tags = ['mediation']

const Ref = z.object({ id: z.string(), name: z.string() })

const PartySchema = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  role: z.enum(PARTY_ROLES),
  resident: z.object({ id: z.string(), code: z.string().nullable() }).nullable(),
  reachable: z.boolean(),
})

const SessionSchema = z.object({
  id: z.string(),
  at: z.string(),
  place: z.string(),
  note: z.string().nullable(),
  state: z.enum(['scheduled', 'cancelled', 'past']),
  cancelReason: z.string().nullable(),
  createdBy: Ref,
})

const MediationSchema = z.object({
  requestId: z.string(),
  caseId: z.string(),
  caseNumber: z.string(),
  source: z.enum(['chat', 'officer']),
  state: z.enum(['open', 'settled', 'not_settled']),
  subject: z.string(),
  preferredTimes: z.string().nullable(),
  openedAt: z.string(),
  mediator: z
    .object({
      kind: z.enum(['officer', 'team']),
      officerId: z.string().nullable(),
      name: z.string(),
      members: z.array(Ref),
    })
    .nullable(),
  parties: z.array(PartySchema),
  sessions: z.array(SessionSchema),
  outcome: z
    .object({
      result: z.enum(['settled', 'not_settled']),
      terms: z.string().nullable(),
      nextStep: z.enum(NEXT_STEPS).nullable(),
      note: z.string().nullable(),
      at: z.string(),
      by: Ref.nullable(),
    })
    .nullable(),
  followUp: z
    .object({
      dueAt: z.string(),
      at: z.string().nullable(),
      result: z.enum(FOLLOW_UP_RESULTS).nullable(),
      note: z.string().nullable(),
      by: Ref.nullable(),
    })
    .nullable(),
  timeZone: z.string(),
})

const Answer = z.object({ mediation: MediationSchema })

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`)
const required = (max: number) => text(max).min(1, 'must not be empty')

/** One of `{ officerId }`, `{ team: true }` (the station's mediation team) or `{ none: true }`. */
const MediatorBody = z
  .object({
    officerId: z.string().trim().min(1).max(100).optional(),
    team: z.literal(true, 'team: true, or leave it out').optional(),
    none: z.literal(true, 'none: true, or leave it out').optional(),
  })
  .refine((b) => [b.officerId, b.team, b.none].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of officerId, team: true or none: true',
  })

const mediatorOf = (b: z.infer<typeof MediatorBody>): MediatorInput =>
  b.officerId !== undefined ? { officerId: b.officerId } : b.team ? { team: true } : { none: true }

const OpenBody = z.object({
  version: z.number('version: the case version you last saw, a whole number').int().positive(),
  subject: required(500),
  preferredTimes: text(100).optional(),
  mediator: MediatorBody.optional(),
})

const PartyBody = z
  .object({
    role: z.enum(PARTY_ROLES, 'expected "applicant", "respondent" or "other"'),
    name: text(50).optional(),
    phone: text(30).optional(),
    residentCode: text(20).optional(),
  })
  .refine((b) => (b.name ?? '') !== '' || (b.residentCode ?? '') !== '', {
    path: ['name'],
    message: 'give a name, or the code of a resident to link',
  })

const SessionBody = z.object({
  at: z
    .string('at: when the session starts')
    .trim()
    .regex(LOCAL_TIME, 'a time such as 2026-11-30T14:00 (station time) or 2026-11-30T14:00:00+08:00'),
  place: required(100),
  note: text(300).optional(),
})

// A POST without a body arrives as null.
const CancelBody = z.object({ reason: text(200).optional() }).nullish()

const OutcomeBody = z.discriminatedUnion(
  'result',
  [
    z.object({ result: z.literal('settled'), terms: required(2000) }),
    z.object({
      result: z.literal('not_settled'),
      nextStep: z.enum(NEXT_STEPS, 'expected "committee", "court" or "police"'),
      note: text(500).optional(),
    }),
  ],
  'result: "settled" (with terms) or "not_settled" (with nextStep)',
)

const FollowUpBody = z.object({
  result: z.enum(FOLLOW_UP_RESULTS, 'expected "kept", "partly_kept" or "broken"'),
  note: text(500).optional(),
})

const PartyParams = CaseParams.extend({ partyId: z.string().min(1).max(100) })
const SessionParams = CaseParams.extend({ sessionId: z.string().min(1).max(100) })

/** A second look at the same mediation by the same officer within this time is not audited again. */
const VIEW_AUDIT_WINDOW_MS = 60_000

/**
 * The officer's side of dispute mediation: turning a dispute case into one,
 * parties, the mediator, sessions, the outcome and the follow-up visit.
 * Every change answers the whole mediation as the inbox shows it.
 */
export async function mediationRoutes(base: FastifyInstance, options: MediationRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { mediation } = options
  const signedIn = requireOfficer()
  const views = createViewMemory(VIEW_AUDIT_WINDOW_MS)

  app.get(
    '/api/cases/:id/mediation',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'The mediation of a case: parties (names and phones), mediator, sessions, outcome (audited)',
        params: CaseParams,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const view = await mediation.view(actor, request.params.id)
      if (views.firstSince(`${actor.id} ${view.requestId}`, options.clock.now().getTime())) {
        await options.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'mediation.viewed',
          subjectType: 'service_request',
          subjectId: view.requestId,
        })
      }
      return { mediation: view }
    },
  )

  app.post(
    '/api/cases/:id/mediation',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Turn an open dispute case into a mediation; its resident is the applicant and is told',
        params: CaseParams,
        body: OpenBody,
        response: { 201: Answer },
      },
    },
    async (request, reply) => {
      const body = request.body
      const view = await mediation.open(actorOf(request), request.params.id, {
        version: body.version,
        subject: body.subject,
        preferredTimes: body.preferredTimes ?? null,
        ...(body.mediator ? { mediator: mediatorOf(body.mediator) } : {}),
      })
      return reply.status(201).send({ mediation: view })
    },
  )

  app.post(
    '/api/cases/:id/mediation/parties',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Add a party: a name and phone, or a resident of the station linked by code',
        params: CaseParams,
        body: PartyBody,
        response: { 201: Answer.extend({ party: PartySchema }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const body = request.body
      const party = await mediation.addParty(actor, request.params.id, {
        role: body.role,
        name: body.name ?? null,
        phone: body.phone ?? null,
        residentCode: body.residentCode || null,
      })
      return reply.status(201).send({ party, mediation: await mediation.view(actor, request.params.id) })
    },
  )

  app.delete(
    '/api/cases/:id/mediation/parties/:partyId',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Remove a party (not the resident whose case it is)',
        params: PartyParams,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await mediation.removeParty(actor, request.params.id, request.params.partyId)
      return { mediation: await mediation.view(actor, request.params.id) }
    },
  )

  app.put(
    '/api/cases/:id/mediation/mediator',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Name the mediator: an officer of the station, the mediation team, or nobody',
        params: CaseParams,
        body: MediatorBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await mediation.setMediator(actor, request.params.id, mediatorOf(request.body))
      return { mediation: await mediation.view(actor, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/mediation/sessions',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Schedule a session; parties are told now and reminded the day before and an hour before',
        params: CaseParams,
        body: SessionBody,
        response: { 201: Answer.extend({ session: SessionSchema }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const body = request.body
      const session = await mediation.scheduleSession(actor, request.params.id, {
        at: body.at,
        place: body.place,
        note: body.note ?? null,
      })
      return reply.status(201).send({ session, mediation: await mediation.view(actor, request.params.id) })
    },
  )

  app.post(
    '/api/cases/:id/mediation/sessions/:sessionId/cancel',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Call a session off: its reminders are cancelled and the parties told',
        params: SessionParams,
        body: CancelBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { id, sessionId } = request.params
      await mediation.cancelSession(actor, id, sessionId, request.body?.reason ?? null)
      return { mediation: await mediation.view(actor, id) }
    },
  )

  app.post(
    '/api/cases/:id/mediation/outcome',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          'Record the outcome: settled with the terms (a follow-up visit in 30 days) or not, with the next step; the case resolves',
        params: CaseParams,
        body: OutcomeBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const body = request.body
      await mediation.recordOutcome(
        actor,
        request.params.id,
        body.result === 'settled'
          ? { result: 'settled', terms: body.terms }
          : { result: 'not_settled', nextStep: body.nextStep, note: body.note ?? null },
      )
      return { mediation: await mediation.view(actor, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/mediation/follow-up',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Record the follow-up visit of a settlement: the agreement kept, partly kept or broken',
        params: CaseParams,
        body: FollowUpBody,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await mediation.recordFollowUp(actor, request.params.id, {
        result: request.body.result,
        note: request.body.note ?? null,
      })
      return { mediation: await mediation.view(actor, request.params.id) }
    },
  )
}
