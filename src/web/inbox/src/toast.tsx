import { useEffect } from 'preact/hooks'
import { useT } from './hooks.ts'

/** A short notice after an action; errors and conflicts stay longer and are announced at once. */
export interface ToastMessage {
  id: number
  tone: 'ok' | 'error' | 'conflict'
  text: string
  detail?: string
}

export function Toast({ toast, onClose }: { toast: ToastMessage; onClose: () => void }) {
  const tr = useT()
  useEffect(() => {
    const timer = setTimeout(onClose, toast.tone === 'ok' ? 3500 : 12_000)
    return () => clearTimeout(timer)
  }, [toast.id, toast.tone, onClose])
  return (
    <div
      class={`toast toast-${toast.tone}`}
      role={toast.tone === 'ok' ? 'status' : 'alert'}
      data-testid="toast"
      data-tone={toast.tone}
    >
      <div class="toast-text">
        <strong>{toast.text}</strong>
        {toast.detail && <span>{toast.detail}</span>}
      </div>
      <button type="button" class="icon-button" onClick={onClose} aria-label={tr('close')}>
        ×
      </button>
    </div>
  )
}
