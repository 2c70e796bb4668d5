import type { CaseStatus } from './types.ts'

/** Statuses in which a case still needs someone: a resident's new message joins it. */
export const OPEN_STATUSES: readonly CaseStatus[] = ['new', 'assigned', 'in_progress', 'awaiting_resident']

export const isOpen = (status: CaseStatus): boolean => OPEN_STATUSES.includes(status)

/**
 * The case life cycle as an explicit state machine:
 * new → assigned → in_progress ⇄ awaiting_resident → resolved → closed,
 * with reopening from resolved or closed.
 */
const ALLOWED: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['assigned', 'in_progress', 'awaiting_resident', 'resolved'],
  assigned: ['new', 'assigned', 'in_progress', 'awaiting_resident', 'resolved'],
  in_progress: ['new', 'assigned', 'awaiting_resident', 'resolved'],
  awaiting_resident: ['new', 'assigned', 'in_progress', 'resolved'],
  resolved: ['closed', 'assigned', 'in_progress', 'new'],
  closed: ['assigned', 'in_progress', 'new'],
}

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return ALLOWED[from].includes(to)
}

/** The status a case takes when reopened: back with its officer if it has one, else waiting for one. */
export function reopenedStatus(hasAssignee: boolean): CaseStatus {
  return hasAssignee ? 'in_progress' : 'new'
}

/** An officer's first reply moves a case that nobody has started into progress. */
export function statusAfterReply(current: CaseStatus): CaseStatus {
  return current === 'new' || current === 'assigned' || current === 'awaiting_resident'
    ? 'in_progress'
    : current
}

/**
 * Cases of a service request (a home watch, a rental registration, a permit
 * appointment) run beside the resident's conversation: a resident's message
 * neither joins nor reopens them, and they do not count as the one open case
 * (migration 012's index lists the same kinds).
 */
export const SERVICE_REQUEST_CATEGORIES: readonly string[] = [
  'home_watch',
  'rental_registration',
  'residence_permit',
  // A mediation asked for by chat (migration 015); a dispute case turned into one keeps its category.
  'mediation',
]
