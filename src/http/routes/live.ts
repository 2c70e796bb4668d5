import type { FastifyInstance } from 'fastify'
import type { LiveEvent } from '../../app/ports.ts'
import type { Actor } from '../../domain/access.ts'
import { liveChannel } from '../../queues/dispatcher.ts'
import type { LiveHub } from '../../queues/live-hub.ts'
import { requireOfficer } from '../plugins/auth.ts'
import { openEventStream, sseFrame } from '../sse.ts'

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
    { onRequest: requireOfficer(), schema: { tags: ['live'], summary: 'Server-Sent Events for the inbox' } },
    async (request, reply) => {
      const actor = request.officer!
      const sessionId = request.officerSession?.id
      let sequence = 0
      await openEventStream(request, reply, {
        retryMs: 2000,
        heartbeatMs: options.heartbeatMs,
        // A stream outlives no session: logging out or being disabled ends it at the next beat.
        stillWanted: () => (sessionId ? options.sessionAlive(sessionId) : Promise.resolve(false)),
        subscribe: (send) =>
          options.hub.subscribe(liveChannel(options.queuePrefix, actor.stationId), (payload) => {
            let event: LiveEvent
            try {
              event = JSON.parse(payload) as LiveEvent
            } catch {
              return
            }
            if (!mayReceive(actor, event)) return
            const id = `${Date.now()}-${++sequence}`
            if (event.type === 'message.delivery') {
              send(
                sseFrame(
                  'delivery',
                  { caseId: event.caseId, messageId: event.messageId, state: event.state },
                  id,
                ),
              )
            } else {
              const kind = event.type.slice('case.'.length)
              const data = {
                caseId: event.caseId,
                kind,
                messageId: event.messageId ?? null,
                emergency: event.emergency ?? false,
              }
              send(sseFrame('case', data, id))
            }
          }),
      })
    },
  )
}
