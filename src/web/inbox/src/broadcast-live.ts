import { useEffect, useRef } from 'preact/hooks'
import type { BroadcastState, Counts } from './broadcast-api.ts'

/** One `event: broadcast` frame of `/api/stream` (docs/inbox-api.md, Live events). */
export interface BroadcastEvent {
  kind: 'state' | 'progress' | 'account_paused' | 'account_resumed'
  id: string
  authorId: string
  state: BroadcastState
  counts?: Counts
  etaSeconds?: number | null
  accountId?: string
  reason?: string
}

/** Parses a frame's data; anything not shaped like a broadcast event is dropped. */
export function parseBroadcastEvent(data: string): BroadcastEvent | null {
  try {
    const value = JSON.parse(data) as Record<string, unknown> | null
    if (!value || typeof value.id !== 'string' || typeof value.kind !== 'string') return null
    return value as unknown as BroadcastEvent
  } catch {
    return null
  }
}

/**
 * Follows the broadcast frames of the live stream while the page is open. The
 * rest of the inbox is not on this page, so it keeps a stream of its own; the
 * browser reconnects it by itself, and `onReconnected` reloads what was missed.
 */
export function useBroadcastEvents(
  onEvent: (event: BroadcastEvent) => void,
  onReconnected: () => void,
): void {
  const handlers = useRef({ onEvent, onReconnected })
  handlers.current = { onEvent, onReconnected }
  useEffect(() => {
    let opened = false
    let source: EventSource | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    let stopped = false
    const open = () => {
      if (stopped) return
      source = new EventSource('/api/stream')
      source.addEventListener('broadcast', (message: MessageEvent<string>) => {
        const event = parseBroadcastEvent(message.data)
        if (event) handlers.current.onEvent(event)
      })
      source.onopen = () => {
        if (opened) handlers.current.onReconnected()
        opened = true
      }
      source.onerror = () => {
        // A closed stream (an error answer) is not retried by the browser: try again later.
        if (source?.readyState === EventSource.CLOSED) {
          source.close()
          timer = setTimeout(open, 5000)
        }
      }
    }
    open()
    return () => {
      stopped = true
      clearTimeout(timer)
      source?.close()
    }
  }, [])
}
