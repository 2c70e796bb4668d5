import { type ExpressionBuilder, sql } from 'kysely'
import type {
  AuditView,
  CaseDetail,
  CaseListQuery,
  CaseSummary,
  MessageView,
  ResidentView,
} from '../app/cases/views.ts'
import type { Actor } from '../domain/access.ts'
import { OPEN_STATUSES } from '../domain/case-status.ts'
import type {
  CaseCategory,
  CasePriority,
  CaseStatus,
  DeliveryState,
  Language,
  MessageDirection,
} from '../domain/types.ts'
import type { Database } from './db.ts'
import type { DB } from './schema.ts'

/** Far-future stand-in for "nothing due", so one ascending sort puts what is due first. */
const NOTHING_DUE = new Date('9999-12-31T00:00:00Z')

interface Cursor {
  due: string
  last: string
  id: string
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url')
function decodeCursor(text: string): Cursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor
    return typeof value.due === 'string' && typeof value.last === 'string' && typeof value.id === 'string'
      ? value
      : null
  } catch {
    return null
  }
}

type CaseEB = ExpressionBuilder<DB & { c: DB['cases'] }, 'c'>

/** The due time that orders the inbox: the first-response deadline until someone has answered. */
const dueSort = sql<Date>`COALESCE(CASE WHEN c.first_responded_at IS NULL THEN c.first_response_due_at END, ${sql.lit(NOTHING_DUE.toISOString())}::timestamptz)`

/**
 * Open statuses as literals, not parameters: with named statements PostgreSQL
 * may reuse a generic plan, and only literals let it match the partial indexes
 * over open cases (migrations 005 and 006).
 */
export const OPEN_STATUS_LITERALS = OPEN_STATUSES.map((status) => sql.lit(status))

