import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { generatePassword, hashPassword, passwordProblem } from '../auth/passwords.ts'
import { createSessionStore, type SessionStore } from '../auth/session-store.ts'
import { loadConfig } from '../config.ts'
import { AppError } from '../errors.ts'
import type { Database } from '../store/db.ts'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'
import { createOfficerLogins, type OfficerLogins } from '../store/officer-logins.repository.ts'

const USAGE = `usage: npm run officer -- <command> [options]

  add      --badge <badge> --username <name> [--station <code>] [--password <pw>]
           creates a login; without --password you are asked for one, or one is
           generated and printed once (always generated when not at a terminal)
  passwd   (--badge <badge> [--station <code>] | --username <name>) [--password <pw>]
           sets a new password and ends the officer's sessions
  disable  (--badge <badge> [--station <code>] | --username <name>)
           the officer can no longer sign in; their sessions end at once
  enable   (--badge <badge> [--station <code>] | --username <name>)
  list     [--station <code>]
`

/** What the commands work with; the entry point below builds it from the config. */
export interface OfficerCliDeps {
  db: Database
  /** Null when Redis is unreachable: sessions then end on their next request, when the login is checked. */
  sessions: SessionStore | null
  print(line: string): void
  /** Asks for a password without echoing it; absent when not at a terminal. */
  askPassword?: (question: string) => Promise<string>
}

class UsageError extends Error {}

/** Runs one `npm run officer` command; resolves to the process exit code. */
export async function officerCommand(argv: string[], deps: OfficerCliDeps): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    deps.print(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { command, values } = parsed
  const logins = createOfficerLogins(deps.db)
  try {
    switch (command) {
      case 'add':
        await add(logins, deps, values)
        return 0
      case 'passwd':
        await passwd(logins, deps, values)
        return 0
      case 'disable':
      case 'enable':
        await setEnabled(logins, deps, values, command === 'enable')
        return 0
      case 'list':
        await list(logins, deps, values.station)
        return 0
      default:
        deps.print(USAGE)
        return 2
    }
  } catch (error) {
    if (error instanceof UsageError) {
      deps.print(`${error.message}\n\n${USAGE}`)
      return 2
    }
    if (error instanceof AppError) {
      deps.print(`error: ${error.message}`)
      return 1
    }
    throw error
  }
}

type Values = { badge?: string; username?: string; station?: string; password?: string }

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      badge: { type: 'string' },
      username: { type: 'string' },
      station: { type: 'string' },
      password: { type: 'string' },
    },
  })
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)
  return { command: positionals[0] ?? '', values: values as Values }
}

async function findOfficer(logins: OfficerLogins, values: Values) {
  if (!values.badge) throw new UsageError('--badge is required')
  const found = await logins.findOfficers(values.badge, values.station)
  if (found.length === 0) {
    throw new AppError(
      'NOT_FOUND',
      `no officer has the badge ${values.badge}${values.station ? ` at station ${values.station}` : ''} (load station data first: npm run seed)`,
    )
  }
  if (found.length > 1) {
    throw new UsageError(
      `badge ${values.badge} exists at ${found.map((o) => o.stationCode).join(', ')}: add --station <code>`,
    )
  }
  return found[0]!
}

/** An existing login, named by username or badge. */
async function findLogin(
  logins: OfficerLogins,
  values: Values,
): Promise<{ officerId: string; stationId: string }> {
  if (values.username) {
    const login = await logins.findForLogin(values.username)
    if (!login) throw new AppError('NOT_FOUND', `no login has the username "${values.username}"`)
    return login
  }
  const officer = await findOfficer(logins, values)
  if (!(await logins.get(officer.id))) {
    throw new AppError('NOT_FOUND', `officer ${officer.badge} has no login yet: use "add"`)
  }
  return { officerId: officer.id, stationId: officer.stationId }
}

/** The password given, asked for, or generated; generated ones are printed once. */
async function choosePassword(deps: OfficerCliDeps, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const problem = passwordProblem(given)
    if (problem) throw new AppError('INVALID_INPUT', `password ${problem}`)
    return given
  }
  if (deps.askPassword) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const first = await deps.askPassword('New password (leave empty to generate one): ')
      if (first === '') break
      const problem = passwordProblem(first)
      if (problem) {
        deps.print(`The password ${problem}.`)
        continue
      }
      if ((await deps.askPassword('Repeat it: ')) === first) return first
      deps.print('The two did not match.')
    }
  }
  const generated = generatePassword()
  deps.print(`Password (shown only now, pass it on safely): ${generated}`)
  return generated
}

