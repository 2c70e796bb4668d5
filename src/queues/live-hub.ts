import type { Redis } from 'ioredis'
import type { Logger } from '../logger.ts'

type Listener = (message: string) => void
type JsonListener = (value: unknown) => void

interface ChannelListeners {
  raw: Set<Listener>
  json: Set<JsonListener>
  /** Settles once Redis confirmed the subscription. */
  subscribed: Promise<unknown>
}

/**
 * One Redis subscriber per process, shared by every live stream it serves:
 * thousands of open SSE connections cost one Redis connection, not thousands.
 * A message is parsed once for all the streams that want it parsed.
 */
export class LiveHub {
  private readonly channels = new Map<string, ChannelListeners>()

  constructor(
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      const listeners = this.channels.get(channel)
      if (!listeners) return
      for (const listener of listeners.raw) this.deliver(listener, message)
      if (listeners.json.size === 0) return
      let value: unknown
      try {
        value = JSON.parse(message)
      } catch {
        this.logger.warn({ channel }, 'live message is not JSON; dropped')
        return
      }
      for (const listener of listeners.json) this.deliver(listener, value)
    })
  }

  private deliver<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value)
    } catch (error) {
      this.logger.warn({ err: error }, 'live listener failed')
    }
  }

  /** Listens on a channel until the returned function is called. */
  subscribe(channel: string, listener: Listener): Promise<() => Promise<void>> {
    return this.add(channel, (l) => l.raw, listener)
  }

  /**
   * Listens on a channel for JSON messages, parsed once for every listener:
   * the value is shared, so a listener must not change it.
   */
  subscribeJson(channel: string, listener: JsonListener): Promise<() => Promise<void>> {
    return this.add(channel, (l) => l.json, listener)
  }

  private async add<T>(
    channel: string,
    setOf: (listeners: ChannelListeners) => Set<T>,
    listener: T,
  ): Promise<() => Promise<void>> {
    let listeners = this.channels.get(channel)
    if (!listeners) {
      listeners = { raw: new Set(), json: new Set(), subscribed: this.subscriber.subscribe(channel) }
      this.channels.set(channel, listeners)
    }
    setOf(listeners).add(listener)
    const stop = async () => {
      const current = this.channels.get(channel)
      if (!current) return
      setOf(current).delete(listener)
      if (current.raw.size === 0 && current.json.size === 0) {
        this.channels.delete(channel)
        await this.subscriber.unsubscribe(channel).catch(() => {})
      }
    }
    // Whoever joins while the first listener's subscription is under way waits for it too:
    // a stream must not say it is connected before messages can reach it.
    try {
      await listeners.subscribed
    } catch (error) {
      await stop()
      throw error
    }
    return stop
  }

  async close(): Promise<void> {
    this.channels.clear()
    this.subscriber.disconnect()
  }
}
