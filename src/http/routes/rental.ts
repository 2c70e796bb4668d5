import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { createViewMemory } from '../../app/cases/case-reads.ts'
import type { Rental } from '../../app/forms/rental.ts'
import type { Clock } from '../../app/ports.ts'
import { isLocalDate } from '../../domain/forms/local-date.ts'
import { RENTAL_FIELD_KEYS } from '../../domain/forms/rental-form.ts'
import { LOCAL_TIME } from '../../domain/roster.ts'
import type { AuditEntry } from '../../store/audit.repository.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import { CaseParams } from '../schemas/cases.ts'

export interface RentalRouteOptions {
  rental: Rental
  audit(entry: AuditEntry): Promise<void>
  clock: Clock
}

const tags = ['service requests']

const Texts = z.object({ zh: z.string(), en: z.string() })
const OfficerRef = z.object({ id: z.string(), name: z.string() }).nullable()

const RentalSchema = z.object({
  requestId: z.string(),
  caseId: z.string(),
  caseNumber: z.string(),
  state: z.enum(['active', 'ended', 'cancelled']),
  timeZone: z.string(),
  flat: z.object({
    compound: z.string(),
    compoundId: z.string().nullable(),
    building: z.string(),
    unit: z.string(),
  }),
  tenant: z.object({
    name: z.string(),
    phone: z.string(),
    document: z.object({
      kind: z.enum(['mainland', 'passport']),
      masked: z.string().describe('e.g. 3301**********123X; the number itself only through /rental/reveal'),
      purged: z.boolean().describe('removed after the retention period'),
    }),
    nationality: z.string().nullable(),
  }),
  moveIn: z.string(),
  leaseEnd: z.string(),
  review: z.object({
    state: z.enum(['submitted', 'verified', 'needs-correction']),
    reason: z.string().nullable(),
    fields: z.array(z.string()),
    by: OfficerRef,
    at: z.string().nullable(),
  }),
  inspection: z.object({ at: z.string(), by: OfficerRef }).nullable(),
  tenancy: z
    .object({
      answer: z.enum(['stays', 'moved-out', 'lapsed']),
      forLeaseEnd: z.string().nullable(),
      at: z.string().nullable(),
      by: z.string().nullable(),
    })
    .nullable(),
  fields: z.array(z.object({ key: z.string(), label: Texts })),
})

const ReviewBody = z.discriminatedUnion(
  'decision',
  [
    z.object({ decision: z.literal('verified') }),
    z.object({
      decision: z.literal('needs-correction'),
      reason: z
        .string('reason is required: it is sent to the landlord')
        .trim()
        .min(1, 'reason: say what is wrong; the landlord is told')
        .max(300, 'reason: at most 300 characters'),
      fields: z
        .array(z.enum(RENTAL_FIELD_KEYS as [string, ...string[]], `one of ${RENTAL_FIELD_KEYS.join(', ')}`))
        .min(1, 'fields: name at least one field to correct'),
    }),
  ],
  'decision: "verified" or "needs-correction"',
)

const InspectionBody = z.object({
  at: z
    .string('at is required: when the officer visits')
    .trim()
    .regex(LOCAL_TIME, 'a time such as 2026-12-02T14:00 (station time) or 2026-12-02T14:00:00+08:00'),
})

const TenancyBody = z.discriminatedUnion(
  'answer',
  [
    z.object({
      answer: z.literal('stays'),
      until: z
        .string('until is required: the new lease end')
        .refine(isLocalDate, 'until: a day as YYYY-MM-DD'),
    }),
    z.object({ answer: z.literal('moved-out') }),
  ],
  'answer: "stays" (with until) or "moved-out"',
)

/** A second look at the same registration by the same officer within this time is not audited again. */
const VIEW_AUDIT_WINDOW_MS = 60_000

/**
 * The officer's side of rental registrations: the registration (document
 * masked), the review, the inspection visit, the tenancy at the lease end,
 * and the document number itself on request (audited).
 */
export async function rentalRoutes(base: FastifyInstance, options: RentalRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { rental } = options
  const signedIn = requireOfficer()
  const views = createViewMemory(VIEW_AUDIT_WINDOW_MS)
  const answer = { 200: z.object({ rental: RentalSchema }) }

  app.get(
    '/api/cases/:id/rental',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          'The rental registration of a case: flat, tenant (ID masked), review, inspection, tenancy (audited)',
        params: CaseParams,
        response: answer,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const view = await rental.view(actor, request.params.id)
      if (views.firstSince(`${actor.id} ${view.requestId}`, options.clock.now().getTime())) {
        await options.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'rental.viewed',
          subjectType: 'service_request',
          subjectId: view.requestId,
        })
      }
      return { rental: view }
    },
  )

  app.post(
    '/api/cases/:id/rental/review',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          'Verify the registration (the case resolves), or ask the landlord to correct named fields (the form opens again for them)',
        params: CaseParams,
        body: ReviewBody,
        response: answer,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await rental.review(actor, request.params.id, request.body)
      return { rental: await rental.view(actor, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/rental/inspection',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          'Plan or move the safety-inspection visit; the landlord is told now and reminded the day before',
        params: CaseParams,
        body: InspectionBody,
        response: answer,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await rental.scheduleInspection(actor, request.params.id, request.body)
      return { rental: await rental.view(actor, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/rental/tenancy',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Record whether the tenant stays past the lease end (until a new day) or moved out',
        params: CaseParams,
        body: TenancyBody,
        response: answer,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await rental.recordTenancyByOfficer(actor, request.params.id, request.body)
      return { rental: await rental.view(actor, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/rental/reveal',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          "The tenant's ID or passport number in full, for an officer of the station who may work the case; audited as personal_data.revealed",
        params: CaseParams,
        response: {
          200: z.object({
            document: z.object({ kind: z.enum(['mainland', 'passport']), number: z.string() }),
          }),
        },
      },
    },
    async (request, reply) => {
      const document = await rental.reveal(actorOf(request), request.params.id)
      reply.header('cache-control', 'no-store')
      return { document }
    },
  )
}
