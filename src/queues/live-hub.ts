import type { Redis } from 'ioredis'
import type { Logger } from '../logger.ts'

type Listener = (message: string) => void

/**
 * One Redis subscriber per process, shared by every live stream it serves:
 * thousands of open SSE connections cost one Redis connection, not thousands.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        try {
          listener(message)
        } catch (error) {
          this.logger.warn({ err: error }, 'live listener failed')
        }
      }
    })
  }

  /** Listens on a channel until the returned function is called. */
  async subscribe(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel)
    if (!set) {
      set = new Set()
      this.listeners.set(channel, set)
      await this.subscriber.subscribe(channel)
    }
    set.add(listener)
    return async () => {
      const current = this.listeners.get(channel)
      if (!current) return
      current.delete(listener)
      if (current.size === 0) {
        this.listeners.delete(channel)
        await this.subscriber.unsubscribe(channel).catch(() => {})
      }
    }
  }

  async close(): Promise<void> {
    this.listeners.clear()
    this.subscriber.disconnect()
  }
}
