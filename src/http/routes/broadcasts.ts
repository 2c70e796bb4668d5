import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { BroadcastCommands } from '../../app/broadcasts/commands.ts'
import type { Composer } from '../../app/broadcasts/compose.ts'
import type { BroadcastReads } from '../../app/broadcasts/reads.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'
import {
  BroadcastDetailSchema,
  BroadcastParams,
  BroadcastSchema,
  DecisionBody,
  DraftBody,
  ListQuery,
  PreviewBody,
  PreviewSchema,
  ReportQuery,
  ReportSchema,
  TargetsSchema,
} from '../schemas/broadcasts.ts'

export interface BroadcastRouteOptions {
  compose: Composer
  commands: BroadcastCommands
  reads: BroadcastReads
}

const tags = ['broadcasts']

const One = z.object({ broadcast: BroadcastSchema })

/**
 * Station safety broadcasts: officers and supervisors compose and follow
 * them; supervisors approve the large and station-wide ones. Admins set the
 * station up and do not broadcast.
 */
export async function broadcastRoutes(base: FastifyInstance, options: BroadcastRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { compose, commands, reads } = options
  const staff = requireOfficer('officer', 'supervisor')
  const supervisors = requireOfficer('supervisor')

  app.get(
    '/api/broadcasts/targets',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'What a broadcast can target: beats, compounds, resident tags, WeChat groups',
        response: { 200: TargetsSchema },
      },
    },
    async (request) => reads.targets(actorOf(request)),
  )

  app.post(
    '/api/broadcasts/preview',
    {
      onRequest: staff,
      schema: {
        tags,
        summary:
          'How many residents and groups a draft reaches, through which accounts, and how long it takes',
        body: PreviewBody,
        response: { 200: PreviewSchema },
      },
    },
    async (request) => compose.preview(actorOf(request), request.body),
  )

  app.post(
    '/api/broadcasts',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Compose a broadcast (station-wide or large ones wait for a supervisor’s approval)',
        body: DraftBody,
        response: { 201: One },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ broadcast: await compose.create(actorOf(request), request.body) }),
  )

  app.get(
    '/api/broadcasts',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'The station’s broadcasts, newest first',
        querystring: ListQuery,
        response: {
          200: z.object({ broadcasts: z.array(BroadcastSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (request) =>
      reads.list(actorOf(request), {
        states: request.query.state,
        limit: request.query.limit,
        before: request.query.cursor ? new Date(request.query.cursor) : undefined,
      }),
  )

  app.get(
    '/api/broadcasts/:id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'One broadcast with its deliveries counted per account',
        params: BroadcastParams,
        response: { 200: z.object({ broadcast: BroadcastDetailSchema }) },
      },
    },
    async (request) => ({ broadcast: await reads.get(actorOf(request), request.params.id) }),
  )

  app.get(
    '/api/broadcasts/:id/report',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Failures with their reasons and what was skipped (author and supervisors; audited)',
        params: BroadcastParams,
        querystring: ReportQuery,
        response: { 200: ReportSchema },
      },
    },
    async (request) => reads.report(actorOf(request), request.params.id, request.query.limit),
  )

  app.post(
    '/api/broadcasts/:id/approve',
    {
      onRequest: supervisors,
      schema: {
        tags,
        summary: 'Approve a broadcast (a supervisor other than its author)',
        params: BroadcastParams,
        body: DecisionBody,
        response: { 200: One },
      },
    },
    async (request) => ({
      broadcast: await commands.approve(actorOf(request), request.params.id, request.body?.note ?? null),
    }),
  )

  app.post(
    '/api/broadcasts/:id/reject',
    {
      onRequest: supervisors,
      schema: {
        tags,
        summary: 'Reject a broadcast (a supervisor other than its author)',
        params: BroadcastParams,
        body: DecisionBody,
        response: { 200: One },
      },
    },
    async (request) => ({
      broadcast: await commands.reject(actorOf(request), request.params.id, request.body?.note ?? null),
    }),
  )

  for (const [action, summary] of [
    ['pause', 'Pause sending (author or supervisor)'],
    ['resume', 'Go on where it stopped, accounts paused on logout included (author or supervisor)'],
    ['cancel', 'Stop it for good: nothing more is sent (author or supervisor)'],
  ] as const) {
    app.post(
      `/api/broadcasts/:id/${action}`,
      { onRequest: staff, schema: { tags, summary, params: BroadcastParams, response: { 200: One } } },
      async (request) => ({ broadcast: await commands[action](actorOf(request), request.params.id) }),
    )
  }

  app.post(
    '/api/broadcasts/:id/resend-unconfirmed',
    {
      onRequest: staff,
      schema: {
        tags,
        summary:
          'Send again what a crashed worker left unconfirmed (it may arrive twice; author or supervisor)',
        params: BroadcastParams,
        response: { 200: z.object({ requeued: z.number() }) },
      },
    },
    async (request) => commands.resendUnconfirmed(actorOf(request), request.params.id),
  )
}
