import { useEffect, useState } from 'preact/hooks'
import type { CheckView, HomeWatchView } from '../../../app/forms/home-watch.ts'
import { ApiError, api } from './api.ts'
import { type HomeWatchKey, homeWatchText } from './home-watch-strings.ts'
import { useLang } from './hooks.ts'
import { type Picture, PictureField, pictureUrl } from './picture-field.tsx'
import './home-watch.css'

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

interface HomeWatchPanelProps {
  caseId: string
  /** The case's version: a change (a check recorded, the watch ended) reloads the section. */
  version: number
}

function shortDate(date: string, lang: 'zh' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)))
}

function clockAt(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at))
}

/**
 * The home watch of a case: the period, whom to call, each day with its
 * checks, and a form to record a visit (the resident is told at once).
 */
export function HomeWatchPanel({ caseId, version }: HomeWatchPanelProps) {
  const lang = useLang()
  const tr = (key: HomeWatchKey, vars?: Record<string, string | number>) => homeWatchText(lang, key, vars)
  const [view, setView] = useState<HomeWatchView | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [at, setAt] = useState('')
  const [result, setResult] = useState<CheckView['result']>('secure')
  const [note, setNote] = useState('')
  const [photo, setPhoto] = useState<Picture | null>(null)
  // A new photo field after each recorded check: nothing of the last one (a refusal) stays.
  const [recorded, setRecorded] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const [confirmingEnd, setConfirmingEnd] = useState(false)

  useEffect(() => {
    let live = true
    api.homeWatch(caseId).then(
      (answer) => {
        if (!live) return
        setView(answer.homeWatch)
        setLoadError(null)
      },
      (e: unknown) => live && setLoadError(message(e)),
    )
    return () => {
      live = false
    }
  }, [caseId, version])

  if (loadError) return <p class="form-error home-watch-error">{tr('errLoad', { message: loadError })}</p>
  if (!view) return <p class="muted home-watch-loading">{tr('loading')}</p>

  const checkedDays = view.days.filter((d) => d.status === 'checked' || d.status === 'attention').length
  const active = view.state === 'active'

  const record = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setDone(false)
    try {
      const answer = await api.recordCheck(caseId, {
        ...(at ? { at } : {}),
        result,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(photo ? { photoId: photo.id } : {}),
      })
      setView(answer.homeWatch)
      setAt('')
      setNote('')
      setPhoto(null)
      setRecorded((n) => n + 1)
      setResult('secure')
      setDone(true)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }

  const end = async () => {
    if (!confirmingEnd) {
      setConfirmingEnd(true)
      return
    }
    setBusy(true)
    setError(null)
    try {
      setView((await api.endHomeWatch(caseId)).homeWatch)
      setConfirmingEnd(false)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <details class="home-watch" data-testid="home-watch" open={active}>
      <summary>
        <strong>{tr('title')}</strong>
        <span>
          {tr('period', { from: shortDate(view.awayFrom, lang), to: shortDate(view.backOn, lang) })}
        </span>
        <span data-testid="home-watch-progress">
          {tr('progress', { checked: checkedDays, days: view.days.length })}
        </span>
        <span class={`hw-state hw-state-${view.state}`}>{tr(`state.${view.state}`)}</span>
      </summary>
      <dl class="hw-facts">
        <div>
          <dt>{tr('address')}</dt>
          <dd>{view.address}</dd>
        </div>
        <div>
          <dt>{tr('contact')}</dt>
          <dd>
            {view.contactName} <a href={`tel:${view.contactPhone}`}>{view.contactPhone}</a>
          </dd>
        </div>
        <div>
          <dt>{tr('keyHolder')}</dt>
          <dd>{view.keyHolderOrCamera ? tr('yes') : tr('no')}</dd>
        </div>
        <div>
          <dt>{tr('notes')}</dt>
          <dd>{view.notes ?? <span class="muted">{tr('none')}</span>}</dd>
        </div>
      </dl>
      <h3 class="panel-heading">{tr('days')}</h3>
      <ol class="hw-days">
        {view.days.map((day) => (
          <li key={day.date} data-testid="home-watch-day" data-date={day.date} data-status={day.status}>
            <span class="hw-date">{shortDate(day.date, lang)}</span>
            <span class={`hw-chip hw-${day.status}`}>{tr(`day.${day.status}`)}</span>
            {day.checks.map((c) => (
              <span key={c.id} class="hw-check">
                {clockAt(c.at, view.timeZone)} · {c.officer.name} · {tr(`result.${c.result}`)}
                {c.note ? ` · ${c.note}` : ''}
                {c.photoRef ? ` · ${tr('photo', { ref: c.photoRef })}` : ''}
                {c.photoId && (
                  <a href={pictureUrl(c.photoId)} target="_blank" rel="noreferrer" class="hw-photo-link">
                    <img
                      class="picture-thumb"
                      src={pictureUrl(c.photoId)}
                      alt={tr('photoAlt')}
                      data-testid="hw-check-photo"
                    />
                  </a>
                )}
              </span>
            ))}
          </li>
        ))}
      </ol>
      {active && (
        <details class="hw-record-wrap">
          <summary class="panel-heading" data-testid="hw-open-record">
            {tr('recordTitle')}
          </summary>
          <form class="hw-record" onSubmit={record} data-testid="home-watch-record">
            <div class="hw-fields">
              <label>
                <span>{tr('fieldAt')}</span>
                <input
                  type="datetime-local"
                  value={at}
                  data-testid="hw-at"
                  onInput={(e) => setAt(e.currentTarget.value)}
                />
              </label>
              <label>
                <span>{tr('fieldResult')}</span>
                <select
                  value={result}
                  data-testid="hw-result"
                  onChange={(e) => setResult(e.currentTarget.value as CheckView['result'])}
                >
                  <option value="secure">{tr('result.secure')}</option>
                  <option value="attention">{tr('result.attention')}</option>
                </select>
              </label>
              <label class="hw-wide">
                <span>{tr('fieldNote')}</span>
                <input
                  type="text"
                  maxLength={500}
                  value={note}
                  data-testid="hw-note"
                  onInput={(e) => setNote(e.currentTarget.value)}
                />
              </label>
              <div class="hw-wide">
                <PictureField
                  key={recorded}
                  value={photo}
                  onChange={setPhoto}
                  disabled={busy}
                  testId="hw-photo"
                  texts={{
                    label: tr('fieldPhoto'),
                    uploading: tr('photoUploading'),
                    remove: tr('photoRemove'),
                    alt: tr('photoAlt'),
                    wrongType: tr('photoWrongType'),
                    tooLarge: tr('photoTooLarge'),
                  }}
                />
              </div>
            </div>
            {error && (
              <p class="form-error" role="alert" data-testid="hw-error">
                {error}
              </p>
            )}
            {done && (
              <p class="hw-done" role="status">
                {tr('recorded')}
              </p>
            )}
            <div class="hw-actions">
              <button type="submit" class="primary" disabled={busy} data-testid="hw-record">
                {busy ? tr('recording') : tr('record')}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy}
                data-testid="hw-end"
                onClick={() => void end()}
              >
                {busy && confirmingEnd ? tr('ending') : confirmingEnd ? tr('confirmEnd') : tr('end')}
              </button>
            </div>
          </form>
        </details>
      )}
    </details>
  )
}
