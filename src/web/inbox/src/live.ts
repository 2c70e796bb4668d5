import type { ConnectionState, LiveEvent } from './types.ts'

/** What the page does with the live stream. */
export interface LiveHandlers {
  onEvent: (event: LiveEvent) => void
  onState: (state: ConnectionState) => void
  /** The stream is back after a drop: reload what may have been missed. */
  onReconnected: () => void
  /** The browser gave up on the stream (e.g. 401 or a server error); a session check belongs here. */
  onDropped: () => void
}

const MAX_BACKOFF_MS = 15_000

/**
 * Parses one SSE payload into a live event; anything that does not look like
 * the documented shape is dropped rather than trusted.
 */
export function parseLiveEvent(type: string, data: string): LiveEvent | null {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return null
  }
  if (!value || typeof value !== 'object') return null
  const record = value as Record<string, unknown>
  if (type === 'digest') {
    const { open, dueToday, overdue } = record
    return typeof open === 'number' && typeof dueToday === 'number' && typeof overdue === 'number'
      ? { type: 'digest', open, dueToday, overdue }
      : null
  }
  if (typeof record.caseId !== 'string') return null
  if (type === 'case' && typeof record.kind === 'string') {
    return { type: 'case', caseId: record.caseId, kind: record.kind as 'updated' }
  }
  if (type === 'delivery' && typeof record.messageId === 'string' && typeof record.state === 'string') {
    return {
      type: 'delivery',
      caseId: record.caseId,
      messageId: record.messageId,
      state: record.state as 'sent',
    }
  }
  return null
}

/**
 * Keeps an EventSource on `/api/stream` open for as long as the returned
 * function is not called. The browser retries a dropped stream by itself; when
 * it gives up (the stream answered an error) this reconnects with backoff.
 */
export function connectLive(url: string, handlers: LiveHandlers): () => void {
  let source: EventSource | null = null
  let everOpened = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const listen = (type: 'case' | 'delivery' | 'digest') => (message: MessageEvent<string>) => {
    const event = parseLiveEvent(type, message.data)
    if (event) handlers.onEvent(event)
  }

  const open = (): void => {
    if (stopped) return
    clearTimeout(timer)
    source?.close()
    const es = new EventSource(url)
    source = es
    es.addEventListener('case', listen('case'))
    es.addEventListener('delivery', listen('delivery'))
    es.addEventListener('digest', listen('digest'))
    es.onopen = () => {
      attempt = 0
      handlers.onState('open')
      if (everOpened) handlers.onReconnected()
      everOpened = true
    }
    es.onerror = () => {
      if (stopped) return
      handlers.onState(everOpened ? 'reconnecting' : 'connecting')
      if (es.readyState === EventSource.CLOSED) {
        es.close()
        handlers.onDropped()
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt)
        attempt += 1
        timer = setTimeout(open, delay)
      }
    }
  }

  const onOnline = (): void => {
    if (!source || source.readyState === EventSource.CLOSED) open()
  }

  handlers.onState('connecting')
  open()
  window.addEventListener('online', onOnline)
  return () => {
    stopped = true
    clearTimeout(timer)
    source?.close()
    window.removeEventListener('online', onOnline)
  }
}
