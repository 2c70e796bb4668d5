/** What the access rules need to know about the person asking. */
export interface Actor {
  id: string
  role: 'officer' | 'supervisor' | 'admin'
  stationId: string
  beatIds: readonly string[]
}

/** What the access rules need to know about a case. */
export interface CaseScope {
  stationId: string
  assigneeOfficerId: string | null
  beatId: string | null
}

export type Access = 'allowed' | 'forbidden' | 'not-found'

/**
 * Who may see and work a case. Another station's case does not exist for the
 * asker (404, so ids cannot be probed); admins manage the station but do not
 * read residents' cases; an officer works their own cases, their beats' cases
 * and the unassigned ones; a supervisor works the whole station.
 */
export function caseAccess(actor: Actor, scope: CaseScope): Access {
  if (actor.stationId !== scope.stationId) return 'not-found'
  if (actor.role === 'supervisor') return 'allowed'
  if (actor.role === 'admin') return 'forbidden'
  if (scope.assigneeOfficerId === actor.id) return 'allowed'
  if (scope.assigneeOfficerId === null) return 'allowed'
  if (scope.beatId && actor.beatIds.includes(scope.beatId)) return 'allowed'
  return 'forbidden'
}
