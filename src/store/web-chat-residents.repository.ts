import { sql } from 'kysely'
import type { Language } from '../domain/types.ts'
import type { Database } from './db.ts'
import { newId, newResidentCode } from './ids.ts'

export interface WebChatResident {
  residentId: string
  identityId: string
  compoundId: string | null
}

/**
 * The resident behind a web chat session, as the inbound path knows them
 * (channel "web", the station's web account, the session id as the contact).
 * A resident who submits a form before writing anything is created here, the
 * same way: a worker creating them at the same moment wins and is used.
 */
export function createWebChatResidents(db: Database) {
  const find = async (accountId: string, sessionId: string): Promise<WebChatResident | null> => {
    const row = await db
      .selectFrom('channel_identities as ci')
      .innerJoin('residents as r', 'r.id', 'ci.resident_id')
      .select(['ci.id', 'ci.resident_id', 'r.compound_id'])
      .where('ci.channel', '=', 'web')
      .where('ci.account_id', '=', accountId)
      .where('ci.contact_ref', '=', sessionId)
      .executeTakeFirst()
    return row ? { residentId: row.resident_id, identityId: row.id, compoundId: row.compound_id } : null
  }

  return {
    find,

    async ensure(input: {
      accountId: string
      sessionId: string
      displayName: string | null
      language: Language
    }): Promise<WebChatResident> {
      const known = await find(input.accountId, input.sessionId)
      if (known) return known
      await db.transaction().execute(async (trx) => {
        const residentId = newId()
        await trx
          .insertInto('residents')
          .values({
            id: residentId,
            code: newResidentCode(),
            display_name: input.displayName,
            language: input.language,
          })
          .execute()
        const inserted = await sql<{ id: string }>`
          INSERT INTO channel_identities (id, resident_id, channel, account_id, contact_ref, display_name)
          VALUES (${newId()}, ${residentId}, 'web', ${input.accountId}, ${input.sessionId}, ${input.displayName})
          ON CONFLICT (channel, account_id, contact_ref) DO NOTHING
          RETURNING id`.execute(trx)
        if (inserted.rows.length === 0)
          await trx.deleteFrom('residents').where('id', '=', residentId).execute()
      })
      const made = await find(input.accountId, input.sessionId)
      if (!made) throw new Error('web chat resident vanished during creation')
      return made
    },
  }
}

export type WebChatResidents = ReturnType<typeof createWebChatResidents>
