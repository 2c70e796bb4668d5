import type { CasePriority } from '../../domain/types.ts'
import type { Clock, Dispatcher, LiveEvent, QueuedNotice } from '../ports.ts'
import type { ActiveHomeWatch, ActiveRequestIndex } from './conversation.ts'
import type { LockedRequest, RequestTx } from './request-store.ts'

/** Delayed jobs behind service-request timers; adding an id already there changes nothing. */
export interface ServiceTimerQueue {
  /** `kind` names the job (home watch's, mediation's, …); the row id is all the handler reads. */
  add(timer: { id: string; kind: string }, delayMs: number): Promise<void>
  remove(id: string): Promise<void>
}

/** What a request transaction leaves for after its commit, applied in this order. */
export interface Effects {
  cancelTimers: string[]
  addTimers: Array<{ id: string; kind: string; dueAt: Date }>
  /** A case that leaves one queue for another (or for none, when resolved). */
  moveCase?: {
    caseId: string
    stationId: string
    priority: CasePriority
    from: string | null
    to: string | null
  }
  send: Array<{ accountId: string; messageId: string }>
  notices: QueuedNotice[]
  events: LiveEvent[]
  /** Cases whose holder or status changed: deadlines and after-care follow them. */
  changedCases: string[]
  /** Running home watches started, changed or ended, for the conversation hook's index. */
  index: Array<
    | { op: 'put'; residentId: string; entry: ActiveHomeWatch; expiresAt: Date }
    | { op: 'remove'; residentId: string; requestId: string }
  >
}

export const noEffects = (): Effects => ({
  cancelTimers: [],
  addTimers: [],
  send: [],
  notices: [],
  events: [],
  changedCases: [],
  index: [],
})

export interface EffectDeps {
  dispatcher: Dispatcher
  timers: ServiceTimerQueue
  clock: Clock
  afterCaseChanged?: (caseIds: string[]) => Promise<void>
  activeIndex: ActiveRequestIndex
}

/** Everything after the commit; each step is idempotent, so a retry after a crash is harmless. */
export async function applyEffects(deps: EffectDeps, effects: Effects): Promise<void> {
  const now = deps.clock.now().getTime()
  for (const id of effects.cancelTimers) await deps.timers.remove(id)
  for (const t of effects.addTimers) await deps.timers.add(t, Math.max(0, t.dueAt.getTime() - now))
  const move = effects.moveCase
  if (move) {
    if (move.from) await deps.dispatcher.removeCase(move.from, move.caseId)
    if (move.to) {
      await deps.dispatcher.enqueueCase({
        queue: move.to,
        caseId: move.caseId,
        stationId: move.stationId,
        messageId: move.caseId,
        priority: move.priority,
      })
    }
  }
  for (const s of effects.send) await deps.dispatcher.enqueueOutbound(s.accountId, s.messageId)
  for (const n of effects.notices) await deps.dispatcher.enqueueNotice(n)
  for (const e of effects.events) await deps.dispatcher.publish(e)
  for (const i of effects.index) {
    if (i.op === 'put')
      await deps.activeIndex.put(i.residentId, i.entry, Math.max(60_000, i.expiresAt.getTime() - now))
    else await deps.activeIndex.remove(i.residentId, i.requestId)
  }
  if (effects.changedCases.length > 0) await deps.afterCaseChanged?.([...new Set(effects.changedCases)])
}

/** Stores a text to the resident who made the request, on its case; it is sent after the commit. */
export async function tellRequester(
  tx: Pick<RequestTx, 'insertMessage'>,
  newId: () => string,
  r: LockedRequest,
  text: string,
  now: Date,
  effects: Effects,
  author: string | null = null,
  /** A picture that goes with the text (a home-watch photo). */
  attachmentId: string | null = null,
): Promise<string> {
  const id = newId()
  await tx.insertMessage({
    ...(attachmentId ? { attachmentId } : {}),
    id,
    caseId: r.case.id,
    residentId: r.case.residentId,
    identityId: r.case.identityId,
    direction: 'outbound',
    channel: r.case.channel,
    accountId: r.case.accountId,
    text,
    authorOfficerId: author,
    createdAt: now,
  })
  effects.send.push({ accountId: r.case.accountId, messageId: id })
  return id
}
