import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Roster } from '../../app/roster.ts'
import { DUTY_EXCEPTION_KINDS, LOCAL_TIME } from '../../domain/roster.ts'
import { requireOfficer } from '../plugins/auth.ts'

export interface RosterRouteOptions {
  roster: Roster
}

const tags = ['roster']
const IdParams = z.object({ id: z.string().min(1).max(100) })

const TIME_HELP =
  'an ISO 8601 time with offset, or a local date or date and time in the station’s time zone, e.g. 2027-02-05 or 2027-02-05T08:30'
const RosterTime = (field: string) =>
  z.string(`${field} is required: ${TIME_HELP}`).trim().regex(LOCAL_TIME, `expected ${TIME_HELP}`)

const DutyBody = z.object({
  duty: z
    .array(z.string('a duty pattern such as "mon-fri 08:30-17:30"').max(200), 'duty: a list of duty patterns')
    .max(50, 'at most 50 patterns'),
})

const ExceptionBody = z.object({
  kind: z.enum(DUTY_EXCEPTION_KINDS, `expected one of ${DUTY_EXCEPTION_KINDS.join(', ')}`),
  startsAt: RosterTime('startsAt'),
  // A bare date includes that whole day.
  endsAt: RosterTime('endsAt'),
  note: z.string().trim().max(200, 'at most 200 characters').optional(),
})

const Shift = z.object({ day: z.number(), startMinute: z.number(), endMinute: z.number() })

const ExceptionSchema = z.object({
  id: z.string(),
  officerId: z.string(),
  kind: z.enum(DUTY_EXCEPTION_KINDS),
  onDuty: z.boolean(),
  startsAt: z.string(),
  endsAt: z.string(),
  note: z.string().nullable(),
  source: z.enum(['api', 'file']),
  createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
})

const OfficerSchema = z.object({
  id: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  badge: z.string(),
  role: z.string(),
  active: z.boolean(),
  duty: z.array(Shift),
  dutySpec: z.array(z.string()),
  dutySource: z.enum(['api', 'file']),
  onDuty: z.boolean(),
  nextOnDuty: z.string().nullable(),
  openCases: z.number(),
  capacity: z.number(),
  beats: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      nameEn: z.string().nullable(),
      as: z.enum(['primary', 'backup']),
    }),
  ),
  exceptions: z.array(ExceptionSchema),
})

const HandOverSchema = z.object({
  caseId: z.string(),
  number: z.string(),
  to: z.union([z.object({ officerId: z.string(), name: z.string() }), z.object({ desk: z.literal(true) })]),
})

/**
 * Duty rosters: every officer of the station may read who is on duty; only
 * supervisors and admins change patterns and exceptions.
 */
export async function rosterRoutes(base: FastifyInstance, options: RosterRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { roster } = options
  const editors = requireOfficer('supervisor', 'admin')

  app.get(
    '/api/roster',
    {
      onRequest: requireOfficer(),
      schema: {
        tags,
        summary: 'My station’s roster: weekly patterns, leave and swaps, who is on duty now',
        response: {
          200: z.object({
            stationId: z.string(),
            timeZone: z.string(),
            now: z.string(),
            officers: z.array(OfficerSchema),
          }),
        },
      },
    },
    async (request) => roster.list(request.officer!),
  )

  app.put(
    '/api/roster/officers/:id/duty',
    {
      onRequest: editors,
      schema: {
        tags,
        summary: 'Replace an officer’s weekly duty pattern (an empty list: always on duty)',
        params: IdParams,
        body: DutyBody,
        response: { 200: z.object({ officer: OfficerSchema }) },
      },
    },
    async (request) => ({
      officer: await roster.setDuty(request.officer!, request.params.id, request.body.duty),
    }),
  )

  app.post(
    '/api/roster/officers/:id/exceptions',
    {
      onRequest: editors,
      schema: {
        tags,
        summary:
          'Add leave, sick, training or a swapped shift; leave or sick from now hands the officer’s cases over',
        params: IdParams,
        body: ExceptionBody,
        response: {
          201: z.object({ exception: ExceptionSchema, handedOver: z.array(HandOverSchema) }),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await roster.addException(request.officer!, request.params.id, request.body)),
  )

  app.delete(
    '/api/roster/exceptions/:id',
    {
      onRequest: editors,
      schema: { tags, summary: 'Remove an exception to a weekly pattern', params: IdParams },
    },
    async (request, reply) => {
      await roster.removeException(request.officer!, request.params.id)
      return reply.status(204).send()
    },
  )
}
