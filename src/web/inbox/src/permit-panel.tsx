import { useEffect, useState } from 'preact/hooks'
import type { AttendanceOutcome, PermitAppointmentView } from '../../../app/forms/permit-office.ts'
import { ApiError } from './api.ts'
import { useLang } from './hooks.ts'
import { permitApi } from './permit-api.ts'
import { type PermitKey, permitText, slotDay, slotTimes } from './permit-strings.ts'
import './permits.css'

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

/** Who came and who did not: the two buttons of a booked appointment, and what went wrong. */
export function Attendance({
  appointment,
  onMarked,
}: {
  appointment: PermitAppointmentView
  onMarked: (appointment: PermitAppointmentView) => void
}) {
  const lang = useLang()
  const tr = (key: PermitKey) => permitText(lang, key)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (appointment.state !== 'booked') return null
  const mark = async (outcome: AttendanceOutcome) => {
    setBusy(true)
    setError(null)
    try {
      onMarked((await permitApi.mark(appointment.caseId, outcome)).appointment)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <span class="pm-actions">
      <button
        type="button"
        class="primary"
        disabled={busy}
        data-testid="permit-attended"
        onClick={() => void mark('attended')}
      >
        {busy ? tr('marking') : tr('attended')}
      </button>
      <button
        type="button"
        class="secondary"
        disabled={busy}
        data-testid="permit-no-show"
        onClick={() => void mark('no_show')}
      >
        {tr('noShow')}
      </button>
      {error && (
        <span class="form-error" role="alert" data-testid="permit-error">
          {error}
        </span>
      )}
    </span>
  )
}

interface PermitPanelProps {
  caseId: string
  /** The case's version: a change (the appointment marked, cancelled) reloads the section. */
  version: number
}

/** The residence-permit appointment of a case: when, who, and marking the visit. */
export function PermitPanel({ caseId, version }: PermitPanelProps) {
  const lang = useLang()
  const tr = (key: PermitKey, vars?: Record<string, string | number>) => permitText(lang, key, vars)
  const [view, setView] = useState<PermitAppointmentView | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    permitApi.ofCase(caseId).then(
      (answer) => {
        if (!live) return
        setView(answer.appointment)
        setLoadError(null)
      },
      (e: unknown) => live && setLoadError(message(e)),
    )
    return () => {
      live = false
    }
  }, [caseId, version])

  if (loadError) return <p class="form-error permit-panel">{tr('errLoad', { message: loadError })}</p>
  if (!view) return <p class="muted permit-panel">{tr('loading')}</p>
  return (
    <section class="permit-panel" data-testid="permit-panel" data-state={view.state}>
      <strong>{tr('title')}</strong>
      <span data-testid="permit-when">
        {slotDay(view.slot.startsAt, view.timeZone, lang)}{' '}
        {slotTimes(view.slot.startsAt, view.slot.endsAt, view.timeZone)}
      </span>
      <span>
        {tr('applicant')}：{view.name} · <a href={`tel:${view.phone}`}>{view.phone}</a>
      </span>
      {view.moves > 0 && <span class="muted">{tr('moves', { n: view.moves })}</span>}
      <span class={`pm-state pm-${view.state}`}>{tr(`state.${view.state}`)}</span>
      <Attendance appointment={view} onMarked={setView} />
    </section>
  )
}
