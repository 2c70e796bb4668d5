import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { DATA_KEY_HINT, parseDataKey } from './crypto/key-text.ts'
import {
  buildPolicy,
  DEFAULT_RESPONSE_TIMES,
  type DeadlineSettings,
  DURATION_HINT,
  PRIORITIES,
  parseDuration,
  parsePolicyOverrides,
} from './domain/deadlines.ts'

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

/** Response-policy entries per priority and category; merged over RESPONSE_MINUTES in loadConfig. */
const responsePolicyOverrides = z.unknown().transform((value, ctx) => {
  const { overrides, problems } = parsePolicyOverrides(value)
  for (const [path, message] of problems) ctx.addIssue({ code: 'custom', message, path })
  return overrides
})

/** A duration with its unit ("90s", "30m", "72h", "7d"), in milliseconds. */
const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(String(value))
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: DURATION_HINT })
        return z.NEVER
      }
      return ms
    })

const share = z.preprocess(
  (value) =>
    typeof value === 'string' && value.trim().endsWith('%') ? Number(value.trim().slice(0, -1)) / 100 : value,
  z.coerce
    .number()
    .gt(0, 'must be a share between 0 and 1 (or a percentage), e.g. 0.75 or 75%')
    .lt(1, 'must be a share between 0 and 1 (or a percentage), e.g. 0.75 or 75%'),
)

const clockTime = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim())
      if (!m) {
        ctx.addIssue({ code: 'custom', message: 'must be a time of day HH:MM, e.g. 08:00' })
        return z.NEVER
      }
      return Number(m[1]) * 60 + Number(m[2])
    })

/** "22:00-07:00" (the end may be on the next day), or "off". */
const quietHours = z
  .string()
  .default('22:00-07:00')
  .transform((text, ctx) => {
    if (['off', 'none', ''].includes(text.trim().toLowerCase())) return null
    const m = /^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim())
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a span of the day HH:MM-HH:MM, e.g. 22:00-07:00, or off',
      })
      return z.NEVER
    }
    return { startMinute: Number(m[1]) * 60 + Number(m[2]), endMinute: Number(m[3]) * 60 + Number(m[4]) }
  })

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
  /** First-response and resolution times per priority and category, e.g. "normal=30m/7d, fraud.urgent=5m/2d". */
  RESPONSE_POLICY: responsePolicyOverrides.optional(),
  REMINDER_AT_SHARE: share.default(0.75),
  AFTERCARE_NUDGE_AFTER: duration('24h'),
  AFTERCARE_RESOLVE_AFTER: duration('72h'),
  AFTERCARE_CLOSE_AFTER: duration('7d'),
  DIGEST_TIME: clockTime('08:00'),
  INBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(400),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** false behind PgBouncer in transaction pooling mode, which cannot keep prepared statements. */
  DB_PREPARED_STATEMENTS: booleanFlag.default(true),
  OUTBOUND_JITTER_MS: z.coerce.number().int().min(0).default(250),
  /** Broadcasts to more recipients than this (or to the whole station) need a supervisor's approval. */
  BROADCAST_APPROVAL_THRESHOLD: z.coerce.number().int().min(0).default(200),
  /** When non-urgent broadcasts wait, in each station's time zone. */
  BROADCAST_QUIET_HOURS: quietHours,
  /** The most bytes one broadcast message may take (WeChat's limit). */
  BROADCAST_MAX_TEXT_BYTES: z.coerce.number().int().min(100).default(2048),
  /** A resident's message this soon after a broadcast reached them is linked to it. */
  BROADCAST_REPLY_WINDOW: duration('48h'),
  /** A delivery claimed or handed out this long ago with no word of it is taken as lost with its worker. */
  BROADCAST_LOST_AFTER: duration('5m'),
  /** How often the broadcast worker plans, hands out deliveries and tells progress. */
  BROADCAST_TICK: duration('1s'),
  MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).default(4000),
  /** The largest picture an officer may upload (a broadcast's image, a home-watch photo), in bytes. */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024, 'must be at least 1024 bytes')
    .max(50 * 1024 * 1024, 'at most 52428800 bytes (50 MB): pictures are kept in the database')
    .default(5 * 1024 * 1024),
  /** The AES-256 key of ID and passport numbers at rest; required in production (src/crypto/data-key.ts). */
  DATA_KEY: z
    .string()
    // The value is a secret: "(got " keeps loadConfig from quoting it back.
    .refine((text) => parseDataKey(text) !== null, `${DATA_KEY_HINT} (got something else, not shown)`)
    .optional(),
  /** Ended requests keep ID numbers this long; then `npm run retention` and the daily job remove them. */
  PERSONAL_DATA_RETENTION: duration('90d'),
  NODE_ENV: z.string().optional(),
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

export type Config = z.output<typeof schema> & {
  /** Deadlines, reminders and after-care, built from RESPONSE_MINUTES, RESPONSE_POLICY and the AFTERCARE_ times. */
  DEADLINES: DeadlineSettings
}

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
        // A mapping from the file reads badly as text; a message that quotes the bad part says enough.
        const shown = got === undefined || typeof got === 'object' || issue.message.includes('(got ')
        return `${name}: ${issue.message}${shown ? '' : ` (got "${String(got)}")`}`
      }),
    )
  }
  const data = result.data
  return { ...data, DEADLINES: deadlineSettings(data) }
}

/** The deadline settings, checked as a whole: each value may be fine alone and wrong beside another. */
function deadlineSettings(data: z.output<typeof schema>): DeadlineSettings {
  const byPriority = Object.fromEntries(
    PRIORITIES.map((p) => [
      p,
      { ...DEFAULT_RESPONSE_TIMES[p], firstResponseMs: Math.round(data.RESPONSE_MINUTES[p] * 60_000) },
    ]),
  ) as DeadlineSettings['policy']['byPriority']
  const { policy, problems } = buildPolicy(byPriority, data.RESPONSE_POLICY ?? [])
  const messages = problems.map(([path, message]) => `RESPONSE_POLICY.${path.join('.')}: ${message}`)
  if (data.AFTERCARE_NUDGE_AFTER >= data.AFTERCARE_RESOLVE_AFTER) {
    messages.push(
      'AFTERCARE_NUDGE_AFTER: must be shorter than AFTERCARE_RESOLVE_AFTER (the resident is reminded before the case is resolved for them)',
    )
  }
  if (messages.length) throw new ConfigError(messages)
  return {
    policy,
    reminderShare: data.REMINDER_AT_SHARE,
    nudgeAfterMs: data.AFTERCARE_NUDGE_AFTER,
    resolveAfterMs: data.AFTERCARE_RESOLVE_AFTER,
    closeAfterMs: data.AFTERCARE_CLOSE_AFTER,
    digestMinute: data.DIGEST_TIME,
  }
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