async function add(logins: OfficerLogins, deps: OfficerCliDeps, values: Values): Promise<void> {
  if (!values.username) throw new UsageError('--username is required')
  const officer = await findOfficer(logins, values)
  if (!officer.active) throw new AppError('INVALID_INPUT', `officer ${officer.badge} is marked inactive`)
  const existing = await logins.get(officer.id)
  if (existing)
    throw new AppError('CONFLICT', `officer ${officer.badge} already has the login "${existing.username}"`)
  const password = await choosePassword(deps, values.password)
  await logins.create({
    officerId: officer.id,
    username: values.username,
    passwordHash: await hashPassword(password),
  })
  await logins.audit({
    actor: 'cli',
    action: 'auth.login_created',
    officerId: officer.id,
    stationId: officer.stationId,
    at: new Date(),
  })
  deps.print(
    `Login "${values.username.trim().toLowerCase()}" created for ${officer.stationCode} ${officer.badge} (${officer.role}).`,
  )
}

async function passwd(logins: OfficerLogins, deps: OfficerCliDeps, values: Values): Promise<void> {
  const { officerId, stationId } = await findLogin(logins, values)
  const password = await choosePassword(deps, values.password)
  await logins.setPassword(officerId, await hashPassword(password))
  const ended = await endSessions(deps, officerId)
  await logins.audit({ actor: 'cli', action: 'auth.password_set', officerId, stationId, at: new Date() })
  deps.print(`Password changed${ended}.`)
}

async function setEnabled(logins: OfficerLogins, deps: OfficerCliDeps, values: Values, enable: boolean) {
  const { officerId, stationId } = await findLogin(logins, values)
  await logins.setDisabled(officerId, enable ? null : new Date())
  const ended = enable ? '' : await endSessions(deps, officerId)
  await logins.audit({
    actor: 'cli',
    action: enable ? 'auth.enabled' : 'auth.disabled',
    officerId,
    stationId,
    at: new Date(),
  })
  deps.print(`${officerId} ${enable ? 'enabled' : `disabled${ended}`}.`)
}

async function endSessions(deps: OfficerCliDeps, officerId: string): Promise<string> {
  if (!deps.sessions) return '; Redis was not reachable, so open sessions end on their next request'
  const count = await deps.sessions.destroyAllFor(officerId)
  return `; ${count} session${count === 1 ? '' : 's'} ended`
}

async function list(logins: OfficerLogins, deps: OfficerCliDeps, stationCode?: string): Promise<void> {
  const rows = await logins.list({ stationCode })
  if (rows.length === 0) {
    deps.print('No logins yet: npm run officer -- add --badge <badge> --username <name>')
    return
  }
  const table = [
    ['station', 'badge', 'username', 'role', 'state', 'last sign-in', 'name'],
    ...rows.map((r) => [
      r.stationCode,
      r.badge,
      r.username,
      r.role,
      r.disabledAt ? 'disabled' : r.active ? 'active' : 'inactive officer',
      r.lastLoginAt ? r.lastLoginAt.toISOString().slice(0, 16).replace('T', ' ') : '-',
      r.name,
    ]),
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  for (const row of table)
    deps.print(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    // Echo goes off before the question shows, so nothing typed at once is displayed.
    stdin.setRawMode(true)
    process.stdout.write(question)
    stdin.resume()
    stdin.setEncoding('utf8')
    let value = ''
    const finish = () => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stdout.write('\n')
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish()
          resolve(value)
          return
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish()
          reject(new Error('cancelled'))
          return
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.on('data', onData)
  })
}

async function connectRedis(url: string): Promise<Redis | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return redis
  } catch {
    redis.disconnect()
    return null
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
  const redis = await connectRedis(config.REDIS_URL)
  try {
    await migrate(handle)
    const sessions = redis
      ? createSessionStore({
          redis,
          prefix: config.QUEUE_PREFIX,
          idleMs: config.SESSION_IDLE_MINUTES * 60_000,
          maxMs: config.SESSION_MAX_HOURS * 3_600_000,
          clock: { now: () => new Date() },
        })
      : null
    process.exitCode = await officerCommand(process.argv.slice(2), {
      db: handle.db,
      sessions,
      print: (line) => process.stdout.write(`${line}\n`),
      askPassword: process.stdin.isTTY ? askHidden : undefined,
    })
  } finally {
    redis?.disconnect()
    await handle.close()
  }
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  })
}
