import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import {
  applyCanned,
  type CannedTrigger,
  type CannedVars,
  fillCanned,
  filterCanned,
  findCannedTrigger,
} from './format.ts'
import { useT } from './hooks.ts'
import type { CannedReply } from './types.ts'

/** The server refuses longer replies (docs/inbox-api.md); the counter warns before that. */
export const MAX_REPLY_CHARS = 4000
const COUNTER_FROM = 3500

/** What an officer has typed for a case and not sent yet. */
export interface Draft {
  text: string
  note: boolean
}

interface ComposerProps {
  textareaRef: { current: HTMLTextAreaElement | null }
  canned: CannedReply[]
  vars: CannedVars
  initial: Draft
  onDraft: (draft: Draft) => void
  onSend: (text: string, note: boolean) => Promise<boolean>
  disabled?: boolean
}

interface MenuState {
  trigger: CannedTrigger
  caret: number
  items: CannedReply[]
  index: number
}

/**
 * The reply box: Enter sends (not while an input method is composing Chinese),
 * "/" or "#" opens the canned replies with their variables filled in, and the
 * note switch turns the box into an internal note that is never sent.
 */
export function Composer({ textareaRef, canned, vars, initial, onDraft, onSend, disabled }: ComposerProps) {
  const tr = useT()
  const [text, setText] = useState(initial.text)
  const [note, setNote] = useState(initial.note)
  const [busy, setBusy] = useState(false)
  const [menu, setMenu] = useState<MenuState | null>(null)
  const pendingCaret = useRef<number | null>(null)

  useEffect(() => onDraft({ text, note }), [text, note, onDraft])

  useLayoutEffect(() => {
    const area = textareaRef.current
    if (!area) return
    area.style.height = 'auto'
    area.style.height = `${area.scrollHeight + 2}px`
    if (pendingCaret.current !== null) {
      area.focus()
      area.setSelectionRange(pendingCaret.current, pendingCaret.current)
      pendingCaret.current = null
    }
  }, [text, textareaRef])

  const updateMenu = (value: string, caret: number): void => {
    const trigger = findCannedTrigger(value, caret)
    if (!trigger || canned.length === 0) {
      setMenu(null)
      return
    }
    setMenu({ trigger, caret, items: filterCanned(canned, trigger.query), index: 0 })
  }

  const pick = (reply: CannedReply): void => {
    if (!menu) return
    const next = applyCanned(text, menu.caret, menu.trigger, fillCanned(reply.body, vars))
    pendingCaret.current = next.caret
    setText(next.text)
    setMenu(null)
  }

  const tooLong = text.length > MAX_REPLY_CHARS
  const empty = text.trim() === ''

  const send = async (): Promise<void> => {
    if (busy || empty || tooLong) return
    setBusy(true)
    const sent = await onSend(text, note)
    setBusy(false)
    if (sent) {
      setText('')
      setMenu(null)
    }
    textareaRef.current?.focus()
  }

  const onKeyDown = (event: KeyboardEvent): void => {
    if (menu) {
      const count = menu.items.length
      if (event.key === 'ArrowDown' && count > 0) {
        event.preventDefault()
        setMenu({ ...menu, index: (menu.index + 1) % count })
        return
      }
      if (event.key === 'ArrowUp' && count > 0) {
        event.preventDefault()
        setMenu({ ...menu, index: (menu.index - 1 + count) % count })
        return
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && count > 0 && !event.isComposing) {
        event.preventDefault()
        const chosen = menu.items[menu.index]
        if (chosen) pick(chosen)
        return
      }
      if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        setMenu(null)
        return
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault()
      void send()
      return
    }
    if (event.key === 'Escape') textareaRef.current?.blur()
  }

  const openCannedMenu = (): void => {
    const area = textareaRef.current
    const caret = area?.selectionStart ?? text.length
    const before = text.slice(0, caret)
    const insert = before === '' || /\s$/.test(before) ? '/' : ' /'
    const value = before + insert + text.slice(caret)
    const nextCaret = caret + insert.length
    pendingCaret.current = nextCaret
    setText(value)
    updateMenu(value, nextCaret)
  }

  const activeId = menu?.items[menu.index] ? `canned-${menu.items[menu.index]?.id}` : undefined

  return (
    <form
      class={`composer${note ? ' composer-note' : ''}`}
      onSubmit={(event) => {
        event.preventDefault()
        void send()
      }}
    >
      {menu && (
        <div class="canned-menu" data-testid="canned-menu">
          <p class="canned-head">
            <span>{tr('cannedTitle')}</span>
            <span class="canned-hint">{tr('cannedHint')}</span>
          </p>
          {menu.items.length === 0 ? (
            <p class="canned-empty">{tr('cannedEmpty')}</p>
          ) : (
            <div class="canned-list" role="listbox" id="canned-list" aria-label={tr('cannedTitle')}>
              {menu.items.map((reply, index) => (
                <div
                  key={reply.id}
                  tabIndex={-1}
                  id={`canned-${reply.id}`}
                  role="option"
                  aria-selected={index === menu.index}
                  class={`canned-option${index === menu.index ? ' canned-option-active' : ''}`}
                  data-testid="canned-option"
                  data-shortcut={reply.shortcut}
                  onMouseDown={(event) => event.preventDefault()}
                  onMouseEnter={() => setMenu({ ...menu, index })}
                  onClick={() => pick(reply)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') pick(reply)
                  }}
                >
                  <span class="canned-shortcut">{reply.shortcut}</span>
                  <span class="canned-title">{reply.title}</span>
                  <span class="canned-body">{fillCanned(reply.body, vars)}</span>
                </div>
              ))}
            </div>
          )}
        </div>
      )}
      {note && (
        <p class="note-banner">
          <span aria-hidden="true">✎</span>
          {tr('noteModeBanner')}
        </p>
      )}
      <label class="visually-hidden" for="reply-input">
        {note ? tr('noteInputLabel') : tr('replyLabel')}
      </label>
      <textarea
        id="reply-input"
        ref={textareaRef}
        rows={2}
        value={text}
        disabled={disabled}
        placeholder={note ? tr('notePlaceholder') : tr('replyPlaceholder')}
        data-testid="reply-input"
        aria-autocomplete="list"
        aria-controls={menu ? 'canned-list' : undefined}
        aria-activedescendant={activeId}
        aria-invalid={tooLong ? 'true' : undefined}
        aria-describedby="composer-hint"
        onInput={(event) => {
          const area = event.currentTarget
          setText(area.value)
          updateMenu(area.value, area.selectionStart)
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setMenu(null)}
      />
      <div class="composer-bar">
        <button
          type="button"
          role="switch"
          aria-checked={note}
          class={`note-toggle${note ? ' note-toggle-on' : ''}`}
          data-testid="note-toggle"
          onClick={() => {
            setNote(!note)
            textareaRef.current?.focus()
          }}
        >
          <span class="switch" aria-hidden="true" />
          {tr('noteToggle')}
        </button>
        {canned.length > 0 && (
          <button type="button" class="ghost-button" onClick={openCannedMenu}>
            {tr('cannedTitle')}
          </button>
        )}
        <span
          id="composer-hint"
          class={`composer-hint${tooLong ? ' composer-hint-error' : ''}`}
          aria-live={tooLong ? 'assertive' : 'off'}
        >
          {tooLong
            ? tr('tooLong', { max: MAX_REPLY_CHARS, n: text.length })
            : text.length >= COUNTER_FROM
              ? tr('charCount', { n: text.length, max: MAX_REPLY_CHARS })
              : tr('composerHint')}
        </span>
        <button
          type="submit"
          class="primary send-button"
          disabled={disabled || busy || empty || tooLong}
          data-testid="reply-send"
        >
          {busy ? tr('sending') : note ? tr('addNote') : tr('send')}
        </button>
      </div>
    </form>
  )
}
