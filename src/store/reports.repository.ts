import { sql } from 'kysely'
import type { MediationCounts } from '../domain/mediation-report.ts'
import type { ReportGrouping } from '../domain/report-table.ts'
import type { Database } from './db.ts'

/** The counts of one group (or of the whole station, `total`), as the database computed them. */
export interface ReportAggregate {
  /** The officer or beat id; null for cases without one. */
  key: string | null
  total: boolean
  opened: number
  resolved: number
  responded: number
  firstResponseMedianSeconds: number | null
  firstResponseP90Seconds: number | null
  deadlineCases: number
  withinDeadline: number
  escalations: number
  ratings: number
  satisfactionAverage: number | null
}

interface AggregateRow {
  grouped_out: number
  key: string | null
  opened: number
  resolved: number
  responded: number
  median: number | null
  p90: number | null
  deadline_cases: number
  within_deadline: number
  escalations: number
  ratings: number
  satisfaction: number | null
}

/** Mediation counts of one mediator (or of the station, `total`); `key` null for mediations nobody was named to. */
export interface MediationAggregate extends MediationCounts {
  key: string | null
  total: boolean
}

interface MediationAggregateRow {
  grouped_out: number
  key: string | null
  opened: number
  concluded: number
  settled: number
  committee: number
  court: number
  police: number
  follow_ups: number
}

const GROUP_COLUMN: Record<ReportGrouping, ReturnType<typeof sql.ref>> = {
  officer: sql.ref('c.assignee_officer_id'),
  beat: sql.ref('c.beat_id'),
}

/** Report figures straight from the cases table. */
export function createReportsStore(db: Database) {
  return {
    /**
     * One pass over the station's cases touched in [start, end): per group and,
     * through a grouping set, for the whole station, so the total's median is
     * the median of all cases and not a blend of the groups'. `now` decides
     * which unanswered cases have missed their deadline.
     */
    async aggregate(
      stationId: string,
      by: ReportGrouping,
      range: { start: Date; end: Date },
      now: Date,
    ): Promise<ReportAggregate[]> {
      const group = GROUP_COLUMN[by]
      const within = (column: string) =>
        sql`(${sql.ref(column)} >= ${range.start} AND ${sql.ref(column)} < ${range.end})`
      const opened = within('c.opened_at')
      const responseSeconds = sql`extract(epoch FROM (c.first_responded_at - c.opened_at))::float8`
      const result = await sql<AggregateRow>`
        SELECT
          GROUPING(${group})::int AS grouped_out,
          ${group} AS key,
          count(*) FILTER (WHERE ${opened})::int AS opened,
          count(*) FILTER (WHERE ${within('c.resolved_at')})::int AS resolved,
          count(c.first_responded_at) FILTER (WHERE ${opened})::int AS responded,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ${responseSeconds}) FILTER (WHERE ${opened}) AS median,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ${responseSeconds}) FILTER (WHERE ${opened}) AS p90,
          count(*) FILTER (
            WHERE ${opened} AND c.first_response_due_at IS NOT NULL
              AND (c.first_responded_at IS NOT NULL OR c.first_response_due_at < ${now})
          )::int AS deadline_cases,
          count(*) FILTER (
            WHERE ${opened} AND c.first_responded_at <= c.first_response_due_at
          )::int AS within_deadline,
          count(*) FILTER (WHERE ${within('c.escalated_at')})::int AS escalations,
          count(c.satisfaction) FILTER (WHERE ${within('c.rated_at')})::int AS ratings,
          avg(c.satisfaction) FILTER (WHERE ${within('c.rated_at')})::float8 AS satisfaction
        FROM cases c
        WHERE c.station_id = ${stationId}
          AND (${opened} OR ${within('c.resolved_at')} OR ${within('c.escalated_at')} OR ${within('c.rated_at')})
        GROUP BY GROUPING SETS ((${group}), ())
      `.execute(db)
      return result.rows.map((r) => ({
        key: r.grouped_out ? null : r.key,
        total: r.grouped_out === 1,
        opened: r.opened,
        resolved: r.resolved,
        responded: r.responded,
        firstResponseMedianSeconds: r.median,
        firstResponseP90Seconds: r.p90,
        deadlineCases: r.deadline_cases,
        withinDeadline: r.within_deadline,
        escalations: r.escalations,
        ratings: r.ratings,
        satisfactionAverage: r.satisfaction,
      }))
    },

    /**
     * Mediations of the station opened, concluded or followed up in [start,
     * end), per mediator (an officer id, `team:<team>`, or null) and, through
     * a grouping set, for the whole station.
     */
    async mediation(stationId: string, range: { start: Date; end: Date }): Promise<MediationAggregate[]> {
      const within = (column: string) =>
        sql`(${sql.ref(column)} >= ${range.start} AND ${sql.ref(column)} < ${range.end})`
      // No parameters in the key: GROUPING() needs the very expression that is grouped by.
      const key = sql`COALESCE(m.mediator_officer_id, 'team:' || m.mediator_team)`
      const concluded = within('m.concluded_at')
      const result = await sql<MediationAggregateRow>`
        SELECT
          GROUPING(${key})::int AS grouped_out,
          ${key} AS key,
          count(*) FILTER (WHERE ${within('m.opened_at')})::int AS opened,
          count(*) FILTER (WHERE ${concluded})::int AS concluded,
          count(*) FILTER (WHERE ${concluded} AND m.state = 'settled')::int AS settled,
          count(*) FILTER (WHERE ${concluded} AND m.next_step = 'committee')::int AS committee,
          count(*) FILTER (WHERE ${concluded} AND m.next_step = 'court')::int AS court,
          count(*) FILTER (WHERE ${concluded} AND m.next_step = 'police')::int AS police,
          count(*) FILTER (WHERE ${within('m.follow_up_at')})::int AS follow_ups
        FROM mediations m
        WHERE m.station_id = ${stationId}
          AND (${within('m.opened_at')} OR ${concluded} OR ${within('m.follow_up_at')})
        GROUP BY GROUPING SETS ((${key}), ())
      `.execute(db)
      return result.rows.map((r) => ({
        key: r.grouped_out ? null : r.key,
        total: r.grouped_out === 1,
        opened: r.opened,
        concluded: r.concluded,
        settled: r.settled,
        committee: r.committee,
        court: r.court,
        police: r.police,
        followUps: r.follow_ups,
      }))
    },
  }
}

export type ReportsStore = ReturnType<typeof createReportsStore>
