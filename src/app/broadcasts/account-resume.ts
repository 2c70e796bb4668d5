import type { AuditEntry, LiveEvent } from '../ports.ts'
import { broadcastEvent } from './live.ts'
import type { DeliverySendStore } from './ports.ts'
import { LOGGED_OUT } from './send-delivery.ts'

export const LOGGED_IN = 'logged_in'

export interface AccountResumeDeps {
  store: Pick<DeliverySendStore, 'resumeAccounts'>
  publish(event: LiveEvent): Promise<void>
  audit(entry: AuditEntry & { actor: string }): Promise<void>
  /** A resume that failed; the next sweep tries again. */
  onError?(error: unknown, accountIds: string[]): void
}

/**
 * Lets a WeChat account's broadcast deliveries go on by themselves once it is
 * logged in again: a logged-out account paused them (`send-delivery.ts`,
 * reason `logged_out`) rather than failing them. Run by the bot process that
 * holds the account, which sees the login; the pause is a database row, so
 * lifting it there is all the broadcast worker needs, in whatever process it
 * runs: its next tick hands the account's deliveries out again. Each lifted
 * pause tells the author (live event `broadcast.account_resumed`) and is
 * audited. A broadcast its author paused stays paused; only the account's
 * own pause is lifted.
 */
export function createAccountResume(deps: AccountResumeDeps) {
  /** Lifts the logged-out pauses of accounts that are logged in now; answers how many were lifted. Never throws. */
  async function resume(accountIds: string[]): Promise<number> {
    if (accountIds.length === 0) return 0
    try {
      const resumed = await deps.store.resumeAccounts(accountIds, LOGGED_OUT)
      for (const b of resumed) {
        const broadcast = { id: b.broadcastId, stationId: b.stationId, authorId: b.authorId, state: b.state }
        await deps.audit({
          stationId: b.stationId,
          actor: 'system',
          action: 'broadcast.account_resumed',
          subjectType: 'broadcast',
          subjectId: b.broadcastId,
          detail: { accountId: b.accountId, reason: LOGGED_IN },
        })
        await deps.publish(
          broadcastEvent('account_resumed', broadcast, { accountId: b.accountId, reason: LOGGED_IN }),
        )
      }
      return resumed.length
    } catch (error) {
      deps.onError?.(error, accountIds)
      return 0
    }
  }

  return {
    /** The account has just logged in (a scan, a stored session at start, a reconnect). */
    loggedIn: (accountId: string) => resume([accountId]),
    /**
     * The accounts found logged in, at start and now and then after: catches
     * a pause written just after a login (a send that had seen the account
     * still logged out) and a resume that failed.
     */
    sweep: resume,
    /** Sweeps the accounts `loggedIn` answers now and every `everyMs` after, until stopped. */
    every(everyMs: number, loggedIn: () => string[]): { stop(): void } {
      void resume(loggedIn())
      const timer = setInterval(() => void resume(loggedIn()), everyMs)
      timer.unref()
      return { stop: () => clearInterval(timer) }
    },
  }
}

export type AccountResume = ReturnType<typeof createAccountResume>
