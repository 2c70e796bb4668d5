import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inboxPageRoutes } from '../../src/http/routes/inbox-page.ts'

describe('the inbox page', () => {
  let dir: string
  let app: FastifyInstance
  const logged: Array<{ level: number; msg: string }> = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inbox-dist-'))
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>inbox</title>')
    await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)')
    app = Fastify({
      logger: { level: 'warn', stream: { write: (line: string) => void logged.push(JSON.parse(line)) } },
    })
    await app.register(inboxPageRoutes, { distDir: dir })
  })
  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the app for the page and its deep links, its assets cached, and nothing else', async () => {
    for (const url of ['/inbox', '/inbox/', '/inbox/case/abc', '/inbox/roster']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toContain('<title>inbox</title>')
      expect(res.headers['content-security-policy']).toContain("default-src 'self'")
      expect(res.headers['cache-control']).toBe('no-cache')
    }
    const asset = await app.inject({ method: 'GET', url: '/inbox/assets/app-1234.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toContain('immutable')
    const again = await app.inject({
      method: 'GET',
      url: '/inbox/assets/app-1234.js',
      headers: { 'if-none-match': String(asset.headers.etag) },
    })
    expect(again.statusCode).toBe(304)
    expect((await app.inject({ method: 'GET', url: '/inbox/assets/gone.js' })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: '/inbox/../package.json' })).body).not.toContain('"name"')
    // Each answer was sent once: no "reply was already sent" warnings behind a 200.
    expect(logged.filter((l) => l.level >= 40)).toEqual([])
  })
})
