import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

const dir = mkdtempSync(join(tmpdir(), 'maplebridge-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function configFile(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** The ConfigError loadConfig throws for `env`. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`)
}

describe('loadConfig defaults', () => {
  it('runs a single station with nothing set', () => {
    const config = loadConfig({})
    expect(config.PORT).toBe(3000)
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379')
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.DATA_DIR).toBe('./data')
    expect(config.TIME_ZONE).toBe('Asia/Shanghai')
    expect(config.DEFAULT_LANGUAGE).toBe('zh')
    expect(config.ROLES).toEqual(['api', 'worker', 'bot'])
    expect(config.RESPONSE_MINUTES).toEqual({ emergency: 2, urgent: 10, normal: 30, low: 120 })
    expect(config.STATION_FILES).toEqual([])
    expect(config.TRUST_PROXY).toBe(false)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ROLES: '' })).toMatchObject({ PORT: 3000, ROLES: ['api', 'worker', 'bot'] })
  })

  it('reads good values and ignores variables it does not know', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'rediss://cache.example:6380/2',
      DATABASE_URL: 'postgresql://mb@db.example/maplebridge',
      TIME_ZONE: 'Europe/London',
      DEFAULT_LANGUAGE: 'en',
      ROLES: 'api, worker',
      RESPONSE_MINUTES: 'normal=45,low=240',
      STATION_FILES: 'seeds/changqing.yaml, seeds/fengqiao.yaml',
      TRUST_PROXY: 'yes',
      HOME: '/root',
    })
    expect(config).toMatchObject({
      PORT: 8080,
      REDIS_URL: 'rediss://cache.example:6380/2',
      DATABASE_URL: 'postgresql://mb@db.example/maplebridge',
      TIME_ZONE: 'Europe/London',
      DEFAULT_LANGUAGE: 'en',
      ROLES: ['api', 'worker'],
      RESPONSE_MINUTES: { emergency: 2, urgent: 10, normal: 45, low: 240 },
      STATION_FILES: ['seeds/changqing.yaml', 'seeds/fengqiao.yaml'],
      TRUST_PROXY: true,
    })
    expect(config).not.toHaveProperty('HOME')
  })
})

describe('loadConfig bad values', () => {
  it.each([
    ['PORT', 'abc', /PORT: .*number/],
    ['PORT', '70000', /PORT: .*65535/],
    ['REDIS_URL', 'http://x', /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    ['DATABASE_URL', 'mysql://', /DATABASE_URL: must be a postgres:\/\/ URL/],
    ['TIME_ZONE', 'Mars/Base', /TIME_ZONE: must be an IANA time zone such as Asia\/Shanghai/],
    ['ROLES', 'api,cook', /ROLES\b.*"api"\|"worker"\|"bot"/],
    ['RESPONSE_MINUTES', 'normal=-1', /RESPONSE_MINUTES\.normal: .*>0/],
    ['DEFAULT_LANGUAGE', 'fr', /DEFAULT_LANGUAGE: .*"zh"\|"en"/],
  ])('%s=%s is a ConfigError naming the variable and the expected form', (name, value, expected) => {
    const error = configError({ [name]: value })
    expect(error.name).toBe('ConfigError')
    expect(error.message).toMatch(expected)
    expect(error.message).toContain(`(got "${value}")`)
    expect(error.problems).toHaveLength(1)
  })

  it('reports every bad variable at once', () => {
    const error = configError({ PORT: 'abc', REDIS_URL: 'http://x', TIME_ZONE: 'Mars/Base' })
    expect(error.problems).toHaveLength(3)
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'REDIS_URL', 'TIME_ZONE'])
  })
})

describe('loadConfig with a config file', () => {
  it('reads the file named by MAPLEBRIDGE_CONFIG, and the environment overrides it', () => {
    const path = configFile(
      'maplebridge.yaml',
      [
        'PORT: 4000',
        'TIME_ZONE: Europe/Berlin',
        'DEFAULT_LANGUAGE: en',
        'TRUST_PROXY: true',
        'RESPONSE_MINUTES:',
        '  normal: 45',
        '',
      ].join('\n'),
    )
    const fromFile = loadConfig({ MAPLEBRIDGE_CONFIG: path })
    expect(fromFile).toMatchObject({
      PORT: 4000,
      TIME_ZONE: 'Europe/Berlin',
      DEFAULT_LANGUAGE: 'en',
      TRUST_PROXY: true,
      RESPONSE_MINUTES: { emergency: 2, urgent: 10, normal: 45, low: 120 },
    })

    const overridden = loadConfig({ MAPLEBRIDGE_CONFIG: path, PORT: '5000', DEFAULT_LANGUAGE: 'zh' })
    expect(overridden).toMatchObject({ PORT: 5000, DEFAULT_LANGUAGE: 'zh', TIME_ZONE: 'Europe/Berlin' })
  })

  it('checks values from the file like those from the environment', () => {
    const path = configFile('bad-value.yaml', 'REDIS_URL: http://cache\n')
    const error = configError({ MAPLEBRIDGE_CONFIG: path })
    expect(error.message).toMatch(
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL.*\(got "http:\/\/cache"\)/,
    )
  })

  it('is a ConfigError when the file cannot be read', () => {
    const path = join(dir, 'missing.yaml')
    const error = configError({ MAPLEBRIDGE_CONFIG: path })
    expect(error.message).toContain('MAPLEBRIDGE_CONFIG')
    expect(error.message).toContain(path)
  })

  it('is a ConfigError when the file is not a mapping of variables', () => {
    const path = configFile('list.yaml', '- PORT\n- 4000\n')
    const error = configError({ MAPLEBRIDGE_CONFIG: path })
    expect(error.message).toContain('MAPLEBRIDGE_CONFIG')
    expect(error.message).toMatch(/mapping/)
  })
})
