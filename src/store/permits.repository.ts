import { type Kysely, sql, type Transaction } from 'kysely'
import type {
  AppointmentListRow,
  AppointmentRow,
  AppointmentState,
  PermitStore,
  PermitTx,
  SlotRow,
} from '../app/forms/permit-store.ts'
import { type PermitSlotPlan, permitSlotId } from '../domain/forms/permit-slots.ts'
import type { CaseStatus } from '../domain/types.ts'
import { insertCaseMessage } from './case-messages.ts'
import type { Database } from './db.ts'
import type { DB } from './schema.ts'

/** States that hold a place in their slot. */
const HOLDING: AppointmentState[] = ['booked', 'attended', 'no_show']

/** Residence-permit slots, their plan and appointments (migration 014). */
export function createPermitStore(db: Database): PermitStore {
  return {
    // The handle is the Kysely transaction service-requests.repository.ts opened.
    within: (handle) => permitTx(handle as Kysely<DB>),

    async plan(stationId) {
      const row = await db
        .selectFrom('permit_slot_plans')
        .select(['plan', 'ensured_through'])
        .where('station_id', '=', stationId)
        .executeTakeFirst()
      return row ? { plan: row.plan, ensuredThrough: row.ensured_through } : null
    },

    async ensureSlots(stationId, slots, through) {
      await db.transaction().execute(async (trx) => {
        const plan = await trx
          .selectFrom('permit_slot_plans')
          .select(['plan', 'ensured_through'])
          .where('station_id', '=', stationId)
          .forUpdate()
          .executeTakeFirst()
        if (!plan || (plan.ensured_through !== null && plan.ensured_through >= through)) return
        if (slots.length > 0) {
          await trx
            .insertInto('permit_slots')
            .values(
              slots.map((s) => ({
                id: permitSlotId(stationId, s.startsAt),
                station_id: stationId,
                starts_at: s.startsAt,
                ends_at: s.endsAt,
                capacity: plan.plan.capacity,
                source: 'file',
                updated_at: new Date(),
              })),
            )
            // A slot already there keeps what it is: a supervisor's capacity, or closed.
            .onConflict((oc) => oc.columns(['station_id', 'starts_at']).doNothing())
            .execute()
        }
        await trx
          .updateTable('permit_slot_plans')
          .set({ ensured_through: through, updated_at: new Date() })
          .where('station_id', '=', stationId)
          .execute()
      })
    },

    async freeSlots(stationId, after, limit) {
      const rows = await db
        .selectFrom('permit_slots as s')
        .leftJoin('permit_appointments as a', (join) =>
          join.onRef('a.slot_id', '=', 's.id').on('a.state', 'in', HOLDING),
        )
        .select([
          's.id',
          's.starts_at',
          's.ends_at',
          's.capacity',
          sql<number>`count(a.request_id)::int`.as('taken'),
        ])
        .where('s.station_id', '=', stationId)
        .where('s.closed_at', 'is', null)
        .where('s.starts_at', '>=', after)
        .groupBy(['s.id', 's.starts_at', 's.ends_at', 's.capacity'])
        .having(sql<boolean>`count(a.request_id) < s.capacity`)
        .orderBy('s.starts_at')
        .limit(limit)
        .execute()
      return rows.map((r) => ({ id: r.id, startsAt: r.starts_at, endsAt: r.ends_at }))
    },

    slots: (stationId, from, to) => readSlots(db, stationId, { from, to }),

    async saveSlot(input) {
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('permit_slots')
          .select('id')
          .where('station_id', '=', input.stationId)
          .where('starts_at', '=', input.startsAt)
          .forUpdate()
          .executeTakeFirst()
        const now = new Date()
        if (existing) {
          await trx
            .updateTable('permit_slots')
            .set({
              ends_at: input.endsAt,
              capacity: input.capacity,
              // A supervisor's slot outlives a reseed of the plan.
              source: 'api',
              closed_at: null,
              updated_by: input.by,
              updated_at: now,
            })
            .where('id', '=', existing.id)
            .execute()
        } else {
          await trx
            .insertInto('permit_slots')
            .values({
              id: input.id,
              station_id: input.stationId,
              starts_at: input.startsAt,
              ends_at: input.endsAt,
              capacity: input.capacity,
              source: 'api',
              updated_by: input.by,
              updated_at: now,
            })
            .execute()
        }
        const [slot] = await readSlots(trx, input.stationId, { id: existing?.id ?? input.id })
        if (!slot) throw new Error(`permit slot ${input.id} vanished while it was saved`)
        return { slot, created: !existing }
      })
    },

    async closeSlot(stationId, slotId, by, at) {
      return db.transaction().execute(async (trx) => {
        const slot = await trx
          .selectFrom('permit_slots')
          .select(['id', 'closed_at'])
          .where('id', '=', slotId)
          .where('station_id', '=', stationId)
          .forUpdate()
          .executeTakeFirst()
        if (!slot || slot.closed_at !== null) return { outcome: 'missing' as const }
        const booked = await trx
          .selectFrom('permit_appointments')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('slot_id', '=', slotId)
          .where('state', '=', 'booked')
          .executeTakeFirstOrThrow()
        if (booked.n > 0) return { outcome: 'booked' as const, booked: booked.n }
        await trx
          .updateTable('permit_slots')
          .set({ closed_at: at, source: 'api', updated_by: by, updated_at: at })
          .where('id', '=', slotId)
          .execute()
        return { outcome: 'closed' as const }
      })
    },

    async bookedAppointments(stationId, now) {
      const rows = await db
        .selectFrom('permit_appointments as a')
        .innerJoin('permit_slots as s', 's.id', 'a.slot_id')
        .innerJoin('service_requests as sr', 'sr.id', 'a.request_id')
        .select(['a.request_id', 'a.resident_id', 'sr.case_id', 's.starts_at', 's.ends_at'])
        .where('a.station_id', '=', stationId)
        .where('a.state', '=', 'booked')
        .where('s.ends_at', '>', now)
        .execute()
      return rows.map((r) => ({
        requestId: r.request_id,
        residentId: r.resident_id,
        caseId: r.case_id,
        stationId,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
      }))
    },

    async appointments(stationId, from, to) {
      const rows = await listQuery(db)
        .where('a.station_id', '=', stationId)
        .where('a.state', '<>', 'cancelled')
        .where('s.starts_at', '>=', from)
        .where('s.starts_at', '<', to)
        .orderBy('s.starts_at')
        .orderBy('a.created_at')
        .execute()
      return rows.map(listRow)
    },

    async appointmentOfCase(caseId) {
      const row = await listQuery(db).where('sr.case_id', '=', caseId).executeTakeFirst()
      return row ? listRow(row) : null
    },
  }
}

