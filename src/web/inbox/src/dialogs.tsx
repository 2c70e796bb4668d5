import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { useT } from './hooks.ts'

interface ModalProps {
  title: string
  onClose: () => void
  children: ComponentChildren
  className?: string
  testId?: string
}

/**
 * A native modal dialog: the browser traps focus, Escape closes it, and focus
 * goes back to where it was when it closes.
 */
export function Modal({ title, onClose, children, className, testId }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const closeRef = useRef(onClose)
  closeRef.current = onClose

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const before = document.activeElement as HTMLElement | null
    if (!dialog.open) dialog.showModal()
    const onCancel = (event: Event): void => {
      event.preventDefault()
      closeRef.current()
    }
    dialog.addEventListener('cancel', onCancel)
    return () => {
      dialog.removeEventListener('cancel', onCancel)
      if (dialog.open) dialog.close()
      before?.focus?.()
    }
  }, [])

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop is a mouse shortcut; Escape closes through the cancel event
    <dialog
      ref={ref}
      class={`modal ${className ?? ''}`}
      aria-labelledby="modal-title"
      data-testid={testId}
      onClick={(event) => {
        if (event.target === ref.current) onClose()
      }}
    >
      <div class="modal-inner">
        <header class="modal-head">
          <h2 id="modal-title">{title}</h2>
          <CloseButton onClose={onClose} />
        </header>
        {children}
      </div>
    </dialog>
  )
}

function CloseButton({ onClose }: { onClose: () => void }) {
  const tr = useT()
  return (
    <button type="button" class="icon-button" onClick={onClose} aria-label={tr('close')}>
      ×
    </button>
  )
}

interface ConfirmProps {
  title: string
  message: string
  confirmLabel: string
  onConfirm: () => void
  onCancel: () => void
}

/** A yes/no question; the confirm button has focus so Enter answers it. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: ConfirmProps) {
  const tr = useT()
  const confirmRef = useRef<HTMLButtonElement>(null)
  useEffect(() => confirmRef.current?.focus(), [])
  return (
    <Modal title={title} onClose={onCancel} className="modal-small" testId="confirm-dialog">
      <p class="modal-text">{message}</p>
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={onCancel}>
          {tr('cancel')}
        </button>
        <button type="button" class="primary" ref={confirmRef} onClick={onConfirm} data-testid="confirm-ok">
          {confirmLabel}
        </button>
      </div>
    </Modal>
  )
}

/** The list of keyboard shortcuts (opened with "?"). */
export function HelpDialog({ onClose }: { onClose: () => void }) {
  const tr = useT()
  const rows: [string, string][] = [
    ['r', tr('keyReply')],
    ['j', tr('keyNext')],
    ['k', tr('keyPrev')],
    ['e', tr('keyResolve')],
    ['/', tr('keySearch')],
    ['?', tr('keyHelp')],
    ['Esc', tr('keyEscape')],
  ]
  return (
    <Modal title={tr('helpTitle')} onClose={onClose} className="modal-small" testId="help-overlay">
      <dl class="shortcut-list">
        {rows.map(([key, text]) => (
          <div key={key} class="shortcut">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>
      <p class="modal-note">{tr('keyCanned')}</p>
    </Modal>
  )
}
