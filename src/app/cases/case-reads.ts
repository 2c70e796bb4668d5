import { type Actor, type CaseScope, caseAccess } from '../../domain/access.ts'
import { AppError } from '../../errors.ts'
import type { CaseQueries } from '../../store/case-query.repository.ts'
import { shareFreshReads } from '../fresh-read.ts'
import type { Clock } from '../ports.ts'
import type { CaseDetail, CaseDetailView, CaseListPage, CaseListQuery, JsonText } from './views.ts'

/** A second look at the same case by the same officer within this time is not audited again. */
const VIEW_AUDIT_WINDOW_MS = 60_000

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
  const views = createViewMemory(VIEW_AUDIT_WINDOW_MS)
  // A live event makes every open inbox it concerns read its list (and open case) again at
  // once; identical reads in such a burst share one (never one begun before they asked).
  const sharedPages = shareFreshReads<JsonText<CaseListPage>>()
  const sharedCases = shareFreshReads<Awaited<ReturnType<CaseQueries['detail']>>>()
  const refuseAdmins = (actor: Actor) => {
    if (actor.role === 'admin')
      throw new AppError('FORBIDDEN', 'admins manage the station; cases are for officers and supervisors')
  }
  /** A page of the list, as JSON text ready to send. */
  const listJson = async (actor: Actor, query: CaseListQuery): Promise<JsonText<CaseListPage>> => {
    refuseAdmins(actor)
    const key = JSON.stringify([actor.id, actor.role, actor.stationId, actor.beatIds, query])
    return sharedPages(key, () => deps.queries.list(actor, query, deps.clock.now()))
  }

  /** One case with all around it, as JSON text ready to send; every view is audited. */
  const getJson = async (actor: Actor, caseId: string): Promise<JsonText<CaseDetailView>> => {
    // One read for the case and all around it; none of it leaves here before the access check.
    const found = await sharedCases(caseId, () => deps.queries.detail(caseId, deps.clock.now()))
    checkAccess(actor, caseId, found?.scope ?? null)
    const { scope, json } = found as NonNullable<typeof found>
    const key = `${actor.id} ${caseId}`
    if (views.firstSince(key, deps.clock.now().getTime())) {
      try {
        await deps.audit({
          stationId: scope.stationId,
          actor: actor.id,
          action: 'resident.viewed',
          subjectType: 'case',
          subjectId: caseId,
        })
      } catch (error) {
        views.forget(key)
        throw error
      }
    }
    return json
  }

  return {
    listJson,

    async list(actor: Actor, query: CaseListQuery): Promise<CaseListPage> {
      return JSON.parse(await listJson(actor, query))
    },

    async counts(actor: Actor) {
      refuseAdmins(actor)
      return deps.queries.counts(actor)
    },

    /**
     * The case as a command left it, for the command's answer. The command has
     * checked access already; a transfer may leave the case outside the actor's view.
     */
    async afterChange(caseId: string): Promise<CaseDetail> {
      const found = await deps.queries.summary(caseId, deps.clock.now())
      if (!found) throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`)
      return found.detail
    },

    /** One message of a case, as the conversation shows it (after a reply or note). */
    async message(caseId: string, messageId: string) {
      const message = await deps.queries.message(caseId, messageId)
      if (!message) throw new AppError('NOT_FOUND', `message ${messageId} does not exist`)
      return message
    },

    getJson,

    async get(actor: Actor, caseId: string): Promise<CaseDetailView> {
      return JSON.parse(await getJson(actor, caseId))
    },
  }
}

/** Throws the error the API answers with unless the actor may see the case. */
function checkAccess(actor: Actor, caseId: string, scope: CaseScope | null): void {
  const access = scope ? caseAccess(actor, scope) : 'not-found'
  if (access === 'not-found') throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`)
  if (access === 'forbidden')
    throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
}

/**
 * Remembers which officer opened which case in the last minute, so that
 * looking at a case again (and every live refresh of an open case) does not
 * write another `resident.viewed` entry: the log says who looked and when they
 * started, not every repaint. Kept per process; several API processes may each
 * write one entry a minute.
 */
export function createViewMemory(windowMs: number) {
  const seen = new Map<string, number>()
  return {
    /** True (and remembered) when this key was not seen within the window before `now`. */
    firstSince(key: string, now: number): boolean {
      const at = seen.get(key)
      if (at !== undefined && now >= at && now - at < windowMs) return false
      seen.delete(key)
      seen.set(key, now)
      // Oldest first, as inserted: drop what has aged out.
      for (const [oldKey, oldAt] of seen) {
        if (now >= oldAt && now - oldAt < windowMs) break
        seen.delete(oldKey)
      }
      return true
    },
    forget(key: string): void {
      seen.delete(key)
    },
  }
}

export type CaseReads = ReturnType<typeof createCaseReads>
