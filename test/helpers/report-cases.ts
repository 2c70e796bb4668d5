import { queueNameFor } from '../../src/domain/routing.ts'
import type { Database } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'

/** A case with hand-picked times, for checking report figures by hand. */
export interface ReportCase {
  /** Station code; CQ unless given. */
  station?: string
  officer: string | null
  beat: string | null
  /** ISO instant. */
  opened: string
  /** Seconds after opening. */
  respondedAfter?: number
  dueAfter?: number
  resolved?: string
  escalated?: string
  rating?: { score: number; at: string }
}

const plus = (iso: string, seconds: number) => new Date(new Date(iso).getTime() + seconds * 1000)

/**
 * Writes each case straight into the database with its own resident and
 * identity (one open case per resident), bypassing the inbound path so the
 * times are exactly the ones given.
 */
export async function insertReportCases(db: Database, cases: Record<string, ReportCase>): Promise<void> {
  for (const [name, c] of Object.entries(cases)) {
    const residentId = `rs-report-${name}`
    const identityId = `ci-report-${name}`
    await db
      .insertInto('residents')
      .values({ id: residentId, code: `RPT${name}`, language: 'zh' })
      .execute()
    await db
      .insertInto('channel_identities')
      .values({
        id: identityId,
        resident_id: residentId,
        channel: 'web',
        account_id: 'web-report',
        contact_ref: `report-${name}`,
      })
      .execute()
    const opened = new Date(c.opened)
    const stationId = seedIds.station(c.station ?? 'CQ')
    await db
      .insertInto('cases')
      .values({
        id: `cs-report-${name}`,
        number: `${c.station ?? 'CQ'}-2026-R${name}`,
        station_id: stationId,
        resident_id: residentId,
        identity_id: identityId,
        beat_id: c.beat,
        category: 'consultation',
        priority: 'normal',
        status: c.resolved ? 'resolved' : 'in_progress',
        assignee_officer_id: c.officer,
        queue: queueNameFor(
          c.officer
            ? { kind: 'officer', officerId: c.officer, reason: 'sticky' }
            : { kind: 'desk', stationId, reason: 'no-beat' },
        ),
        opened_at: opened,
        last_message_at: opened,
        updated_at: opened,
        first_response_due_at: c.dueAfter === undefined ? null : plus(c.opened, c.dueAfter),
        first_responded_at: c.respondedAfter === undefined ? null : plus(c.opened, c.respondedAfter),
        resolved_at: c.resolved ? new Date(c.resolved) : null,
        escalated: Boolean(c.escalated),
        escalated_at: c.escalated ? new Date(c.escalated) : null,
        escalation_level: c.escalated ? 1 : 0,
        satisfaction: c.rating?.score ?? null,
        rated_at: c.rating ? new Date(c.rating.at) : null,
      })
      .execute()
  }
}
