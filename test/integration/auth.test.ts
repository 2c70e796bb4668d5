import { createHash } from 'node:crypto'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSessionStore } from '../../src/auth/session-store.ts'
import { ensureDemoLogins } from '../../src/cli/demo-logins.ts'
import { officerCommand } from '../../src/cli/officer.ts'
import { loadConfig } from '../../src/config.ts'
import { registerErrorHandler } from '../../src/http/error-handler.ts'
import { authPlugin, requireOfficer } from '../../src/http/plugins/auth.ts'
import { authRoutes } from '../../src/http/routes/auth.ts'
import { testEngines } from '../helpers/db.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const PASSWORDS = {
  liming: 'li-ming-secret-77',
  wangfang: 'wang-fang-secret-88',
  zhangwei: 'zhang-wei-secret-99',
  zhaoguoqiang: 'zhao-super-secret-11',
  sunxiaoyan: 'sun-admin-secret-22',
  fqofficer: 'fengqiao-secret-33',
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
const MINUTE = 60_000

for (const engine of testEngines()) {
  describe(`officer sign-in and sessions (${engine.name})`, () => {
    let stack: TestStack
    let app: FastifyInstance
    /** The auth plugin on its own app, with probe routes in an encapsulated child plugin. */
    let probe: FastifyInstance
    const logLines: string[] = []
    /** Every cookie and CSRF token handed out: none may ever show up in the logs. */
    const secrets = new Set<string>(Object.values(PASSWORDS))
    const cliOutput: string[] = []
    let ipCounter = 0
    /** Each test signs in from its own address, so the per-address limit does not leak between tests. */
    const freshIp = () => {
      ipCounter++
      return `10.20.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`
    }

    const cli = async (...argv: string[]) => {
      cliOutput.length = 0
      return officerCommand(argv, {
        db: stack.ctx.database.db,
        sessions: stack.ctx.sessions,
        print: (line) => cliOutput.push(line),
      })
    }

    beforeAll(async () => {
      stack = await startTestStack({
        database: await engine.open(),
        label: `auth-${engine.name}`,
        roles: ['api'],
        env: { LOG_LEVEL: 'debug' },
        logDestination: { write: (line) => void logLines.push(line) },
      })
      app = stack.app!
      // Timeouts are checked to the minute from here: the clock stands still until a test moves it.
      stack.clock.set(ON_DUTY)
      const logins: Array<[string, string, keyof typeof PASSWORDS]> = [
        ['330104', 'CQ', 'liming'],
        ['330105', 'CQ', 'wangfang'],
        ['330106', 'CQ', 'zhangwei'],
        ['330110', 'CQ', 'zhaoguoqiang'],
        ['330111', 'CQ', 'sunxiaoyan'],
        ['681001', 'FQ', 'fqofficer'],
      ]
      for (const [badge, station, username] of logins) {
        const code = await cli(
          'add',
          '--badge',
          badge,
          '--station',
          station,
          '--username',
          username,
          '--password',
          PASSWORDS[username],
        )
        expect(code, cliOutput.join('\n')).toBe(0)
      }

      probe = Fastify({ trustProxy: true })
      registerErrorHandler(probe)
      const { ctx } = stack
      await probe.register(authPlugin, {
        sessions: ctx.sessions,
        logins: ctx.officerLogins,
        cookieSecure: 'auto',
      })
      await probe.register(authRoutes, {
        sessions: ctx.sessions,
        limiter: ctx.loginLimiter,
        logins: ctx.officerLogins,
        clock: ctx.clock,
        cookieSecure: 'auto',
      })
      await probe.register(async (child) => {
        child.get('/api/probe/whoami', { preHandler: requireOfficer() }, async (request) => ({
          officer: request.officer,
        }))
        child.post(
          '/api/probe/supervise',
          { preHandler: requireOfficer('supervisor', 'admin') },
          async () => ({
            ok: true,
          }),
        )
        child.post('/elsewhere/change', async (request) => ({ signedIn: request.officer !== null }))
      })
      await probe.ready()
    })
    afterEach(() => {
      stack.clock.set(ON_DUTY)
    })
    afterAll(async () => {
      await probe?.close()
      await stack?.stop()
    })

    interface SignIn {
      res: LightMyRequestResponse
      cookie: string
      csrf: string
    }

    const login = async (
      username: string,
      password: string,
      options: { ip?: string; cookie?: string; on?: FastifyInstance; headers?: Record<string, string> } = {},
    ): Promise<SignIn> => {
      const res = await (options.on ?? app).inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
        remoteAddress: options.ip ?? freshIp(),
        headers: options.headers,
        cookies: options.cookie ? { mb_session: options.cookie } : undefined,
      })
      const cookie = res.cookies.find((c) => c.name === 'mb_session')?.value ?? ''
      const csrf = res.statusCode === 200 ? (res.json().csrfToken as string) : ''
      if (cookie) secrets.add(cookie)
      if (csrf) secrets.add(csrf)
      return { res, cookie, csrf }
    }

    const me = (cookie: string, on: FastifyInstance = app) =>
      on.inject({ method: 'GET', url: '/api/auth/me', cookies: { mb_session: cookie } })

    const logout = (cookie: string, csrf?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        cookies: { mb_session: cookie },
        headers: csrf === undefined ? {} : { 'x-csrf-token': csrf },
      })

    const auditOf = (officerId: string) =>
      stack.ctx.database.db
        .selectFrom('audit_events')
        .select(['actor', 'action', 'subject_type', 'subject_id', 'station_id'])
        .where('subject_id', '=', officerId)
        .orderBy('at')
        .execute()

    it('signs in, answers who is signed in, and signs out on the server', async () => {
      const { res, cookie, csrf } = await login('liming', PASSWORDS.liming)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.officer).toEqual({
        id: 'of-330104',
        name: '李明',
        nameEn: 'Li Ming',
        badge: '330104',
        role: 'officer',
        stationId: 'st-cq',
        stationCode: 'CQ',
        stationName: '长庆派出所',
        beatIds: expect.arrayContaining(['bt-cq-01']),
      })
      expect(csrf).toMatch(/^[\w-]{43}$/)
      const setCookie = res.cookies.find((c) => c.name === 'mb_session')!
      expect(setCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
      expect(setCookie.secure).toBeFalsy()
      expect(setCookie.maxAge).toBeUndefined()

      const who = await me(cookie)
      expect(who.statusCode).toBe(200)
      expect(who.json()).toEqual({ officer: body.officer, csrfToken: csrf })

      // Only the hash of the cookie is a key in Redis.
      const redis = stack.ctx.redis.producer
      const prefix = stack.ctx.config.QUEUE_PREFIX
      expect(await redis.exists(`${prefix}:session:${sha256(cookie)}`)).toBe(1)
      expect(await redis.exists(`${prefix}:session:${cookie}`)).toBe(0)
      expect(await redis.get(`${prefix}:session:${sha256(cookie)}`)).not.toContain(cookie)
      expect(await redis.sismember(`${prefix}:officer-sessions:of-330104`, sha256(cookie))).toBe(1)

      const out = await logout(cookie, csrf)
      expect(out.statusCode).toBe(204)
      expect(out.cookies.find((c) => c.name === 'mb_session')?.value).toBe('')
      expect(await redis.exists(`${prefix}:session:${sha256(cookie)}`)).toBe(0)

      // Replaying the old cookie after logout does not work.
      const replay = await me(cookie)
      expect(replay.statusCode).toBe(401)
      expect(replay.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'sign in first' } })

      const audit = await auditOf('of-330104')
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.login', 'auth.logout']))
      for (const entry of audit.filter((a) => ['auth.login', 'auth.logout'].includes(a.action))) {
        expect(entry).toMatchObject({ actor: 'of-330104', subject_type: 'officer', station_id: 'st-cq' })
      }
      const last = await stack.ctx.officerLogins.get('of-330104')
      expect(last?.lastLoginAt?.toISOString()).toBe(ON_DUTY.toISOString())
    })

    it('answers 401 without a session, and for a made-up cookie', async () => {
      const none = await app.inject({ method: 'GET', url: '/api/auth/me' })
      expect(none.statusCode).toBe(401)
      expect(none.json().error.code).toBe('UNAUTHORIZED')
      const forged = await me('A'.repeat(43))
      expect(forged.statusCode).toBe(401)
      expect(forged.cookies.find((c) => c.name === 'mb_session')?.value).toBe('')
      const logoutWithout = await app.inject({ method: 'POST', url: '/api/auth/logout' })
      expect(logoutWithout.statusCode).toBe(204)
    })

    it('signs in whatever the case of the username', async () => {
      const { res } = await login('  LiMing ', PASSWORDS.liming)
      expect(res.statusCode).toBe(200)
      expect(res.json().officer.id).toBe('of-330104')
    })

    it('gives a wrong password and an unknown user the identical answer', async () => {
      const wrong = await login('liming', 'not-the-password')
      const unknown = await login('nobody-here', 'not-the-password')
      expect(wrong.res.statusCode).toBe(401)
      expect(unknown.res.statusCode).toBe(401)
      expect(wrong.res.json()).toEqual(unknown.res.json())
      expect(wrong.res.json()).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' },
      })
      expect(wrong.cookie).toBe('')
      expect(unknown.cookie).toBe('')
    })

    it('rejects a body without username or password, naming the field', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'liming' },
      })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.message).toContain('password')
    })

    it('locks a username after 5 failures, says when to retry, and keeps others working', async () => {
      for (let i = 0; i < 5; i++) {
        const { res } = await login('zhangwei', `wrong-${i}`)
        expect(res.statusCode).toBe(401)
      }
      // Even the right password is refused while locked, from any address.
      const locked = await login('zhangwei', PASSWORDS.zhangwei)
      expect(locked.res.statusCode).toBe(429)
      expect(locked.res.json().error.code).toBe('LOCKED')
      expect(locked.res.json().error.message).toMatch(/try again in 15 minutes/)
      const retryAfter = Number(locked.res.headers['retry-after'])
      expect(retryAfter).toBeGreaterThan(14 * 60)
      expect(retryAfter).toBeLessThanOrEqual(15 * 60)
      expect(locked.cookie).toBe('')

      const other = await login('wangfang', PASSWORDS.wangfang)
      expect(other.res.statusCode).toBe(200)

      // An admin's reset of the counter (or 15 minutes) lets them in again.
      const prefix = stack.ctx.config.QUEUE_PREFIX
      const keys = await stack.ctx.redis.producer.keys(`${prefix}:login-fail:user:*`)
      expect(keys.length).toBeGreaterThan(0)
      await stack.ctx.loginLimiter.recordSuccess('zhangwei')
      expect((await login('zhangwei', PASSWORDS.zhangwei)).res.statusCode).toBe(200)
    })

    it('forgets a username’s failures after a successful sign-in', async () => {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) expect((await login('wangfang', 'wrong')).res.statusCode).toBe(401)
        expect((await login('wangfang', PASSWORDS.wangfang)).res.statusCode).toBe(200)
      }
    })

    it('locks a client address after 20 failures across usernames', async () => {
      const ip = '10.99.0.1'
      for (let i = 0; i < 20; i++) {
        expect((await login(`guess-${i}`, 'wrong-password', { ip })).res.statusCode).toBe(401)
      }
      const blocked = await login('liming', PASSWORDS.liming, { ip })
      expect(blocked.res.statusCode).toBe(429)
      expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(0)
      expect((await login('liming', PASSWORDS.liming, { ip: '10.99.0.2' })).res.statusCode).toBe(200)
    })

    it('requires the CSRF token on state-changing /api requests of a session', async () => {
      const { cookie, csrf } = await login('liming', PASSWORDS.liming, { on: probe })
      const post = (url: string, headers: Record<string, string> = {}) =>
        probe.inject({ method: 'POST', url, cookies: { mb_session: cookie }, headers, payload: {} })

      const missing = await post('/api/probe/supervise')
      expect(missing.statusCode).toBe(403)
      expect(missing.json().error.code).toBe('CSRF')
      const wrong = await post('/api/probe/supervise', { 'x-csrf-token': `${csrf.slice(0, -1)}x` })
      expect(wrong.statusCode).toBe(403)
      expect(wrong.json().error.code).toBe('CSRF')
      const short = await post('/api/probe/supervise', { 'x-csrf-token': 'abc' })
      expect(short.json().error.code).toBe('CSRF')
      // With the token the request reaches the route (which then checks the role).
      const right = await post('/api/probe/supervise', { 'x-csrf-token': csrf })
      expect(right.statusCode).toBe(403)
      expect(right.json().error.code).toBe('FORBIDDEN')

      // Logout is protected too; the session survives a forged one.
      expect((await logout(cookie)).json().error.code).toBe('CSRF')
      expect((await me(cookie)).statusCode).toBe(200)
      // Outside /api (the resident chat uses bearer tokens) the header is not asked for.
      const elsewhere = await post('/elsewhere/change')
      expect(elsewhere.statusCode).toBe(200)
      expect(elsewhere.json()).toEqual({ signedIn: true })
      // GET needs no token.
      expect(
        (await probe.inject({ method: 'GET', url: '/api/probe/whoami', cookies: { mb_session: cookie } }))
          .statusCode,
      ).toBe(200)
      expect((await logout(cookie, csrf)).statusCode).toBe(204)
    })

    it('lets routes check the role: 401 without a session, 403 for the wrong role', async () => {
      const anonymous = await probe.inject({ method: 'GET', url: '/api/probe/whoami' })
      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'sign in first' } })
      const anonymousPost = await probe.inject({ method: 'POST', url: '/api/probe/supervise', payload: {} })
      expect(anonymousPost.statusCode).toBe(401)

      const supervise = async (username: keyof typeof PASSWORDS) => {
        const { cookie, csrf } = await login(username, PASSWORDS[username], { on: probe })
        return probe.inject({
          method: 'POST',
          url: '/api/probe/supervise',
          cookies: { mb_session: cookie },
          headers: { 'x-csrf-token': csrf },
          payload: {},
        })
      }
      const officer = await supervise('liming')
      expect(officer.statusCode).toBe(403)
      expect(officer.json().error).toEqual({
        code: 'FORBIDDEN',
        message: 'only supervisor or admin accounts may do this',
      })
      expect((await supervise('zhaoguoqiang')).statusCode).toBe(200)
      expect((await supervise('sunxiaoyan')).statusCode).toBe(200)

      const { cookie } = await login('zhaoguoqiang', PASSWORDS.zhaoguoqiang, { on: probe })
      const who = await probe.inject({
        method: 'GET',
        url: '/api/probe/whoami',
        cookies: { mb_session: cookie },
      })
      expect(who.json().officer).toMatchObject({ id: 'of-330110', role: 'supervisor', beatIds: [] })
      const fq = await login('fqofficer', PASSWORDS.fqofficer, { on: probe })
      expect(fq.res.json().officer).toMatchObject({ stationCode: 'FQ', stationId: 'st-fq', role: 'officer' })
    })

    it('marks the cookie Secure when the request came over HTTPS', async () => {
      const overHttps = await login('liming', PASSWORDS.liming, {
        on: probe,
        headers: { 'x-forwarded-proto': 'https' },
      })
      expect(overHttps.res.cookies.find((c) => c.name === 'mb_session')?.secure).toBe(true)
      const overHttp = await login('liming', PASSWORDS.liming, { on: probe })
      expect(overHttp.res.cookies.find((c) => c.name === 'mb_session')?.secure).toBeFalsy()
      expect(loadConfig({ COOKIE_SECURE: 'true' }).COOKIE_SECURE).toBe(true)
      expect(loadConfig({ COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe(false)
      expect(loadConfig({}).COOKIE_SECURE).toBe('auto')
      expect(() => loadConfig({ COOKIE_SECURE: 'maybe' })).toThrow(/COOKIE_SECURE/)
    })

    it('replaces a session that was open when signing in again', async () => {
      const first = await login('liming', PASSWORDS.liming)
      const second = await login('liming', PASSWORDS.liming, { cookie: first.cookie })
      expect(second.res.statusCode).toBe(200)
      expect(second.cookie).not.toBe(first.cookie)
      expect((await me(first.cookie)).statusCode).toBe(401)
      expect((await me(second.cookie)).statusCode).toBe(200)
    })

    it('ends a session after 30 idle minutes, and keeps a used one going', async () => {
      const { cookie } = await login('liming', PASSWORDS.liming)
      const prefix = stack.ctx.config.QUEUE_PREFIX
      const ttl = await stack.ctx.redis.producer.pttl(`${prefix}:session:${sha256(cookie)}`)
      expect(ttl).toBeGreaterThan(29 * MINUTE)
      expect(ttl).toBeLessThanOrEqual(30 * MINUTE)

      stack.clock.set(new Date(ON_DUTY.getTime() + 29 * MINUTE))
      expect((await me(cookie)).statusCode).toBe(200)
      stack.clock.set(new Date(ON_DUTY.getTime() + 58 * MINUTE))
      expect((await me(cookie)).statusCode).toBe(200)
      stack.clock.set(new Date(ON_DUTY.getTime() + 89 * MINUTE))
      expect((await me(cookie)).statusCode).toBe(401)
    })

    it('lets Redis expire an idle session by itself', async () => {
      const sessions = createSessionStore({
        redis: stack.ctx.redis.producer,
        prefix: stack.ctx.config.QUEUE_PREFIX,
        idleMs: 400,
        maxMs: 3_600_000,
        clock: { now: () => new Date() },
      })
      const idle = await sessions.create({ officerId: 'of-330105', stationId: 'st-cq', role: 'officer' })
      const used = await sessions.create({ officerId: 'of-330105', stationId: 'st-cq', role: 'officer' })
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 150))
        expect(await sessions.touch(used.id)).not.toBeNull()
      }
      expect(await sessions.touch(idle.id)).toBeNull()
      expect(await sessions.touch(used.id)).toMatchObject({ officerId: 'of-330105' })
      await sessions.destroyAllFor('of-330105')
    })

    it('ends a session 12 hours after sign-in however busy it is', async () => {
      const { cookie } = await login('liming', PASSWORDS.liming)
      const prefix = stack.ctx.config.QUEUE_PREFIX
      for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
        stack.clock.set(new Date(ON_DUTY.getTime() + minutes * MINUTE))
        expect((await me(cookie)).statusCode, `after ${minutes} minutes`).toBe(200)
      }
      // Near the end, Redis is told to drop it when the 12 hours are up.
      const ttl = await stack.ctx.redis.producer.pttl(`${prefix}:session:${sha256(cookie)}`)
      expect(ttl).toBeLessThanOrEqual(20 * MINUTE)
      stack.clock.set(new Date(ON_DUTY.getTime() + 12 * 60 * MINUTE))
      expect((await me(cookie)).statusCode).toBe(401)
      expect(await stack.ctx.redis.producer.exists(`${prefix}:session:${sha256(cookie)}`)).toBe(0)
    })

    it('ends every session of an officer who is disabled, and refuses their sign-in', async () => {
      const first = await login('wangfang', PASSWORDS.wangfang)
      const second = await login('wangfang', PASSWORDS.wangfang)
      expect((await me(first.cookie)).statusCode).toBe(200)

      expect(await cli('disable', '--username', 'wangfang')).toBe(0)
      expect(cliOutput.join('\n')).toMatch(/disabled; \d+ sessions ended/)
      expect((await me(first.cookie)).statusCode).toBe(401)
      expect((await me(second.cookie)).statusCode).toBe(401)
      expect(await stack.ctx.sessions.countFor('of-330105')).toBe(0)

      const refused = await login('wangfang', PASSWORDS.wangfang)
      expect(refused.res.statusCode).toBe(403)
      expect(refused.res.json().error.message).toMatch(/disabled/)
      expect(refused.cookie).toBe('')
      // A wrong password still gets the ordinary answer: a guesser learns nothing.
      expect((await login('wangfang', 'wrong-password')).res.json().error.code).toBe('INVALID_CREDENTIALS')

      expect(await cli('enable', '--badge', '330105')).toBe(0)
      expect((await login('wangfang', PASSWORDS.wangfang)).res.statusCode).toBe(200)
      const actions = (await auditOf('of-330105')).map((a) => a.action)
      expect(actions).toEqual(expect.arrayContaining(['auth.disabled', 'auth.enabled']))
    })

    it('ends sessions of an officer marked inactive in the station data', async () => {
      const { cookie } = await login('fqofficer', PASSWORDS.fqofficer)
      expect((await me(cookie)).statusCode).toBe(200)
      const db = stack.ctx.database.db
      await db.updateTable('officers').set({ active: false }).where('id', '=', 'of-681001').execute()
      try {
        expect((await me(cookie)).statusCode).toBe(401)
        expect((await login('fqofficer', PASSWORDS.fqofficer)).res.statusCode).toBe(403)
      } finally {
        await db.updateTable('officers').set({ active: true }).where('id', '=', 'of-681001').execute()
      }
    })

    it('changes a password from the CLI, ending the old sessions', async () => {
      const { cookie } = await login('sunxiaoyan', PASSWORDS.sunxiaoyan)
      const next = 'sun-admin-secret-next'
      secrets.add(next)
      const open = await stack.ctx.sessions.countFor('of-330111')
      expect(open).toBeGreaterThanOrEqual(1)
      expect(await cli('passwd', '--username', 'sunxiaoyan', '--password', next)).toBe(0)
      expect(cliOutput.join('\n')).toContain(`${open} session${open === 1 ? '' : 's'} ended`)
      expect(await stack.ctx.sessions.countFor('of-330111')).toBe(0)
      expect((await me(cookie)).statusCode).toBe(401)
      expect((await login('sunxiaoyan', PASSWORDS.sunxiaoyan)).res.statusCode).toBe(401)
      expect((await login('sunxiaoyan', next)).res.statusCode).toBe(200)
      expect(await cli('passwd', '--username', 'sunxiaoyan', '--password', PASSWORDS.sunxiaoyan)).toBe(0)
    })

    it('stores passwords only as argon2id hashes', async () => {
      const rows = await stack.ctx.database.db
        .selectFrom('officer_logins')
        .select(['username', 'password_hash'])
        .execute()
      expect(rows.length).toBeGreaterThanOrEqual(6)
      for (const row of rows) {
        expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$/)
        expect(row.password_hash).not.toContain(PASSWORDS[row.username as keyof typeof PASSWORDS] ?? '\u0000')
      }
    })

    it('creates logins from the CLI with a generated password, and lists them', async () => {
      expect(await cli('add', '--badge', '330107', '--username', 'ChenJing')).toBe(0)
      const generated = /: (\S+)$/.exec(cliOutput.find((l) => l.startsWith('Password')) ?? '')?.[1]
      expect(generated).toMatch(/^[\w]{5}(-[\w]{5}){3}$/)
      secrets.add(generated!)
      expect(cliOutput.join('\n')).toContain('Login "chenjing" created for CQ 330107 (officer)')
      expect((await login('chenjing', generated!)).res.statusCode).toBe(200)

      expect(await cli('add', '--badge', '330107', '--username', 'other')).toBe(1)
      expect(cliOutput.join('\n')).toContain('already has the login "chenjing"')
      expect(await cli('add', '--badge', '330108', '--username', 'liming')).toBe(1)
      expect(cliOutput.join('\n')).toContain('the username "liming" is taken')
      expect(await cli('add', '--badge', '999999', '--username', 'ghost')).toBe(1)
      expect(await cli('add', '--badge', '330108', '--username', 'x y')).toBe(1)
      expect(await cli('add', '--badge', '330108', '--username', 'liuyang', '--password', 'short')).toBe(1)
      expect(cliOutput.join('\n')).toContain('at least 10 characters')
      expect(await cli('frobnicate')).toBe(2)

      expect(await cli('list', '--station', 'CQ')).toBe(0)
      const listing = cliOutput.join('\n')
      expect(listing).toMatch(/CQ\s+330104\s+liming\s+officer\s+active/)
      expect(listing).not.toContain('fqofficer')
      expect(listing).not.toContain('$argon2id')
    })

    it('creates the demo logins once and they sign in', async () => {
      const first = await ensureDemoLogins(stack.ctx.database.db)
      expect(first.map((l) => `${l.station} ${l.role}`)).toEqual([
        'CQ officer',
        'CQ supervisor',
        'CQ admin',
        'FQ officer',
        'FQ supervisor',
        'FQ admin',
      ])
      // Officers who already had a login (created above) keep their username.
      expect(first.find((l) => l.station === 'CQ' && l.role === 'officer')?.username).toBe('liming')
      expect(first.find((l) => l.station === 'FQ' && l.role === 'supervisor')?.username).toBe('fq-supervisor')
      const count = async () =>
        (
          await stack.ctx.database.db
            .selectFrom('officer_logins')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n
      const before = Number(await count())
      const second = await ensureDemoLogins(stack.ctx.database.db)
      expect(second).toEqual(first)
      expect(Number(await count())).toBe(before)
      for (const demo of second) {
        secrets.add(demo.password)
        const { res } = await login(demo.username, demo.password)
        expect(res.statusCode, demo.username).toBe(200)
        expect(res.json().officer.role).toBe(demo.role)
      }
      // Put back the test passwords the demo replaced.
      for (const [username, password] of Object.entries(PASSWORDS)) {
        await cli('passwd', '--username', username, '--password', password)
      }
    })

    it('never writes a password, cookie or CSRF token to the log', () => {
      const log = logLines.join('')
      expect(log).toContain('officer signed in')
      expect(log).toContain('sign-in failed')
      expect(log).toContain('/api/auth/login')
      expect(secrets.size).toBeGreaterThan(20)
      for (const secret of secrets)
        expect(log.includes(secret), `a secret of length ${secret.length} in the log`).toBe(false)
      expect(log).not.toContain('mb_session=')
      expect(log).not.toMatch(/liming|wangfang/)
    })
  })
}
