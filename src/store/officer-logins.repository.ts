import { sql } from 'kysely'
import { AppError } from '../errors.ts'
import { insertAudit } from './audit.repository.ts'
import { compileOnce } from './compiled-query.ts'
import type { Database } from './db.ts'

export type OfficerRole = 'officer' | 'supervisor' | 'admin'
const ROLES: readonly string[] = ['officer', 'supervisor', 'admin']

/** Lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, 2-64 long. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/

/** Usernames compare without case or surrounding spaces: "LiMing " signs in as "liming". */
export const normalizeUsername = (username: string): string => username.trim().toLowerCase()

/** What a login attempt needs to decide. */
export interface LoginCandidate {
  officerId: string
  stationId: string
  role: string
  passwordHash: string
  /** The login is disabled or the officer is no longer active. */
  disabled: boolean
}

/** The signed-in officer as the inbox sees them, read fresh on every request. */
export interface OfficerProfile {
  id: string
  name: string
  nameEn: string | null
  badge: string
  role: OfficerRole
  stationId: string
  stationCode: string
  stationName: string
  /** Beats where the officer is primary or backup, by code. */
  beatIds: string[]
}

/** A login as the officer CLI lists it. */
export interface OfficerLoginListing {
  officerId: string
  username: string
  badge: string
  name: string
  role: string
  stationCode: string
  active: boolean
  disabledAt: Date | null
  lastLoginAt: Date | null
  passwordChangedAt: Date
}

/** An officer a login may be created for. */
export interface OfficerRef {
  id: string
  badge: string
  name: string
  role: string
  stationId: string
  stationCode: string
  active: boolean
}

