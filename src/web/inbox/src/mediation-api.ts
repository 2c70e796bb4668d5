import type {
  FollowUpInput,
  MediationPartyView,
  MediationSessionView,
  MediationView,
  OutcomeInput,
} from '../../../app/forms/mediation.ts'
import type { PartyRole } from '../../../domain/forms/mediation.ts'
import { request } from './api.ts'
import type { OfficerOption } from './types.ts'

const id = (value: string): string => encodeURIComponent(value)
const base = (caseId: string) => `/api/cases/${id(caseId)}/mediation`

type Answer = { mediation: MediationView }

/** Who mediates, as the API takes it. */
export type MediatorChoice = { officerId: string } | { team: true } | { none: true }

/** The mediation calls of the inbox API (docs/inbox-api.md, Mediation). */
export const mediationApi = {
  get: (caseId: string) => request<Answer>('GET', base(caseId)),
  open: (
    caseId: string,
    body: { version: number; subject: string; preferredTimes?: string; mediator?: MediatorChoice },
  ) => request<Answer>('POST', base(caseId), body),
  addParty: (
    caseId: string,
    body: { role: PartyRole; name?: string; phone?: string; residentCode?: string },
  ) => request<Answer & { party: MediationPartyView }>('POST', `${base(caseId)}/parties`, body),
  removeParty: (caseId: string, partyId: string) =>
    request<Answer>('DELETE', `${base(caseId)}/parties/${id(partyId)}`),
  setMediator: (caseId: string, body: MediatorChoice) =>
    request<Answer>('PUT', `${base(caseId)}/mediator`, body),
  schedule: (caseId: string, body: { at: string; place: string; note?: string }) =>
    request<Answer & { session: MediationSessionView }>('POST', `${base(caseId)}/sessions`, body),
  cancelSession: (caseId: string, sessionId: string, reason?: string) =>
    request<Answer>('POST', `${base(caseId)}/sessions/${id(sessionId)}/cancel`, reason ? { reason } : {}),
  outcome: (caseId: string, body: OutcomeInput) => request<Answer>('POST', `${base(caseId)}/outcome`, body),
  followUp: (caseId: string, body: FollowUpInput) =>
    request<Answer>('POST', `${base(caseId)}/follow-up`, body),
  /** Officers of the station with their team, for choosing a mediator. */
  officers: () =>
    request<{ officers: Array<OfficerOption & { team: string | null }> }>('GET', '/api/officers'),
}
