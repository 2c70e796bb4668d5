import { useCallback, useEffect, useState } from 'preact/hooks'
import type { PermitAppointmentView, PermitDayView } from '../../../app/forms/permit-office.ts'
import { ApiError } from './api.ts'
import { useLang, useT } from './hooks.ts'
import { casePath } from './paths.ts'
import { permitApi } from './permit-api.ts'
import { Attendance } from './permit-panel.tsx'
import { type PermitKey, permitText, slotDay, slotTimes } from './permit-strings.ts'
import './permits.css'
import type { Lang, Me } from './types.ts'

interface PermitsPageProps {
  me: Me
  onToggleLang: () => void
  onLogout: () => void
}

/** The day before or after a "YYYY-MM-DD". */
function shiftDay(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10)
}

const dayFromAddress = (): string | undefined => {
  const date = new URLSearchParams(location.search).get('date')
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined
}

const nameOf = (me: Me, lang: Lang) => (lang === 'en' && me.nameEn ? me.nameEn : me.name)

/**
 * The day's residence-permit appointments at the office: each slot with its
 * places taken and the residents booked in it, and marking who came. The day
 * stays in the address bar.
 */
export function PermitsPage({ me, onToggleLang, onLogout }: PermitsPageProps) {
  const lang = useLang()
  const inboxT = useT()
  const tr = (key: PermitKey, vars?: Record<string, string | number>) => permitText(lang, key, vars)
  const [date, setDate] = useState<string | undefined>(dayFromAddress)
  const [day, setDay] = useState<PermitDayView | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(() => {
    permitApi.day(date).then(
      (view) => {
        setDay(view)
        setError(null)
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    )
  }, [date])
  useEffect(load, [load])

  const go = (next: string) => {
    history.replaceState(null, '', `?date=${next}`)
    setDate(next)
  }
  const marked = (changed: PermitAppointmentView) =>
    setDay(
      (current) =>
        current && {
          ...current,
          slots: current.slots.map((s) => ({
            ...s,
            appointments: s.appointments.map((a) => (a.requestId === changed.requestId ? changed : a)),
          })),
        },
    )

  return (
    <div class="permits-page" data-testid="permits-page">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            警
          </span>
          <div class="brand-text">
            <span class="brand-name">{tr('dayTitle')}</span>
            <span class="brand-station">{me.stationName}</span>
          </div>
        </div>
        <div class="topbar-tools">
          <a class="bar-button" href="/inbox" data-testid="back-to-inbox">
            {tr('backToInbox')}
          </a>
          <span class="whoami" title={`${nameOf(me, lang)} · ${me.badge}`}>
            <span class="whoami-name">{nameOf(me, lang)}</span>
            <span class="whoami-badge">{me.badge}</span>
          </span>
          <button
            type="button"
            class="bar-button"
            data-testid="lang-toggle"
            onClick={onToggleLang}
            aria-label={inboxT('langSwitchLabel')}
          >
            {inboxT('langSwitch')}
          </button>
          <button type="button" class="bar-button" data-testid="logout" onClick={onLogout}>
            {inboxT('logout')}
          </button>
        </div>
      </header>
      <main class="permits-main" aria-busy={day === null && error === null}>
        {error && (
          <p class="form-error" role="alert" data-testid="permits-error">
            {tr('errLoad', { message: error })}
          </p>
        )}
        {!day && !error && <p class="list-state">{tr('loading')}</p>}
        {day && (
          <>
            <div class="pm-day-nav">
              <button type="button" class="secondary" onClick={() => go(shiftDay(day.date, -1))}>
                {tr('previous')}
              </button>
              <label>
                <span>{tr('date')} </span>
                <input
                  type="date"
                  value={day.date}
                  data-testid="permits-date"
                  onChange={(e) => e.currentTarget.value && go(e.currentTarget.value)}
                />
              </label>
              <button type="button" class="secondary" onClick={() => go(shiftDay(day.date, 1))}>
                {tr('next')}
              </button>
              <span class="muted small">{tr('zoneNote', { zone: day.timeZone })}</span>
            </div>
            {day.slots.length === 0 && <p class="list-state">{tr('noSlots')}</p>}
            {day.slots.map((slot) => (
              <section key={slot.id} class="pm-slot" data-testid="permit-slot" data-slot={slot.id}>
                <h2>
                  <span>
                    {slotDay(slot.startsAt, day.timeZone, lang)}{' '}
                    {slotTimes(slot.startsAt, slot.endsAt, day.timeZone)}
                  </span>
                  <span class="muted small">
                    {tr('places', { taken: slot.taken, capacity: slot.capacity })}
                  </span>
                  {slot.closed && <span class="muted small">{tr('closed')}</span>}
                </h2>
                {slot.appointments.length === 0 ? (
                  slot.taken > 0 && <p class="muted small">{tr('empty')}</p>
                ) : (
                  <ul>
                    {slot.appointments.map((a) => (
                      <li key={a.requestId} data-testid="permit-appointment" data-state={a.state}>
                        <a href={casePath(a.caseId)}>{a.caseNumber}</a>
                        <span>{a.name}</span>
                        <a href={`tel:${a.phone}`}>{a.phone}</a>
                        {a.assignee && (
                          <span class="muted">
                            {tr('assignee')}：{a.assignee.name}
                          </span>
                        )}
                        <span class={`pm-state pm-${a.state}`}>{tr(`state.${a.state}`)}</span>
                        <Attendance appointment={a} onMarked={marked} />
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            ))}
          </>
        )}
      </main>
    </div>
  )
}
