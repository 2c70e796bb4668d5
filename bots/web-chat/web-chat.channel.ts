import type { Redis } from 'ioredis'
import type { ConversationRef } from '../../src/domain/types.ts'
import type { ChannelCapabilities, ChatChannel, OutboundText } from '../channel.ts'

export const WEB_CHANNEL = 'web'

/** Pub/sub channel on which a web chat session hears about messages for it. */
export const webChatTopic = (prefix: string, sessionId: string): string => `${prefix}:webchat:${sessionId}`

/**
 * The resident web chat as a channel. Inbound messages arrive over HTTP (see
 * routes.ts); sending publishes the message id to the session's topic, and
 * whichever API process holds the resident's stream reads it and pushes it out.
 * The stored message is the delivery: a resident who is offline sees it on return.
 * A picture is shown by the page, which loads it by the message's attachment id
 * (routes.ts), so a send never carries the bytes anywhere.
 */
export class WebChatChannel implements ChatChannel {
  readonly kind = WEB_CHANNEL
  readonly capabilities: ChannelCapabilities = { maxTextBytes: 16_000, groups: false, media: true }

  constructor(
    private readonly publisher: Redis,
    private readonly prefix: string,
    private readonly accounts: () => string[],
  ) {}

  accountIds(): string[] {
    return this.accounts()
  }

  async start(): Promise<void> {}

  async send(ref: ConversationRef, message: OutboundText): Promise<{ externalId?: string }> {
    await this.publisher.publish(
      webChatTopic(this.prefix, ref.contactRef),
      JSON.stringify({ messageId: message.id }),
    )
    return { externalId: message.id }
  }

  async stop(): Promise<void> {}
}
