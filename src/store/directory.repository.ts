import type {
  AccountInfo,
  BeatInfo,
  Clock,
  Directory,
  DirectorySnapshot,
  OfficerInfo,
  StationInfo,
} from '../app/ports.ts'
import { buildGazetteer, type Gazetteer } from '../domain/gazetteer.ts'
import type { Compound, DutyException, DutyExceptionKind } from '../domain/types.ts'
import type { Database } from './db.ts'

/** Web chat is an account of every station, named after its code. */
export const webChatAccountId = (stationCode: string): string => `web-${stationCode.toLowerCase()}`

/**
 * Station reference data changes rarely and is read on every message, so it is
 * held as an in-memory snapshot and reloaded in the background after `ttlMs`
 * (a change made elsewhere shows up within that time; `invalidate` is immediate).
 */
export function createDirectory(
  db: Database,
  ttlMs = 30_000,
  clock: Clock = { now: () => new Date() },
): Directory {
  let current: { snapshot: DirectorySnapshot; loadedAt: number } | null = null
  let loading: Promise<DirectorySnapshot> | null = null

  const reload = (): Promise<DirectorySnapshot> => {
    loading ??= loadSnapshot(db, clock.now())
      .then((snapshot) => {
        current = { snapshot, loadedAt: Date.now() }
        return snapshot
      })
      .finally(() => {
        loading = null
      })
    return loading
  }

  return {
    async get() {
      if (!current) return reload()
      if (Date.now() - current.loadedAt > ttlMs) void reload().catch(() => {})
      return current.snapshot
    },
    invalidate() {
      current = null
    },
  }
}

async function loadSnapshot(db: Database, now: Date): Promise<DirectorySnapshot> {
  const [stationRows, officerRows, beatRows, compoundRows, accountRows, exceptionRows] = await Promise.all([
    db.selectFrom('stations').selectAll().orderBy('code').execute(),
    db.selectFrom('officers').selectAll().execute(),
    db.selectFrom('beats').selectAll().orderBy('code').execute(),
    db.selectFrom('compounds').selectAll().orderBy('name').execute(),
    db.selectFrom('bot_accounts').selectAll().execute(),
    // Past exceptions decide nothing any more; current and future ones decide routing and deadlines.
    db
      .selectFrom('duty_exceptions')
      .select(['id', 'officer_id', 'kind', 'on_duty', 'starts_at', 'ends_at', 'note', 'source'])
      .where('ends_at', '>', now)
      .orderBy('starts_at')
      .execute(),
  ])
  const exceptions = new Map<string, DutyException[]>()
  for (const e of exceptionRows) {
    const list = exceptions.get(e.officer_id) ?? []
    list.push({
      id: e.id,
      kind: e.kind as DutyExceptionKind,
      onDuty: e.on_duty,
      startsAt: e.starts_at,
      endsAt: e.ends_at,
      note: e.note,
      source: e.source === 'file' ? 'file' : 'api',
    })
    exceptions.set(e.officer_id, list)
  }
  const stations = new Map<string, StationInfo>()
  const accounts = new Map<string, AccountInfo>()
  for (const s of stationRows) {
    stations.set(s.id, {
      id: s.id,
      code: s.code,
      name: s.name,
      nameEn: s.name_en,
      timeZone: s.time_zone,
      deskName: s.desk_name,
      deskNameEn: s.desk_name_en,
      homeWatch: {
        remindMinute: s.home_watch_remind_minute,
        dueMinute: s.home_watch_escalate_minute,
        endMinute: s.home_watch_summary_minute,
      },
    })
    const web = webChatAccountId(s.code)
    accounts.set(web, { id: web, stationId: s.id, ownerOfficerId: null })
  }
  for (const a of accountRows) {
    accounts.set(a.id, { id: a.id, stationId: a.station_id, ownerOfficerId: a.owner_officer_id })
  }
  const officers = new Map<string, OfficerInfo>(
    officerRows.map((o) => [
      o.id,
      {
        id: o.id,
        stationId: o.station_id,
        name: o.name,
        nameEn: o.name_en,
        badge: o.badge,
        capacity: o.capacity,
        duty: o.duty,
        exceptions: exceptions.get(o.id) ?? [],
        active: o.active,
        role: o.role,
        team: o.team,
      },
    ]),
  )
  const beats = new Map<string, BeatInfo>(
    beatRows.map((b) => [
      b.id,
      {
        id: b.id,
        stationId: b.station_id,
        code: b.code,
        name: b.name,
        nameEn: b.name_en,
        primaryOfficerId: b.primary_officer_id,
        backupOfficerId: b.backup_officer_id,
      },
    ]),
  )
  const compounds = new Map<string, Compound>()
  const byStation = new Map<string, Compound[]>()
  for (const c of compoundRows) {
    const compound: Compound = {
      id: c.id,
      beatId: c.beat_id,
      name: c.name,
      aliases: c.aliases,
      pinyin: c.pinyin,
      streets: c.streets,
    }
    compounds.set(c.id, compound)
    byStation.set(c.station_id, [...(byStation.get(c.station_id) ?? []), compound])
  }
  const gazetteers = new Map<string, Gazetteer>()
  for (const [stationId, list] of byStation) gazetteers.set(stationId, buildGazetteer(list))

  const officerBeats = new Map<string, BeatInfo[]>()
  for (const beat of beats.values()) {
    for (const officerId of [beat.primaryOfficerId, beat.backupOfficerId]) {
      if (!officerId) continue
      const list = officerBeats.get(officerId) ?? []
      // Beats where the officer is primary come first.
      if (beat.primaryOfficerId === officerId) list.unshift(beat)
      else list.push(beat)
      officerBeats.set(officerId, list)
    }
  }

  return {
    stations,
    officers,
    beats,
    compounds,
    accounts,
    beatsOfOfficer: (officerId) => officerBeats.get(officerId) ?? [],
    matchAddress(stationId, text) {
      const match = gazetteers.get(stationId)?.match(text)
      return match ? (compounds.get(match.compoundId) ?? null) : null
    },
  }
}