/** Read side of the inbox: lists, counts and one case with everything around it. */
export function createCaseQueries(db: Database) {
  const summaries = () =>
    db
      .selectFrom('cases as c')
      .leftJoin('officers as o', 'o.id', 'c.assignee_officer_id')
      .leftJoin('beats as b', 'b.id', 'c.beat_id')
      .innerJoin('residents as r', 'r.id', 'c.resident_id')
      .leftJoin('compounds as cp', 'cp.id', 'r.compound_id')
      .select([
        'c.id',
        'c.number',
        'c.status',
        'c.category',
        'c.priority',
        'c.queue',
        'c.escalated',
        'c.assignee_officer_id',
        'o.name as assignee_name',
        'c.beat_id',
        'b.code as beat_code',
        'b.name as beat_name',
        'cp.name as compound_name',
        'r.display_name as resident_name',
        'c.last_message_at',
        'c.first_response_due_at',
        'c.first_responded_at',
        'c.opened_at',
        'c.resolved_at',
        'c.version',
        dueSort.as('due_sort'),
        sql<
          string | null
        >`(SELECT m.text FROM messages m WHERE m.case_id = c.id AND m.direction IN ('inbound', 'outbound') ORDER BY m.created_at DESC LIMIT 1)`.as(
          'preview',
        ),
      ])

  type Row = Awaited<ReturnType<ReturnType<typeof summaries>['execute']>>[number]

  const toSummary = (row: Row, now: Date): CaseSummary => ({
    id: row.id,
    number: row.number,
    status: row.status as CaseStatus,
    category: row.category as CaseCategory,
    priority: row.priority as CasePriority,
    queue: row.queue,
    escalated: row.escalated,
    assignee: row.assignee_officer_id ? { id: row.assignee_officer_id, name: row.assignee_name ?? '' } : null,
    beat: row.beat_id ? { id: row.beat_id, code: row.beat_code ?? '', name: row.beat_name ?? '' } : null,
    compound: row.compound_name,
    residentName: row.resident_name,
    preview: (row.preview ?? '').slice(0, 80),
    lastMessageAt: row.last_message_at.toISOString(),
    // Once answered (or closed) nothing is due any more: the inbox shows no countdown.
    firstResponseDueAt:
      row.first_responded_at || !OPEN_STATUSES.includes(row.status as CaseStatus)
        ? null
        : (row.first_response_due_at?.toISOString() ?? null),
    overdue:
      OPEN_STATUSES.includes(row.status as CaseStatus) &&
      !row.first_responded_at &&
      !!row.first_response_due_at &&
      row.first_response_due_at < now,
    version: row.version,
  })

  /** Limits a case query to what the actor may see. */
  const visibleTo = (actor: Actor) => (eb: CaseEB) => {
    const station = eb('c.station_id', '=', actor.stationId)
    if (actor.role !== 'officer') return station
    const mine = [eb('c.assignee_officer_id', '=', actor.id), eb('c.assignee_officer_id', 'is', null)]
    if (actor.beatIds.length) mine.push(eb('c.beat_id', 'in', actor.beatIds))
    return eb.and([station, eb.or(mine)])
  }

  const inQueue = (actor: Actor, queue: Exclude<CaseListQuery['queue'], 'all'>) => (eb: CaseEB) => {
    switch (queue) {
      case 'mine':
        return eb('c.assignee_officer_id', '=', actor.id)
      case 'beats':
        return actor.beatIds.length ? eb('c.beat_id', 'in', actor.beatIds) : eb.val(false)
      case 'unassigned':
        return eb('c.assignee_officer_id', 'is', null)
      case 'escalated':
        return eb('c.escalated', '=', true)
    }
  }

  return {
    async list(actor: Actor, query: CaseListQuery, now: Date) {
      const cursor = query.cursor ? decodeCursor(query.cursor) : null
      let q = summaries().where(visibleTo(actor))
      if (query.queue !== 'all') q = q.where(inQueue(actor, query.queue))
      q = q.where('c.status', 'in', query.status?.length ? query.status : OPEN_STATUS_LITERALS)
      if (query.category) q = q.where('c.category', '=', query.category)
      if (query.beatId) q = q.where('c.beat_id', '=', query.beatId)
      if (query.assigneeId) q = q.where('c.assignee_officer_id', '=', query.assigneeId)
      if (query.overdue) {
        q = q.where('c.first_responded_at', 'is', null).where('c.first_response_due_at', '<', now)
      }
      if (query.q) {
        const like = `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
        q = q.where((eb) =>
          eb.or([
            eb('c.number', 'ilike', like),
            eb('r.display_name', 'ilike', like),
            eb.exists(
              eb
                .selectFrom('messages as m')
                .select('m.id')
                .whereRef('m.case_id', '=', 'c.id')
                .where('m.text', 'ilike', like),
            ),
          ]),
        )
      }
      if (cursor) {
        const due = new Date(cursor.due)
        const last = new Date(cursor.last)
        q = q.where((eb) =>
          eb.or([
            eb(dueSort, '>', due),
            eb.and([eb(dueSort, '=', due), eb('c.last_message_at', '<', last)]),
            eb.and([eb(dueSort, '=', due), eb('c.last_message_at', '=', last), eb('c.id', '>', cursor.id)]),
          ]),
        )
      }
      const rows = await q
        .orderBy(dueSort)
        .orderBy('c.last_message_at', 'desc')
        .orderBy('c.id')
        .limit(query.limit + 1)
        .execute()
      const page = rows.slice(0, query.limit)
      const tail = page.at(-1)
      const nextCursor =
        rows.length > query.limit && tail
          ? encodeCursor({
              due: new Date(tail.due_sort).toISOString(),
              last: tail.last_message_at.toISOString(),
              id: tail.id,
            })
          : null
      return { cases: page.map((row) => toSummary(row, now)), nextCursor }
    },

    async counts(actor: Actor) {
      const row = await db
        .selectFrom('cases as c')
        .where(visibleTo(actor))
        .where('c.status', 'in', OPEN_STATUS_LITERALS)
        .select([
          sql<number>`count(*) FILTER (WHERE c.assignee_officer_id = ${actor.id})::int`.as('mine'),
          (actor.beatIds.length
            ? sql<number>`count(*) FILTER (WHERE c.beat_id IN (${sql.join(actor.beatIds)}))::int`
            : sql<number>`0`
          ).as('beats'),
          sql<number>`count(*) FILTER (WHERE c.assignee_officer_id IS NULL)::int`.as('unassigned'),
          sql<number>`count(*) FILTER (WHERE c.escalated)::int`.as('escalated'),
          sql<number>`count(*)::int`.as('all'),
        ])
        .executeTakeFirstOrThrow()
      return row
    },

    /** The case without access checks: the caller decides what the actor may see. */
    async summary(
      caseId: string,
      now: Date,
    ): Promise<(CaseDetail & { stationId: string; residentId: string }) | null> {
      const row = await summaries()
        .select(['c.station_id', 'c.resident_id'])
        .where('c.id', '=', caseId)
        .executeTakeFirst()
      if (!row) return null
      return {
        ...toSummary(row, now),
        openedAt: row.opened_at.toISOString(),
        resolvedAt: row.resolved_at?.toISOString() ?? null,
        firstRespondedAt: row.first_responded_at?.toISOString() ?? null,
        stationId: row.station_id,
        residentId: row.resident_id,
      }
    },

    async messages(caseId: string, onlyId?: string): Promise<MessageView[]> {
      let query = db
        .selectFrom('messages as m')
        .leftJoin('officers as o', 'o.id', 'm.author_officer_id')
        .select([
          'm.id',
          'm.direction',
          'm.text',
          'm.kind',
          'm.media',
          'm.created_at',
          'm.author_officer_id',
          'o.name as author_name',
          'm.delivery_state',
          'm.failure_reason',
        ])
        .where('m.case_id', '=', caseId)
      if (onlyId) query = query.where('m.id', '=', onlyId)
      const rows = await query.orderBy('m.created_at').orderBy('m.id').limit(2000).execute()
      return rows.map((m) => ({
        id: m.id,
        direction: m.direction as MessageDirection,
        text: m.text ?? '',
        kind: m.kind,
        media: m.media,
        createdAt: m.created_at.toISOString(),
        author: m.author_officer_id ? { id: m.author_officer_id, name: m.author_name ?? '' } : null,
        deliveryState: m.delivery_state as DeliveryState,
        failureReason: m.failure_reason,
      }))
    },

    async resident(residentId: string, excludeCaseId: string, now: Date): Promise<ResidentView | null> {
      const r = await db
        .selectFrom('residents as r')
        .leftJoin('compounds as cp', 'cp.id', 'r.compound_id')
        .leftJoin('beats as b', 'b.id', 'r.beat_id')
        .select([
          'r.id',
          'r.code',
          'r.display_name',
          'r.language',
          'r.tags',
          'cp.name as compound',
          'b.id as beat_id',
          'b.code as beat_code',
          'b.name as beat_name',
        ])
        .where('r.id', '=', residentId)
        .executeTakeFirst()
      if (!r) return null
      const earlier = await summaries()
        .where('c.resident_id', '=', residentId)
        .where('c.id', '!=', excludeCaseId)
        .orderBy('c.opened_at', 'desc')
        .limit(20)
        .execute()
      return {
        id: r.id,
        code: r.code,
        name: r.display_name,
        language: r.language as Language,
        compound: r.compound,
        beat: r.beat_id ? { id: r.beat_id, code: r.beat_code ?? '', name: r.beat_name ?? '' } : null,
        tags: r.tags,
        earlierCases: earlier.map((row) => toSummary(row, now)),
      }
    },

    async history(caseId: string): Promise<AuditView[]> {
      const rows = await db
        .selectFrom('audit_events as a')
        .leftJoin('officers as o', 'o.id', 'a.actor')
        .select(['a.id', 'a.at', 'a.actor', 'o.name as actor_name', 'a.action', 'a.detail'])
        .where('a.subject_type', '=', 'case')
        .where('a.subject_id', '=', caseId)
        .orderBy('a.at')
        .limit(500)
        .execute()
      return rows.map((a) => ({
        id: a.id,
        at: a.at.toISOString(),
        actor: a.actor_name ? { id: a.actor, name: a.actor_name } : null,
        action: a.action,
        detail: a.detail,
      }))
    },
  }
}

export type CaseQueries = ReturnType<typeof createCaseQueries>
