import { createHash } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Attachment, AttachmentMeta, AttachmentStore } from '../app/attachments.ts'
import type { ImageType } from '../domain/image-type.ts'
import type { Database } from './db.ts'
import type { AttachmentsTable } from './schema.ts'

const META_COLUMNS = [
  'id',
  'station_id',
  'uploaded_by',
  'mime',
  'size_bytes',
  'sha256',
  'created_at',
] as const

const metaOf = (row: Omit<Selectable<AttachmentsTable>, 'bytes'>): AttachmentMeta => ({
  id: row.id,
  stationId: row.station_id,
  uploadedBy: row.uploaded_by,
  mime: row.mime as ImageType,
  size: row.size_bytes,
  sha256: row.sha256,
  createdAt: row.created_at,
})

// node-postgres returns bytea as a Buffer and PGlite as a Uint8Array; both are read as bytes.
const attachmentOf = (row: Selectable<AttachmentsTable>): Attachment => ({
  ...metaOf(row),
  bytes: row.bytes,
})

// node-postgres sends only a Buffer as bytea (another Uint8Array would go as text); PGlite takes either.
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Officers' pictures, bytes and all, in the `attachments` table (migration 016). */
export function createAttachmentStore(db: Database): AttachmentStore {
  return {
    async insert(input) {
      const bytes = asBuffer(input.bytes)
      const row = await db
        .insertInto('attachments')
        .values({
          id: input.id,
          station_id: input.stationId,
          uploaded_by: input.uploadedBy,
          mime: input.mime,
          size_bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          bytes,
          created_at: input.createdAt,
        })
        .returning([...META_COLUMNS])
        .executeTakeFirstOrThrow()
      return metaOf(row)
    },

    async meta(id) {
      const row = await db
        .selectFrom('attachments')
        .select([...META_COLUMNS])
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? metaOf(row) : null
    },

    async load(id) {
      const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? attachmentOf(row) : null
    },

    async loadForContact(id, contact) {
      const row = await db
        .selectFrom('attachments as a')
        .selectAll('a')
        .where('a.id', '=', id)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('messages as m')
              .innerJoin('channel_identities as ci', 'ci.id', 'm.identity_id')
              .select('m.id')
              .whereRef('m.attachment_id', '=', 'a.id')
              .where('m.direction', '=', 'outbound')
              .where('ci.channel', '=', contact.channel)
              .where('ci.account_id', '=', contact.accountId)
              .where('ci.contact_ref', '=', contact.contactRef),
          ),
        )
        .executeTakeFirst()
      return row ? attachmentOf(row) : null
    },

    async ofMessages(messageIds) {
      const out = new Map<string, { id: string; mime: ImageType }>()
      if (messageIds.length === 0) return out
      const rows = await db
        .selectFrom('messages as m')
        .innerJoin('attachments as a', 'a.id', 'm.attachment_id')
        .select(['m.id as message_id', 'a.id', 'a.mime'])
        .where('m.id', 'in', [...messageIds])
        .execute()
      for (const r of rows) out.set(r.message_id, { id: r.id, mime: r.mime as ImageType })
      return out
    },
  }
}