/**
 * The station file's opening hours for a station (or none), in the seed's
 * transaction. Slots the plan made that nobody is booked in and that have
 * not begun are dropped, so a changed plan takes effect; the rest (booked,
 * past, a supervisor's) stay. The days ahead are made again when next needed.
 */
export async function replacePermitPlan(
  trx: Transaction<DB>,
  stationId: string,
  plan: PermitSlotPlan | undefined,
  now: Date,
): Promise<void> {
  await trx
    .deleteFrom('permit_slots')
    .where('station_id', '=', stationId)
    .where('source', '=', 'file')
    .where('closed_at', 'is', null)
    .where('starts_at', '>', now)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('permit_appointments')
            .select('request_id')
            .whereRef('slot_id', '=', 'permit_slots.id'),
        ),
      ),
    )
    .execute()
  if (!plan) {
    await trx.deleteFrom('permit_slot_plans').where('station_id', '=', stationId).execute()
    return
  }
  const row = { station_id: stationId, plan: JSON.stringify(plan), ensured_through: null, updated_at: now }
  await trx
    .insertInto('permit_slot_plans')
    .values(row)
    .onConflict((oc) => oc.column('station_id').doUpdateSet(row))
    .execute()
  // The plan's slots that stay (booked ones) take its capacity.
  await trx
    .updateTable('permit_slots')
    .set({ capacity: plan.capacity, updated_at: now })
    .where('station_id', '=', stationId)
    .where('source', '=', 'file')
    .where('starts_at', '>', now)
    .execute()
}

