import type { FastifyReply, FastifyRequest } from 'fastify'

export interface EventStreamOptions {
  /**
   * Starts listening and returns how to stop. `send` writes one ready-made SSE
   * frame; frames that arrive before the stream is open are dropped (the client
   * reloads what it shows once it sees the stream open).
   */
  subscribe(send: (frame: string) => void): Promise<() => Promise<void>>
  /** Checked at every heartbeat; false ends the stream (a session that ended, say). */
  stillWanted?: () => Promise<boolean>
  heartbeatMs?: number
  retryMs?: number
}

/** Formats one Server-Sent Event. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return id ? sseFrameWithId(id, sseEventBody(event, data)) : sseEventBody(event, data)
}

/** The event and data lines of a frame: formatted once for an event that many streams send. */
export function sseEventBody(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** A frame from a body of `sseEventBody` and this stream's own event id. */
export function sseFrameWithId(id: string, body: string): string {
  return `id: ${id}\n${body}`
}

/**
 * Opens a Server-Sent Events stream. It subscribes before it tells the client
 * it is connected, so nothing published after "connected" is missed, and it
 * cleans up however the client leaves, even while the subscription is starting.
 */
export async function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: EventStreamOptions,
): Promise<void> {
  const raw = reply.raw
  let closed = false
  let stop: (() => Promise<void>) | null = null
  let heartbeat: NodeJS.Timeout | undefined
  request.raw.on('close', () => {
    closed = true
    clearInterval(heartbeat)
    void stop?.()
  })
  reply.hijack()
  stop = await options.subscribe((frame) => {
    if (raw.headersSent && !raw.writableEnded) raw.write(frame)
  })
  if (closed) {
    await stop()
    return
  }
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  raw.write(`retry: ${options.retryMs ?? 3000}\n: connected\n\n`)
  heartbeat = setInterval(() => {
    const wanted = options.stillWanted ? options.stillWanted() : Promise.resolve(true)
    wanted.then(
      (yes) => {
        if (!yes) raw.end()
        else if (!raw.writableEnded) raw.write(': ping\n\n')
      },
      () => {
        if (!raw.writableEnded) raw.write(': ping\n\n')
      },
    )
  }, options.heartbeatMs ?? 20_000)
}
