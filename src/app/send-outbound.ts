import type { ConversationRef } from '../domain/types.ts'
import { PermanentError } from '../errors.ts'
import type { ImageLoader, OutboundImage } from './attachments.ts'

/** Officer notices as the outbound worker reads and records them. */
export interface NoticeStore {
  /** The notice and the officer's WeChat it goes to. */
  loadNotice(
    noticeId: string,
  ): Promise<{ id: string; text: string; state: string; ref: ConversationRef } | null>
  markNoticeSent(noticeId: string): Promise<void>
  markNoticeFailed(noticeId: string, reason: string): Promise<void>
  markNoticeAttempt(noticeId: string, reason: string): Promise<void>
}

/** Everything an account's outbound queue sends: messages to residents and notices to officers. */
export interface OutboundStore extends NoticeStore {
  loadForSend(messageId: string): Promise<{
    id: string
    text: string
    state: string
    direction: string
    caseId: string | null
    ref: ConversationRef | null
    /** The picture the message carries (a home-watch photo), sent with it. */
    attachmentId?: string | null
  } | null>
  markSent(messageId: string): Promise<void>
  markFailed(messageId: string, reason: string): Promise<void>
  markAttempt(messageId: string, reason: string): Promise<void>
}

/** The sending side of a channel, as the core sees it. */
export interface Sender {
  /** A picture, where there is one, goes with the text as one send. */
  send(ref: ConversationRef, message: { id: string; text: string; image?: OutboundImage }): Promise<unknown>
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
  deps: { store: OutboundStore; sender: Sender; live?: LiveNotifier; images?: ImageLoader },
  messageId: string,
  attempt: { number: number; isLast: boolean },
): Promise<'sent' | 'skipped'> {
  const message = await deps.store.loadForSend(messageId)
  if (!message) throw new PermanentError(`outbound message ${messageId} does not exist`)
  if (message.state === 'sent' || message.direction === 'note') return 'skipped'
  if (!message.ref) {
    await deps.store.markFailed(messageId, 'the resident has no channel to reach them on')
    await deps.live?.deliveryChanged({ messageId, caseId: message.caseId, state: 'failed' })
    throw new PermanentError('no conversation reference')
  }
  // Bytes are read here, by the sender: the job carried only the message id.
  const image = message.attachmentId && deps.images ? await deps.images(message.attachmentId) : null
  const content = { id: message.id, text: message.text, ...(image ? { image } : {}) }
  await deliver(deps.sender, message.ref, content, attempt, {
    async failed(reason) {
      await deps.store.markFailed(messageId, reason)
      await deps.live?.deliveryChanged({ messageId, caseId: message.caseId, state: 'failed' })
    },
    retrying: (reason) => deps.store.markAttempt(messageId, reason),
    async sent() {
      await deps.store.markSent(messageId)
      await deps.live?.deliveryChanged({ messageId, caseId: message.caseId, state: 'sent' })
    },
  })
  return 'sent'
}

/**
 * Sends one stored officer notice to the officer's own WeChat and records how
 * it went; a notice already sent is skipped.
 */
export async function sendNotice(
  deps: { store: NoticeStore; sender: Sender },
  noticeId: string,
  attempt: { number: number; isLast: boolean },
): Promise<'sent' | 'skipped'> {
  const notice = await deps.store.loadNotice(noticeId)
  if (!notice) throw new PermanentError(`officer notice ${noticeId} does not exist`)
  if (notice.state === 'sent') return 'skipped'
  await deliver(deps.sender, notice.ref, { id: notice.id, text: notice.text }, attempt, {
    failed: (reason) => deps.store.markNoticeFailed(noticeId, reason),
    retrying: (reason) => deps.store.markNoticeAttempt(noticeId, reason),
    sent: () => deps.store.markNoticeSent(noticeId),
  })
  return 'sent'
}

/**
 * One send attempt, recorded: a permanent refusal or the last attempt is a
 * failure; anything else is left for the queue to retry.
 */
async function deliver(
  sender: Sender,
  ref: ConversationRef,
  message: { id: string; text: string; image?: OutboundImage },
  attempt: { number: number; isLast: boolean },
  record: {
    failed(reason: string): Promise<void>
    retrying(reason: string): Promise<void>
    sent(): Promise<void>
  },
): Promise<void> {
  try {
    await sender.send(ref, message)
  } catch (error) {
    const reason = (error as Error).message || 'send failed'
    const permanent = sender.isPermanent(error)
    if (permanent || attempt.isLast) await record.failed(reason)
    else await record.retrying(reason)
    if (permanent) throw new PermanentError(reason)
    throw error
  }
  await record.sent()
}
