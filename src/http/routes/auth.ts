import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Clock } from '../../app/ports.ts'
import type { LoginLimiter } from '../../auth/login-limiter.ts'
import { MAX_PASSWORD_LENGTH, verifyDummy, verifyPassword } from '../../auth/passwords.ts'
import type { SessionStore } from '../../auth/session-store.ts'
import { AppError } from '../../errors.ts'
import type { OfficerLogins } from '../../store/officer-logins.repository.ts'
import { clearSessionCookie, requireOfficer, setSessionCookie } from '../plugins/auth.ts'
import { parseInput } from '../validate.ts'

export interface AuthRouteOptions {
  sessions: SessionStore
  limiter: LoginLimiter
  logins: OfficerLogins
  clock: Clock
  cookieSecure: boolean | 'auto'
}

export const LoginBody = z.object({
  username: z.string('is required').trim().min(1, 'must not be empty').max(100, 'at most 100 characters'),
  password: z
    .string('is required')
    .min(1, 'must not be empty')
    .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`),
})

const INVALID = 'Wrong username or password.'

function lockedMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60)
  return `Too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask your station's admin to reset your password.`
}

/** Sign in, who am I, sign out: `/api/auth/*` as docs/inbox-api.md describes. */
export async function authRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const { sessions, limiter, logins, clock, cookieSecure } = options
  // The first unknown-user check would otherwise also pay for hashing the dummy.
  await verifyDummy('')

  app.post('/api/auth/login', async (request, reply) => {
    const body = parseInput(LoginBody, request.body)
    const limit = await limiter.check(body.username, request.ip)
    if (limit.locked) {
      request.log.warn('sign-in refused: locked')
      throw new AppError('LOCKED', lockedMessage(limit.retryAfterSeconds), {
        retryAfterSeconds: limit.retryAfterSeconds,
      })
    }

    const candidate = await logins.findForLogin(body.username)
    const matches = candidate
      ? await verifyPassword(candidate.passwordHash, body.password)
      : await verifyDummy(body.password)
    if (!candidate || !matches) {
      const after = await limiter.recordFailure(body.username, request.ip)
      request.log.warn({ locked: after.locked }, 'sign-in failed')
      throw new AppError('INVALID_CREDENTIALS', INVALID)
    }
    // Said only to someone who knows the password: it reveals nothing to a guesser.
    const officer = candidate.disabled ? null : await logins.profile(candidate.officerId)
    if (!officer) {
      throw new AppError('FORBIDDEN', 'This account is disabled: ask your station’s admin.')
    }

    await limiter.recordSuccess(body.username)
    const stale = request.officerSession
    if (stale) await sessions.destroy(stale.id)
    const { id, session } = await sessions.create({
      officerId: officer.id,
      stationId: officer.stationId,
      role: officer.role,
    })
    const at = clock.now()
    await logins.recordLogin(officer.id, at)
    await logins.audit({
      actor: officer.id,
      action: 'auth.login',
      officerId: officer.id,
      stationId: officer.stationId,
      at,
    })
    request.log.info({ officerId: officer.id }, 'officer signed in')
    setSessionCookie(reply, id, cookieSecure)
    return { officer, csrfToken: session.csrfToken }
  })

  app.get('/api/auth/me', { preHandler: requireOfficer() }, async (request) => ({
    officer: request.officer,
    csrfToken: request.officerSession?.csrfToken,
  }))

  app.post('/api/auth/logout', async (request, reply) => {
    const { officer, officerSession } = request
    if (officer && officerSession) {
      await sessions.destroy(officerSession.id)
      await logins.audit({
        actor: officer.id,
        action: 'auth.logout',
        officerId: officer.id,
        stationId: officer.stationId,
        at: clock.now(),
      })
      request.log.info({ officerId: officer.id }, 'officer signed out')
    }
    clearSessionCookie(reply, cookieSecure)
    return reply.status(204).send()
  })
}
