import { type Kysely, sql } from 'kysely'
import type { InboundStore, InboundTx, OpenCase, ResidentRef } from '../app/ports.ts'
import type { CaseCategory, CasePriority, CaseStatus, InboundEvent, Language } from '../domain/types.ts'
import { insertAudit } from './audit.repository.ts'
import { OPEN_STATUS_LITERALS } from './case-query.repository.ts'
import type { Database } from './db.ts'
import { newResidentCode, RESIDENT_CODE } from './ids.ts'
import { insertOfficerNotice, pendingNotices } from './officer-notices.repository.ts'
import type { DB } from './schema.ts'

const OPEN_STATUSES = ['new', 'assigned', 'in_progress', 'awaiting_resident'] as const

/** The database side of the inbound path. */
export function createInboundStore(db: Database): InboundStore {
  return {
    async loadEvent(id) {
      const row = await db
        .selectFrom('inbound_events')
        .select(['payload', 'status'])
        .where('id', '=', id)
        .executeTakeFirst()
      if (!row) return null
      return { event: row.payload as InboundEvent, status: row.status }
    },

    async markEventDone(id) {
      // The payload held personal data; once it is a message it is not needed twice.
      await db
        .updateTable('inbound_events')
        .set({ status: 'done', processed_at: new Date(), payload: sql`NULL` as never })
        .where('id', '=', id)
        .execute()
    },

    transaction: (fn) => db.transaction().execute((trx) => fn(inboundTx(trx))),

    async nextCaseCounter(stationId, year) {
      const row = await db
        .insertInto('case_counters')
        .values({ station_id: stationId, year, last_value: 1 })
        .onConflict((oc) =>
          oc.columns(['station_id', 'year']).doUpdateSet({ last_value: sql`case_counters.last_value + 1` }),
        )
        .returning('last_value')
        .executeTakeFirstOrThrow()
      return row.last_value
    },

    openCaseCounts: (officerIds) => countOpenCases(db, officerIds),

    async findDispatchState(messageId) {
      const message = await db
        .selectFrom('messages')
        .leftJoin('cases', 'cases.id', 'messages.case_id')
        .select(['messages.case_id', 'cases.station_id', 'cases.queue', 'cases.priority', 'cases.status'])
        .where('messages.id', '=', messageId)
        .executeTakeFirst()
      if (!message) return null
      const pending = await db
        .selectFrom('messages')
        .select(['id', 'account_id'])
        .where('in_reply_to', '=', messageId)
        .where('delivery_state', '=', 'queued')
        .execute()
      const open = message.status !== null && (OPEN_STATUSES as readonly string[]).includes(message.status)
      return {
        caseId: open ? message.case_id : null,
        stationId: message.station_id,
        queue: open ? message.queue : null,
        priority: (message.priority as CasePriority | null) ?? null,
        pendingReplies: pending.map((p) => ({ id: p.id, accountId: p.account_id })),
        pendingNotices: open && message.case_id ? await pendingNotices(db, message.case_id) : [],
      }
    },
  }
}