function permitTx(trx: Kysely<DB>): PermitTx {
  return {
    async takePlace(slotId, stationId, now) {
      const slot = await trx
        .selectFrom('permit_slots')
        .select(['capacity', 'starts_at', 'closed_at'])
        .where('id', '=', slotId)
        .where('station_id', '=', stationId)
        .forUpdate()
        .executeTakeFirst()
      if (!slot || slot.closed_at !== null || slot.starts_at <= now) return 'gone'
      // Counted after the lock: a booking committed while this one waited is seen.
      const taken = await trx
        .selectFrom('permit_appointments')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('slot_id', '=', slotId)
        .where('state', 'in', HOLDING)
        .executeTakeFirstOrThrow()
      return taken.n < slot.capacity ? 'ok' : 'full'
    },

    async insertAppointment(a) {
      await trx
        .insertInto('permit_appointments')
        .values({
          request_id: a.requestId,
          station_id: a.stationId,
          resident_id: a.residentId,
          slot_id: a.slotId,
          updated_at: new Date(),
        })
        .execute()
    },

    async bookedOf(residentId, now) {
      const row = await appointmentQuery(trx)
        .where('a.resident_id', '=', residentId)
        .where('a.state', '=', 'booked')
        .where('s.ends_at', '>', now)
        .orderBy('s.starts_at')
        .executeTakeFirst()
      return row ? appointmentRow(row) : null
    },

    async lockAppointment(requestId) {
      const row = await appointmentQuery(trx)
        .where('a.request_id', '=', requestId)
        .forUpdate('a')
        .executeTakeFirst()
      return row ? appointmentRow(row) : null
    },

    async moveAppointment(requestId, slotId) {
      const row = await trx
        .updateTable('permit_appointments')
        .set({ slot_id: slotId, moves: sql`moves + 1`, updated_at: new Date() })
        .where('request_id', '=', requestId)
        .returning('moves')
        .executeTakeFirstOrThrow()
      return row.moves
    },

    async markAppointment(requestId, state, by, at) {
      await trx
        .updateTable('permit_appointments')
        .set({ state, marked_by: by, marked_at: at, updated_at: at })
        .where('request_id', '=', requestId)
        .execute()
    },

    async closeCase(caseId, reason, at) {
      await trx
        .updateTable('cases')
        .set({
          status: 'closed',
          closed_at: at,
          cancel_reason: reason,
          version: sql`version + 1`,
          updated_at: at,
        })
        .where('id', '=', caseId)
        .execute()
      // Nothing is due on a closed case: its reminders and escalations must not act.
      await trx
        .updateTable('case_timers')
        .set({ state: 'cancelled' })
        .where('case_id', '=', caseId)
        .where('state', '=', 'scheduled')
        .execute()
    },

    async identity(identityId) {
      const row = await trx
        .selectFrom('channel_identities')
        .select(['resident_id', 'channel', 'account_id'])
        .where('id', '=', identityId)
        .executeTakeFirst()
      return row ? { residentId: row.resident_id, channel: row.channel, accountId: row.account_id } : null
    },

    insertResidentMessage: (m) => insertCaseMessage(trx, { ...m, direction: 'outbound' }),
  }
}

function appointmentQuery(db: Kysely<DB>) {
  return db
    .selectFrom('permit_appointments as a')
    .innerJoin('permit_slots as s', 's.id', 'a.slot_id')
    .select([
      'a.request_id',
      'a.station_id',
      'a.resident_id',
      'a.slot_id',
      'a.state',
      'a.moves',
      'a.marked_by',
      'a.marked_at',
      's.starts_at',
      's.ends_at',
    ])
}

type AppointmentSelect = {
  request_id: string
  station_id: string
  resident_id: string
  slot_id: string
  state: string
  moves: number
  marked_by: string | null
  marked_at: Date | null
  starts_at: Date
  ends_at: Date
}

function appointmentRow(r: AppointmentSelect): AppointmentRow {
  return {
    requestId: r.request_id,
    stationId: r.station_id,
    residentId: r.resident_id,
    slotId: r.slot_id,
    state: r.state as AppointmentState,
    moves: r.moves,
    markedBy: r.marked_by,
    markedAt: r.marked_at,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  }
}

function listQuery(db: Kysely<DB>) {
  return appointmentQuery(db)
    .innerJoin('service_requests as sr', 'sr.id', 'a.request_id')
    .innerJoin('cases as c', 'c.id', 'sr.case_id')
    .select([
      'sr.case_id',
      'sr.answers',
      'c.number',
      'c.status as case_status',
      'c.assignee_officer_id',
      'c.beat_id',
    ])
}

function listRow(
  r: AppointmentSelect & {
    case_id: string
    answers: unknown
    number: string
    case_status: string
    assignee_officer_id: string | null
    beat_id: string | null
  },
): AppointmentListRow {
  return {
    ...appointmentRow(r),
    caseId: r.case_id,
    caseNumber: r.number,
    caseStatus: r.case_status as CaseStatus,
    assigneeOfficerId: r.assignee_officer_id,
    beatId: r.beat_id,
    answers: r.answers,
  }
}

async function readSlots(
  db: Kysely<DB>,
  stationId: string,
  where: { from: Date; to: Date } | { id: string },
): Promise<SlotRow[]> {
  let query = db
    .selectFrom('permit_slots as s')
    .leftJoin('permit_appointments as a', (join) =>
      join.onRef('a.slot_id', '=', 's.id').on('a.state', 'in', HOLDING),
    )
    .select([
      's.id',
      's.station_id',
      's.starts_at',
      's.ends_at',
      's.capacity',
      's.source',
      's.closed_at',
      sql<number>`count(a.request_id)::int`.as('taken'),
    ])
    .where('s.station_id', '=', stationId)
    .groupBy(['s.id', 's.station_id', 's.starts_at', 's.ends_at', 's.capacity', 's.source', 's.closed_at'])
    .orderBy('s.starts_at')
  query =
    'id' in where
      ? query.where('s.id', '=', where.id)
      : query.where('s.starts_at', '>=', where.from).where('s.starts_at', '<', where.to)
  const rows = await query.execute()
  return rows.map((r) => ({
    id: r.id,
    stationId: r.station_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    capacity: r.capacity,
    taken: r.taken,
    source: r.source as SlotRow['source'],
    closed: r.closed_at !== null,
  }))
}
