import type { LocalDate } from '../../domain/forms/local-date.ts'
import type { LockedRequest, RequestStore, RequestTx } from './request-store.ts'

export type RentalReview = 'submitted' | 'verified' | 'needs-correction'
export type Tenancy = 'stays' | 'moved-out' | 'lapsed'

/** What has happened to a rental registration since its form (defaults when nothing has). */
export interface RentalRecord {
  review: RentalReview
  reviewReason: string | null
  /** Keys of the fields the landlord was asked to correct. */
  reviewFields: string[] | null
  reviewedBy: string | null
  reviewedAt: Date | null
  inspectionAt: Date | null
  inspectionBy: string | null
  tenancy: Tenancy | null
  /** The lease end the tenancy answer was about. */
  tenancyFor: LocalDate | null
  tenancyAt: Date | null
  /** 'landlord', 'system' or an officer id. */
  tenancyBy: string | null
}

export const NEW_RENTAL: RentalRecord = {
  review: 'submitted',
  reviewReason: null,
  reviewFields: null,
  reviewedBy: null,
  reviewedAt: null,
  inspectionAt: null,
  inspectionBy: null,
  tenancy: null,
  tenancyFor: null,
  tenancyAt: null,
  tenancyBy: null,
}

/** The request operations plus the registration's own, in one transaction. */
export interface RentalTx extends RequestTx {
  rentalOf(requestId: string): Promise<RentalRecord>
  saveRental(requestId: string, change: Partial<RentalRecord>): Promise<void>
}

export interface RentalStore extends Pick<RequestStore, 'timer' | 'pendingSends'> {
  transaction<T>(fn: (tx: RentalTx) => Promise<T>): Promise<T>
  /** A registration with its record, read without locks (the inbox's view). */
  registrationOfCase(caseId: string): Promise<{ request: LockedRequest; rental: RentalRecord } | null>
}

/** A lease-end question a landlord has not answered yet (no personal data: ids, number, day). */
export interface PendingLeaseQuestion {
  requestId: string
  caseId: string
  caseNumber: string
  leaseEnd: LocalDate
}

/**
 * What the conversation hook needs to know of a landlord's registrations,
 * kept in Redis so it never reads the database: lease questions waiting for
 * an answer, and a correction an officer asked for (the form state to open,
 * sealed, for "修改登记" when it could not be opened at once).
 */
export interface RentalIndex {
  putQuestion(residentId: string, question: PendingLeaseQuestion, ttlMs: number): Promise<void>
  removeQuestion(residentId: string, requestId: string): Promise<void>
  questions(residentId: string): Promise<PendingLeaseQuestion[]>
  putCorrection(
    residentId: string,
    entry: { requestId: string; sealedState: string },
    ttlMs: number,
  ): Promise<void>
  correction(residentId: string): Promise<{ requestId: string; sealedState: string } | null>
  /** Removes the correction if it is still the one of this request. */
  removeCorrection(residentId: string, requestId: string): Promise<void>
}
