import { createHash } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import { parseShiftSpec } from '../domain/duty.ts'
import { exceptionOnDuty, parseRosterTime } from '../domain/roster.ts'
import { createCannedReplies } from './canned-replies.repository.ts'
import type { Database } from './db.ts'
import { replacePermitPlan } from './permits.repository.ts'
import type { DB } from './schema.ts'
import { minuteOfDay, type OfficerSpec, type StationFile } from './station-file.ts'

/** Ids derived from the file's own keys, so loading a file again updates rows instead of adding them. */
export const seedIds = {
  station: (code: string) => `st-${code.toLowerCase()}`,
  officer: (badge: string) => `of-${badge}`,
  beat: (code: string) => `bt-${code.toLowerCase()}`,
  compound: (stationCode: string, name: string) =>
    `cp-${stationCode.toLowerCase()}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`,
  dutyException: (badge: string, kind: string, from: string, to: string) =>
    `dx-${badge}-${createHash('sha256').update(`${kind} ${from} ${to}`).digest('hex').slice(0, 12)}`,
}

export interface SeedSummary {
  stations: number
  officers: number
  beats: number
  compounds: number
  accounts: number
}

/**
 * Loads station data in one transaction: inserts what is new, updates what
 * exists, never duplicates. Records the file does not mention are left alone
 * (an officer who left is marked `active: false` in the file, not deleted).
 */
export async function seedStations(
  db: Database,
  file: StationFile,
  options: { defaultTimeZone?: string } = {},
): Promise<SeedSummary> {
  const summary: SeedSummary = { stations: 0, officers: 0, beats: 0, compounds: 0, accounts: 0 }
  await db.transaction().execute(async (trx) => {
    const now = new Date()
    for (const station of file.stations) {
      const stationId = seedIds.station(station.code)
      const stationRow = {
        id: stationId,
        code: station.code,
        name: station.name,
        name_en: station.nameEn ?? null,
        time_zone: station.timeZone ?? options.defaultTimeZone ?? 'Asia/Shanghai',
        desk_name: station.dutyDesk.name,
        desk_name_en: station.dutyDesk.nameEn ?? null,
        home_watch_remind_minute: minuteOfDay(station.homeWatch.remindAt),
        home_watch_escalate_minute: minuteOfDay(station.homeWatch.escalateAt),
        home_watch_summary_minute: minuteOfDay(station.homeWatch.summaryAt),
        updated_at: now,
      }
      await trx
        .insertInto('stations')
        .values(stationRow)
        .onConflict((oc) => oc.column('id').doUpdateSet(stationRow))
        .execute()
      summary.stations++

      for (const officer of station.officers) {
        const row = {
          id: seedIds.officer(officer.badge),
          station_id: stationId,
          badge: officer.badge,
          name: officer.name,
          name_en: officer.nameEn ?? null,
          role: officer.role,
          capacity: officer.capacity,
          duty: JSON.stringify(officer.duty.flatMap(parseShiftSpec)),
          team: officer.team ?? null,
          active: officer.active,
          notify_account_id: officer.wechat?.account ?? null,
          notify_contact_ref: officer.wechat?.contact ?? null,
          updated_at: now,
        }
        await trx
          .insertInto('officers')
          .values(row)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              ...row,
              // A pattern a supervisor changed in the inbox outlives the file's.
              duty: sql<string>`CASE WHEN officers.duty_source = 'api' THEN officers.duty ELSE excluded.duty END`,
            }),
          )
          .execute()
        summary.officers++
      }
      await replaceFileExceptions(trx, stationId, stationRow.time_zone, station.officers)

      for (const beat of station.beats) {
        const beatId = seedIds.beat(beat.code)
        const row = {
          id: beatId,
          station_id: stationId,
          code: beat.code,
          name: beat.name,
          name_en: beat.nameEn ?? null,
          primary_officer_id: seedIds.officer(beat.primary),
          backup_officer_id: beat.backup ? seedIds.officer(beat.backup) : null,
          updated_at: now,
        }
        await trx
          .insertInto('beats')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute()
        summary.beats++
        for (const compound of beat.compounds) {
          const compoundRow = {
            id: seedIds.compound(station.code, compound.name),
            station_id: stationId,
            beat_id: beatId,
            name: compound.name,
            aliases: JSON.stringify(compound.aliases),
            pinyin: JSON.stringify(compound.pinyin),
            streets: JSON.stringify(compound.streets),
            updated_at: now,
          }
          await trx
            .insertInto('compounds')
            .values(compoundRow)
            .onConflict((oc) => oc.column('id').doUpdateSet(compoundRow))
            .execute()
          summary.compounds++
        }
      }

      for (const account of station.accounts) {
        const row = {
          id: account.id,
          station_id: stationId,
          kind: account.kind,
          owner_officer_id: account.owner === 'station' ? null : seedIds.officer(account.owner),
          puppet: account.puppet,
          token_env: account.tokenEnv ?? null,
          groups: JSON.stringify(account.groups),
          rate_per_minute: account.rate.perMinute,
          daily_cap: account.rate.dailyCap,
          updated_at: now,
        }
        await trx
          .insertInto('bot_accounts')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute()
        summary.accounts++
      }
      await replacePermitPlan(trx, stationId, station.permitSlots, now)
    }
  })
  // A new station starts with a few canned replies its supervisors can edit.
  const canned = createCannedReplies(db)
  for (const station of file.stations) await canned.ensureStarters(seedIds.station(station.code))
  return summary
}

/**
 * The file's duty exceptions replace the ones an earlier load of it made
 * (source `file`); exceptions a supervisor added through the API are kept.
 * Local times are read in the station's time zone.
 */
async function replaceFileExceptions(
  trx: Transaction<DB>,
  stationId: string,
  timeZone: string,
  officers: OfficerSpec[],
): Promise<void> {
  await trx
    .deleteFrom('duty_exceptions')
    .where('station_id', '=', stationId)
    .where('source', '=', 'file')
    .execute()
  const rows = officers.flatMap((officer) =>
    officer.exceptions.map((e) => {
      const startsAt = parseRosterTime(e.from, timeZone, 'start')
      const endsAt = parseRosterTime(e.to, timeZone, 'end')
      // The file was validated; only a time lost in a daylight-saving gap could still fail here.
      if (!startsAt || !endsAt || endsAt <= startsAt)
        throw new Error(`officer ${officer.badge}: exception ${e.from} to ${e.to} is not a valid time span`)
      return {
        id: seedIds.dutyException(officer.badge, e.kind, e.from, e.to),
        station_id: stationId,
        officer_id: seedIds.officer(officer.badge),
        kind: e.kind,
        on_duty: exceptionOnDuty(e.kind),
        starts_at: startsAt,
        ends_at: endsAt,
        note: e.note ?? null,
        source: 'file',
        created_by: null,
      }
    }),
  )
  if (rows.length > 0) await trx.insertInto('duty_exceptions').values(rows).execute()
}
