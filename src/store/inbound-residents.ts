import { type Kysely, sql } from 'kysely'
import type { ResidentRef } from '../app/ports.ts'
import type { InboundEvent, Language } from '../domain/types.ts'
import { newResidentCode, RESIDENT_CODE } from './ids.ts'
import type { IdentityTouch } from './inbound-writes.ts'
import type { DB } from './schema.ts'

interface Sender {
  key: string
  /** The sender's latest event in the batch: replies go where they last wrote. */
  last: InboundEvent
  language: Language
  ref?: ResidentRef
  /** Found through the contact, so findIdentities locked the resident. */
  locked?: boolean
}

const senderKey = (e: InboundEvent) => `${e.channel}\u0000${e.accountId}\u0000${e.sender.ref}`

/**
 * The resident behind each event of a batch, with one statement per step
 * whatever the batch size: find known contacts, create the rest. Events of one
 * sender share one ResidentRef. The known contacts' touches (when and where
 * they last wrote) are answered for the batch's write, not written here.
 * Residents found through their contact are locked on the way (in id order);
 * `locked` names them and the residents created here, which no one else sees.
 */
export async function resolveResidents(
  trx: Kysely<DB>,
  requests: Array<{ event: InboundEvent; language: Language }>,
  newId: () => string,
): Promise<{ refs: ResidentRef[]; touches: IdentityTouch[]; locked: string[] }> {
  const senders = new Map<string, Sender>()
  for (const { event, language } of requests) {
    const key = senderKey(event)
    const known = senders.get(key)
    if (known) known.last = event
    else senders.set(key, { key, last: event, language })
  }
  const all = [...senders.values()]
  for (const [key, ref] of await findIdentities(trx, all))
    Object.assign(senders.get(key)!, { ref, locked: true })

  const existing = all.filter((s) => s.ref)
  for (const s of existing) {
    // A resident who picked a language on the web chat page keeps to it.
    if (s.last.language && s.ref && s.last.language !== s.ref.language) {
      await trx
        .updateTable('residents')
        .set({ language: s.last.language })
        .where('id', '=', s.ref.residentId)
        .execute()
      s.ref.language = s.last.language
    }
  }

  const fresh = all.filter((s) => !s.ref)
  if (fresh.length > 0) await createResidents(trx, fresh, newId)
  return {
    refs: requests.map(({ event }) => senders.get(senderKey(event))!.ref!),
    touches: existing.map((s) => ({ identityId: s.ref!.identityId, groupRef: s.last.group?.ref ?? null })),
    // A resident found by alias code was not locked here: it is left to the caller.
    locked: all.filter((s) => s.ref && (s.ref.created || s.locked)).map((s) => s.ref!.residentId),
  }
}

async function findIdentities(trx: Kysely<DB>, senders: Sender[]): Promise<Map<string, ResidentRef>> {
  const found = new Map<string, ResidentRef>()
  if (senders.length === 0) return found
  const { rows } = await sql<{
    identity_id: string
    channel: string
    account_id: string
    contact_ref: string
    resident_id: string
    language: string
    beat_id: string | null
    compound_id: string | null
  }>`SELECT ci.id AS identity_id, ci.channel, ci.account_id, ci.contact_ref,
            r.id AS resident_id, r.language, r.beat_id, r.compound_id
       FROM channel_identities ci JOIN residents r ON r.id = ci.resident_id
      WHERE (ci.channel, ci.account_id, ci.contact_ref) IN (
        SELECT * FROM unnest(${senders.map((s) => s.last.channel)}::text[],
                             ${senders.map((s) => s.last.accountId)}::text[],
                             ${senders.map((s) => s.last.sender.ref)}::text[]))
      ORDER BY r.id
      FOR UPDATE OF r`.execute(trx)
  for (const row of rows) {
    found.set(`${row.channel}\u0000${row.account_id}\u0000${row.contact_ref}`, {
      residentId: row.resident_id,
      identityId: row.identity_id,
      language: row.language as Language,
      beatId: row.beat_id,
      compoundId: row.compound_id,
      created: false,
    })
  }
  return found
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

async function createResidents(trx: Kysely<DB>, senders: Sender[], newId: () => string): Promise<void> {
  const created: Sender[] = []
  for (const s of senders) {
    const known = s.last.sender.alias ? await residentByAliasCode(trx, s.last.sender.alias) : null
    s.ref = known
      ? {
          residentId: known.id,
          identityId: newId(),
          language: known.language as Language,
          beatId: known.beat_id,
          compoundId: known.compound_id,
          created: false,
        }
      : {
          residentId: newId(),
          identityId: newId(),
          language: s.language,
          beatId: null,
          compoundId: null,
          created: true,
        }
    if (!known) created.push(s)
  }
  // The residents and their contacts in one statement: the contacts' key on the residents is checked at its end.
  const newResidents =
    created.length > 0
      ? sql`WITH new_residents AS (
          INSERT INTO residents (id, code, display_name, language)
          SELECT * FROM unnest(${created.map((s) => s.ref!.residentId)}::text[],
                               ${created.map(() => newResidentCode())}::text[],
                               ${created.map((s) => s.last.sender.displayName ?? null)}::text[],
                               ${created.map((s) => s.language)}::text[]))`
      : sql``
  const { rows } = await sql<{ id: string }>`${newResidents}
    INSERT INTO channel_identities (id, resident_id, channel, account_id, contact_ref, group_ref, display_name)
    SELECT * FROM unnest(${senders.map((s) => s.ref!.identityId)}::text[],
                         ${senders.map((s) => s.ref!.residentId)}::text[],
                         ${senders.map((s) => s.last.channel)}::text[],
                         ${senders.map((s) => s.last.accountId)}::text[],
                         ${senders.map((s) => s.last.sender.ref)}::text[],
                         ${senders.map((s) => s.last.group?.ref ?? null)}::text[],
                         ${senders.map((s) => s.last.sender.displayName ?? null)}::text[])
    ON CONFLICT (channel, account_id, contact_ref) DO NOTHING
    RETURNING id`.execute(trx)
  const inserted = new Set(rows.map((r) => r.id))
  const losers = senders.filter((s) => !inserted.has(s.ref!.identityId))
  if (losers.length === 0) return
  // Another worker created these contacts first: use its residents and drop ours.
  const orphans = losers.filter((s) => s.ref!.created).map((s) => s.ref!.residentId)
  if (orphans.length > 0)
    await trx.deleteFrom('residents').where(sql<boolean>`id = ANY(${orphans}::text[])`).execute()
  const winners = await findIdentities(trx, losers)
  for (const s of losers) {
    const winner = winners.get(s.key)
    if (!winner) throw new Error('channel identity vanished during creation')
    s.ref = winner
    s.locked = true
  }
}
