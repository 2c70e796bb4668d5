import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AttachmentMeta } from '../../app/attachments.ts'
import { createViewMemory } from '../../app/cases/case-reads.ts'
import type { HomeWatch } from '../../app/forms/home-watch.ts'
import type { Clock } from '../../app/ports.ts'
import { LOCAL_TIME } from '../../domain/roster.ts'
import { AppError } from '../../errors.ts'
import type { AuditEntry } from '../../store/audit.repository.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import { CaseParams } from '../schemas/cases.ts'

export interface ServiceRequestRouteOptions {
  homeWatch: HomeWatch
  audit(entry: AuditEntry): Promise<void>
  clock: Clock
  /** Checks that a check's photo is one of the station's uploads. */
  pictures?: { pictureOf(stationId: string, id: string, field: string): Promise<AttachmentMeta> }
}

const tags = ['service requests']

const CheckSchema = z.object({
  id: z.string(),
  at: z.string(),
  day: z.string(),
  result: z.enum(['secure', 'attention']),
  note: z.string().nullable(),
  photoRef: z.string().nullable(),
  photoId: z.string().nullable().describe('the uploaded photo: GET /api/attachments/:id'),
  officer: z.object({ id: z.string(), name: z.string() }),
})

const HomeWatchSchema = z.object({
  requestId: z.string(),
  caseId: z.string(),
  caseNumber: z.string(),
  state: z.enum(['active', 'ended', 'cancelled']),
  address: z.string(),
  awayFrom: z.string(),
  backOn: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  keyHolderOrCamera: z.boolean(),
  notes: z.string().nullable(),
  timeZone: z.string(),
  days: z.array(
    z.object({
      date: z.string(),
      status: z.enum(['checked', 'attention', 'missed', 'due', 'upcoming', 'not-needed']),
      checks: z.array(CheckSchema),
    }),
  ),
})

const CheckBody = z
  .object({
    at: z
      .string()
      .trim()
      .regex(LOCAL_TIME, 'a time such as 2026-11-26T14:05 (station time) or 2026-11-26T14:05:00+08:00')
      .optional(),
    result: z.enum(['secure', 'attention'], 'expected "secure" or "attention"').default('secure'),
    note: z.string().trim().max(500, 'at most 500 characters').optional(),
    photoRef: z.string().trim().max(500, 'at most 500 characters').optional(),
    photoId: z
      .string()
      .trim()
      .min(1, 'must not be empty (leave it out instead)')
      .max(100, 'at most 100 characters')
      .optional()
      .describe('a photo uploaded with POST /api/attachments: the resident gets it with the message'),
  })
  .refine((b) => b.result === 'secure' || (b.note ?? '') !== '', {
    path: ['note'],
    message: 'say what needs attention: the resident is told',
  })

/** A second look at the same home watch by the same officer within this time is not audited again. */
const VIEW_AUDIT_WINDOW_MS = 60_000

/** The officer's side of service requests: a home watch's period and checks, recording a check, ending it. */
export async function serviceRequestRoutes(
  base: FastifyInstance,
  options: ServiceRequestRouteOptions,
): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { homeWatch } = options
  const signedIn = requireOfficer()
  const views = createViewMemory(VIEW_AUDIT_WINDOW_MS)

  app.get(
    '/api/cases/:id/home-watch',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'The home watch of a case: period, emergency contact, each day and its checks (audited)',
        params: CaseParams,
        response: { 200: z.object({ homeWatch: HomeWatchSchema }) },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const view = await homeWatch.view(actor, request.params.id)
      if (views.firstSince(`${actor.id} ${view.requestId}`, options.clock.now().getTime())) {
        await options.audit({
          stationId: actor.stationId,
          actor: actor.id,
          action: 'home_watch.viewed',
          subjectType: 'service_request',
          subjectId: view.requestId,
        })
      }
      return { homeWatch: view }
    },
  )

  app.post(
    '/api/cases/:id/home-watch/checks',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Record a check of the home; the resident is told at once',
        params: CaseParams,
        body: CheckBody,
        response: { 201: z.object({ check: CheckSchema, homeWatch: HomeWatchSchema }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const body = request.body
      if (body.photoId) {
        if (!options.pictures) throw new AppError('INVALID_INPUT', 'photoId: photos cannot be taken here')
        await options.pictures.pictureOf(actor.stationId, body.photoId, 'photoId')
      }
      const check = await homeWatch.recordCheck(actor, request.params.id, {
        ...(body.at ? { at: body.at } : {}),
        result: body.result,
        note: body.note ?? null,
        photoRef: body.photoRef ?? null,
        photoId: body.photoId ?? null,
      })
      return reply.status(201).send({ check, homeWatch: await homeWatch.view(actor, request.params.id) })
    },
  )

  app.post(
    '/api/cases/:id/home-watch/end',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'End the home watch early: the resident gets the summary and the case resolves',
        params: CaseParams,
        response: { 200: z.object({ homeWatch: HomeWatchSchema }) },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await homeWatch.endByOfficer(actor, request.params.id)
      return { homeWatch: await homeWatch.view(actor, request.params.id) }
    },
  )
}
