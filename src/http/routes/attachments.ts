import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type Attachment, type Attachments, tooLarge } from '../../app/attachments.ts'
import { IMAGE_TYPES } from '../../domain/image-type.ts'
import { actorOf, requireOfficer } from '../plugins/auth.ts'

export interface AttachmentRouteOptions {
  attachments: Attachments
}

const tags = ['attachments']

const AttachmentParams = z.object({ id: z.string().min(1).max(100) })

/**
 * Sends a stored picture: its own type, never sniffed by the browser, cached
 * privately (it never changes: its hash is the ETag). Shared with the web
 * chat's resident route.
 */
export function sendPicture(request: FastifyRequest, reply: FastifyReply, picture: Attachment) {
  const etag = `"${picture.sha256}"`
  reply
    .header('cache-control', 'private, max-age=86400')
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', 'inline')
  if (request.headers['if-none-match'] === etag) return reply.status(304).send()
  const body = Buffer.from(picture.bytes.buffer, picture.bytes.byteOffset, picture.bytes.byteLength)
  return reply.type(picture.mime).send(body)
}

/**
 * Pictures officers upload for a broadcast or a home-watch check: the raw
 * image as the body (no multipart), read back by officers of the station.
 */
export async function attachmentRoutes(
  base: FastifyInstance,
  options: AttachmentRouteOptions,
): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const { attachments } = options
  const maxBytes = attachments.maxBytes
  const signedIn = requireOfficer()
  // Those who send pictures (broadcasts, home-watch checks); admins set the station up and read them only.
  const senders = requireOfficer('officer', 'supervisor')

  // Within this plugin every body arrives as bytes, whatever its type, so a wrong
  // type gets the upload's own 415 that names the accepted ones (not a JSON error).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  app.post(
    '/api/attachments',
    {
      bodyLimit: maxBytes,
      onRequest: [
        senders,
        async (request) => {
          // Refused before a byte is read when the length is announced.
          const length = Number(request.headers['content-length'])
          if (Number.isFinite(length) && length > maxBytes) throw tooLarge(length, maxBytes)
        },
      ],
      // The body limit also holds for a body that did not announce its length.
      errorHandler: (error: FastifyError) => {
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooLarge(null, maxBytes)
        throw error
      },
      schema: {
        tags,
        summary: `Upload a picture (the raw ${IMAGE_TYPES.join(', ')} bytes as the body); answers its id`,
        description:
          'The bytes are checked, not only the Content-Type: 415 for anything that is not one of these ' +
          `pictures, 400 when the type does not match the bytes, 413 over ${maxBytes} bytes ` +
          '(ATTACHMENT_MAX_BYTES). The id goes into a broadcast (`imageId`) or a home-watch check (`photoId`).',
        consumes: [...IMAGE_TYPES],
        response: {
          201: z.object({ id: z.string(), mime: z.enum(IMAGE_TYPES), size: z.number() }),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const stored = await attachments.upload(actor, { contentType: request.headers['content-type'], bytes })
      return reply.status(201).send(stored)
    },
  )

  app.get(
    '/api/attachments/:id',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'A picture uploaded at your station (404 for any other)',
        params: AttachmentParams,
      },
    },
    async (request, reply) =>
      sendPicture(request, reply, await attachments.forOfficer(actorOf(request), request.params.id)),
  )
}
