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

/** Gives the officer with this badge a sign-in (if they have none) and signs in through the API. */
export async function signIn(ctx: AppContext, app: FastifyInstance, badge: string): Promise<OfficerClient> {
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
  const cookie = login.cookies.find((c) => c.name === 'mb_session')!
  const csrf = (login.json() as { csrfToken: string }).csrfToken
  return {
    officerId,
    async request(method, url, body) {
      const response = await app.inject({
        method,
        url,
        cookies: { mb_session: cookie.value },
        headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
        ...(body !== undefined ? { payload: body as object } : {}),
      })
      return { status: response.statusCode, body: response.body ? response.json() : null }
    },
  }
}
