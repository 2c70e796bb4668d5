import type { Actor } from '../../domain/access.ts'
import { allowedFrom, type BroadcastAction, conflictMessage } from '../../domain/broadcast.ts'
import { AppError } from '../../errors.ts'
import type { BroadcastDeps } from './deps.ts'
import { broadcastEvent } from './live.ts'
import type { BroadcastRecord, BroadcastStore } from './ports.ts'
import { type BroadcastView, broadcastView } from './views.ts'

/** Another station's broadcast does not exist for the asker (404, so ids cannot be probed). */
export async function loadBroadcast(
  store: BroadcastStore,
  actor: Actor,
  id: string,
): Promise<BroadcastRecord> {
  const record = await store.get(id)
  if (!record || record.stationId !== actor.stationId)
    throw new AppError('NOT_FOUND', `broadcast ${id} does not exist`)
  return record
}

/** The author runs their broadcast; supervisors run every broadcast of the station. */
export function requireManager(actor: Actor, record: BroadcastRecord): void {
  if (actor.role !== 'supervisor' && record.authorId !== actor.id)
    throw new AppError('FORBIDDEN', 'only the author or a supervisor may do this to a broadcast')
}

/**
 * What supervisors and authors do to a broadcast once it exists: approve or
 * reject it, pause, resume, cancel, and send again what a crashed worker left
 * unconfirmed. Each is a conditional change of state (a 409 names the state
 * that stood in the way), audited in the same transaction, then told to the
 * live streams.
 */
export function createBroadcastCommands(deps: BroadcastDeps) {
  const { store } = deps

  async function change(
    actor: Actor,
    record: BroadcastRecord,
    action: BroadcastAction,
    change: Parameters<BroadcastStore['transition']>[2],
    detail?: unknown,
  ): Promise<BroadcastRecord> {
    const updated = await store.transition(record.id, allowedFrom(action), change, {
      stationId: record.stationId,
      actor: actor.id,
      action: `broadcast.${{ approve: 'approved', reject: 'rejected', pause: 'paused', resume: 'resumed', cancel: 'cancelled', resend: 'resent' }[action]}`,
      subjectType: 'broadcast',
      subjectId: record.id,
      detail: detail ?? null,
    })
    if (!updated) {
      const now = (await store.get(record.id)) ?? record
      throw new AppError('CONFLICT', conflictMessage(action, now.state))
    }
    await deps.publish(broadcastEvent('state', updated))
    return updated
  }

  const view = async (record: BroadcastRecord): Promise<BroadcastView> =>
    broadcastView(record, await deps.directory.get())

  const checkState = (record: BroadcastRecord, action: BroadcastAction) => {
    if (!allowedFrom(action).includes(record.state))
      throw new AppError('CONFLICT', conflictMessage(action, record.state))
  }

  /** A supervisor other than the author decides; an approved broadcast whose time has come starts at once. */
  async function decide(
    actor: Actor,
    id: string,
    approve: boolean,
    note: string | null,
  ): Promise<BroadcastView> {
    const record = await loadBroadcast(store, actor, id)
    if (actor.role !== 'supervisor')
      throw new AppError('FORBIDDEN', 'only a supervisor may approve or reject broadcasts')
    if (record.authorId === actor.id)
      throw new AppError(
        'FORBIDDEN',
        'you wrote this broadcast: another supervisor must approve or reject it',
      )
    checkState(record, approve ? 'approve' : 'reject')
    const now = deps.clock.now()
    const updated = await change(
      actor,
      record,
      approve ? 'approve' : 'reject',
      {
        state: approve ? 'scheduled' : 'rejected',
        decidedBy: actor.id,
        decidedAt: now,
        decisionNote: note,
        ...(approve ? {} : { finishedAt: now }),
      },
      note ? { note } : null,
    )
    if (approve && (!updated.sendAt || updated.sendAt.getTime() <= now.getTime()))
      await deps.queue.plan(updated.id)
    return view(updated)
  }

  async function pause(actor: Actor, id: string): Promise<BroadcastView> {
    const record = await loadBroadcast(store, actor, id)
    requireManager(actor, record)
    checkState(record, 'pause')
    const updated = await change(actor, record, 'pause', {
      state: 'paused',
      pausedAt: deps.clock.now(),
      pausedBy: actor.id,
    })
    // Jobs already on the queues would find it paused and step aside; taking them back spares their slots.
    await deps.queue.unfeed(await store.unfeed(id))
    return view(updated)
  }

  /** Goes on where it stopped: a paused broadcast, or the accounts that paused on their own (logged out). */
  async function resume(actor: Actor, id: string): Promise<BroadcastView> {
    const record = await loadBroadcast(store, actor, id)
    requireManager(actor, record)
    checkState(record, 'resume')
    if (record.state === 'sending') {
      const cleared = await store.clearAccountPauses(id)
      if (cleared === 0)
        throw new AppError('CONFLICT', 'the broadcast is sending: there is nothing to resume')
      const updated = await change(actor, record, 'resume', {}, { accounts: cleared })
      return view(updated)
    }
    await store.clearAccountPauses(id)
    const updated = await change(actor, record, 'resume', {
      state: 'sending',
      pausedAt: null,
      pausedBy: null,
    })
    return view(updated)
  }

  /**
   * Stops it: no delivery is claimed after this commits (each claim checks the
   * broadcast's state), so at most the sends already under way finish. The
   * worker marks what is left cancelled.
   */
  async function cancel(actor: Actor, id: string): Promise<BroadcastView> {
    const record = await loadBroadcast(store, actor, id)
    requireManager(actor, record)
    checkState(record, 'cancel')
    const updated = await change(actor, record, 'cancel', { state: 'cancelled', cancelledBy: actor.id })
    await deps.queue.unfeed(await store.unfeed(id))
    return view(updated)
  }

  /**
   * Sends again the deliveries a worker claimed and never confirmed (it died
   * mid-send). They may have reached the resident: the author decides to take
   * that risk; the service never does on its own.
   */
  async function resendUnconfirmed(actor: Actor, id: string): Promise<{ requeued: number }> {
    const record = await loadBroadcast(store, actor, id)
    requireManager(actor, record)
    checkState(record, 'resend')
    const requeued = await store.resendUnconfirmed(id, {
      stationId: record.stationId,
      actor: actor.id,
      action: 'broadcast.resent',
      subjectType: 'broadcast',
      subjectId: id,
    })
    if (requeued === 0)
      throw new AppError('CONFLICT', 'the broadcast has no unconfirmed deliveries to send again')
    const updated = await store.get(id)
    if (updated) await deps.publish(broadcastEvent('state', updated))
    return { requeued }
  }

  return {
    approve: (actor: Actor, id: string, note: string | null = null) => decide(actor, id, true, note),
    reject: (actor: Actor, id: string, note: string | null = null) => decide(actor, id, false, note),
    pause,
    resume,
    cancel,
    resendUnconfirmed,
  }
}

export type BroadcastCommands = ReturnType<typeof createBroadcastCommands>
