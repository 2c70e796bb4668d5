import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { createLogger, type Logger } from '../../src/logger.ts'

const PERSONAL = {
  text: '我家被盗了',
  name: '李大爷',
  displayName: '老李',
  phone: '13800138000',
  idNumber: '330104195001011234',
  address: '柳营巷12号',
  token: 'tok-abcdef',
}
const REDACTED = Object.fromEntries(Object.keys(PERSONAL).map((k) => [k, '[redacted]']))

/** A logger whose lines are kept, parsed, for the test to read. */
function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: string[] } {
  const raw: string[] = []
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line: string) {
        raw.push(line)
      },
    },
  })
  return {
    logger,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

describe('createLogger redaction', () => {
  it('redacts personal fields at the top level', () => {
    const { logger, lines, raw } = capturingLogger()
    logger.info({ ...PERSONAL, caseId: 'case-1' }, 'inbound message')
    expect(lines()[0]).toMatchObject({ ...REDACTED, caseId: 'case-1', msg: 'inbound message' })
    for (const value of Object.values(PERSONAL)) expect(raw.join('')).not.toContain(value)
  })

  it('redacts personal fields one and two levels down', () => {
    const { logger, lines, raw } = capturingLogger()
    logger.info({ event: { ...PERSONAL, channel: 'web' }, job: { data: { ...PERSONAL, id: 'j1' } } })
    expect(lines()[0]?.event).toEqual({ ...REDACTED, channel: 'web' })
    expect(lines()[0]?.job).toEqual({ data: { ...REDACTED, id: 'j1' } })
    for (const value of Object.values(PERSONAL)) expect(raw.join('')).not.toContain(value)
  })

  it('keeps the rest of the line and its metadata', () => {
    const { logger, lines } = capturingLogger()
    logger.info({ caseId: 'case-7', queue: 'officer-of-330104', count: 3 }, 'routed')
    expect(lines()[0]).toMatchObject({
      service: 'maplebridge',
      level: 30,
      caseId: 'case-7',
      queue: 'officer-of-330104',
      count: 3,
      msg: 'routed',
    })
  })

  it('redacts the authorization header of a request', () => {
    const { logger, raw } = capturingLogger()
    // A child with a pass-through serializer shows what redaction alone does with the headers.
    const child = logger.child({}, { serializers: { req: (req: unknown) => req } })
    child.info({
      req: { method: 'GET', url: '/x', headers: { authorization: 'Bearer SECRET-1', host: 'h' } },
    })
    const line = JSON.parse(raw[0] ?? '{}') as { req?: { headers?: Record<string, string> } }
    expect(line.req?.headers).toEqual({ authorization: '[redacted]', host: 'h' })
    expect(raw.join('')).not.toContain('SECRET-1')
  })
})

describe('createLogger request serializer', () => {
  it('drops the query string, which can carry a token', () => {
    const { logger, lines, raw } = capturingLogger()
    logger.info({
      req: {
        id: 'req-1',
        method: 'GET',
        url: '/chat/api/stream?token=SECRET',
        headers: { authorization: 'Bearer SECRET-2' },
      },
    })
    expect(lines()[0]?.req).toEqual({ id: 'req-1', method: 'GET', url: '/chat/api/stream' })
    expect(raw.join('')).not.toContain('SECRET')
  })

  it('keeps tokens out of what Fastify logs for a request', async () => {
    const { logger, lines, raw } = capturingLogger()
    const app = Fastify({ loggerInstance: logger })
    app.get('/chat/api/stream', async () => ({ ok: true }))
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/chat/api/stream?token=SECRET-3',
        headers: { authorization: 'Bearer SECRET-4' },
      })
      expect(response.statusCode).toBe(200)
    } finally {
      await app.close()
    }
    const incoming = lines().find((l) => l.msg === 'incoming request')
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/chat/api/stream' })
    expect(raw.join('')).not.toContain('SECRET')
  })
})
