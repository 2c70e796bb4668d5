import { timingSafeEqual } from 'node:crypto'
import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { shareFreshReads } from '../../app/fresh-read.ts'
import type { SessionStore } from '../../auth/session-store.ts'
import type { Actor } from '../../domain/access.ts'
import { AppError } from '../../errors.ts'
import type { OfficerLogins } from '../../store/officer-logins.repository.ts'

export type Role = 'officer' | 'supervisor' | 'admin'

/** The signed-in officer, as every route and the inbox page see them. */
export interface Me {
  id: string
  name: string
  nameEn: string | null
  badge: string
  role: Role
  stationId: string
  stationCode: string
  stationName: string
  /** Beats where the officer is primary or backup. */
  beatIds: string[]
}

/** The session behind the current request; `id` is the cookie value and must not be logged. */
export interface OfficerSession {
  id: string
  csrfToken: string
  /** Milliseconds since the epoch. */
  createdAt: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in officer, or null: set on every request from the session cookie. */
    officer: Me | null
    officerSession: OfficerSession | null
  }
}

export const SESSION_COOKIE = 'mb_session'
export const CSRF_HEADER = 'x-csrf-token'

export interface AuthPluginOptions {
  sessions: SessionStore
  logins: Pick<OfficerLogins, 'profile'>
  /** `auto`: Secure when the request came over HTTPS (behind a proxy, with TRUST_PROXY). */
  cookieSecure: boolean | 'auto'
}

/** Sets the session cookie: httpOnly, SameSite=Strict, for the whole site, ending with the browser. */
export function setSessionCookie(reply: FastifyReply, id: string, secure: boolean | 'auto'): void {
  reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', secure })
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean | 'auto'): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure })
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Requests a forged cross-site form or script could send on a signed-in officer's behalf. */
function needsCsrfToken(request: FastifyRequest): boolean {
  if (!STATE_CHANGING.has(request.method)) return false
  const path = request.url.split('?')[0] ?? ''
  if (path !== '/api' && !path.startsWith('/api/')) return false
  return path !== '/api/auth/login'
}

function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Reads the session cookie on every request and sets `request.officer`; a
 * session whose officer was disabled or deactivated is ended on the spot.
 * Enforces the CSRF header on state-changing `/api` requests of a session.
 * Registered without encapsulation, so routes anywhere in the app see both.
 */
async function auth(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const { sessions, logins, cookieSecure } = options
  // Read fresh for every request (an officer marked inactive is refused at once), yet one read
  // serves all of an officer's requests that arrive while the previous read is under way.
  const shareProfile = shareFreshReads<Me | null>()
  const profileOf = (officerId: string) => shareProfile(officerId, () => logins.profile(officerId))
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie)
  app.decorateRequest('officer', null)
  app.decorateRequest('officerSession', null)

  app.addHook('onRequest', async (request, reply) => {
    const id = request.cookies[SESSION_COOKIE]
    if (id) {
      const session = await sessions.touch(id)
      const officer = session ? await profileOf(session.officerId) : null
      if (session && officer) {
        request.officer = officer
        request.officerSession = { id, csrfToken: session.csrfToken, createdAt: session.createdAt }
      } else {
        if (session) await sessions.destroy(id)
        clearSessionCookie(reply, cookieSecure)
      }
    }
    if (request.officerSession && needsCsrfToken(request)) {
      if (!sameToken(request.headers[CSRF_HEADER], request.officerSession.csrfToken)) {
        throw new AppError(
          'CSRF',
          `missing or wrong ${CSRF_HEADER} header: send the csrfToken from /api/auth/me with every change`,
        )
      }
    }
  })
}

Object.assign(auth, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'maplebridge-auth',
})

/** The session plugin; register it before any route that reads `request.officer`. */
export const authPlugin: FastifyPluginAsync<AuthPluginOptions> = auth

/**
 * A preHandler that lets only signed-in officers through (401 otherwise) and,
 * when roles are given, only officers holding one of them (403 otherwise).
 */
export function requireOfficer(...roles: Role[]): (request: FastifyRequest) => Promise<void> {
  return async function requireOfficerHook(request) {
    if (!request.officer) throw new AppError('UNAUTHORIZED', 'sign in first')
    if (roles.length > 0 && !roles.includes(request.officer.role)) {
      throw new AppError('FORBIDDEN', `only ${roles.join(' or ')} accounts may do this`)
    }
  }
}

/** The officer a request behind `requireOfficer` was made by (401 when there is none). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.officer) throw new AppError('UNAUTHORIZED', 'sign in first')
  return request.officer
}
