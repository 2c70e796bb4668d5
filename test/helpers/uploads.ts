import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../src/context.ts'
import { type OfficerSession, openSession } from './officer-session.ts'

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them
type Loose = any

export interface PictureClient {
  officerId: string
  /** The session the client signed in with, for requests it does not make itself. */
  session: OfficerSession
  /** POST /api/attachments with these bytes as the body; `type` null leaves Content-Type out. */
  upload(
    bytes: Buffer,
    type: string | null,
    options?: { csrf?: boolean },
  ): Promise<{ status: number; body: Loose }>
  /** GET of a picture (or anything) with the session; answers the raw response. */
  get(
    url: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }>
  /** A JSON call, as the inbox makes it. */
  json(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: Loose }>
}

/** Signs the officer with this badge in (making them a sign-in first) and uploads and reads pictures as them. */
export async function pictureClient(
  ctx: AppContext,
  app: FastifyInstance,
  badge: string,
): Promise<PictureClient> {
  const session = await openSession(ctx, app, badge)
  const { officerId, cookie, csrf } = session
  const cookies = { mb_session: cookie }
  return {
    officerId,
    session,
    async upload(bytes, type, options = {}) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/attachments',
        cookies,
        headers: {
          ...(type === null ? {} : { 'content-type': type }),
          ...(options.csrf === false ? {} : { 'x-csrf-token': csrf }),
        },
        payload: bytes,
      })
      return { status: res.statusCode, body: res.body ? res.json() : null }
    },
    async get(url, headers = {}) {
      const res = await app.inject({ method: 'GET', url, cookies, headers })
      return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload }
    },
    async json(method, url, body) {
      const res = await app.inject({
        method,
        url,
        cookies,
        headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
        ...(body !== undefined ? { payload: body as object } : {}),
      })
      return { status: res.statusCode, body: res.body ? res.json() : null }
    },
  }
}
