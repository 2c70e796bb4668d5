import { hashPassword, verifyPassword } from '../auth/passwords.ts'
import type { Database } from '../store/db.ts'
import { createOfficerLogins, type OfficerRole } from '../store/officer-logins.repository.ts'

/** Demo passwords, the same at every demo station; for demo data only, never a real deployment. */
export const DEMO_PASSWORDS: Readonly<Record<OfficerRole, string>> = {
  officer: 'demo-officer-2026',
  supervisor: 'demo-supervisor-2026',
  admin: 'demo-admin-2026',
}

/** The demo stations (seeds/changqing.yaml and seeds/fengqiao.yaml). */
export const DEMO_STATIONS = ['CQ', 'FQ'] as const

export interface DemoLogin {
  username: string
  password: string
  role: OfficerRole
  /** The officer's name. */
  name: string
  /** The station's code. */
  station: string
}

const ROLES: OfficerRole[] = ['officer', 'supervisor', 'admin']

/**
 * Makes sure each demo station has one officer, one supervisor and one admin
 * login (usernames like `cq-officer`), enabled and with its demo password:
 * the active officer with the lowest badge of each role gets it. Running it
 * again changes nothing, or restores a demo login someone changed.
 * Stations that are not loaded are skipped.
 */
export async function ensureDemoLogins(
  db: Database,
  stationCodes: readonly string[] = DEMO_STATIONS,
): Promise<DemoLogin[]> {
  const logins = createOfficerLogins(db)
  const result: DemoLogin[] = []
  for (const code of stationCodes) {
    for (const role of ROLES) {
      const officer = await db
        .selectFrom('officers as o')
        .innerJoin('stations as s', 's.id', 'o.station_id')
        .select(['o.id', 'o.name'])
        .where('s.code', '=', code)
        .where('o.role', '=', role)
        .where('o.active', '=', true)
        .orderBy('o.badge')
        .executeTakeFirst()
      if (!officer) continue
      const password = DEMO_PASSWORDS[role]
      const existing = await logins.get(officer.id)
      let username = `${code.toLowerCase()}-${role}`
      if (!existing) {
        await logins.create({ officerId: officer.id, username, passwordHash: await hashPassword(password) })
      } else {
        username = existing.username
        const current = await logins.findForLogin(username)
        if (!current || !(await verifyPassword(current.passwordHash, password))) {
          await logins.setPassword(officer.id, await hashPassword(password))
        }
        if (existing.disabledAt) await logins.setDisabled(officer.id, null)
      }
      result.push({ username, password, role, name: officer.name, station: code })
    }
  }
  return result
}
