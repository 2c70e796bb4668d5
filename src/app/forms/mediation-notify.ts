import { statusAfterReply } from '../../domain/case-status.ts'
import type { Language } from '../../domain/types.ts'
import type { DirectorySnapshot, LiveEvent } from '../ports.ts'
import type { Effects } from './effects.ts'
import type { LockedMediation, MediationChange, MediationTx, PartyRow } from './mediation-store.ts'
import { officerName, teamMembers } from './mediation-view.ts'

/**
 * How a mediation tells people, inside the transaction of the change: the
 * parties it can write to (each in their language), the officers on their
 * WeChat, the live inbox; and what telling the case's resident means for the case.
 */
export function createMediationNotify(deps: { newId: () => string }) {
  /** The officers told of sessions and the follow-up: the mediator (or team) and whoever holds the case. */
  function officersToTell(dir: DirectorySnapshot, m: LockedMediation): string[] {
    const ids = new Set<string>()
    const row = m.mediation
    if (row.mediatorOfficerId) ids.add(row.mediatorOfficerId)
    if (row.mediatorTeam) for (const o of teamMembers(dir, row.stationId, row.mediatorTeam)) ids.add(o.id)
    if (m.case.assigneeOfficerId) ids.add(m.case.assigneeOfficerId)
    return [...ids].filter((id) => {
      const o = dir.officers.get(id)
      return o?.active && o.role !== 'admin'
    })
  }

  const event = (m: LockedMediation, type: LiveEvent['type'], messageId?: string): LiveEvent => ({
    type,
    caseId: m.case.id,
    stationId: m.case.stationId,
    assigneeId: m.case.assigneeOfficerId,
    beatId: m.case.beatId,
    ...(messageId ? { messageId } : {}),
  })

  /**
   * Writes to every party the service can reach, each in their language (one
   * message per resident however many times they are listed). Answers the
   * messages, and whether the case's own resident was among those told.
   */
  async function tellParties(
    tx: MediationTx,
    m: LockedMediation,
    parties: PartyRow[],
    text: (language: Language) => string,
    now: Date,
    effects: Effects,
    author: string | null,
  ): Promise<{ messageIds: string[]; toCaseResident: boolean }> {
    const residents = [...new Set(parties.flatMap((p) => (p.residentId ? [p.residentId] : [])))]
    const contacts = await tx.contacts(residents)
    const messageIds: string[] = []
    for (const residentId of residents) {
      const contact = contacts.get(residentId)
      if (!contact) continue
      const id = deps.newId()
      await tx.insertMessage({
        id,
        caseId: m.case.id,
        residentId,
        identityId: contact.identityId,
        direction: 'outbound',
        channel: contact.channel,
        accountId: contact.accountId,
        text: text(contact.language),
        authorOfficerId: author,
        createdAt: now,
      })
      effects.send.push({ accountId: contact.accountId, messageId: id })
      messageIds.push(id)
    }
    return { messageIds, toCaseResident: contacts.has(m.case.residentId) }
  }

  /** An officer's message reached the case's resident: it counts as the first response, as a reply does. */
  async function answeredResident(tx: MediationTx, m: LockedMediation, now: Date, effects: Effects) {
    const status = statusAfterReply(m.case.status)
    const first = m.case.firstRespondedAt === null
    if (status === m.case.status && !first) return
    await tx.updateCase(
      m.case.id,
      { ...(status !== m.case.status ? { status } : {}), ...(first ? { firstRespondedAt: now } : {}) },
      true,
    )
    effects.changedCases.push(m.case.id)
  }

  async function notifyOfficers(
    tx: MediationTx,
    m: LockedMediation,
    officerIds: string[],
    text: string,
    effects: Effects,
  ): Promise<string[]> {
    const told: string[] = []
    for (const officerId of officerIds) {
      const queued = await tx.addOfficerNotice({ id: deps.newId(), officerId, caseId: m.case.id, text })
      if (queued) {
        effects.notices.push(queued)
        told.push(officerId)
      }
    }
    return told
  }

  /** How a party reads who mediates; null while nobody is named. */
  function mediatorForResidents(
    dir: DirectorySnapshot,
    stationId: string,
    row: Pick<MediationChange, 'mediatorOfficerId' | 'mediatorTeam'>,
    language: Language,
  ): string | null {
    const en = language === 'en'
    if (row.mediatorOfficerId) {
      const name = officerName(dir, row.mediatorOfficerId, language)
      return en ? `mediator ${name}` : `调解员${name}`
    }
    if (row.mediatorTeam) {
      const station = dir.stations.get(stationId)
      return en
        ? `the mediation team of ${station?.nameEn ?? station?.name ?? 'the station'}`
        : `${station?.name ?? '派出所'}调解团队`
    }
    return null
  }

  return { officersToTell, event, tellParties, answeredResident, notifyOfficers, mediatorForResidents }
}

export type MediationNotify = ReturnType<typeof createMediationNotify>
