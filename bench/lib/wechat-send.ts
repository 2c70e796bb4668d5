import { normalizeWechatMessage } from '../../bots/wechaty/normalize.ts'
import type { AppContext } from '../../src/context.ts'
import type { WechatSend } from './corpus.ts'
import { type OfferReport, offerClosed, offerOpen } from './offer.ts'

/** Closed loop with this many in flight, or open loop at a rate from an epoch-ms start. */
export type Pacing = { concurrency: number } | { perSecond: number; startAt: number }

/**
 * What the Wechaty channel does with a message it received: normalize it, hand it to ingest.
 * Receipt is stamped with the service clock, as web chat does, so both channels' receipt
 * times convert back to real time the same way.
 */
export function wechatSender(ctx: AppContext) {
  return async (message: WechatSend) => {
    const receivedAt = ctx.clock.now()
    const result = normalizeWechatMessage(
      { ...message.raw, date: new Date(receivedAt.getTime() - 200) },
      { accountId: message.accountId, servedGroups: message.servedGroups, receivedAt },
    )
    if (result.kind !== 'event')
      throw new Error(`normalize: ${result.kind} ${'reason' in result ? result.reason : ''}`)
    const ingested = await ctx.ingest(result.event)
    if (!ingested.accepted) throw new Error(`ingest rejected the event (parked ${ingested.parkedId})`)
  }
}

/** Offers WeChat messages through `ctx`'s ingest; one copy for the bench process and the front process. */
export function offerWechat(ctx: AppContext, messages: WechatSend[], pacing: Pacing): Promise<OfferReport> {
  const send = wechatSender(ctx)
  return 'concurrency' in pacing
    ? offerClosed(messages, pacing.concurrency, send)
    : offerOpen(messages, pacing.perSecond, pacing.startAt, send)
}
