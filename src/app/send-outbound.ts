import type { ConversationRef } from '../domain/types.ts'
import { PermanentError } from '../errors.ts'

export interface OutboundStore {
  loadForSend(messageId: string): Promise<{
    id: string
    text: string
    state: string
    direction: string
    caseId: string | null
    ref: ConversationRef | null
  } | null>
  markSent(messageId: string): Promise<void>
  markFailed(messageId: string, reason: string): Promise<void>
  markAttempt(messageId: string, reason: string): Promise<void>
}

/** The sending side of a channel, as the core sees it. */
export interface Sender {
  send(ref: ConversationRef, message: { id: string; text: string }): Promise<unknown>
  /** True for errors that retrying cannot fix (the contact is gone, the account banned). */
  isPermanent(error: unknown): boolean
}

export interface LiveNotifier {
  deliveryChanged(input: {
    messageId: string
    caseId: string | null
    state: 'sent' | 'failed'
  }): Promise<void>
}

/**
 * Sends one stored outbound message and records how it went. A message is
 * sent at most once per successful attempt: one already marked sent is skipped.
 */
export async function sendOutbound(
  deps: { store: OutboundStore; sender: Sender; live?: LiveNotifier },
  messageId: string,
  attempt: { number: number; isLast: boolean },
): Promise<'sent' | 'skipped'> {
  const message = await deps.store.loadForSend(messageId)
  if (!message) throw new PermanentError(`outbound message ${messageId} does not exist`)
  if (message.state === 'sent' || message.direction === 'note') return 'skipped'
  if (!message.ref) {
    await deps.store.markFailed(messageId, 'the resident has no channel to reach them on')
    throw new PermanentError('no conversation reference')
  }
  try {
    await deps.sender.send(message.ref, { id: message.id, text: message.text })
  } catch (error) {
    const reason = (error as Error).message || 'send failed'
    const permanent = deps.sender.isPermanent(error)
    if (permanent || attempt.isLast) {
      await deps.store.markFailed(messageId, reason)
      await deps.live?.deliveryChanged({ messageId, caseId: message.caseId, state: 'failed' })
    } else {
      await deps.store.markAttempt(messageId, reason)
    }
    if (permanent) throw new PermanentError(reason)
    throw error
  }
  await deps.store.markSent(messageId)
  await deps.live?.deliveryChanged({ messageId, caseId: message.caseId, state: 'sent' })
  return 'sent'
}
