import { useState } from 'preact/hooks'
import { ApiError, api } from './api.ts'
import './picture-field.css'

/** A picture uploaded and ready to go into a check or a broadcast. */
export interface Picture {
  id: string
  mime: string
  size: number
}

export const pictureUrl = (id: string): string => `/api/attachments/${encodeURIComponent(id)}`

export interface PictureFieldTexts {
  label: string
  uploading: string
  remove: string
  /** The thumbnail's alternative text. */
  alt: string
  /** Said instead of the server's words for the two refusals an officer meets most. */
  wrongType: string
  tooLarge: string
}

interface PictureFieldProps {
  value: Picture | null
  onChange: (picture: Picture | null) => void
  texts: PictureFieldTexts
  /** `<testId>` on the file input, `<testId>-preview`, `-remove` and `-error` on the rest. */
  testId: string
  disabled?: boolean
}

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif'

/**
 * A picture for a check or a broadcast: chosen, uploaded at once (the server
 * checks it and says what is wrong), shown as a thumbnail from the server,
 * removable. Only its id goes into the form.
 */
export function PictureField({ value, onChange, texts, testId, disabled }: PictureFieldProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const choose = async (input: HTMLInputElement) => {
    const file = input.files?.[0]
    if (!file) return
    setBusy(true)
    setError(null)
    try {
      onChange(await api.uploadPicture(file))
    } catch (e) {
      if (e instanceof ApiError && e.status === 415) setError(texts.wrongType)
      else if (e instanceof ApiError && e.status === 413) setError(`${texts.tooLarge} (${e.message})`)
      else setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
      // The same file chosen again after a removal is a new choice.
      input.value = ''
    }
  }

  return (
    <div class="picture-field">
      <label>
        <span>{texts.label}</span>
        <input
          type="file"
          accept={ACCEPT}
          disabled={disabled || busy}
          data-testid={testId}
          onChange={(e) => void choose(e.currentTarget)}
        />
      </label>
      {busy && (
        <p class="muted" role="status">
          {texts.uploading}
        </p>
      )}
      {value && !busy && (
        <div class="picture-preview">
          <a href={pictureUrl(value.id)} target="_blank" rel="noreferrer">
            <img src={pictureUrl(value.id)} alt={texts.alt} data-testid={`${testId}-preview`} />
          </a>
          <button
            type="button"
            class="secondary"
            disabled={disabled}
            data-testid={`${testId}-remove`}
            onClick={() => onChange(null)}
          >
            {texts.remove}
          </button>
        </div>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}
