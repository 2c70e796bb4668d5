import type { FastifyInstance } from 'fastify'
import type { LiveEvent } from '../../app/ports.ts'
import type { Actor } from '../../domain/access.ts'
import { liveChannel } from '../../queues/dispatcher.ts'
import type { LiveHub } from '../../queues/live-hub.ts'
import { requireOfficer } from '../plugins/auth.ts'
import { openEventStream, sseEventBody, sseFrame, sseFrameWithId } from '../sse.ts'

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

/** Frame bodies of the events being delivered, formatted once for every stream that sends them. */
const bodies = new WeakMap<LiveEvent, string>()

function sharedBody(event: LiveEvent): string {
  let body = bodies.get(event)
  if (body === undefined) {
    body =
      event.type === 'message.delivery'
        ? sseEventBody('delivery', { caseId: event.caseId, messageId: event.messageId, state: event.state })
        : event.broadcast
          ? sseEventBody('broadcast', { kind: event.type.slice('broadcast.'.length), ...event.broadcast })
          : sseEventBody('case', {
              caseId: event.caseId,
              kind: event.type.slice('case.'.length),
              messageId: event.messageId ?? null,
              emergency: event.emergency ?? false,
            })
    bodies.set(event, body)
  }
  return body
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
          // The hub parses each event once for all the streams of the process (a station's
          // thousand streams would otherwise parse it a thousand times), and its frame is
          // formatted once too: only the event id is the stream's own.
          options.hub.subscribeJson(liveChannel(options.queuePrefix, actor.stationId), (value) => {
            const event = value as LiveEvent
            if (!mayReceive(actor, event)) return
            const id = `${Date.now()}-${++sequence}`
            if (event.type === 'officer.digest') {
              // A digest is the officer's own: nobody else's stream shows it.
              if (event.assigneeId === actor.id && event.digest) send(sseFrame('digest', event.digest, id))
            } else {
              send(sseFrameWithId(id, sharedBody(event)))
            }
          }),
      })
    },
  )
}
