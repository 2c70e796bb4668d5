import { MEDIATION_TEAM } from '../domain/forms/mediation.ts'
import {
  type MediationReport,
  type MediatorSubject,
  mediationFigures,
  NO_MEDIATIONS,
} from '../domain/mediation-report.ts'
import type { MediationAggregate } from '../store/reports.repository.ts'
import type { DirectorySnapshot } from './ports.ts'

const TEAM_KEY = `team:${MEDIATION_TEAM}`

/**
 * The mediation section of a station report: a row for every active member
 * of the station's mediation team (zeros when they had nothing), anyone else
 * the mediations name, the team as a whole, and mediations nobody was named
 * to; the total is the station's own count, not a sum of the rows.
 */
export function mediationReport(
  dir: DirectorySnapshot,
  stationId: string,
  aggregates: readonly MediationAggregate[],
): MediationReport {
  const byKey = new Map(aggregates.filter((a) => !a.total).map((a) => [a.key, a]))
  const officers = [...dir.officers.values()]
    .filter(
      (o) =>
        o.stationId === stationId &&
        ((o.active && o.team === MEDIATION_TEAM && o.role !== 'admin') || byKey.has(o.id)),
    )
    .sort((a, b) => a.badge.localeCompare(b.badge))
  const subjects: Array<[string | null, MediatorSubject]> = officers.map((o) => [
    o.id,
    { kind: 'officer', id: o.id, code: o.badge, name: o.name, nameEn: o.nameEn },
  ])
  if (officers.some((o) => o.team === MEDIATION_TEAM) || byKey.has(TEAM_KEY))
    subjects.push([TEAM_KEY, { kind: 'team', id: null, code: null, name: null, nameEn: null }])
  if (byKey.has(null)) subjects.push([null, { kind: 'none', id: null, code: null, name: null, nameEn: null }])
  return {
    rows: subjects.map(([key, mediator]) => ({
      mediator,
      ...mediationFigures(byKey.get(key) ?? NO_MEDIATIONS),
    })),
    total: mediationFigures(aggregates.find((a) => a.total) ?? NO_MEDIATIONS),
  }
}