function inboundTx(trx: Kysely<DB>): InboundTx {
  return {
    async findOrCreateResident(event, language, newId) {
      const existing = await findIdentity(trx, event)
      if (existing) {
        await trx
          .updateTable('channel_identities')
          // Replies go where the resident last wrote: privately, or in the group they @-mentioned us in.
          .set({ last_seen_at: new Date(), group_ref: event.group?.ref ?? null })
          .where('id', '=', existing.identityId)
          .execute()
        if (event.language && event.language !== existing.language) {
          await trx
            .updateTable('residents')
            .set({ language: event.language })
            .where('id', '=', existing.residentId)
            .execute()
          existing.language = event.language
        }
        return existing
      }
      const identityId = newId()
      const known = await residentByAliasCode(trx, event.sender.alias)
      const residentId = known?.id ?? newId()
      if (!known) {
        await trx
          .insertInto('residents')
          .values({
            id: residentId,
            code: newResidentCode(),
            display_name: event.sender.displayName ?? null,
            language,
          })
          .execute()
      }
      const inserted = await trx
        .insertInto('channel_identities')
        .values({
          id: identityId,
          resident_id: residentId,
          channel: event.channel,
          account_id: event.accountId,
          contact_ref: event.sender.ref,
          group_ref: event.group?.ref ?? null,
          display_name: event.sender.displayName ?? null,
        })
        .onConflict((oc) => oc.columns(['channel', 'account_id', 'contact_ref']).doNothing())
        .returning('id')
        .executeTakeFirst()
      if (inserted && known) {
        return {
          residentId,
          identityId,
          language: known.language as Language,
          beatId: known.beat_id,
          compoundId: known.compound_id,
          created: false,
        }
      }
      if (inserted) return { residentId, identityId, language, beatId: null, compoundId: null, created: true }
      // Another message from the same new contact won the race: use its resident.
      if (!known) await trx.deleteFrom('residents').where('id', '=', residentId).execute()
      const winner = await findIdentity(trx, event)
      if (!winner) throw new Error('channel identity vanished during creation')
      return winner
    },

    async insertInboundMessage(id, event, residentId, identityId) {
      const row = await trx
        .insertInto('messages')
        .values({
          id,
          resident_id: residentId,
          identity_id: identityId,
          direction: 'inbound',
          channel: event.channel,
          account_id: event.accountId,
          external_id: event.externalId,
          kind: event.kind,
          text: event.text ?? null,
          media: JSON.stringify(event.media ?? null),
          delivery_state: 'received',
          created_at: event.receivedAt,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst()
      return row !== undefined
    },

    async attachMessageToCase(messageId, caseId) {
      await trx.updateTable('messages').set({ case_id: caseId }).where('id', '=', messageId).execute()
    },

    async findOpenCase(residentId) {
      // Locking the resident serializes concurrent messages of one resident, so two cannot open two cases.
      await trx.selectFrom('residents').select('id').where('id', '=', residentId).forUpdate().execute()
      const row = await trx
        .selectFrom('cases')
        .selectAll()
        .where('resident_id', '=', residentId)
        .where('status', 'in', OPEN_STATUS_LITERALS)
        .forUpdate()
        .executeTakeFirst()
      if (!row) return null
      const open: OpenCase = {
        id: row.id,
        number: row.number,
        stationId: row.station_id,
        status: row.status as CaseStatus,
        category: row.category as CaseCategory,
        priority: row.priority as CasePriority,
        assigneeOfficerId: row.assignee_officer_id,
        queue: row.queue,
        beatId: row.beat_id,
        awaitingAddress: row.awaiting_address,
        addressAttempts: row.address_attempts,
        version: row.version,
      }
      return open
    },

    async openCase(input) {
      await trx
        .insertInto('cases')
        .values({
          id: input.id,
          number: input.number,
          station_id: input.stationId,
          resident_id: input.residentId,
          identity_id: input.identityId,
          beat_id: input.beatId,
          category: input.category,
          priority: input.priority,
          status: input.status,
          assignee_officer_id: input.assigneeOfficerId,
          queue: input.queue,
          awaiting_address: input.awaitingAddress,
          first_response_due_at: input.firstResponseDueAt,
          opened_at: input.openedAt,
          last_message_at: input.openedAt,
        })
        .execute()
    },

    async updateCase(caseId, change) {
      await trx
        .updateTable('cases')
        .set({
          ...(change.beatId !== undefined && { beat_id: change.beatId }),
          ...(change.category && { category: change.category }),
          ...(change.priority && { priority: change.priority }),
          ...(change.status && { status: change.status }),
          ...(change.assigneeOfficerId !== undefined && { assignee_officer_id: change.assigneeOfficerId }),
          ...(change.queue && { queue: change.queue }),
          ...(change.awaitingAddress !== undefined && { awaiting_address: change.awaitingAddress }),
          ...(change.addressAttempts !== undefined && { address_attempts: change.addressAttempts }),
          ...(change.firstResponseDueAt !== undefined && {
            first_response_due_at: change.firstResponseDueAt,
          }),
          ...(change.lastMessageAt && { last_message_at: change.lastMessageAt }),
          version: sql`version + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', caseId)
        .execute()
    },

    async bindResidentAddress(residentId, compoundId, beatId) {
      await trx
        .updateTable('residents')
        .set({ compound_id: compoundId, beat_id: beatId, updated_at: new Date() })
        .where('id', '=', residentId)
        .execute()
    },

    openCaseCounts: (officerIds) => countOpenCases(trx, officerIds),

    async insertOutbound(draft) {
      await trx
        .insertInto('messages')
        .values({
          id: draft.id,
          case_id: draft.caseId,
          resident_id: draft.residentId,
          identity_id: draft.identityId,
          direction: 'outbound',
          channel: draft.channel,
          account_id: draft.accountId,
          in_reply_to: draft.inReplyTo,
          kind: 'text',
          text: draft.text,
          delivery_state: 'queued',
          created_at: draft.createdAt,
        })
        .execute()
    },

    addOfficerNotice: (draft) => insertOfficerNotice(trx, draft),

    async audit(entry) {
      await insertAudit(trx, { ...entry, actor: 'system' })
    },
  }
}

/** Open cases per officer; the partial index over open cases answers it without touching closed ones. */
async function countOpenCases(db: Kysely<DB>, officerIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  if (officerIds.length === 0) return counts
  const rows = await db
    .selectFrom('cases')
    .select(['assignee_officer_id', sql<number>`count(*)::int`.as('n')])
    .where('assignee_officer_id', 'in', officerIds)
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .groupBy('assignee_officer_id')
    .execute()
  for (const row of rows) if (row.assignee_officer_id) counts.set(row.assignee_officer_id, row.n)
  return counts
}

/**
 * Some puppets give a contact a new id after a re-login. An officer can set the
 * contact's alias to the resident's code (MB…), so the new id is bound back to
 * the resident we know instead of creating a stranger.
 */
async function residentByAliasCode(trx: Kysely<DB>, alias: string | undefined) {
  const code = alias?.match(RESIDENT_CODE)?.[0]
  if (!code) return null
  const row = await trx
    .selectFrom('residents')
    .select(['id', 'language', 'beat_id', 'compound_id'])
    .where('code', '=', code)
    .executeTakeFirst()
  return row ?? null
}

async function findIdentity(trx: Kysely<DB>, event: InboundEvent): Promise<ResidentRef | null> {
  const row = await trx
    .selectFrom('channel_identities')
    .innerJoin('residents', 'residents.id', 'channel_identities.resident_id')
    .select([
      'channel_identities.id as identityId',
      'residents.id as residentId',
      'residents.language',
      'residents.beat_id',
      'residents.compound_id',
    ])
    .where('channel_identities.channel', '=', event.channel)
    .where('channel_identities.account_id', '=', event.accountId)
    .where('channel_identities.contact_ref', '=', event.sender.ref)
    .executeTakeFirst()
  if (!row) return null
  return {
    residentId: row.residentId,
    identityId: row.identityId,
    language: row.language as Language,
    beatId: row.beat_id,
    compoundId: row.compound_id,
    created: false,
  }
}
