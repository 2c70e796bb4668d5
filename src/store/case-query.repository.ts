import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely'
import type {
  CaseDetail,
  CaseDetailView,
  CaseListPage,
  CaseListQuery,
  CaseSummary,
  JsonText,
  MessageView,
} from '../app/cases/views.ts'
import type { Actor, CaseScope } from '../domain/access.ts'
import { OPEN_STATUSES } from '../domain/case-status.ts'
import { compileOnce } from './compiled-query.ts'
import type { Database } from './db.ts'
import type { DB } from './schema.ts'

/*
 * The inbox's reads build their answers' JSON in PostgreSQL, in the shapes of
 * app/cases/views.ts, and the API sends that text as it is. Reading a page of
 * cases as rows and serializing it again cost the API process more CPU than
 * PostgreSQL spends on the whole query (a thousand fields a page, each decoded,
 * type-parsed, mapped, then written out again); as one JSON text it is one
 * field. The shapes here and the routes' zod schemas (CaseListResponse and
 * CaseDetailResponse in http/routes/cases.ts) must agree:
 * test/integration/case-views.test.ts holds the answers to those schemas.
 */

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

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`)

/** A time as JavaScript's `toISOString()` writes it (UTC; milliseconds cut, as the driver cuts them). */
const isoTime = (time: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<string>`to_char(${time} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** How many rows a list statement reads: enough for the page and one more (is there a next page?). */
const READ_SIZES = [21, 51, 101, 201]
const rowsToRead = (limit: number) => READ_SIZES.find((n) => n > limit) ?? limit + 1

/** Table aliases of a case row and what it is joined with, for `summaryPairs`. */
interface SummaryAliases {
  /** cases */
  c: string
  /** officers, the assignee */
  o: string
  /** beats */
  b: string
  /** residents */
  r: string
  /** compounds, the resident's */
  cp: string
}

/**
 * The keys and values of a CaseSummary (views.ts) for `json_build_object`.
 * The preview is the latest message exchanged with the resident (notes and
 * system lines left out), its first 80 characters. Once answered (or closed)
 * nothing is due any more: the inbox shows no countdown.
 */
const summaryPairs = (t: SummaryAliases, now: unknown) => {
  const c = (column: string) => col(t.c, column)
  const open = sql`${c('status')} IN (${sql.join(OPEN_STATUS_LITERALS)})`
  return sql`'id', ${c('id')}, 'number', ${c('number')}, 'status', ${c('status')},
    'category', ${c('category')}, 'priority', ${c('priority')}, 'queue', ${c('queue')},
    'escalated', ${c('escalated')},
    'assignee', CASE WHEN ${c('assignee_officer_id')} IS NULL THEN NULL
      ELSE json_build_object('id', ${c('assignee_officer_id')}, 'name', COALESCE(${col(t.o, 'name')}, '')) END,
    'beat', CASE WHEN ${c('beat_id')} IS NULL THEN NULL
      ELSE json_build_object('id', ${c('beat_id')}, 'code', COALESCE(${col(t.b, 'code')}, ''),
        'name', COALESCE(${col(t.b, 'name')}, '')) END,
    'compound', ${col(t.cp, 'name')}, 'residentName', ${col(t.r, 'display_name')},
    'preview', left(COALESCE((SELECT pm.text FROM messages pm
      WHERE pm.case_id = ${c('id')} AND pm.direction IN ('inbound', 'outbound')
      ORDER BY pm.created_at DESC LIMIT 1), ''), 80),
    'lastMessageAt', ${isoTime(c('last_message_at'))},
    'firstResponseDueAt', CASE WHEN ${c('first_responded_at')} IS NULL AND ${open}
      THEN ${isoTime(c('first_response_due_at'))} END,
    'overdue', (${open} AND ${c('first_responded_at')} IS NULL
      AND ${c('first_response_due_at')} IS NOT NULL AND ${c('first_response_due_at')} < ${now}),
    'version', ${c('version')}`
}

/** A CaseDetail: the summary and its dates. */
const detailJson = (t: SummaryAliases, now: unknown) =>
  sql`json_build_object(${summaryPairs(t, now)},
    'openedAt', ${isoTime(col(t.c, 'opened_at'))},
    'resolvedAt', ${isoTime(col(t.c, 'resolved_at'))},
    'firstRespondedAt', ${isoTime(col(t.c, 'first_responded_at'))})`

/** A MessageView of messages row `m` with its author `mo`. */
const messageJson = sql`json_build_object('id', m.id, 'direction', m.direction, 'text', COALESCE(m.text, ''),
    'kind', m.kind, 'media', m.media, 'createdAt', ${isoTime(sql.ref('m.created_at'))},
    'author', CASE WHEN m.author_officer_id IS NULL THEN NULL
      ELSE json_build_object('id', m.author_officer_id, 'name', COALESCE(mo.name, '')) END,
    'deliveryState', m.delivery_state, 'failureReason', m.failure_reason)`

/** The parameters the list and open-case statements run with; which ones a statement uses depends on its shape. */
interface ReadParams extends Record<string, unknown> {
  stationId: string
  actorId: string
  beatIds: readonly string[]
  statuses: readonly string[]
  category: string
  beatId: string
  assigneeId: string
  now: Date
  like: string
  cursorDue: Date
  cursorLast: Date
  cursorId: string
}

/** Read side of the inbox: lists, counts and one case with everything around it. */
export function createCaseQueries(db: Database) {
  const cases = () =>
    db
      .selectFrom('cases as c')
      .leftJoin('officers as o', 'o.id', 'c.assignee_officer_id')
      .leftJoin('beats as b', 'b.id', 'c.beat_id')
      .innerJoin('residents as r', 'r.id', 'c.resident_id')
      .leftJoin('compounds as cp', 'cp.id', 'r.compound_id')
  const main: SummaryAliases = { c: 'c', o: 'o', b: 'b', r: 'r', cp: 'cp' }

  /** Limits a case query to what the actor may see (the rule of domain/access.ts). */
  const visibleTo = (actor: Actor, p: ReadParams) => (eb: CaseEB) => {
    const station = eb('c.station_id', '=', p.stationId)
    if (actor.role !== 'officer') return station
    const mine: Expression<SqlBool>[] = [
      eb('c.assignee_officer_id', '=', p.actorId),
      eb('c.assignee_officer_id', 'is', null),
    ]
    if (actor.beatIds.length) mine.push(sql<SqlBool>`c.beat_id = ANY(${p.beatIds})`)
    return eb.and([station, eb.or(mine)])
  }

  const inQueue =
    (actor: Actor, queue: Exclude<CaseListQuery['queue'], 'all'>, p: ReadParams) => (eb: CaseEB) => {
      switch (queue) {
        case 'mine':
          return eb('c.assignee_officer_id', '=', p.actorId)
        case 'beats':
          return actor.beatIds.length ? sql<SqlBool>`c.beat_id = ANY(${p.beatIds})` : eb.val(false)
        case 'unassigned':
          return eb('c.assignee_officer_id', 'is', null)
        case 'escalated':
          return eb('c.escalated', '=', true)
      }
    }

  /**
   * The list statement for one shape of request (queue, role, which filters,
   * page size), compiled on first use. The number of rows to read is a
   * literal: as a parameter PostgreSQL cannot cost a reusable plan for a short
   * page and plans the statement afresh every time, which costs more than
   * running it. It is one of a few sizes (see rowsToRead), so that the odd page
   * sizes of the inbox's refreshes do not each make statements of their own.
   * Each row comes as its JSON text.
   */
  const listStatement = (actor: Actor, query: CaseListQuery, hasCursor: boolean) =>
    compileOnce(db, (p: ReadParams) => {
      let q = cases()
        .select([
          'c.id',
          sql<string>`json_build_object(${summaryPairs(main, p.now)})::text`.as('json'),
          // Where the row sorts, for the cursor; for an open case its summary tells already.
          sql<string | null>`CASE WHEN c.status IN (${sql.join(OPEN_STATUS_LITERALS)}) THEN NULL
            ELSE ${isoTime(dueSort)} END`.as('due'),
        ])
        .where(visibleTo(actor, p))
      if (query.queue !== 'all') q = q.where(inQueue(actor, query.queue, p))
      q = q.where((eb) =>
        query.status?.length
          ? sql<SqlBool>`c.status = ANY(${p.statuses})`
          : eb('c.status', 'in', OPEN_STATUS_LITERALS),
      )
      if (query.category) q = q.where('c.category', '=', p.category)
      if (query.beatId) q = q.where('c.beat_id', '=', p.beatId)
      if (query.assigneeId) q = q.where('c.assignee_officer_id', '=', p.assigneeId)
      if (query.overdue) {
        q = q.where('c.first_responded_at', 'is', null).where('c.first_response_due_at', '<', p.now)
      }
      if (query.q) {
        q = q.where((eb) =>
          eb.or([
            eb('c.number', 'ilike', p.like),
            eb('r.display_name', 'ilike', p.like),
            eb.exists(
              eb
                .selectFrom('messages as m')
                .select('m.id')
                .whereRef('m.case_id', '=', 'c.id')
                .where('m.text', 'ilike', p.like),
            ),
          ]),
        )
      }
      if (hasCursor) {
        q = q.where((eb) =>
          eb.or([
            eb(dueSort, '>', p.cursorDue),
            eb.and([eb(dueSort, '=', p.cursorDue), eb('c.last_message_at', '<', p.cursorLast)]),
            eb.and([
              eb(dueSort, '=', p.cursorDue),
              eb('c.last_message_at', '=', p.cursorLast),
              eb('c.id', '>', p.cursorId),
            ]),
          ]),
        )
      }
      return q
        .orderBy(dueSort)
        .orderBy('c.last_message_at', 'desc')
        .orderBy('c.id')
        .limit(sql.lit(rowsToRead(query.limit)))
    })

  const listStatements = new Map<string, ReturnType<typeof listStatement>>()
  const shapeOf = (actor: Actor, query: CaseListQuery, hasCursor: boolean) =>
    [
      query.queue,
      actor.role === 'officer' ? 'officer' : 'station',
      actor.beatIds.length ? 'beats' : 'no-beats',
      query.status?.length ? 'status' : '',
      query.category ? 'category' : '',
      query.beatId ? 'beat' : '',
      query.assigneeId ? 'assignee' : '',
      query.overdue ? 'overdue' : '',
      query.q ? 'q' : '',
      hasCursor ? 'cursor' : '',
      rowsToRead(query.limit),
    ].join('|')

  const cursorAfter = (row: { id: string; json: string; due: string | null }) => {
    const summary = JSON.parse(row.json) as CaseSummary
    return encodeCursor({
      due: row.due ?? summary.firstResponseDueAt ?? NOTHING_DUE.toISOString(),
      last: summary.lastMessageAt,
      id: row.id,
    })
  }

  const scopeColumns = ['c.station_id', 'c.resident_id', 'c.assignee_officer_id', 'c.beat_id'] as const

  const summaryStatement = compileOnce(db, (p: { caseId: string; now: Date }) =>
    cases()
      .select(scopeColumns)
      .select(sql<CaseDetail>`${detailJson(main, p.now)}`.as('detail'))
      .where('c.id', '=', p.caseId),
  )

  /**
   * The case and everything the open-case view shows around it, in one
   * statement (one round trip instead of six): the case, its messages, the
   * resident with their earlier cases, and the case's history.
   */
  const detailStatement = compileOnce(db, (p: { caseId: string; now: Date }) =>
    cases()
      .select(scopeColumns)
      .select(
        sql<string>`json_build_object(
          'case', ${detailJson(main, p.now)},
          'messages', (SELECT COALESCE(json_agg(${messageJson} ORDER BY m.created_at, m.id), '[]')
            FROM (SELECT * FROM messages WHERE case_id = c.id ORDER BY created_at, id LIMIT 2000) m
            LEFT JOIN officers mo ON mo.id = m.author_officer_id),
          'resident', json_build_object('id', r.id, 'code', r.code, 'name', r.display_name,
            'language', r.language, 'compound', cp.name,
            'beat', (SELECT json_build_object('id', rb.id, 'code', rb.code, 'name', rb.name)
              FROM beats rb WHERE rb.id = r.beat_id),
            'tags', r.tags,
            'earlierCases', (SELECT COALESCE(json_agg(json_build_object(${summaryPairs(
              { c: 'e', o: 'eo', b: 'eb', r: 'er', cp: 'ecp' },
              p.now,
            )}) ORDER BY e.opened_at DESC), '[]')
              FROM (SELECT * FROM cases WHERE resident_id = c.resident_id AND id <> c.id
                    ORDER BY opened_at DESC LIMIT 20) e
              LEFT JOIN officers eo ON eo.id = e.assignee_officer_id
              LEFT JOIN beats eb ON eb.id = e.beat_id
              JOIN residents er ON er.id = e.resident_id
              LEFT JOIN compounds ecp ON ecp.id = er.compound_id)),
          'history', (SELECT COALESCE(json_agg(json_build_object('id', a.id, 'at', ${isoTime(sql.ref('a.at'))},
              'actor', CASE WHEN NULLIF(ao.name, '') IS NULL THEN NULL
                ELSE json_build_object('id', a.actor, 'name', ao.name) END,
              'action', a.action, 'detail', a.detail) ORDER BY a.at), '[]')
            FROM (SELECT * FROM audit_events WHERE subject_type = 'case' AND subject_id = c.id
                  ORDER BY at LIMIT 500) a
            LEFT JOIN officers ao ON ao.id = a.actor)
        )::text`.as('json'),
      )
      .where('c.id', '=', p.caseId),
  )

  const messageStatement = compileOnce(db, (p: { caseId: string; messageId: string }) =>
    db
      .selectFrom('messages as m')
      .leftJoin('officers as mo', 'mo.id', 'm.author_officer_id')
      .select(sql<MessageView>`${messageJson}`.as('message'))
      .where('m.case_id', '=', p.caseId)
      .where('m.id', '=', p.messageId),
  )

  const scopeOf = (row: {
    station_id: string
    assignee_officer_id: string | null
    beat_id: string | null
  }) => ({
    stationId: row.station_id,
    assigneeOfficerId: row.assignee_officer_id,
    beatId: row.beat_id,
  })

  return {
    /** A page of the list, as the JSON text of a CaseListPage. */
    async list(actor: Actor, query: CaseListQuery, now: Date): Promise<JsonText<CaseListPage>> {
      const cursor = query.cursor ? decodeCursor(query.cursor) : null
      const shape = shapeOf(actor, query, cursor !== null)
      let run = listStatements.get(shape)
      if (!run) {
        run = listStatement(actor, query, cursor !== null)
        listStatements.set(shape, run)
      }
      const rows = await run({
        stationId: actor.stationId,
        actorId: actor.id,
        beatIds: actor.beatIds,
        statuses: query.status ?? [],
        category: query.category ?? '',
        beatId: query.beatId ?? '',
        assigneeId: query.assigneeId ?? '',
        now,
        like: query.q ? `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : '',
        cursorDue: cursor ? new Date(cursor.due) : NOTHING_DUE,
        cursorLast: cursor ? new Date(cursor.last) : NOTHING_DUE,
        cursorId: cursor?.id ?? '',
      })
      const page = rows.slice(0, query.limit)
      const tail = page.at(-1)
      const nextCursor = rows.length > query.limit && tail ? cursorAfter(tail) : null
      return `{"cases":[${page.map((row) => row.json).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}` as JsonText<CaseListPage>
    },

    async counts(actor: Actor) {
      const row = await db
        .selectFrom('cases as c')
        .where((eb) => {
          const station = eb('c.station_id', '=', actor.stationId)
          if (actor.role !== 'officer') return station
          const mine = [eb('c.assignee_officer_id', '=', actor.id), eb('c.assignee_officer_id', 'is', null)]
          if (actor.beatIds.length) mine.push(eb('c.beat_id', 'in', actor.beatIds))
          return eb.and([station, eb.or(mine)])
        })
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
    ): Promise<{ detail: CaseDetail; scope: CaseScope; residentId: string } | null> {
      const [row] = await summaryStatement({ caseId, now })
      return row ? { detail: row.detail, scope: scopeOf(row), residentId: row.resident_id } : null
    },

    /**
     * The case with its messages, resident (with earlier cases) and history as
     * the JSON text of a CaseDetailView, and who may see it. No access checks:
     * the caller checks the scope before it hands out the text.
     */
    async detail(
      caseId: string,
      now: Date,
    ): Promise<{ scope: CaseScope; json: JsonText<CaseDetailView> } | null> {
      const [row] = await detailStatement({ caseId, now })
      return row ? { scope: scopeOf(row), json: row.json as JsonText<CaseDetailView> } : null
    },

    /** One message of a case, as the conversation shows it (after a reply or note). */
    async message(caseId: string, messageId: string): Promise<MessageView | null> {
      const [row] = await messageStatement({ caseId, messageId })
      return row?.message ?? null
    },
  }
}

export type CaseQueries = ReturnType<typeof createCaseQueries>
