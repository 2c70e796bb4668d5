import { type Actor, caseAccess } from '../../domain/access.ts'
import { AppError } from '../../errors.ts'
import type { CaseQueries } from '../../store/case-query.repository.ts'
import type { Clock } from '../ports.ts'
import type { CaseListQuery } from './views.ts'

export interface CaseReadDeps {
  queries: CaseQueries
  clock: Clock
  audit(entry: {
    stationId: string
    actor: string
    action: string
    subjectType: string
    subjectId: string
  }): Promise<void>
}

/** Reading cases: the list, the queue counts, and one case, whose every view is audited. */
export function createCaseReads(deps: CaseReadDeps) {
  const refuseAdmins = (actor: Actor) => {
    if (actor.role === 'admin')
      throw new AppError('FORBIDDEN', 'admins manage the station; cases are for officers and supervisors')
  }
  return {
    async list(actor: Actor, query: CaseListQuery) {
      refuseAdmins(actor)
      return deps.queries.list(actor, query, deps.clock.now())
    },

    async counts(actor: Actor) {
      refuseAdmins(actor)
      return deps.queries.counts(actor)
    },

    /**
     * The case as a command left it, for the command's answer. The command has
     * checked access already; a transfer may leave the case outside the actor's view.
     */
    async afterChange(caseId: string) {
      const found = await deps.queries.summary(caseId, deps.clock.now())
      if (!found) throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`)
      const { stationId: _station, residentId: _resident, ...summary } = found
      return summary
    },

    /** One message of a case, as the conversation shows it (after a reply or note). */
    async message(caseId: string, messageId: string) {
      const [message] = await deps.queries.messages(caseId, messageId)
      if (!message) throw new AppError('NOT_FOUND', `message ${messageId} does not exist`)
      return message
    },

    async get(actor: Actor, caseId: string) {
      const now = deps.clock.now()
      const { summary, stationId, residentId } = await this.load(actor, caseId)
      const [messages, resident, history] = await Promise.all([
        deps.queries.messages(caseId),
        deps.queries.resident(residentId, caseId, now),
        deps.queries.history(caseId),
      ])
      await deps.audit({
        stationId,
        actor: actor.id,
        action: 'resident.viewed',
        subjectType: 'case',
        subjectId: caseId,
      })
      return { case: summary, messages, resident, history }
    },

    async load(actor: Actor, caseId: string) {
      const found = await deps.queries.summary(caseId, deps.clock.now())
      const access = found
        ? caseAccess(actor, {
            stationId: found.stationId,
            assigneeOfficerId: found.assignee?.id ?? null,
            beatId: found.beat?.id ?? null,
          })
        : 'not-found'
      if (!found || access === 'not-found')
        throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`)
      if (access === 'forbidden')
        throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
      const { stationId, residentId, ...summary } = found
      return { summary, stationId, residentId }
    },
  }
}

export type CaseReads = ReturnType<typeof createCaseReads>
