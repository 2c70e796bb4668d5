import { useEffect, useState } from 'preact/hooks'
import type { RentalView, ReviewInput, TenancyInput } from '../../../app/forms/rental.ts'
import type { IdDocument } from '../../../domain/personal-data.ts'
import { ApiError, request } from './api.ts'
import { useLang } from './hooks.ts'
import { type RentalKey, rentalText } from './rental-strings.ts'
import './rental.css'

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error))
const path = (caseId: string, action = '') => `/api/cases/${encodeURIComponent(caseId)}/rental${action}`

/** The rental-registration routes (docs/inbox-api.md). */
const rentalApi = {
  get: (caseId: string) => request<{ rental: RentalView }>('GET', path(caseId)),
  review: (caseId: string, body: ReviewInput) =>
    request<{ rental: RentalView }>('POST', path(caseId, '/review'), body),
  inspection: (caseId: string, at: string) =>
    request<{ rental: RentalView }>('POST', path(caseId, '/inspection'), { at }),
  tenancy: (caseId: string, body: TenancyInput) =>
    request<{ rental: RentalView }>('POST', path(caseId, '/tenancy'), body),
  reveal: (caseId: string) => request<{ document: IdDocument }>('POST', path(caseId, '/reveal')),
}

/** A revealed number is shown this long, then masked again. */
const REVEAL_MS = 30_000

interface RentalPanelProps {
  caseId: string
  /** The case's version: a change (reviewed, corrected, a tenancy) reloads the section. */
  version: number
}

function when(at: string, timeZone: string, lang: 'zh' | 'en'): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at))
}

/**
 * The rental registration of a case: the flat, the tenant with the ID number
 * masked (the full number on request, audited), and what the officer does
 * with it: verify it or ask for a correction, plan an inspection visit,
 * record whether the tenant stays at the lease end.
 */
