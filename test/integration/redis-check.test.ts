import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkRedis, createRedis, RedisCheckError } from '../../src/queues/redis.ts'
import { TEST_REDIS_URL } from '../helpers/redis.ts'
import { waitFor } from '../helpers/wait.ts'

/** A TCP port nothing listens on at the moment of asking. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port assigned')
  return address.port
}

/** The error checkRedis throws, so several properties of it can be checked. */
async function checkError(url: string): Promise<Error> {
  try {
    await checkRedis(url)
  } catch (error) {
    return error as Error
  }
  throw new Error(`checkRedis(${url}) did not throw`)
}

describe('checkRedis', () => {
  it('passes against the shared Redis, which runs with noeviction', async () => {
    await expect(checkRedis(TEST_REDIS_URL)).resolves.toBeUndefined()
  })

  it('names the URL and the fix when nothing listens there', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`
    const error = await checkError(url)
    expect(error).toBeInstanceOf(RedisCheckError)
    expect(error.name).toBe('RedisCheckError')
    expect(error.message).toContain(url)
    expect(error.message).toMatch(/start Redis/i)
    expect(error.message).toContain('REDIS_URL')
  })

  it('does not show a password from the URL in its message', async () => {
    const port = await freePort()
    const error = await checkError(`redis://admin:hunter2secret@127.0.0.1:${port}`)
    expect(error).toBeInstanceOf(RedisCheckError)
    expect(error.message).not.toContain('hunter2secret')
    expect(error.message).toContain(`127.0.0.1:${port}`)
  })

  describe('against a Redis that may evict keys', () => {
    let server: ChildProcess | undefined
    let url: string
    let output = ''

    beforeAll(async () => {
      const port = await freePort()
      url = `redis://127.0.0.1:${port}`
      server = spawn(
        '/usr/bin/redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'allkeys-lru',
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      server.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      server.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      await waitFor(async () => {
        if (server?.exitCode !== null) throw new Error(`redis-server exited: ${output}`)
        const probe = new Redis(url, {
          lazyConnect: true,
          retryStrategy: () => null,
          maxRetriesPerRequest: 0,
        })
        probe.on('error', () => {})
        try {
          await probe.connect()
          return (await probe.ping()) === 'PONG'
        } finally {
          probe.disconnect()
        }
      }, 'the second redis-server to accept connections')
    })

    afterAll(async () => {
      if (!server || server.exitCode !== null) return
      const exited = new Promise((resolve) => server?.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    })

    it('refuses it, naming the policy and how to fix it', async () => {
      const error = await checkError(url)
      expect(error).toBeInstanceOf(RedisCheckError)
      expect(error.message).toContain(url)
      expect(error.message).toContain('allkeys-lru')
      expect(error.message).toContain('maxmemory-policy noeviction')
    })

    it('left the shared Redis as it was', async () => {
      const shared = new Redis(TEST_REDIS_URL)
      try {
        expect(await shared.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction'])
      } finally {
        shared.disconnect()
      }
    })
  })
})

describe('REDIS_URL with a database index', () => {
  it('selects that database', async () => {
    const url = new URL(TEST_REDIS_URL)
    url.pathname = '/3'
    const client = createRedis(url.toString(), 'worker')
    const key = `test-redis-db-${randomUUID()}`
    const inDb0 = new Redis(TEST_REDIS_URL, { db: 0 })
    const inDb3 = new Redis(TEST_REDIS_URL, { db: 3 })
    try {
      expect(client.options.db).toBe(3)
      await client.set(key, 'here', 'EX', 60)
      expect(await inDb3.get(key)).toBe('here')
      expect(await inDb0.get(key)).toBeNull()
      await expect(checkRedis(url.toString())).resolves.toBeUndefined()
    } finally {
      await inDb3.del(key)
      client.disconnect()
      inDb0.disconnect()
      inDb3.disconnect()
    }
  })
})
