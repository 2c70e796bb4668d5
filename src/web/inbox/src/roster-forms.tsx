import { useState } from 'preact/hooks'
import type { HandOverView, RosterExceptionView, RosterOfficerView } from '../../../app/roster-views.ts'
import { ApiError, api } from './api.ts'
import { useLang } from './hooks.ts'
import { type RosterKey, rosterText, stationLocal } from './roster-strings.ts'

const KINDS: RosterExceptionView['kind'][] = ['leave', 'sick', 'training', 'swap_off', 'swap_on']

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

function useRosterText() {
  const lang = useLang()
  return (key: RosterKey, vars?: Record<string, string | number>) => rosterText(lang, key, vars)
}

interface DutyEditorProps {
  officer: RosterOfficerView
  onSaved: () => void
  onCancel: () => void
}

/** The weekly pattern as editable lines; the server parses them and names the line it cannot read. */
export function DutyEditor({ officer, onSaved, onCancel }: DutyEditorProps) {
  const tr = useRosterText()
  const [text, setText] = useState(officer.dutySpec.join('\n'))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
      await api.setDuty(officer.id, lines)
      onSaved()
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="roster-duty-editor" onSubmit={save} data-testid="duty-editor">
      <label>
        <span class="small">{tr('dutyLabel')}</span>
        <textarea
          rows={Math.max(3, officer.dutySpec.length + 1)}
          value={text}
          spellcheck={false}
          data-testid="duty-text"
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      {officer.dutySource === 'api' && <p class="muted small">{tr('dutyFromApi')}</p>}
      {error && (
        <p class="form-error" role="alert" data-testid="duty-error">
          {error}
        </p>
      )}
      <div class="roster-actions">
        <button type="submit" class="primary" disabled={busy} data-testid="duty-save">
          {tr(busy ? 'saving' : 'save')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {tr('cancel')}
        </button>
      </div>
    </form>
  )
}

interface ExceptionFormProps {
  officers: RosterOfficerView[]
  timeZone: string
  now: string
  onAdded: (handedOver: HandOverView[]) => void
}

/** Adds leave, sickness, training or a swapped shift; times are wall times of the station. */
export function ExceptionForm({ officers, timeZone, now, onAdded }: ExceptionFormProps) {
  const tr = useRosterText()
  const lang = useLang()
  const [officerId, setOfficerId] = useState(officers[0]?.id ?? '')
  const [kind, setKind] = useState<RosterExceptionView['kind']>('leave')
  const [from, setFrom] = useState(() => stationLocal(now, timeZone))
  const [to, setTo] = useState('')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (!from || !to) {
      setError(tr('errRequired'))
      return
    }
    setBusy(true)
    setError(null)
    try {
      const result = await api.addException(officerId, {
        kind,
        startsAt: from,
        endsAt: to,
        ...(note.trim() ? { note: note.trim() } : {}),
      })
      setTo('')
      setNote('')
      onAdded(result.handedOver)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="roster-exception-form" onSubmit={submit} data-testid="exception-form">
      <h3>{tr('addTitle')}</h3>
      <div class="roster-fields">
        <label>
          <span>{tr('fieldOfficer')}</span>
          <select
            value={officerId}
            data-testid="exception-officer"
            onChange={(e) => setOfficerId(e.currentTarget.value)}
          >
            {officers.map((o) => (
              <option key={o.id} value={o.id}>
                {lang === 'en' && o.nameEn ? o.nameEn : o.name} · {o.badge}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{tr('fieldKind')}</span>
          <select
            value={kind}
            data-testid="exception-kind"
            onChange={(e) => setKind(e.currentTarget.value as RosterExceptionView['kind'])}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {tr(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{tr('fieldFrom')}</span>
          <input
            type="datetime-local"
            value={from}
            data-testid="exception-from"
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>{tr('fieldTo')}</span>
          <input
            type="datetime-local"
            value={to}
            min={from || undefined}
            data-testid="exception-to"
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </label>
        <label class="roster-note">
          <span>{tr('fieldNote')}</span>
          <input
            type="text"
            value={note}
            maxLength={200}
            data-testid="exception-note"
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </label>
      </div>
      <p class="muted small">{tr('addHint')}</p>
      {error && (
        <p class="form-error" role="alert" data-testid="exception-error">
          {error}
        </p>
      )}
      <div class="roster-actions">
        <button type="submit" class="primary" disabled={busy || !officerId} data-testid="exception-add">
          {tr(busy ? 'adding' : 'add')}
        </button>
      </div>
    </form>
  )
}
