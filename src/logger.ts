import { type Logger, type LoggerOptions, pino } from 'pino'

export type { Logger }

/**
 * Keys that may hold personal data wherever they appear (up to three levels
 * deep, which covers request bodies, job data and our own log objects). Logging these
 * values is never useful enough to risk a resident's privacy.
 */
const PERSONAL_KEYS = [
  'text',
  'name',
  'displayName',
  'alias',
  'phone',
  'idNumber',
  'address',
  'addressDetail',
  'token',
  'password',
]

const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...PERSONAL_KEYS,
  ...PERSONAL_KEYS.map((k) => `*.${k}`),
  ...PERSONAL_KEYS.map((k) => `*.*.${k}`),
  ...PERSONAL_KEYS.map((k) => `*.*.*.${k}`),
]

/** Request serializer: the query string can carry tokens (EventSource cannot send headers). */
function serializeRequest(req: {
  id?: unknown
  method?: string
  url?: string
  routeOptions?: { url?: string }
}) {
  return { id: req.id, method: req.method, url: req.url?.split('?')[0] }
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const opts: LoggerOptions = {
    level: options.level,
    base: { service: 'maplebridge' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { req: serializeRequest, err: pino.stdSerializers.err },
  }
  return options.destination ? pino(opts, options.destination) : pino(opts)
}
