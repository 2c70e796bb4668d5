import type { Kysely } from 'kysely'
import { NEW_RENTAL, type RentalRecord, type RentalStore, type RentalTx } from '../app/forms/rental-store.ts'
import type { Database } from './db.ts'
import type { DB } from './schema.ts'
import { createRequestStore, requestTx } from './service-requests.repository.ts'

/** Rental registrations: the generic request operations plus `rental_registrations` (migration 013). */
export function createRentalStore(db: Database): RentalStore {
  const requests = createRequestStore(db)
  return {
    transaction: (fn) => db.transaction().execute((trx) => fn({ ...requestTx(trx), ...rentalTx(trx) })),
    timer: (id) => requests.timer(id),
    pendingSends: (requestId) => requests.pendingSends(requestId),
    async registrationOfCase(caseId) {
      const found = await requests.requestOfCase(caseId)
      if (!found) return null
      return { request: found.request, rental: await readRental(db, found.request.id) }
    },
  }
}

function rentalTx(trx: Kysely<DB>): Pick<RentalTx, 'rentalOf' | 'saveRental'> {
  return {
    rentalOf: (requestId) => readRental(trx, requestId),
    async saveRental(requestId, change) {
      const values = {
        ...(change.review !== undefined && { review: change.review }),
        ...(change.reviewReason !== undefined && { review_reason: change.reviewReason }),
        ...(change.reviewFields !== undefined && {
          review_fields: change.reviewFields === null ? null : JSON.stringify(change.reviewFields),
        }),
        ...(change.reviewedBy !== undefined && { reviewed_by: change.reviewedBy }),
        ...(change.reviewedAt !== undefined && { reviewed_at: change.reviewedAt }),
        ...(change.inspectionAt !== undefined && { inspection_at: change.inspectionAt }),
        ...(change.inspectionBy !== undefined && { inspection_by: change.inspectionBy }),
        ...(change.tenancy !== undefined && { tenancy: change.tenancy }),
        ...(change.tenancyFor !== undefined && { tenancy_for: change.tenancyFor }),
        ...(change.tenancyAt !== undefined && { tenancy_at: change.tenancyAt }),
        ...(change.tenancyBy !== undefined && { tenancy_by: change.tenancyBy }),
        updated_at: new Date(),
      }
      await trx
        .insertInto('rental_registrations')
        .values({ request_id: requestId, ...values })
        .onConflict((oc) => oc.column('request_id').doUpdateSet(values))
        .execute()
    },
  }
}

async function readRental(db: Kysely<DB>, requestId: string): Promise<RentalRecord> {
  const row = await db
    .selectFrom('rental_registrations')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirst()
  if (!row) return NEW_RENTAL
  return {
    review: row.review as RentalRecord['review'],
    reviewReason: row.review_reason,
    reviewFields: row.review_fields,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
    inspectionAt: row.inspection_at,
    inspectionBy: row.inspection_by,
    tenancy: row.tenancy as RentalRecord['tenancy'],
    tenancyFor: row.tenancy_for,
    tenancyAt: row.tenancy_at,
    tenancyBy: row.tenancy_by,
  }
}
