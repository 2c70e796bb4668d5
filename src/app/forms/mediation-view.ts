import type { FollowUpResult, MediationState, NextStep, PartyRole } from '../../domain/forms/mediation.ts'
import type { Language } from '../../domain/types.ts'
import type { DirectorySnapshot } from '../ports.ts'
import type { LockedMediation, PartyRow, SessionRow } from './mediation-store.ts'

export interface MediationPartyView {
  id: string
  name: string
  phone: string | null
  role: PartyRole
  resident: { id: string; code: string | null } | null
  /** The service can write to this party (a linked resident with a chat of their own). */
  reachable: boolean
}

export interface MediationSessionView {
  id: string
  at: string
  place: string
  note: string | null
  /** `past`: a scheduled session whose time has come. */
  state: 'scheduled' | 'cancelled' | 'past'
  cancelReason: string | null
  createdBy: { id: string; name: string }
}

export interface MediatorView {
  kind: 'officer' | 'team'
  officerId: string | null
  name: string
  /** The team's members (for a team), or the officer alone. */
  members: Array<{ id: string; name: string }>
}

/** A mediation as the inbox shows it. */
export interface MediationView {
  requestId: string
  caseId: string
  caseNumber: string
  source: 'chat' | 'officer'
  state: MediationState
  subject: string
  preferredTimes: string | null
  openedAt: string
  mediator: MediatorView | null
  parties: MediationPartyView[]
  sessions: MediationSessionView[]
  outcome: {
    result: 'settled' | 'not_settled'
    terms: string | null
    nextStep: NextStep | null
    note: string | null
    at: string
    by: { id: string; name: string } | null
  } | null
  followUp: {
    dueAt: string
    at: string | null
    result: FollowUpResult | null
    note: string | null
    by: { id: string; name: string } | null
  } | null
  /** The station's time zone: session times are its wall clock. */
  timeZone: string
}

/** An officer's name in the language given (the Chinese one when there is no other). */
export function officerName(dir: DirectorySnapshot, id: string, language: Language): string {
  const o = dir.officers.get(id)
  return (language === 'en' ? o?.nameEn : null) ?? o?.name ?? ''
}

/** Who belongs to a team of the station: active officers who work cases (not admins), by badge. */
export function teamMembers(dir: DirectorySnapshot, stationId: string, team: string) {
  return [...dir.officers.values()]
    .filter((o) => o.stationId === stationId && o.active && o.team === team && o.role !== 'admin')
    .sort((a, b) => a.badge.localeCompare(b.badge))
}

/** A mediation as the inbox shows it: parties with their phones, so only for officers who may see the case. */
export function mediationView(input: {
  dir: DirectorySnapshot
  m: LockedMediation
  parties: PartyRow[]
  sessions: SessionRow[]
  /** Residents among the parties the service can write to. */
  reachable: Set<string>
  now: Date
  /** Of officers' names and the team's. */
  language: Language
  timeZone: string
}): MediationView {
  const { dir, m, parties, sessions, reachable, now, language } = input
  const name = (id: string) => officerName(dir, id, language)
  const ref = (id: string | null) => (id ? { id, name: name(id) } : null)
  const row = m.mediation
  const mediator: MediatorView | null = row.mediatorOfficerId
    ? {
        kind: 'officer',
        officerId: row.mediatorOfficerId,
        name: name(row.mediatorOfficerId),
        members: [{ id: row.mediatorOfficerId, name: name(row.mediatorOfficerId) }],
      }
    : row.mediatorTeam
      ? {
          kind: 'team',
          officerId: null,
          name: language === 'en' ? 'Mediation team' : '调解团队',
          members: teamMembers(dir, row.stationId, row.mediatorTeam).map((o) => ({
            id: o.id,
            name: name(o.id),
          })),
        }
      : null
  return {
    requestId: row.requestId,
    caseId: m.case.id,
    caseNumber: m.case.number,
    source: row.source,
    state: row.state,
    subject: row.subject,
    preferredTimes: row.preferredTimes,
    openedAt: row.openedAt.toISOString(),
    mediator,
    parties: parties.map((p) => ({
      id: p.id,
      name: p.name,
      phone: p.phone,
      role: p.role,
      resident: p.residentId ? { id: p.residentId, code: p.residentCode } : null,
      reachable: p.residentId !== null && reachable.has(p.residentId),
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      at: s.startsAt.toISOString(),
      place: s.place,
      note: s.note,
      state: s.state === 'cancelled' ? 'cancelled' : s.startsAt <= now ? 'past' : 'scheduled',
      cancelReason: s.cancelReason,
      createdBy: { id: s.createdBy, name: name(s.createdBy) },
    })),
    outcome:
      row.state === 'open' || !row.concludedAt
        ? null
        : {
            result: row.state,
            terms: row.agreementTerms,
            nextStep: row.nextStep,
            note: row.outcomeNote,
            at: row.concludedAt.toISOString(),
            by: ref(row.concludedBy),
          },
    followUp: row.followUpDueAt
      ? {
          dueAt: row.followUpDueAt.toISOString(),
          at: row.followUpAt?.toISOString() ?? null,
          result: row.followUpResult,
          note: row.followUpNote,
          by: ref(row.followUpBy),
        }
      : null,
    timeZone: input.timeZone,
  }
}
