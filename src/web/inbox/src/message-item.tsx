import { formatClock } from './format.ts'
import { useLang, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import type { Message } from './types.ts'

interface MessageItemProps {
  message: Message
  residentName: string
  now: number
  onRetry: (messageId: string) => void
}

/** What a message carried, for media the pipeline keeps only the kind of. */
function MessageBody({ message }: { message: Message }) {
  const lang = useLang()
  const tr = useT()
  const kind = message.media?.type ?? (message.kind !== 'text' ? message.kind : null)
  return (
    <>
      {kind && (
        <p class="msg-media">
          {tr('media', { kind: tKey(lang, `media.${kind}`, kind) })}
          {message.media?.name ? ` ${message.media.name}` : ''}
        </p>
      )}
      {message.text && <p class="msg-text">{message.text}</p>}
    </>
  )
}

/** One message: the resident's on the left, replies on the right with their delivery state, notes in yellow, system lines centred. */
export function MessageItem({ message, residentName, now, onRetry }: MessageItemProps) {
  const tr = useT()
  const lang = useLang()
  const time = (
    <time dateTime={message.createdAt} title={new Date(message.createdAt).toLocaleString()}>
      {formatClock(message.createdAt, now, lang)}
    </time>
  )
  const common = {
    'data-testid': 'message',
    'data-direction': message.direction,
    'data-delivery': message.deliveryState,
    'data-message-id': message.id,
  }

  if (message.direction === 'system') {
    return (
      <li class="msg msg-system" {...common}>
        <span class="msg-system-text">
          {message.text} · {time}
        </span>
      </li>
    )
  }

  if (message.direction === 'note') {
    return (
      <li class="msg msg-note" {...common}>
        <div class="note-card">
          <p class="note-label">
            <span class="note-icon" aria-hidden="true">
              ✎
            </span>
            {tr('noteLabel')}
          </p>
          <MessageBody message={message} />
          <p class="msg-meta">
            {message.author?.name && <span>{message.author.name}</span>}
            {time}
          </p>
        </div>
      </li>
    )
  }

  if (message.direction === 'inbound') {
    return (
      <li class="msg msg-in" {...common}>
        <span class="visually-hidden">{tr('inbound')}: </span>
        <div class="bubble">
          <MessageBody message={message} />
        </div>
        <p class="msg-meta">
          <span>{residentName}</span>
          {time}
        </p>
      </li>
    )
  }

  const state = message.deliveryState
  return (
    <li class={`msg msg-out msg-${state}`} {...common}>
      <span class="visually-hidden">{tr('outbound')}: </span>
      <div class="bubble">
        <MessageBody message={message} />
      </div>
      <p class="msg-meta">
        {message.author?.name && <span>{message.author.name}</span>}
        {time}
        <span class={`delivery delivery-${state}`}>
          <span class="delivery-icon" aria-hidden="true">
            {state === 'sent' ? '✓' : state === 'failed' ? '!' : '◷'}
          </span>
          {tKey(lang, `delivery.${state}`, state)}
          {state === 'failed' && message.failureReason
            ? `${lang === 'zh' ? '：' : ': '}${message.failureReason}`
            : ''}
        </span>
        {state === 'failed' && (
          <button
            type="button"
            class="retry-button"
            onClick={() => onRetry(message.id)}
            data-testid="retry-send"
          >
            {tr('retrySend')}
          </button>
        )}
      </p>
    </li>
  )
}
