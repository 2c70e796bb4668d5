import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ServiceRequests } from '../../src/app/forms/service-requests.ts'
import type { Clock, Directory } from '../../src/app/ports.ts'
import { describeForm, type FormContext, readSubmission } from '../../src/domain/forms/form.ts'
import { formById, SERVICES } from '../../src/domain/forms/registry.ts'
import type { Language } from '../../src/domain/types.ts'
import { AppError } from '../../src/errors.ts'
import { parseInput } from '../../src/http/validate.ts'
import { webChatAccountId } from '../../src/store/directory.repository.ts'
import type { WebChatSession, WebChatStore } from '../../src/store/web-chat.repository.ts'
import type { WebChatResidents } from '../../src/store/web-chat-residents.repository.ts'

export interface WebChatFormRouteOptions {
  store: Pick<WebChatStore, 'findByToken'>
  residents: WebChatResidents
  directory: Directory
  serviceRequests: ServiceRequests
  clock: Clock
}

const FormParams = z.object({ id: z.string().min(1).max(50) })

const SubmitBody = z.object({
  answers: z.record(
    z.string(),
    z.union([z.string().max(1000), z.boolean(), z.null()]),
    'answers: an object of field values',
  ),
  submissionId: z
    .string('is required: an id the page gives each submission, reused on retry')
    .min(1)
    .max(100),
  /** The language the page shows; problems come back in it. */
  language: z.enum(['zh', 'en']).optional(),
})

/**
 * The service forms of the web chat page: which services there are, one
 * form's fields (with the address on record filled in), and a submission
 * checked by the same parsers and schema as the chat conversation. A bad
 * submission is a 400 with one message per field.
 */
export async function webChatFormRoutes(
  app: FastifyInstance,
  options: WebChatFormRouteOptions,
): Promise<void> {
  const session = async (request: FastifyRequest): Promise<WebChatSession> => {
    const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (!token) throw new AppError('UNAUTHORIZED', 'missing token: send "Authorization: Bearer <token>"')
    const found = await options.store.findByToken(token)
    if (!found) throw new AppError('UNAUTHORIZED', 'unknown or expired token: start a new session')
    return found
  }

  const place = async (s: WebChatSession) => {
    const dir = await options.directory.get()
    const station = dir.stations.get(s.stationId)
    if (!station) throw new AppError('NOT_FOUND', 'the station of this session no longer exists')
    return { dir, station, accountId: webChatAccountId(station.code) }
  }

  const formOf = (id: string) => {
    const form = formById(id)
    if (!form) throw new AppError('NOT_FOUND', `no service form called "${id}"`)
    return form
  }

  app.get('/chat/api/forms', async (request) => {
    await session(request)
    return {
      forms: SERVICES.map((s) => ({ id: s.id, title: s.title, available: s.form !== undefined })),
    }
  })

  app.get('/chat/api/forms/:id', async (request) => {
    const s = await session(request)
    const form = formOf(parseInput(FormParams, request.params, 'params').id)
    const { dir, station, accountId } = await place(s)
    const resident = await options.residents.find(accountId, s.id)
    const choices = await options.serviceRequests.choicesFor(form.id, station.id)
    const ctx: FormContext = {
      now: options.clock.now(),
      timeZone: station.timeZone,
      language: s.language,
      prefill: options.serviceRequests.prefill(dir, resident?.compoundId ?? null),
      ...(choices ? { choices } : {}),
    }
    return { form: describeForm(form, ctx) }
  })

  app.post('/chat/api/forms/:id', async (request, reply) => {
    const s = await session(request)
    const form = formOf(parseInput(FormParams, request.params, 'params').id)
    const body = parseInput(SubmitBody, request.body)
    const language: Language = body.language ?? s.language
    const { dir, station, accountId } = await place(s)
    const choices = await options.serviceRequests.choicesFor(form.id, station.id)
    const ctx: FormContext = {
      now: options.clock.now(),
      timeZone: station.timeZone,
      language,
      // The gazetteer, for a form that names a compound (rental registration); nothing is proposed here.
      prefill: { places: options.serviceRequests.prefill(dir, null).places },
      stationId: station.id,
      ...(choices ? { choices } : {}),
    }
    const read = readSubmission(form, body.answers, ctx)
    if (!read.ok) {
      return reply.status(400).send({
        error: {
          code: 'INVALID_INPUT',
          message: read.problems.map((p) => p.message).join(' '),
          fields: Object.fromEntries(read.problems.map((p) => [p.key, p.message])),
        },
      })
    }
    const resident = await options.residents.ensure({
      accountId,
      sessionId: s.id,
      displayName: s.displayName,
      language: s.language,
    })
    const result = await options.serviceRequests
      .submit({
        residentId: resident.residentId,
        identityId: resident.identityId,
        stationId: station.id,
        completed: {
          form: form.id,
          answers: read.answers,
          // Scoped to the session: one page cannot replay another's submission.
          submissionId: `web-${s.id}-${body.submissionId}`,
          language,
        },
      })
      .catch((error: unknown) => {
        // A problem found only on submitting (the slot filled up meanwhile) names its field like the rest.
        const fields =
          error instanceof AppError ? (error.details as { fields?: unknown } | undefined)?.fields : null
        if (fields && typeof fields === 'object') return { message: (error as Error).message, fields }
        throw error
      })
    if ('fields' in result) {
      return reply
        .status(400)
        .send({ error: { code: 'INVALID_INPUT', message: result.message, fields: result.fields } })
    }
    return reply
      .status(result.created ? 201 : 200)
      .send({ caseNumber: result.caseNumber, requestId: result.requestId })
  })
}
