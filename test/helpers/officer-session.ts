import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../../src/auth/passwords.ts'
import type { AppContext } from '../../src/context.ts'
import { seedIds } from '../../src/store/seed.ts'

export interface OfficerClient {
  officerId: string
  request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them
  ): Promise<{ status: number; body: any }>
}

/** A signed-in officer's session: the cookie's value and the CSRF token that goes with it. */
export interface OfficerSession {
  officerId: string
  cookie: string
  csrf: string
}

/** Gives the officer with this badge a test sign-in (if they have none) and signs in through the API. */
export async function openSession(
  ctx: AppContext,
  app: FastifyInstance,
  badge: string,
): Promise<OfficerSession> {
  const officerId = seedIds.officer(badge)
  const username = `t${badge}`
  const password = `pw-${badge}-long-enough`
  const existing = await ctx.database.db
    .selectFrom('officer_logins')
    .select('officer_id')
    .where('officer_id', '=', officerId)
    .executeTakeFirst()
  if (!existing)
    await ctx.officerLogins.create({ officerId, username, passwordHash: await hashPassword(password) })
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
  if (login.statusCode !== 200) throw new Error(`sign-in of ${badge} failed: ${login.body}`)
  const cookie = login.cookies.find((c) => c.name === 'mb_session')!.value
  return { officerId, cookie, csrf: (login.json() as { csrfToken: string }).csrfToken }
}

/** Signs the officer with this badge in and answers a client that sends requests as them. */
export async function signIn(ctx: AppContext, app: FastifyInstance, badge: string): Promise<OfficerClient> {
  const { officerId, cookie, csrf } = await openSession(ctx, app, badge)
  return {
    officerId,
    async request(method, url, body) {
      const response = await app.inject({
        method,
        url,
        cookies: { mb_session: cookie },
        headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
        ...(body !== undefined ? { payload: body as object } : {}),
      })
      return { status: response.statusCode, body: response.body ? response.json() : null }
    },
  }
}
