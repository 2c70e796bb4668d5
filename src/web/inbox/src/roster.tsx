import { useCallback, useEffect, useState } from 'preact/hooks'
import type {
  HandOverView,
  RosterExceptionView,
  RosterOfficerView,
  RosterView,
} from '../../../app/roster-views.ts'
import { ApiError, api } from './api.ts'
import { useLang, useT } from './hooks.ts'
import { DutyEditor, ExceptionForm } from './roster-forms.tsx'
import { RosterGrid } from './roster-grid.tsx'
import { formatStationTime, type RosterKey, rosterText } from './roster-strings.ts'
import './roster.css'
import type { Lang, Me } from './types.ts'

interface RosterPageProps {
  me: Me
  onToggleLang: () => void
  onLogout: () => void
}

const nameOf = (o: { name: string; nameEn: string | null }, lang: Lang) =>
  lang === 'en' && o.nameEn ? o.nameEn : o.name

/**
 * The station's duty roster: who is on duty now, this week's shifts per
 * officer, leave and swaps. Every officer may look; supervisors and admins
 * change patterns and add or remove exceptions.
 */
export function RosterPage({ me, onToggleLang, onLogout }: RosterPageProps) {
  const lang = useLang()
  const inboxT = useT()
  const tr = (key: RosterKey, vars?: Record<string, string | number>) => rosterText(lang, key, vars)
  const canEdit = me.role !== 'officer'
  const [roster, setRoster] = useState<RosterView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [editing, setEditing] = useState<string | null>(null)
  const [handedOver, setHandedOver] = useState<HandOverView[] | null>(null)

  const load = useCallback(() => {
    api
      .roster()
      .then((view) => {
        setRoster(view)
        setError(null)
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)))
  }, [])
  useEffect(load, [load])

  const remove = async (e: RosterExceptionView, officer: RosterOfficerView) => {
    if (!roster) return
    const question = tr('confirmRemove', {
      kind: tr(`kind.${e.kind}`),
      officer: nameOf(officer, lang),
      from: formatStationTime(e.startsAt, roster.timeZone, lang),
      to: formatStationTime(e.endsAt, roster.timeZone, lang),
    })
    if (!window.confirm(e.source === 'file' ? `${question}\n${tr('confirmRemoveFile')}` : question)) return
    try {
      await api.removeException(e.id)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
    load()
  }

  const name = nameOf({ name: me.name, nameEn: me.nameEn || null }, lang)
  const onDuty = roster?.officers.filter((o) => o.onDuty && o.active && o.role !== 'admin') ?? []
  const exceptions =
    roster?.officers
      .flatMap((o) => o.exceptions.map((e) => ({ e, o })))
      .sort((a, b) => (a.e.startsAt < b.e.startsAt ? -1 : 1)) ?? []

  return (
    <div class="roster-page" data-testid="roster-page">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            警
          </span>
          <div class="brand-text">
            <span class="brand-name">{tr('title')}</span>
            <span class="brand-station">{me.stationName}</span>
          </div>
        </div>
        <div class="topbar-tools">
          <a class="bar-button" href="/inbox" data-testid="back-to-inbox">
            {tr('backToInbox')}
          </a>
          <span class="whoami" title={`${name} · ${me.badge}`}>
            <span class="whoami-name">{name}</span>
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

      <main class="roster-main" aria-busy={roster === null && error === null}>
        {error && (
          <p class="form-error" role="alert" data-testid="roster-error">
            {roster ? error : tr('errLoad', { message: error })}
          </p>
        )}
        {!roster && !error && <p class="list-state">{tr('loading')}</p>}
        {roster && (
          <>
            <p class="muted small">{tr('zoneNote', { zone: roster.timeZone })}</p>
            <section class="roster-now" aria-label={tr('onDutyNow')} data-testid="on-duty-now">
              <h2>{tr('onDutyNow')}</h2>
              {onDuty.length === 0 ? (
                <p class="muted">{tr('nobodyOnDuty')}</p>
              ) : (
                <ul>
                  {onDuty.map((o) => (
                    <li key={o.id} class="badge roster-on">
                      {nameOf(o, lang)}
                    </li>
                  ))}
                </ul>
              )}
            </section>

            <section aria-label={tr('week')}>
              <h2>{tr('week')}</h2>
              <RosterGrid
                roster={roster}
                canEdit={canEdit}
                editing={editing}
                onEdit={setEditing}
                editor={(officer) => (
                  <DutyEditor
                    officer={officer}
                    onCancel={() => setEditing(null)}
                    onSaved={() => {
                      setEditing(null)
                      load()
                    }}
                  />
                )}
              />
            </section>

            <section class="roster-exceptions" aria-label={tr('exceptionsTitle')}>
              <h2>{tr('exceptionsTitle')}</h2>
              {handedOver && (
                <div class="roster-handover" role="status" data-testid="handed-over">
                  {handedOver.length === 0 ? (
                    tr('handedOverNone')
                  ) : (
                    <>
                      {tr('handedOver', { n: handedOver.length })}
                      <ul>
                        {handedOver.map((h) => (
                          <li key={h.caseId}>
                            <a href={`/inbox/case/${encodeURIComponent(h.caseId)}`} class="case-number">
                              {h.number}
                            </a>{' '}
                            → {'desk' in h.to ? tr('toDesk') : h.to.name}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                </div>
              )}
              {exceptions.length === 0 ? (
                <p class="muted">{tr('noExceptions')}</p>
              ) : (
                <ul class="roster-exception-list" data-testid="exception-list">
                  {exceptions.map(({ e, o }) => (
                    <li key={e.id} data-testid={`exception-${e.id}`}>
                      <span class={`badge ${e.onDuty ? 'roster-swap-on' : 'roster-exception'}`}>
                        {tr(`kind.${e.kind}`)}
                      </span>
                      <strong>{nameOf(o, lang)}</strong>
                      <span>
                        {formatStationTime(e.startsAt, roster.timeZone, lang)} –{' '}
                        {formatStationTime(e.endsAt, roster.timeZone, lang)}
                      </span>
                      {e.note && <span class="muted">{e.note}</span>}
                      <span class="muted small">
                        {e.source === 'file'
                          ? tr('fromFile')
                          : e.createdBy
                            ? tr('by', { name: e.createdBy.name })
                            : ''}
                      </span>
                      {canEdit && (
                        <button
                          type="button"
                          class="link-button"
                          data-testid={`remove-exception-${e.id}`}
                          onClick={() => void remove(e, o)}
                        >
                          {tr('remove')}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {canEdit && (
                <ExceptionForm
                  officers={roster.officers.filter((o) => o.active)}
                  timeZone={roster.timeZone}
                  now={roster.now}
                  onAdded={(moved) => {
                    setHandedOver(moved)
                    load()
                  }}
                />
              )}
            </section>
          </>
        )}
      </main>
    </div>
  )
}
