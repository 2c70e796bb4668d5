import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

const ROLES = ['api', 'worker', 'bot'] as const

const minutes = z.coerce.number().positive()

/** Parses "emergency=2,urgent=10,normal=30,low=120" into minutes per priority. */
const responsePolicy = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value
    const out: Record<string, string> = {}
    for (const part of value.split(',').filter(Boolean)) {
      const [key, raw] = part.split('=')
      out[(key ?? '').trim()] = (raw ?? '').trim()
    }
    return out
  },
  z
    .strictObject({ emergency: minutes, urgent: minutes, normal: minutes, low: minutes })
    .partial()
    .transform((p) => ({ emergency: 2, urgent: 10, normal: 30, low: 120, ...p })),
)

const booleanFlag = z.preprocess(
  (value) => (typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value),
  z.boolean(),
)

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0')
    .default('redis://127.0.0.1:6379'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL, or be left unset to use the embedded database')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  DEFAULT_LANGUAGE: z.enum(['zh', 'en']).default('zh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((s) => s.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(ROLES)).min(1)),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('mb'),
  BOT_ACCOUNTS: z
    .string()
    .default('all')
    .describe('comma-separated bot account ids this process holds, or "all"'),
  STATION_FILES: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((f) => f.trim()) : [])),
  WEB_CHAT_STATION: z.string().optional(),
  RESPONSE_MINUTES: responsePolicy.default({ emergency: 2, urgent: 10, normal: 30, low: 120 }),
  INBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(100),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** false behind PgBouncer in transaction pooling mode, which cannot keep prepared statements. */
  DB_PREPARED_STATEMENTS: booleanFlag.default(true),
  OUTBOUND_JITTER_MS: z.coerce.number().int().min(0).default(250),
  MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).default(4000),
  TRUST_PROXY: booleanFlag.default(false),
  /** Set by `npm run demo`: creates the demo sign-ins and prints them. */
  DEMO: booleanFlag.default(false),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  SESSION_MAX_HOURS: z.coerce.number().positive().default(12),
  COOKIE_SECURE: z
    .enum(['auto', 'true', 'false'], 'must be auto (Secure when the request came over HTTPS), true or false')
    .default('auto')
    .transform((v) => (v === 'auto' ? v : v === 'true')),
})

export type Config = z.output<typeof schema>

/** A configuration problem that must stop the process before it starts anything. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * Builds the one typed Config from environment variables, over an optional
 * config file (YAML or JSON, named by MAPLEBRIDGE_CONFIG) whose keys are the
 * same variable names. Pure apart from reading that file.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const fromFile = env.MAPLEBRIDGE_CONFIG ? readConfigFile(env.MAPLEBRIDGE_CONFIG) : {}
  const merged: Record<string, unknown> = { ...fromFile }
  for (const key of Object.keys(schema.shape)) {
    const value = env[key]
    if (value !== undefined && value !== '') merged[key] = value
  }
  const result = schema.safeParse(merged)
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(config)'
        const got = merged[String(issue.path[0])]
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got "${String(got)}")`}`
      }),
    )
  }
  return result.data
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError([`MAPLEBRIDGE_CONFIG: cannot read ${path} (${(error as Error).message})`])
  }
  let parsed: unknown
  try {
    parsed = parseYaml(text)
  } catch (error) {
    throw new ConfigError([
      `MAPLEBRIDGE_CONFIG: ${path} is not valid YAML (${(error as Error).message.split('\n')[0]})`,
    ])
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`MAPLEBRIDGE_CONFIG: ${path} must hold a mapping of variable names to values`])
  }
  return Object.fromEntries(
    // A key left empty (`PORT:`) counts as unset, not as a value.
    Object.entries(parsed)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === 'object' ? v : String(v)]),
  )
}