/** Officer logins (username, argon2id hash, disabled mark) and the audit entries of signing in and out. */
export function createOfficerLogins(db: Database) {
  const listing = () =>
    db
      .selectFrom('officer_logins as l')
      .innerJoin('officers as o', 'o.id', 'l.officer_id')
      .innerJoin('stations as s', 's.id', 'o.station_id')
      .select([
        'l.officer_id',
        'l.username',
        'l.disabled_at',
        'l.last_login_at',
        'l.password_changed_at',
        'o.badge',
        'o.name',
        'o.role',
        'o.active',
        's.code as station_code',
      ])

  const toListing = (row: Awaited<ReturnType<ReturnType<typeof listing>['executeTakeFirstOrThrow']>>) => ({
    officerId: row.officer_id,
    username: row.username,
    badge: row.badge,
    name: row.name,
    role: row.role,
    stationCode: row.station_code,
    active: row.active,
    disabledAt: row.disabled_at,
    lastLoginAt: row.last_login_at,
    passwordChangedAt: row.password_changed_at,
  })

  // Read for every signed-in request: built and compiled once (see compileOnce).
  const profileStatement = compileOnce(db, (p: { officerId: string }) =>
    db
      .selectFrom('officers as o')
      .innerJoin('stations as s', 's.id', 'o.station_id')
      .innerJoin('officer_logins as l', 'l.officer_id', 'o.id')
      .select([
        'o.id',
        'o.name',
        'o.name_en',
        'o.badge',
        'o.role',
        'o.active',
        'o.station_id',
        's.code as station_code',
        's.name as station_name',
        'l.disabled_at',
        sql<string[] | null>`(SELECT array_agg(b.id ORDER BY b.code) FROM beats b
          WHERE b.primary_officer_id = o.id OR b.backup_officer_id = o.id)`.as('beat_ids'),
      ])
      .where('o.id', '=', p.officerId),
  )

  const requireUpdated = (updated: { numUpdatedRows: bigint } | undefined, officerId: string) => {
    if (!updated || updated.numUpdatedRows === 0n) {
      throw new AppError('NOT_FOUND', `officer ${officerId} has no login`)
    }
  }

  return {
    async findForLogin(username: string): Promise<LoginCandidate | null> {
      const row = await db
        .selectFrom('officer_logins as l')
        .innerJoin('officers as o', 'o.id', 'l.officer_id')
        .select(['l.officer_id', 'l.password_hash', 'l.disabled_at', 'o.station_id', 'o.role', 'o.active'])
        .where('l.username', '=', normalizeUsername(username))
        .executeTakeFirst()
      if (!row) return null
      return {
        officerId: row.officer_id,
        stationId: row.station_id,
        role: row.role,
        passwordHash: row.password_hash,
        disabled: row.disabled_at !== null || !row.active || !ROLES.includes(row.role),
      }
    },

    /** The officer behind a session, or null when they may no longer sign in. */
    async profile(officerId: string): Promise<OfficerProfile | null> {
      const [row] = await profileStatement({ officerId })
      if (!row?.active || row.disabled_at !== null || !ROLES.includes(row.role)) return null
      return {
        id: row.id,
        name: row.name,
        nameEn: row.name_en,
        badge: row.badge,
        role: row.role as OfficerRole,
        stationId: row.station_id,
        stationCode: row.station_code,
        stationName: row.station_name,
        beatIds: row.beat_ids ?? [],
      }
    },

    async get(officerId: string): Promise<OfficerLoginListing | null> {
      const row = await listing().where('l.officer_id', '=', officerId).executeTakeFirst()
      return row ? toListing(row) : null
    },

    async list(options: { stationCode?: string } = {}): Promise<OfficerLoginListing[]> {
      let query = listing().orderBy('s.code').orderBy('o.badge')
      if (options.stationCode) query = query.where('s.code', '=', options.stationCode.toUpperCase())
      return (await query.execute()).map(toListing)
    },

    /** Officers with this badge (one, unless two stations share a badge number). */
    async findOfficers(badge: string, stationCode?: string): Promise<OfficerRef[]> {
      let query = db
        .selectFrom('officers as o')
        .innerJoin('stations as s', 's.id', 'o.station_id')
        .select(['o.id', 'o.badge', 'o.name', 'o.role', 'o.active', 'o.station_id', 's.code as station_code'])
        .where('o.badge', '=', badge)
      if (stationCode) query = query.where('s.code', '=', stationCode.toUpperCase())
      return (await query.execute()).map((r) => ({
        id: r.id,
        badge: r.badge,
        name: r.name,
        role: r.role,
        stationId: r.station_id,
        stationCode: r.station_code,
        active: r.active,
      }))
    },

    /** Adds a login; CONFLICT when the officer already has one or the username is taken. */
    async create(input: { officerId: string; username: string; passwordHash: string; at?: Date }) {
      const username = normalizeUsername(input.username)
      if (!USERNAME_PATTERN.test(username)) {
        throw new AppError(
          'INVALID_INPUT',
          'username: 2-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
        )
      }
      const taken = await db
        .selectFrom('officer_logins')
        .select(['officer_id', 'username'])
        .where((eb) => eb.or([eb('officer_id', '=', input.officerId), eb('username', '=', username)]))
        .execute()
      const own = taken.find((row) => row.officer_id === input.officerId)
      if (own)
        throw new AppError('CONFLICT', `officer ${input.officerId} already has the login "${own.username}"`)
      if (taken.length) throw new AppError('CONFLICT', `the username "${username}" is taken`)
      const at = input.at ?? new Date()
      await db
        .insertInto('officer_logins')
        .values({
          officer_id: input.officerId,
          username,
          password_hash: input.passwordHash,
          password_changed_at: at,
        })
        .execute()
    },

    async setPassword(officerId: string, passwordHash: string, at: Date = new Date()): Promise<void> {
      const updated = await db
        .updateTable('officer_logins')
        .set({ password_hash: passwordHash, password_changed_at: at })
        .where('officer_id', '=', officerId)
        .executeTakeFirst()
      requireUpdated(updated, officerId)
    },

    /** Disables (a date) or enables (null) a login. */
    async setDisabled(officerId: string, disabledAt: Date | null): Promise<void> {
      const updated = await db
        .updateTable('officer_logins')
        .set({ disabled_at: disabledAt })
        .where('officer_id', '=', officerId)
        .executeTakeFirst()
      requireUpdated(updated, officerId)
    },

    async recordLogin(officerId: string, at: Date): Promise<void> {
      await db
        .updateTable('officer_logins')
        .set({ last_login_at: at })
        .where('officer_id', '=', officerId)
        .execute()
    },

    /** Writes a sign-in related entry to the audit log; the subject is the officer. */
    async audit(entry: {
      actor: string
      action: string
      officerId: string
      stationId: string | null
      at: Date
      detail?: Record<string, unknown>
    }): Promise<void> {
      await insertAudit(db, {
        stationId: entry.stationId,
        actor: entry.actor,
        action: entry.action,
        subjectType: 'officer',
        subjectId: entry.officerId,
        detail: entry.detail,
        at: entry.at,
      })
    },
  }
}

export type OfficerLogins = ReturnType<typeof createOfficerLogins>
