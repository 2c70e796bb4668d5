import type { BroadcastLiveData, LiveEvent } from '../ports.ts'
import type { DeliveryCounts } from './ports.ts'

/**
 * A live event about a broadcast. It names no case and no assignee, so every
 * officer and supervisor of the station receives it (admins do not); the
 * inbox shows the author's own prominently.
 */
export function broadcastEvent(
  type: 'progress' | 'state' | 'account_paused' | 'account_resumed',
  broadcast: { id: string; stationId: string; authorId: string; state: string },
  extra: Omit<BroadcastLiveData, 'id' | 'authorId' | 'state'> = {},
): LiveEvent {
  return {
    type: `broadcast.${type}`,
    stationId: broadcast.stationId,
    caseId: '',
    assigneeId: null,
    beatId: null,
    broadcast: { id: broadcast.id, authorId: broadcast.authorId, state: broadcast.state, ...extra },
  }
}

/** The counts the inbox shows: deliveries being sent right now count as pending. */
export function liveCounts(c: DeliveryCounts): NonNullable<BroadcastLiveData['counts']> {
  return {
    planned: c.planned,
    sent: c.sent,
    failed: c.failed,
    skipped: c.skipped,
    pending: c.pending + c.sending,
    unconfirmed: c.unconfirmed,
    cancelled: c.cancelled,
  }
}
