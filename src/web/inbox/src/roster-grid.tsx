import { type ComponentChildren, Fragment } from 'preact'
import type { RosterExceptionView, RosterOfficerView, RosterView } from '../../../app/roster-views.ts'
import type { WeeklyShift } from '../../../domain/types.ts'
import { useLang } from './hooks.ts'
import {
  addDays,
  formatStationTime,
  type RosterKey,
  rosterText,
  stationLocal,
  weekdayOf,
} from './roster-strings.ts'
import type { Lang } from './types.ts'

const clock = (minute: number) => {
  const m = minute % 1440
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

/** A shift's hours; one that ends after midnight says so. */
function shiftText(s: WeeklyShift): string {
  return `${clock(s.startMinute)}–${s.endMinute === 1440 ? '24:00' : clock(s.endMinute)}${s.endMinute > 1440 ? '⁺¹' : ''}`
}

/** The exceptions that share time with a local day, and whether one of them takes the whole day off. */
function dayExceptions(exceptions: RosterExceptionView[], date: string, timeZone: string) {
  const start = `${date}T00:00`
  const end = `${addDays(date, 1)}T00:00`
  const touching = exceptions.filter(
    (e) => stationLocal(e.startsAt, timeZone) < end && stationLocal(e.endsAt, timeZone) > start,
  )
  const wholeDayOff = touching.some(
    (e) =>
      !e.onDuty && stationLocal(e.startsAt, timeZone) <= start && stationLocal(e.endsAt, timeZone) >= end,
  )
  return { touching, wholeDayOff }
}

function officerName(o: RosterOfficerView, lang: Lang): string {
  return lang === 'en' && o.nameEn ? o.nameEn : o.name
}

interface RosterGridProps {
  roster: RosterView
  canEdit: boolean
  editing: string | null
  onEdit: (officerId: string | null) => void
  /** Rendered under the row of the officer being edited. */
  editor: (officer: RosterOfficerView) => ComponentChildren
}

/** This week, Monday first, one row per officer: shifts per day, leave and swaps on the days they touch. */
export function RosterGrid({ roster, canEdit, editing, onEdit, editor }: RosterGridProps) {
  const lang = useLang()
  const tr = (key: RosterKey, vars?: Record<string, string | number>) => rosterText(lang, key, vars)
  const zone = roster.timeZone
  const today = stationLocal(roster.now, zone).slice(0, 10)
  const monday = addDays(today, -((weekdayOf(today) + 6) % 7))
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i))
  const dayName = (date: string) =>
    new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone: 'UTC',
      weekday: 'short',
      month: 'numeric',
      day: 'numeric',
    }).format(new Date(`${date}T00:00:00Z`))

  return (
    <div class="roster-grid-wrap">
      <table class="roster-grid" data-testid="roster-grid">
        <thead>
          <tr>
            <th scope="col">{tr('colOfficer')}</th>
            <th scope="col">{tr('colStatus')}</th>
            {days.map((date) => (
              <th key={date} scope="col" class={date === today ? 'roster-today' : undefined}>
                {dayName(date)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {roster.officers.map((o) => (
            <Fragment key={o.id}>
              <tr data-testid={`roster-row-${o.badge}`} class={o.active ? undefined : 'roster-inactive'}>
                <th scope="row" class="roster-officer">
                  <span class="roster-name">{officerName(o, lang)}</span>{' '}
                  <span class="officer-badge muted small">{o.badge}</span>
                  <span class="roster-beats">
                    {o.beats.map((b) => (
                      <span key={b.id} class={`badge roster-beat roster-beat-${b.as}`}>
                        {tr(b.as, { beat: b.code })}
                      </span>
                    ))}
                    {!o.active && <span class="badge roster-beat">{tr('inactive')}</span>}
                  </span>
                  {canEdit && (
                    <button
                      type="button"
                      class="link-button roster-edit"
                      data-testid={`edit-duty-${o.badge}`}
                      aria-expanded={editing === o.id}
                      onClick={() => onEdit(editing === o.id ? null : o.id)}
                    >
                      {tr('editDuty')}
                    </button>
                  )}
                </th>
                <td class="roster-status">
                  <span
                    class={`badge ${o.onDuty ? 'roster-on' : 'roster-off'}`}
                    data-testid={`on-duty-${o.badge}`}
                    data-on-duty={o.onDuty ? 'yes' : 'no'}
                  >
                    {tr(o.onDuty ? 'onDuty' : 'offDuty')}
                  </span>
                  {!o.onDuty && o.nextOnDuty && (
                    <span class="muted small">
                      {tr('backAt', { time: formatStationTime(o.nextOnDuty, zone, lang) })}
                    </span>
                  )}
                  <span class="muted small">{tr('load', { open: o.openCases, capacity: o.capacity })}</span>
                </td>
                {days.map((date) => {
                  const { touching, wholeDayOff } = dayExceptions(o.exceptions, date, zone)
                  const shifts = o.duty.filter((s) => s.day === weekdayOf(date))
                  const classes = [date === today ? 'roster-today' : '', wholeDayOff ? 'roster-day-off' : '']
                  return (
                    <td key={date} class={classes.join(' ').trim() || undefined}>
                      {o.duty.length === 0 ? (
                        <span class="muted small">{tr('allDay')}</span>
                      ) : (
                        shifts.map((s) => (
                          <span key={s.startMinute} class="roster-shift">
                            {shiftText(s)}
                          </span>
                        ))
                      )}
                      {touching.map((e) => (
                        <span
                          key={e.id}
                          class={`badge ${e.onDuty ? 'roster-swap-on' : 'roster-exception'}`}
                          title={e.note ?? undefined}
                        >
                          {tr(`kind.${e.kind}`)}
                        </span>
                      ))}
                    </td>
                  )
                })}
              </tr>
              {editing === o.id && (
                <tr class="roster-editor-row">
                  <td colSpan={9}>{editor(o)}</td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
