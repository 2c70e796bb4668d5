import { composeText, isUrgentCategory } from '../../domain/broadcast.ts'
import { inQuietHours, type QuietHours } from '../../domain/broadcast-pace.ts'
import { PermanentError } from '../../errors.ts'
import type { ImageLoader } from '../attachments.ts'
import type { AuditEntry, Clock, LiveEvent } from '../ports.ts'
import type { Sender } from '../send-outbound.ts'
import { broadcastEvent } from './live.ts'
import type { AccountPace, DeliverySendStore } from './ports.ts'

export interface DeliverySenderDeps {
  store: DeliverySendStore
  sender: Sender
  /** The account's pace: the same one its replies and notices keep. */
  pace: AccountPace
  /** False while the account is known to be logged out; absent: always taken as ready. */
  accountReady?: () => boolean
  clock: Clock
  quietHours: QuietHours | null
  publish(event: LiveEvent): Promise<void>
  audit(entry: AuditEntry & { actor: string }): Promise<void>
  newToken(): string
  /** Reads the broadcast's picture (kept between sends); without it a picture is left out. */
  images?: ImageLoader
}

export type DeliveryOutcome = 'sent' | 'deferred' | 'skipped'

export const LOGGED_OUT = 'logged_out'

/**
 * Sends one broadcast delivery through the account's outbound queue, at most
 * once: it is claimed in the database (only while it is pending, its
 * broadcast sending and its account not paused) after the account's pace has
 * granted a slot and just before the platform call, and marked sent after. A
 * claim left behind by a dead worker is never taken again (the broadcast
 * worker marks it unconfirmed). Anything that holds it back (paused, quiet
 * hours, the day's cap, the account logged out) hands it back to be handed
 * out again later, without counting as an attempt.
 */
export function createDeliverySender(deps: DeliverySenderDeps) {
  const { store } = deps

  async function pauseAccount(accountId: string): Promise<void> {
    const paused = await store.pauseAccount(accountId, LOGGED_OUT)
    for (const b of paused) {
      const broadcast = { id: b.broadcastId, stationId: b.stationId, authorId: b.authorId, state: 'sending' }
      await deps.audit({
        stationId: b.stationId,
        actor: 'system',
        action: 'broadcast.account_paused',
        subjectType: 'broadcast',
        subjectId: b.broadcastId,
        detail: { accountId, reason: LOGGED_OUT },
      })
      await deps.publish(broadcastEvent('account_paused', broadcast, { accountId, reason: LOGGED_OUT }))
    }
  }

  async function send(
    deliveryId: number,
    attempt: { number: number; isLast: boolean },
  ): Promise<DeliveryOutcome> {
    const d = await store.load(deliveryId)
    if (!d) throw new PermanentError(`broadcast delivery ${deliveryId} does not exist`)
    // Claimed before and never finished: its worker died mid-send. Only the broadcast worker decides what it became.
    if (d.state !== 'pending') return 'skipped'
    const b = d.broadcast
    const quiet = !isUrgentCategory(b.category) && inQuietHours(deps.clock.now(), d.timeZone, deps.quietHours)
    if (b.state !== 'sending' || d.accountPaused || quiet) {
      await store.release(deliveryId)
      return 'deferred'
    }
    if (!d.ref) {
      // Planning only writes deliveries with a contact; one gone since cannot be sent anywhere.
      const token = deps.newToken()
      const now = deps.clock.now()
      if (await store.claim(deliveryId, token, { claimedAt: now, grantedAt: now }))
        await store.markFailed(deliveryId, token, 'the resident has no contact on this account any more')
      return 'skipped'
    }
    if (deps.accountReady && !deps.accountReady()) {
      await pauseAccount(d.accountId)
      await store.release(deliveryId)
      return 'deferred'
    }
    const grantedAt = await deps.pace.take(d.dailyCap)
    if (!grantedAt) {
      await store.release(deliveryId)
      return 'deferred'
    }
    const token = deps.newToken()
    // Cancelled, paused or taken by another job since it was loaded: the slot goes unused.
    if (!(await store.claim(deliveryId, token, { claimedAt: deps.clock.now(), grantedAt }))) return 'skipped'
    let result: unknown
    try {
      // The picture goes with the text in the same send: one slot of the pace, taken above.
      const image = b.imageId && deps.images ? await deps.images(b.imageId) : null
      const text = composeText(b, d.language)
      result = await deps.sender.send(d.ref, { id: `bd-${deliveryId}`, text, ...(image ? { image } : {}) })
    } catch (error) {
      const reason = (error as Error).message || 'send failed'
      if (deps.accountReady && !deps.accountReady()) {
        // The account went away under the send: not the delivery's fault, and it goes on after a resume.
        await store.unclaim(deliveryId, token, reason, true)
        await pauseAccount(d.accountId)
        await store.release(deliveryId)
        return 'deferred'
      }
      const permanent = deps.sender.isPermanent(error)
      if (permanent || attempt.isLast) await store.markFailed(deliveryId, token, reason)
      else await store.unclaim(deliveryId, token, reason)
      if (permanent) throw new PermanentError(reason)
      throw error
    }
    const externalId = (result as { externalId?: unknown } | undefined)?.externalId
    await store.markSent(
      deliveryId,
      token,
      typeof externalId === 'string' ? externalId : null,
      deps.clock.now(),
    )
    return 'sent'
  }

  return { send }
}

export type DeliverySender = ReturnType<typeof createDeliverySender>
