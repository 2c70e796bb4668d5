import type { Actor } from '../domain/access.ts'
import {
  IMAGE_TYPE_NAMES,
  IMAGE_TYPES,
  type ImageType,
  isImageType,
  sniffImageType,
} from '../domain/image-type.ts'
import { AppError } from '../errors.ts'
import type { Clock } from './ports.ts'

/** A stored picture, without its bytes. */
export interface AttachmentMeta {
  id: string
  stationId: string
  uploadedBy: string
  mime: ImageType
  size: number
  sha256: string
  createdAt: Date
}

export interface Attachment extends AttachmentMeta {
  bytes: Uint8Array
}

/** A picture a send carries, its bytes loaded by whoever sends (job payloads carry only ids). */
export interface OutboundImage {
  attachmentId: string
  mime: string
  bytes: Uint8Array
}

/** Where a conversation with a resident lives, to tell whether a picture was sent there. */
export interface ContactRef {
  channel: string
  accountId: string
  contactRef: string
}

/** Pictures as stored (store/attachments.repository.ts). */
export interface AttachmentStore {
  insert(input: {
    id: string
    stationId: string
    uploadedBy: string
    mime: ImageType
    bytes: Uint8Array
    createdAt: Date
  }): Promise<AttachmentMeta>
  meta(id: string): Promise<AttachmentMeta | null>
  load(id: string): Promise<Attachment | null>
  /** The picture, only when a message to this contact carries it. */
  loadForContact(id: string, contact: ContactRef): Promise<Attachment | null>
  /** The picture each of these messages carries, by message id (messages without one are left out). */
  ofMessages(messageIds: readonly string[]): Promise<Map<string, { id: string; mime: ImageType }>>
}

export interface AttachmentDeps {
  store: AttachmentStore
  clock: Clock
  newId: () => string
  /** The largest picture accepted, in bytes. */
  maxBytes: number
}

/** "5 MB", "640 KB", "512 bytes": sizes as an officer reads them in a refusal. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MB`
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KB`
  return `${n} bytes`
}

const ACCEPTED = `${IMAGE_TYPES.slice(0, -1).join(', ')} or ${IMAGE_TYPES.at(-1)}`

/** What the upload route says when the body is over the limit (before or after reading it). */
export const tooLarge = (size: number | null, maxBytes: number): AppError =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `body: the picture ${size === null ? 'is too large' : `is ${formatBytes(size)}`}; ` +
      `at most ${formatBytes(maxBytes)} can be uploaded (make it smaller or send a lower resolution)`,
  )

/**
 * Officers' pictures: upload (checked by its bytes, not only its declared
 * type), reading back within the station, and checking a picture named by a
 * broadcast or a home-watch check before it is used.
 */
export function createAttachments(deps: AttachmentDeps) {
  const { store } = deps

  return {
    maxBytes: deps.maxBytes,

    /** Stores an uploaded picture of the officer's station; answers what the inbox needs to show it. */
    async upload(actor: Actor, input: { contentType: string | undefined; bytes: Uint8Array }) {
      const declared = (input.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
      if (!isImageType(declared)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type: send the picture with its own type, one of ${ACCEPTED}` +
            ` (got ${declared ? `"${declared}"` : 'none'})`,
        )
      }
      if (input.bytes.length === 0) throw new AppError('INVALID_INPUT', 'body: the picture is empty')
      if (input.bytes.length > deps.maxBytes) throw tooLarge(input.bytes.length, deps.maxBytes)
      const actual = sniffImageType(input.bytes)
      if (!actual) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `body: the bytes are not a ${Object.values(IMAGE_TYPE_NAMES).join(', ')} picture, whatever Content-Type says`,
        )
      }
      if (actual !== declared) {
        throw new AppError(
          'INVALID_INPUT',
          `Content-Type: says ${declared} but the picture is a ${IMAGE_TYPE_NAMES[actual]}; send it as ${actual}`,
        )
      }
      const stored = await store.insert({
        id: deps.newId(),
        stationId: actor.stationId,
        uploadedBy: actor.id,
        mime: actual,
        bytes: input.bytes,
        createdAt: deps.clock.now(),
      })
      return { id: stored.id, mime: stored.mime, size: stored.size }
    },

    /** The picture for an officer of its station; anyone else is told it does not exist. */
    async forOfficer(actor: Actor, id: string): Promise<Attachment> {
      const found = await store.load(id)
      if (!found || found.stationId !== actor.stationId)
        throw new AppError('NOT_FOUND', `picture ${id} does not exist`)
      return found
    },

    /**
     * The picture a broadcast or a check names, if it is one of the station's;
     * else a 400 on `field` (another station's id is named back like any bad input).
     */
    async pictureOf(stationId: string, id: string, field: string): Promise<AttachmentMeta> {
      const found = await store.meta(id)
      if (!found || found.stationId !== stationId)
        throw new AppError(
          'INVALID_INPUT',
          `${field}: no picture ${id} was uploaded at your station (upload it with POST /api/attachments first)`,
        )
      return found
    },
  }
}

export type Attachments = ReturnType<typeof createAttachments>

/**
 * The bytes of a picture to send, kept for the next sends: a broadcast sends
 * the same picture to every recipient, and reading a few MB from the database
 * for each would cost more than the send. Pictures never change once stored,
 * so a kept copy is never stale.
 */
export function createImageLoader(
  store: Pick<AttachmentStore, 'load'>,
  options: { cacheBytes: number },
): (id: string) => Promise<OutboundImage | null> {
  const kept = new Map<string, OutboundImage>()
  let keptBytes = 0
  return async (id) => {
    const hit = kept.get(id)
    if (hit) {
      // Most recently used last: the oldest goes first when room is needed.
      kept.delete(id)
      kept.set(id, hit)
      return hit
    }
    const found = await store.load(id)
    if (!found) return null
    const image: OutboundImage = { attachmentId: found.id, mime: found.mime, bytes: found.bytes }
    if (image.bytes.length <= options.cacheBytes) {
      kept.set(id, image)
      keptBytes += image.bytes.length
      for (const [oldId, old] of kept) {
        if (keptBytes <= options.cacheBytes) break
        kept.delete(oldId)
        keptBytes -= old.bytes.length
      }
    }
    return image
  }
}

export type ImageLoader = ReturnType<typeof createImageLoader>
