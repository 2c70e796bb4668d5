import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromRoot } from '../../src/project-root.ts'
import { cleanPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts'
import { waitFor } from '../helpers/wait.ts'

/** The command `npm start` runs once `npm run build` has bundled the service (its prestart). */
function startCommand(): string[] {
  const scripts = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).scripts as Record<string, string>
  const [program, ...args] = scripts.start!.split(' ')
  if (program !== 'node') throw new Error(`npm start runs ${program}, not node`)
  return args
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** The service as deployed: the bundle in dist/server on plain Node, not the sources under tsx. */
describe('the built service (npm start)', () => {
  const prefix = uniquePrefix('built')
  let child: ChildProcess
  let base = ''
  let output = ''

  beforeAll(async () => {
    const args = startCommand()
    const entry = args.at(-1)!
    if (!existsSync(fromRoot(entry)))
      throw new Error(`${entry} is missing: run npm run build (npm test does)`)
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    child = spawn(process.execPath, args, {
      cwd: fromRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        DATABASE_URL: '',
        DATA_DIR: 'memory://',
        ROLES: 'api,worker',
        STATION_FILES: 'seeds/changqing.yaml',
        WEB_CHAT_STATION: 'CQ',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (chunk) => {
      output += String(chunk)
    })
    child.stderr?.on('data', (chunk) => {
      output += String(chunk)
    })
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output}`)
        return (await fetch(`${base}/readyz`)).ok
      },
      'the built service to be ready',
      60_000,
    )
  }, 90_000)

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await cleanPrefix(prefix)
  })

  it('serves the resident page and answers a message with a case number', async () => {
    const page = await fetch(`${base}/chat`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<html')

    const session = await fetch(`${base}/chat/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'zh' }),
    })
    expect(session.status).toBe(201)
    const { token } = (await session.json()) as { token: string }
    const auth = { authorization: `Bearer ${token}` }
    const sent = await fetch(`${base}/chat/api/messages`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: '我住柳营巷12号，楼下每天晚上有人很吵', clientMessageId: 'built-1' }),
    })
    expect(sent.status).toBe(202)

    const ack = await waitFor(
      async () => {
        const res = await fetch(`${base}/chat/api/messages`, { headers: auth })
        const { messages } = (await res.json()) as {
          messages: Array<{ direction: string; text: string; caseNumber?: string }>
        }
        return messages.find((m) => m.direction === 'outbound' && m.caseNumber)
      },
      'the acknowledgement',
      20_000,
    )
    expect(ack.caseNumber).toMatch(/^CQ-2026-\d{6}$/)
    expect(ack.text).toContain(ack.caseNumber!)
  })

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 30_000)
})
