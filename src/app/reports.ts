import type { Actor } from '../domain/access.ts'
import { type MediationReport, mediationCsv } from '../domain/mediation-report.ts'
import { reportPeriod } from '../domain/report-period.ts'
import {
  type ReportFigures,
  type ReportGrouping,
  type ReportRow,
  type ReportSubject,
  reportCsv,
  roundTo,
  share,
} from '../domain/report-table.ts'
import type { Language } from '../domain/types.ts'
import { AppError } from '../errors.ts'
import type { ReportAggregate, ReportsStore } from '../store/reports.repository.ts'
import { mediationReport } from './mediation-report.ts'
import type { Clock, Directory, DirectorySnapshot } from './ports.ts'

export type { ReportFigures, ReportGrouping, ReportRow, ReportSubject }

/** A report as the API answers it and the inbox draws it. */
export interface ReportView {
  station: { code: string; name: string; nameEn: string | null; timeZone: string }
  by: ReportGrouping
  period: { from: string; to: string; start: string; end: string; days: number }
  generatedAt: string
  rows: ReportRow[]
  total: ReportFigures
  /** Dispute mediation per mediator, whatever `by` is (see domain/mediation-report.ts). */
  mediation: MediationReport
}

export interface ReportQuery {
  by: ReportGrouping
  from?: string | undefined
  to?: string | undefined
}

export interface ReportDeps {
  store: ReportsStore
  directory: Directory
  clock: Clock
  /** Optional trail of who read which report; a report holds no resident's data. */
  audit?(entry: {
    stationId: string
    actor: string
    action: string
    subjectType: string
    subjectId: string
    detail: unknown
  }): Promise<void>
}

const EMPTY: ReportAggregate = {
  key: null,
  total: true,
  opened: 0,
  resolved: 0,
  responded: 0,
  firstResponseMedianSeconds: null,
  firstResponseP90Seconds: null,
  deadlineCases: 0,
  withinDeadline: 0,
  escalations: 0,
  ratings: 0,
  satisfactionAverage: null,
}

function figures(a: ReportAggregate): ReportFigures {
  return {
    opened: a.opened,
    resolved: a.resolved,
    responded: a.responded,
    firstResponseMedianSeconds: roundTo(a.firstResponseMedianSeconds, 1),
    firstResponseP90Seconds: roundTo(a.firstResponseP90Seconds, 1),
    deadlineCases: a.deadlineCases,
    withinDeadline: a.withinDeadline,
    withinDeadlineShare: share(a.withinDeadline, a.deadlineCases),
    escalations: a.escalations,
    ratings: a.ratings,
    satisfactionAverage: roundTo(a.satisfactionAverage, 2),
  }
}

/**
 * Who the rows are about, in a stable order: every active community officer
 * (or every beat) of the station, with zeros when they had nothing, plus
 * anyone else the cases name (a supervisor who took a case, an officer since
 * deactivated), and the duty desk or "no beat" last.
 */
function subjects(dir: DirectorySnapshot, stationId: string, by: ReportGrouping, keys: Set<string | null>) {
  const station = dir.stations.get(stationId)
  const list: ReportSubject[] = []
  if (by === 'officer') {
    const officers = [...dir.officers.values()]
      .filter((o) => o.stationId === stationId && ((o.active && o.role === 'officer') || keys.has(o.id)))
      .sort((a, b) => a.badge.localeCompare(b.badge))
    for (const o of officers)
      list.push({ kind: 'officer', id: o.id, code: o.badge, name: o.name, nameEn: o.nameEn })
    if (keys.has(null))
      list.push({
        kind: 'desk',
        id: null,
        code: null,
        name: station?.deskName ?? null,
        nameEn: station?.deskNameEn ?? null,
      })
  } else {
    const beats = [...dir.beats.values()]
      .filter((b) => b.stationId === stationId)
      .sort((a, b) => a.code.localeCompare(b.code))
    for (const b of beats) list.push({ kind: 'beat', id: b.id, code: b.code, name: b.name, nameEn: b.nameEn })
    if (keys.has(null)) list.push({ kind: 'no-beat', id: null, code: null, name: null, nameEn: null })
  }
  return list
}

/**
 * Station reports for supervisors: per officer or per beat over whole days
 * in the station's time zone. Always the asker's own station; who may ask is
 * the route's rule (supervisors and admins).
 */
export function createReports(deps: ReportDeps) {
  async function build(actor: Actor, query: ReportQuery, format: 'json' | 'csv'): Promise<ReportView> {
    const dir = await deps.directory.get()
    const station = dir.stations.get(actor.stationId)
    if (!station) throw new AppError('NOT_FOUND', 'your station is not known')
    const now = deps.clock.now()
    const checked = reportPeriod(query, now, station.timeZone)
    if (!checked.ok) throw new AppError('INVALID_INPUT', checked.message)
    const { period } = checked
    const aggregates = await deps.store.aggregate(actor.stationId, query.by, period, now)
    const byKey = new Map(aggregates.filter((a) => !a.total).map((a) => [a.key, a]))
    const rows = subjects(dir, actor.stationId, query.by, new Set(byKey.keys())).map((subject) => ({
      subject,
      ...figures(byKey.get(subject.id) ?? EMPTY),
    }))
    await deps.audit?.({
      stationId: actor.stationId,
      actor: actor.id,
      action: 'report.viewed',
      subjectType: 'report',
      subjectId: `${query.by}:${period.from}:${period.to}`,
      detail: { by: query.by, from: period.from, to: period.to, format },
    })
    return {
      station: { code: station.code, name: station.name, nameEn: station.nameEn, timeZone: station.timeZone },
      by: query.by,
      period: {
        from: period.from,
        to: period.to,
        start: period.start.toISOString(),
        end: period.end.toISOString(),
        days: period.days,
      },
      generatedAt: now.toISOString(),
      rows,
      total: figures(aggregates.find((a) => a.total) ?? EMPTY),
      mediation: mediationReport(dir, actor.stationId, await deps.store.mediation(actor.stationId, period)),
    }
  }

  return {
    report: (actor: Actor, query: ReportQuery) => build(actor, query, 'json'),

    /** The same report as a CSV file, with the name it should be saved under. */
    async csv(actor: Actor, query: ReportQuery & { language: Language }) {
      const view = await build(actor, query, 'csv')
      const main = reportCsv(view.by, view.rows, view.total, query.language)
      // The main header's cells hold no commas: its width is its commas plus one.
      const width = main.slice(0, main.indexOf('\r\n')).split(',').length
      return {
        filename: `report-${view.station.code}-${view.by}-${view.period.from}_${view.period.to}.csv`,
        body: main + mediationCsv(view.mediation, query.language, width),
      }
    },
  }
}

export type Reports = ReturnType<typeof createReports>
