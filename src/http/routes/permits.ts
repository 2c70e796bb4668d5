import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { createViewMemory } from '../../app/cases/case-reads.ts'
import type { PermitOffice } from '../../app/forms/permit-office.ts'
import type { Clock } from '../../app/ports.ts'
import { LOCAL_TIME } from '../../domain/roster.ts'
import type { AuditEntry } from '../../store/audit.repository.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import { CaseParams } from '../schemas/cases.ts'

export interface PermitRouteOptions {
  office: PermitOffice
  audit(entry: AuditEntry): Promise<void>
  clock: Clock
}

const tags = ['residence permits']

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day such as 2026-12-01')

const SlotSchema = z.object({
  id: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  capacity: z.number(),
  taken: z.number(),
  source: z.enum(['file', 'api']),
  closed: z.boolean(),
})

const AppointmentSchema = z.object({
  requestId: z.string(),
  caseId: z.string(),
  caseNumber: z.string(),
  caseStatus: z.string(),
  state: z.enum(['booked', 'attended', 'no_show', 'cancelled']),
  name: z.string(),
  phone: z.string(),
  slot: z.object({ id: z.string(), startsAt: z.string(), endsAt: z.string() }),
  moves: z.number(),
  markedAt: z.string().nullable(),
  markedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  timeZone: z.string(),
})

const SlotBody = z.object({
  startsAt: z
    .string('startsAt is required: a time such as 2026-12-01T09:00 (station time)')
    .trim()
    .regex(LOCAL_TIME, 'a time such as 2026-12-01T09:00 (station time) or 2026-12-01T09:00:00+08:00'),
  minutes: z.number('minutes: a whole number of minutes').int().min(5, 'at least 5').max(240, 'at most 240'),
  capacity: z
    .number('capacity: how many residents the slot takes')
    .int()
    .min(0, 'at least 0')
    .max(100, 'at most 100'),
})

/** A second look at the same appointment by the same officer within this time is not audited again. */
const VIEW_AUDIT_WINDOW_MS = 60_000

/**
 * The office's side of residence-permit appointments: slots (supervisors
 * change them), the day's appointments, a case's appointment, and marking
 * who came.
 */
export async function permitRoutes(base: FastifyInstance, options: PermitRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { office } = options
  const signedIn = requireOfficer()
  const caseWorkers = requireOfficer('officer', 'supervisor')
  const keepers = requireOfficer('supervisor', 'admin')
  const views = createViewMemory(VIEW_AUDIT_WINDOW_MS)

  app.get(
    '/api/permit-slots',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          "The station's appointment slots from `from` (today) to `to` (13 days on), with places taken",
        querystring: z.object({ from: Day.optional(), to: Day.optional() }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            timeZone: z.string(),
            slots: z.array(SlotSchema),
          }),
        },
      },
    },
    async (request) => office.slots(actorOf(request), request.query),
  )

  app.post(
    '/api/permit-slots',
    {
      onRequest: keepers,
      schema: {
        tags,
        summary: 'Add a slot, or change the one starting then (length, capacity; a removed one opens again)',
        body: SlotBody,
        response: { 200: z.object({ slot: SlotSchema }), 201: z.object({ slot: SlotSchema }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const saved = await office.saveSlot(actor, request.body)
      await options.audit({
        stationId: actor.stationId,
        actor: actor.id,
        action: 'permit.slot_saved',
        subjectType: 'permit_slot',
        subjectId: saved.slot.id,
        detail: { capacity: request.body.capacity, minutes: request.body.minutes, created: saved.created },
      })
      return reply.status(saved.created ? 201 : 200).send({ slot: saved.slot })
    },
  )

  app.delete(
    '/api/permit-slots/:id',
    {
      onRequest: keepers,
      schema: {
        tags,
        summary: 'Remove a slot nobody is booked in (409 naming how many are, otherwise)',
        params: z.object({ id: z.string().min(1).max(100) }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      await office.removeSlot(actor, request.params.id)
      await options.audit({
        stationId: actor.stationId,
        actor: actor.id,
        action: 'permit.slot_removed',
        subjectType: 'permit_slot',
        subjectId: request.params.id,
      })
      return reply.status(204).send()
    },
  )

  app.get(
    '/api/permit-appointments',
    {
      onRequest: caseWorkers,
      schema: {
        tags,
        summary: "One day's slots with the appointments in them the officer may see (audited)",
        querystring: z.object({ date: Day.optional() }),
        response: {
          200: z.object({
            date: z.string(),
            timeZone: z.string(),
            slots: z.array(SlotSchema.extend({ appointments: z.array(AppointmentSchema) })),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const day = await office.day(actor, request.query.date)
      const shown = day.slots.reduce((n, s) => n + s.appointments.length, 0)
      await options.audit({
        stationId: actor.stationId,
        actor: actor.id,
        action: 'permit.day_viewed',
        subjectType: 'station',
        subjectId: actor.stationId,
        detail: { date: day.date, appointments: shown },
      })
      return day
    },
  )

  app.get(
    '/api/cases/:id/permit',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'The residence-permit appointment of a case (audited)',
        params: CaseParams,
        response: { 200: z.object({ appointment: AppointmentSchema }) },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const appointment = await office.view(actor, request.params.id)
      if (views.firstSince(`${actor.id} ${appointment.requestId}`, options.clock.now().getTime())) {
        await options.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'permit.viewed',
          subjectType: 'service_request',
          subjectId: appointment.requestId,
        })
      }
      return { appointment }
    },
  )

  app.post(
    '/api/cases/:id/permit/attendance',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary:
          'Mark the resident as come (the case resolves) or not come (the case closes); the resident is told',
        params: CaseParams,
        body: z.object({ outcome: z.enum(['attended', 'no_show'], 'expected "attended" or "no_show"') }),
        response: { 200: z.object({ appointment: AppointmentSchema }) },
      },
    },
    async (request) => {
      const appointment = await office.mark(actorOf(request), request.params.id, request.body.outcome)
      return { appointment }
    },
  )
}