export function RentalPanel({ caseId, version }: RentalPanelProps) {
  const lang = useLang()
  const tr = (key: RentalKey, vars?: Record<string, string | number>) => rentalText(lang, key, vars)
  const [view, setView] = useState<RentalView | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [revealed, setRevealed] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const [correcting, setCorrecting] = useState(false)
  const [fields, setFields] = useState<string[]>([])
  const [reason, setReason] = useState('')
  const [visitAt, setVisitAt] = useState('')
  const [tenancy, setTenancy] = useState<'stays' | 'moved-out'>('stays')
  const [until, setUntil] = useState('')

  useEffect(() => {
    let live = true
    rentalApi.get(caseId).then(
      (answer) => {
        if (!live) return
        setView(answer.rental)
        setLoadError(null)
      },
      (e: unknown) => live && setLoadError(message(e)),
    )
    return () => {
      live = false
    }
  }, [caseId, version])

  useEffect(() => {
    if (!revealed) return
    const timer = setTimeout(() => setRevealed(null), REVEAL_MS)
    return () => clearTimeout(timer)
  }, [revealed])

  if (loadError) return <p class="form-error rental-error">{tr('errLoad', { message: loadError })}</p>
  if (!view) return <p class="muted rental-loading">{tr('loading')}</p>

  const act = async (work: () => Promise<{ rental: RentalView }>) => {
    setBusy(true)
    setError(null)
    setDone(false)
    try {
      setView((await work()).rental)
      setDone(true)
      return true
    } catch (e) {
      setError(message(e))
      return false
    } finally {
      setBusy(false)
    }
  }

  const reveal = async () => {
    setBusy(true)
    setError(null)
    try {
      setRevealed((await rentalApi.reveal(caseId)).document.number)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }

  const sendCorrection = async (event: Event) => {
    event.preventDefault()
    const ok = await act(() =>
      rentalApi.review(caseId, { decision: 'needs-correction', reason: reason.trim(), fields }),
    )
    if (ok) {
      setCorrecting(false)
      setFields([])
      setReason('')
    }
  }

  const schedule = async (event: Event) => {
    event.preventDefault()
    if (await act(() => rentalApi.inspection(caseId, visitAt))) setVisitAt('')
  }

  const recordTenancy = async (event: Event) => {
    event.preventDefault()
    const body: TenancyInput = tenancy === 'stays' ? { answer: 'stays', until } : { answer: 'moved-out' }
    if (await act(() => rentalApi.tenancy(caseId, body))) setUntil('')
  }

  const active = view.state === 'active'
  const doc = view.tenant.document
  const labelOf = (key: string) => view.fields.find((f) => f.key === key)?.label[lang] ?? key

  return (
    <details class="rental" data-testid="rental" open={active}>
      <summary>
        <strong>{tr('title')}</strong>
        <span>
          {view.flat.compound} {view.flat.building} {view.flat.unit}
        </span>
        <span>{view.tenant.name}</span>
        <span class={`rr-chip rr-review-${view.review.state}`} data-testid="rental-review">
          {tr(`review.${view.review.state}`)}
        </span>
        {!active && <span class="rr-chip">{tr(`state.${view.state}`)}</span>}
      </summary>
      <dl class="rr-facts">
        <div>
          <dt>{tr('flat')}</dt>
          <dd>
            {view.flat.compound} {view.flat.building} {view.flat.unit}
          </dd>
        </div>
        <div>
          <dt>{tr('tenant')}</dt>
          <dd>{view.tenant.name}</dd>
        </div>
        <div>
          <dt>{tr('phone')}</dt>
          <dd>
            <a href={`tel:${view.tenant.phone}`}>{view.tenant.phone}</a>
          </dd>
        </div>
        <div>
          <dt>{tr('document')}</dt>
          <dd>
            {tr(`kind.${doc.kind}`)}{' '}
            <span class="rr-number" data-testid="rental-document">
              {revealed ?? doc.masked}
            </span>{' '}
            {doc.purged ? (
              <span class="muted">{tr('purged')}</span>
            ) : revealed ? (
              <button type="button" class="link-button" onClick={() => setRevealed(null)}>
                {tr('hide')}
              </button>
            ) : (
              <button
                type="button"
                class="link-button"
                disabled={busy}
                title={tr('revealNote')}
                data-testid="rental-reveal"
                onClick={() => void reveal()}
              >
                {tr('reveal')}
              </button>
            )}
          </dd>
        </div>
        {view.tenant.nationality && (
          <div>
            <dt>{tr('nationality')}</dt>
            <dd>{view.tenant.nationality}</dd>
          </div>
        )}
        <div>
          <dt>{tr('moveIn')}</dt>
          <dd>{view.moveIn}</dd>
        </div>
        <div>
          <dt>{tr('leaseEnd')}</dt>
          <dd>{view.leaseEnd}</dd>
        </div>
        {view.inspection && (
          <div>
            <dt>{tr('inspection')}</dt>
            <dd data-testid="rental-inspection">{when(view.inspection.at, view.timeZone, lang)}</dd>
          </div>
        )}
        {view.tenancy && (
          <div>
            <dt>{tr('tenancy')}</dt>
            <dd>{tr(`tenancy.${view.tenancy.answer}`, { day: view.tenancy.forLeaseEnd ?? '' })}</dd>
          </div>
        )}
      </dl>
      {view.review.state === 'needs-correction' && (
        <p class="muted">
          {tr('correctionAsked', {
            fields: view.review.fields.map(labelOf).join(lang === 'zh' ? '、' : ', '),
            reason: view.review.reason ?? '',
          })}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="rental-error">
          {error}
        </p>
      )}
      {done && (
        <p class="rr-done" role="status">
          {tr('done')}
        </p>
      )}
      {active && (
        <div class="rr-work">
          {view.review.state === 'submitted' && (
            <div class="rr-actions">
              <button
                type="button"
                class="primary"
                disabled={busy}
                data-testid="rental-verify"
                onClick={() => void act(() => rentalApi.review(caseId, { decision: 'verified' }))}
              >
                {busy ? tr('busy') : tr('verify')}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy}
                aria-expanded={correcting}
                data-testid="rental-ask-correction"
                onClick={() => setCorrecting(!correcting)}
              >
                {tr('askCorrection')}
              </button>
            </div>
          )}
          {correcting && view.review.state === 'submitted' && (
            <form class="rr-form" onSubmit={sendCorrection} data-testid="rental-correction">
              <fieldset>
                <legend>{tr('correctionFields')}</legend>
                {view.fields.map((f) => (
                  <label key={f.key} class="rr-check">
                    <input
                      type="checkbox"
                      checked={fields.includes(f.key)}
                      data-testid={`rental-field-${f.key}`}
                      onChange={(e) =>
                        setFields(
                          e.currentTarget.checked ? [...fields, f.key] : fields.filter((k) => k !== f.key),
                        )
                      }
                    />{' '}
                    {f.label[lang]}
                  </label>
                ))}
              </fieldset>
              <label class="rr-wide">
                <span>{tr('correctionReason')}</span>
                <input
                  type="text"
                  maxLength={300}
                  value={reason}
                  data-testid="rental-reason"
                  onInput={(e) => setReason(e.currentTarget.value)}
                />
              </label>
              <div class="rr-actions">
                <button
                  type="submit"
                  class="primary"
                  disabled={busy || fields.length === 0 || reason.trim() === ''}
                  data-testid="rental-send-correction"
                >
                  {tr('sendCorrection')}
                </button>
              </div>
            </form>
          )}
          <form class="rr-form rr-inline" onSubmit={schedule} data-testid="rental-inspection-form">
            <label>
              <span>{tr('inspectionTitle')}</span>
              <input
                type="datetime-local"
                required
                value={visitAt}
                data-testid="rental-visit-at"
                onInput={(e) => setVisitAt(e.currentTarget.value)}
              />
            </label>
            <button type="submit" class="secondary" disabled={busy || !visitAt} data-testid="rental-schedule">
              {tr('schedule')}
            </button>
          </form>
          <form class="rr-form rr-inline" onSubmit={recordTenancy} data-testid="rental-tenancy-form">
            <label>
              <span>{tr('tenancyTitle')}</span>
              <select
                value={tenancy}
                onChange={(e) => setTenancy(e.currentTarget.value as 'stays' | 'moved-out')}
              >
                <option value="stays">{tr('stays')}</option>
                <option value="moved-out">{tr('movedOut')}</option>
              </select>
            </label>
            {tenancy === 'stays' && (
              <label>
                <span>{tr('until')}</span>
                <input type="date" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
              </label>
            )}
            <button
              type="submit"
              class="secondary"
              disabled={busy || (tenancy === 'stays' && !until)}
              data-testid="rental-record-tenancy"
            >
              {tr('record')}
            </button>
          </form>
        </div>
      )}
    </details>
  )
}
