import type { OutboundImage } from '../src/app/attachments.ts'
import type { ConversationRef, InboundEvent } from '../src/domain/types.ts'

export type { OutboundImage }

/** What a channel can carry; the core adapts its messages to these. */
export interface ChannelCapabilities {
  /** Longest text one send may carry, in UTF-8 bytes; longer text is split or refused. */
  maxTextBytes: number
  /** Whether the channel can take part in group conversations. */
  groups: boolean
  /** Whether the channel can send images and files. */
  media: boolean
}

export interface OutboundText {
  /** Our message id: channels that support it use it to make sends idempotent. */
  id: string
  text: string
  /**
   * A picture that goes with the text, as one send (one slot of the account's pace):
   * a channel with `media` sends the picture, then the text.
   */
  image?: OutboundImage
}

/** What a channel without media sends instead: the text, saying a picture went with it. */
export function withoutMedia(message: OutboundText): OutboundText {
  if (!message.image) return message
  const { image: _image, ...rest } = message
  return { ...rest, text: `${message.text}\n[图片 / Picture]` }
}

/** A send that the platform refused for good (contact gone, account banned) rather than a passing fault. */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
    this.name = 'PermanentSendError'
  }
}

/** Called by a channel for every platform message; resolves once the event is safely queued. */
export type InboundHandler = (event: InboundEvent) => Promise<void>

/** Called by a channel when a platform event cannot be normalized; it must be parked, not dropped. */
export type MalformedHandler = (raw: {
  channel: string
  accountId: string
  reason: string
  detail: unknown
}) => Promise<void>

/**
 * The one port every chat platform implements. Nothing outside `bots/`
 * knows which platform a message came from.
 */
export interface ChatChannel {
  /** Opaque channel kind, stamped on every event and conversation reference. */
  readonly kind: string
  /** The accounts this channel instance holds. */
  accountIds(): string[]
  readonly capabilities: ChannelCapabilities
  start(handlers: { onInbound: InboundHandler; onMalformed: MalformedHandler }): Promise<void>
  /**
   * Sends a text (and its picture, where the channel has media) to a stored
   * conversation; throws PermanentSendError when retrying cannot help.
   */
  send(ref: ConversationRef, message: OutboundText): Promise<{ externalId?: string }>
  /** Whether an account can send now, for channels whose accounts log in and out (WeChat). */
  isLoggedIn?(accountId: string): boolean
  stop(): Promise<void>
}
