import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, type ErrorCode } from '../errors.ts'

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  CSRF: 403,
  LOCKED: 429,
  INVALID_CREDENTIALS: 401,
}

/** Schema validation problems as "field: what is wrong", one per field. */
function validationMessage(error: FastifyError): string | null {
  if (!error.validation?.length) return null
  return error.validation
    .map((issue) => {
      const field =
        issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || error.validationContext || 'input'
      return `${field}: ${issue.message ?? 'is not valid'}`
    })
    .join('; ')
}

/**
 * One place that turns errors into responses `{ error: { code, message } }`.
 * Known codes map to their status; Fastify's own client errors (bad JSON, a
 * body too large) keep their 4xx; anything else is a 500 that says nothing
 * about the inside and is logged with its stack.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
      if (STATUS[error.code] === 429 && typeof retryAfter === 'number')
        reply.header('retry-after', retryAfter)
      return reply.status(STATUS[error.code]).send({ error: { code: error.code, message: error.message } })
    }
    const status = (error as FastifyError).statusCode
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_INPUT'
      const message =
        (error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'send the body as application/json'
          : (validationMessage(error as FastifyError) ?? error.message)
      return reply.status(status).send({ error: { code, message } })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply
      .status(500)
      .send({ error: { code: 'INTERNAL', message: 'Something went wrong on our side; please try again.' } })
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    return reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${path}` } })
  })
}
