import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Clock, Directory, InboundStore } from '../../app/ports.ts'
import { officerOnDuty } from '../../domain/duty.ts'
import { AppError } from '../../errors.ts'
import type { CannedReplies } from '../../store/canned-replies.repository.ts'
import type { Database } from '../../store/db.ts'
import { requireOfficer } from '../plugins/auth.ts'

export interface StationRouteOptions {
  directory: Directory
  inboundStore: InboundStore
  canned: CannedReplies
  db: Database
  clock: Clock
}

const CannedBody = z.object({
  shortcut: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]{1,30}$/, 'lowercase letters, digits, - and _, at most 30'),
  title: z.string().trim().min(1, 'must not be empty').max(60),
  body: z.string().trim().min(1, 'must not be empty').max(2000),
  language: z.enum(['zh', 'en']).default('zh'),
})
const IdParams = z.object({ id: z.string().min(1).max(100) })

/** Station reference data the inbox needs: officers to transfer to, canned replies, the audit log. */
export async function stationRoutes(base: FastifyInstance, options: StationRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const editors = requireOfficer('supervisor', 'admin')

  app.get(
    '/api/officers',
    {
      onRequest: requireOfficer(),
      schema: { tags: ['station'], summary: 'Officers of my station, with duty and load' },
    },
    async (request) => {
      const me = request.officer!
      const dir = await options.directory.get()
      const station = dir.stations.get(me.stationId)
      const officers = [...dir.officers.values()].filter((o) => o.stationId === me.stationId)
      const counts = await options.inboundStore.openCaseCounts(officers.map((o) => o.id))
      const now = options.clock.now()
      return {
        officers: officers
          .sort((a, b) => a.badge.localeCompare(b.badge))
          .map((o) => ({
            id: o.id,
            name: o.name,
            nameEn: o.nameEn,
            badge: o.badge,
            role: o.role,
            team: o.team,
            active: o.active,
            onDuty: officerOnDuty(o, now, station?.timeZone ?? 'Asia/Shanghai'),
            openCases: counts.get(o.id) ?? 0,
            capacity: o.capacity,
            beats: dir.beatsOfOfficer(o.id).map((b) => ({ id: b.id, code: b.code, name: b.name })),
          })),
      }
    },
  )

  app.get(
    '/api/canned-replies',
    { onRequest: requireOfficer(), schema: { tags: ['station'], summary: 'Canned replies of my station' } },
    async (request) => ({ replies: await options.canned.list(request.officer!.stationId) }),
  )

  app.post(
    '/api/canned-replies',
    { onRequest: editors, schema: { tags: ['station'], summary: 'Add a canned reply', body: CannedBody } },
    async (request, reply) => {
      try {
        return reply.status(201).send(await options.canned.create(request.officer!.stationId, request.body))
      } catch (error) {
        if (/unique|duplicate/i.test((error as Error).message)) {
          throw new AppError(
            'CONFLICT',
            `shortcut "${request.body.shortcut}" is already used in this language`,
          )
        }
        throw error
      }
    },
  )

  app.put(
    '/api/canned-replies/:id',
    {
      onRequest: editors,
      schema: { tags: ['station'], summary: 'Change a canned reply', params: IdParams, body: CannedBody },
    },
    async (request) => {
      const ok = await options.canned.update(request.officer!.stationId, request.params.id, request.body)
      if (!ok) throw new AppError('NOT_FOUND', `canned reply ${request.params.id} does not exist`)
      return { id: request.params.id, ...request.body }
    },
  )

  app.delete(
    '/api/canned-replies/:id',
    {
      onRequest: editors,
      schema: { tags: ['station'], summary: 'Remove a canned reply', params: IdParams },
    },
    async (request, reply) => {
      const ok = await options.canned.remove(request.officer!.stationId, request.params.id)
      if (!ok) throw new AppError('NOT_FOUND', `canned reply ${request.params.id} does not exist`)
      return reply.status(204).send()
    },
  )

  app.get(
    '/api/audit',
    {
      onRequest: editors,
      schema: {
        tags: ['station'],
        summary: 'The audit log of my station (newest first)',
        querystring: z.object({
          subjectId: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (request) => {
      let q = options.db
        .selectFrom('audit_events as a')
        .leftJoin('officers as o', 'o.id', 'a.actor')
        .select([
          'a.id',
          'a.at',
          'a.actor',
          'o.name as actor_name',
          'a.action',
          'a.subject_type',
          'a.subject_id',
          'a.detail',
        ])
        .where('a.station_id', '=', request.officer!.stationId)
      if (request.query.subjectId) q = q.where('a.subject_id', '=', request.query.subjectId)
      const rows = await q.orderBy('a.at', 'desc').limit(request.query.limit).execute()
      return {
        events: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actor: { id: r.actor, name: r.actor_name },
          action: r.action,
          subject: { type: r.subject_type, id: r.subject_id },
          detail: r.detail,
        })),
      }
    },
  )
}
