import type { PersonalDataCipher } from '../personal-data.ts'
import type { CompletedForm } from './conversation.ts'
import type { StepAuthor } from './service-requests.ts'

/** A confirmed form as the inbound transaction keeps it until it is a request: sealed whole. */
export interface PendingSubmission extends StepAuthor {
  /** The submission id (the confirming message's). */
  id: string
  sealed: string
  /** When the confirming message was handled (the service's clock). */
  keptAt: Date
}

export interface FormSubmissionStore {
  /** Kept at `at` or before: their process died before submitting them. Oldest first. */
  olderThan(at: Date, limit: number): Promise<PendingSubmission[]>
  remove(id: string): Promise<void>
}

const context = (id: string) => `form-submission:${id}`

export function sealSubmission(
  cipher: PersonalDataCipher,
  completed: CompletedForm,
  author: StepAuthor,
  keptAt: Date,
): PendingSubmission {
  return {
    id: completed.submissionId,
    residentId: author.residentId,
    identityId: author.identityId,
    stationId: author.stationId,
    sealed: cipher.seal(JSON.stringify(completed), context(completed.submissionId)),
    keptAt,
  }
}

/** Throws `SealedDataError` when it no longer opens (altered, or DATA_KEY changed). */
export function openSubmission(cipher: PersonalDataCipher, pending: PendingSubmission): CompletedForm {
  return JSON.parse(cipher.open(pending.sealed, context(pending.id))) as CompletedForm
}
