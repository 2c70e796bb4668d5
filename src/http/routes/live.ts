import type { FastifyInstance } from 'fastify'
import type { LiveEvent } from '../../app/ports.ts'
import type { Actor } from '../../domain/access.ts'
import { liveChannel } from '../../queues/dispatcher.ts'
import type { LiveHub } from '../../queues/live-hub.ts'
import { requireOfficer } from '../plugins/auth.ts'

export interface LiveRouteOptions {
  hub: LiveHub
  /** Checks the session is still valid (not logged out, expired or disabled) while the stream is open. */
  sessionAlive(sessionId: string): Promise<boolean>
  queuePrefix: string
  heartbeatMs?: number
}

/** Whether a live event concerns a case the actor may see (mirrors the case access rules). */
export function mayReceive(actor: Actor, event: LiveEvent): boolean {
  if (event.stationId !== actor.stationId) return false
  if (actor.role === 'supervisor') return true
  if (actor.role === 'admin') return false
  return (
    event.assigneeId === actor.id ||
    event.assigneeId === null ||
    (!!event.beatId && actor.beatIds.includes(event.beatId))
  )
}

/**
 * The inbox's live stream. Events arrive over Redis pub/sub from whichever
 * process made the change, so several API processes serve the same view.
 */
export async function liveRoutes(app: FastifyInstance, options: LiveRouteOptions): Promise<void> {
  app.get(
    '/api/stream',
    { preHandler: requireOfficer(), schema: { tags: ['live'], summary: 'Server-Sent Events for the inbox' } },
    async (request, reply) => {
      const actor = request.officer!
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      raw.write('retry: 2000\n: connected\n\n')
      let sequence = 0
      const unsubscribe = await options.hub.subscribe(
        liveChannel(options.queuePrefix, actor.stationId),
        (payload) => {
          let event: LiveEvent
          try {
            event = JSON.parse(payload) as LiveEvent
          } catch {
            return
          }
          if (!mayReceive(actor, event) || raw.writableEnded) return
          sequence++
          const id = `${Date.now()}-${sequence}`
          if (event.type === 'message.delivery') {
            raw.write(
              `id: ${id}\nevent: delivery\ndata: ${JSON.stringify({ caseId: event.caseId, messageId: event.messageId, state: event.state })}\n\n`,
            )
          } else {
            const kind = event.type.slice('case.'.length)
            raw.write(
              `id: ${id}\nevent: case\ndata: ${JSON.stringify({ caseId: event.caseId, kind, messageId: event.messageId ?? null, emergency: event.emergency ?? false })}\n\n`,
            )
          }
        },
      )
      const sessionId = request.officerSession?.id
      const heartbeat = setInterval(() => {
        // A stream outlives no session: logging out or being disabled ends it at the next beat.
        void (sessionId ? options.sessionAlive(sessionId) : Promise.resolve(false)).then(
          (alive) => {
            if (!alive) raw.end()
            else raw.write(': ping\n\n')
          },
          () => raw.write(': ping\n\n'),
        )
      }, options.heartbeatMs ?? 20_000)
      request.raw.on('close', () => {
        clearInterval(heartbeat)
        void unsubscribe()
      })
    },
  )
}
