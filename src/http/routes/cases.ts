import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { CaseCommands } from '../../app/cases/case-commands.ts'
import type { CaseReads } from '../../app/cases/case-reads.ts'
import type { JsonText } from '../../app/cases/views.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import {
  AssignBody,
  CaseDetailSchema,
  CaseParams,
  CaseSummarySchema,
  ListQuery,
  MessageSchema,
  NoteBody,
  PatchBody,
  ReopenBody,
  ReplyBody,
  StatusBody,
} from '../schemas/cases.ts'

export interface CaseRouteOptions {
  reads: CaseReads
  commands: CaseCommands
}

/** A page of the case list (the database writes it: see store/case-query.repository.ts). */
export const CaseListResponse = z.object({
  cases: z.array(CaseSummarySchema),
  nextCursor: z.string().nullable(),
})

/** One case with its messages, resident and history (the database writes it too). */
export const CaseDetailResponse = z.object({
  case: CaseDetailSchema,
  messages: z.array(MessageSchema),
  resident: z
    .object({
      id: z.string(),
      code: z.string(),
      name: z.string().nullable(),
      language: z.enum(['zh', 'en']),
      compound: z.string().nullable(),
      beat: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
      tags: z.array(z.string()),
      earlierCases: z.array(CaseSummarySchema),
    })
    .nullable(),
  history: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      actor: z.object({ id: z.string(), name: z.string() }).nullable(),
      action: z.string(),
      detail: z.unknown(),
    }),
  ),
})

const tags = ['cases']

/**
 * Sends JSON the database wrote in the shape of the route's response schema
 * (the schema still documents it): a string with a JSON content type passes
 * Fastify's serializer untouched, which spares parsing and writing it again.
 */
function sendJsonText<T>(reply: FastifyReply, text: JsonText<T>): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text)
}

/** The inbox's case API: everything an officer does to a case goes through here. */
export async function caseRoutes(base: FastifyInstance, options: CaseRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { reads, commands } = options
  const signedIn = requireOfficer()

  app.get(
    '/api/cases',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'List cases, sorted by what is due',
        querystring: ListQuery,
        response: { 200: CaseListResponse },
      },
    },
    async (request, reply) => {
      const q = request.query
      const page = await reads.listJson(actorOf(request), {
        queue: q.queue,
        status: q.status,
        category: q.category,
        beatId: q.beat,
        assigneeId: q.assignee,
        overdue: q.overdue,
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
      })
      return sendJsonText(reply, page)
    },
  )

  app.get(
    '/api/queues',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Open case counts per queue',
        response: {
          200: z.object({
            mine: z.number(),
            beats: z.number(),
            unassigned: z.number(),
            escalated: z.number(),
            all: z.number(),
          }),
        },
      },
    },
    async (request) => reads.counts(actorOf(request)),
  )

  app.get(
    '/api/cases/:id',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'One case with its messages, resident and history (audited)',
        params: CaseParams,
        response: { 200: CaseDetailResponse },
      },
    },
    async (request, reply) => sendJsonText(reply, await reads.getJson(actorOf(request), request.params.id)),
  )

  const detail = (_request: FastifyRequest, id: string) => reads.afterChange(id)

  app.post(
    '/api/cases/:id/replies',
    {
      onRequest: signedIn,
      schema: { tags, summary: 'Reply to the resident', params: CaseParams, body: ReplyBody },
    },
    async (request, reply) => {
      const messageId = await commands.reply(actorOf(request), request.params.id, request.body)
      return reply.status(201).send({
        message: await reads.message(request.params.id, messageId),
        case: await detail(request, request.params.id),
      })
    },
  )

  app.post(
    '/api/cases/:id/notes',
    {
      onRequest: signedIn,
      schema: { tags, summary: 'Add an internal note (never sent)', params: CaseParams, body: NoteBody },
    },
    async (request, reply) => {
      const messageId = await commands.note(actorOf(request), request.params.id, request.body)
      return reply.status(201).send({ message: await reads.message(request.params.id, messageId) })
    },
  )

  app.post(
    '/api/cases/:id/assign',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Assign or transfer to an officer or the duty desk',
        params: CaseParams,
        body: AssignBody,
      },
    },
    async (request) => {
      const body = request.body
      const target = 'officerId' in body ? { officerId: body.officerId } : { desk: true as const }
      await commands.assign(actorOf(request), request.params.id, { version: body.version, target })
      return { case: await detail(request, request.params.id) }
    },
  )

  app.patch(
    '/api/cases/:id',
    {
      onRequest: signedIn,
      schema: { tags, summary: 'Change category or priority', params: CaseParams, body: PatchBody },
    },
    async (request) => {
      await commands.update(actorOf(request), request.params.id, request.body)
      return { case: await detail(request, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/status',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Move a case along (the resident is told)',
        params: CaseParams,
        body: StatusBody,
      },
    },
    async (request) => {
      await commands.setStatus(actorOf(request), request.params.id, request.body)
      return { case: await detail(request, request.params.id) }
    },
  )

  app.post(
    '/api/cases/:id/reopen',
    {
      onRequest: signedIn,
      schema: { tags, summary: 'Reopen a resolved or closed case', params: CaseParams, body: ReopenBody },
    },
    async (request) => {
      await commands.reopen(actorOf(request), request.params.id, request.body)
      return { case: await detail(request, request.params.id) }
    },
  )

  app.post(
    '/api/messages/:id/retry',
    { onRequest: signedIn, schema: { tags, summary: 'Send a failed message again', params: CaseParams } },
    async (request, reply) => {
      await commands.retry(actorOf(request), request.params.id)
      return reply.status(202).send({ queued: true })
    },
  )
}
