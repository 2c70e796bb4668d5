import type { z } from 'zod'
import { AppError } from '../errors.ts'

/** Parses a request part with a zod schema; a failure is a 400 that names the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part = 'body'): z.output<T> {
  const result = schema.safeParse(value ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : part
    return `${field}: ${issue.message}`
  })
  throw new AppError('INVALID_INPUT', problems.join('; '), {
    fields: result.error.issues.map((i) => i.path.join('.')),
  })
}
