import { useEffect, useState } from 'preact/hooks'
import type { ReportFigures, ReportGrouping, ReportRow, ReportView } from '../../../app/reports.ts'
import { ApiError, api } from './api.ts'
import { BarChart } from './charts.tsx'
import { useLang, useT } from './hooks.ts'
import { MediationSection } from './mediation-report.tsx'
import { formatDuration, formatShare, type ReportKey, rt, shiftDate, todayIn } from './report-strings.ts'
import './reports.css'
import type { Lang, Me } from './types.ts'

interface ReportQuery {
  from: string
  to: string
  by: ReportGrouping
}

const DEFAULT_ZONE = 'Asia/Shanghai'

/** The query in the address bar, so a report can be reloaded or linked; empty dates mean the server's default. */
function queryFromUrl(): ReportQuery {
  const params = new URLSearchParams(location.search)
  const date = (value: string | null) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '')
  return {
    from: date(params.get('from')),
    to: date(params.get('to')),
    by: params.get('by') === 'beat' ? 'beat' : 'officer',
  }
}

function queryString(query: ReportQuery): string {
  const params = new URLSearchParams({ by: query.by })
  if (query.from) params.set('from', query.from)
  if (query.to) params.set('to', query.to)
  return params.toString()
}

function subjectLabel(row: ReportRow, lang: Lang): string {
  const s = row.subject
  const name = lang === 'en' ? (s.nameEn ?? s.name) : s.name
  if (name) return name
  return rt(lang, s.kind === 'no-beat' ? 'noBeat' : 'desk')
}

const minutes = (seconds: number | null) => (seconds === null ? null : seconds / 60)
const trimmed = (value: number, digits: number) => value.toFixed(digits).replace(/\.?0+$/, '') || '0'

interface ReportsPageProps {
  me: Me
  onToggleLang: () => void
  onLogout: () => void
}

/**
 * The supervisor's reports: a period and a grouping, the station's totals,
 * three bar charts and the full table, and the same figures as a CSV file.
 */
export function ReportsPage({ me, onToggleLang, onLogout }: ReportsPageProps) {
  const lang = useLang()
  const inboxT = useT()
  const tr = (key: ReportKey, vars?: Record<string, string | number>) => rt(lang, key, vars)
  const [query, setQuery] = useState<ReportQuery>(queryFromUrl)
  const [draft, setDraft] = useState<ReportQuery>(query)
  const [report, setReport] = useState<ReportView | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setLoading(true)
    history.replaceState(null, '', `/inbox/reports?${queryString(query)}`)
    api
      .reports(queryString(query))
      .then((view) => {
        if (!current) return
        setReport(view)
        setError(null)
        setDraft((d) => ({ ...d, from: view.period.from, to: view.period.to }))
      })
      .catch((e: unknown) => {
        if (!current) return
        setError(e instanceof ApiError ? e.message : String(e))
      })
      .finally(() => current && setLoading(false))
    return () => {
      current = false
    }
  }, [query])

  const zone = report?.station.timeZone ?? DEFAULT_ZONE
  const draftInvalid = Boolean(draft.from && draft.to && draft.from > draft.to)
  const apply = (next: ReportQuery) => {
    setDraft(next)
    if (!(next.from && next.to && next.from > next.to)) setQuery(next)
  }
  const lastDays = (days: number) => {
    const to = todayIn(zone)
    apply({ ...draft, from: shiftDate(to, -(days - 1)), to })
  }
  const csvHref = `/api/reports.csv?${queryString(query)}&lang=${lang}`
  const rows = report?.rows ?? []
  const labels = rows.map((r) => subjectLabel(r, lang))
  const name = lang === 'en' && me.nameEn ? me.nameEn : me.name

  return (
    <div class="reports-page" data-testid="reports-page">
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

      <main class="reports-main" aria-busy={loading}>
        <form
          class="report-controls"
          onSubmit={(event) => {
            event.preventDefault()
            apply(draft)
          }}
        >
          <fieldset class="report-period-picker">
            <legend class="report-legend">{tr('periodLegend')}</legend>
            <div class="segmented">
              <button type="button" onClick={() => lastDays(7)}>
                {tr('last7')}
              </button>
              <button type="button" onClick={() => lastDays(30)}>
                {tr('last30')}
              </button>
              <button type="button" onClick={() => lastDays(90)}>
                {tr('last90')}
              </button>
            </div>
            <label class="report-date">
              <span>{tr('from')}</span>
              <input
                type="date"
                data-testid="report-from"
                value={draft.from}
                max={draft.to || undefined}
                onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
              />
            </label>
            <label class="report-date">
              <span>{tr('to')}</span>
              <input
                type="date"
                data-testid="report-to"
                value={draft.to}
                min={draft.from || undefined}
                onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
              />
            </label>
            <button type="submit" class="primary" data-testid="report-apply" disabled={draftInvalid}>
              {tr('apply')}
            </button>
          </fieldset>
          <fieldset class="report-by">
            <legend class="report-legend">{tr('byLegend')}</legend>
            <div class="segmented">
              {(['officer', 'beat'] as const).map((by) => (
                <button
                  key={by}
                  type="button"
                  aria-pressed={query.by === by}
                  data-testid={`report-by-${by}`}
                  onClick={() => apply({ ...draft, by })}
                >
                  {tr(by === 'officer' ? 'byOfficer' : 'byBeat')}
                </button>
              ))}
            </div>
          </fieldset>
          <a class="secondary report-csv" href={csvHref} download data-testid="report-csv">
            {tr('downloadCsv')}
          </a>
        </form>

        {draftInvalid && (
          <p class="form-error" role="alert">
            {tr('errFromAfterTo')}
          </p>
        )}
        {error && (
          <p class="form-error" role="alert" data-testid="report-error">
            {tr('errLoad', { message: error })}
          </p>
        )}
        {report && (
          <p class="report-period muted" data-testid="report-period">
            {tr('periodText', {
              from: report.period.from,
              to: report.period.to,
              days: report.period.days,
              zone: report.station.timeZone,
            })}
          </p>
        )}
        {loading && !report && <p class="list-state">{tr('loading')}</p>}

        {report && (
          <>
            <Totals total={report.total} lang={lang} />
            <div class="report-charts">
              <BarChart
                testId="chart-volume"
                title={tr('chartVolume')}
                series={[
                  { label: tr('legendOpened'), tone: 'navy' },
                  { label: tr('legendResolved'), tone: 'green' },
                ]}
                rows={rows.map((r, i) => ({ label: labels[i] ?? '', values: [r.opened, r.resolved] }))}
                integer
                format={(v) => trimmed(v, 0)}
              />
              <BarChart
                testId="chart-response"
                title={tr('chartResponse')}
                overlay
                series={[
                  { label: tr('legendP90'), tone: 'sky' },
                  { label: tr('legendMedian'), tone: 'navy' },
                ]}
                rows={rows.map((r, i) => ({
                  label: labels[i] ?? '',
                  values: [minutes(r.firstResponseP90Seconds), minutes(r.firstResponseMedianSeconds)],
                }))}
                format={(v) => trimmed(v, 1)}
              />
              <BarChart
                testId="chart-within"
                title={tr('chartWithin')}
                series={[{ label: tr('legendWithin'), tone: 'green' }]}
                max={1}
                rows={rows.map((r, i) => ({ label: labels[i] ?? '', values: [r.withinDeadlineShare] }))}
                format={(v) => formatShare(v, lang)}
              />
            </div>
            <ReportTable report={report} labels={labels} lang={lang} />
            <MediationSection report={report.mediation} lang={lang} />
            <p class="report-footnote muted small">{tr('footnote')}</p>
          </>
        )}
      </main>
    </div>
  )
}

function Totals({ total, lang }: { total: ReportFigures; lang: Lang }) {
  const cards: Array<[ReportKey, string]> = [
    ['colOpened', String(total.opened)],
    ['colResolved', String(total.resolved)],
    ['colMedian', formatDuration(total.firstResponseMedianSeconds, lang)],
    ['colWithin', formatShare(total.withinDeadlineShare, lang)],
    ['colEscalations', String(total.escalations)],
    [
      'colSatisfaction',
      total.satisfactionAverage === null ? rt(lang, 'none') : total.satisfactionAverage.toFixed(2),
    ],
  ]
  return (
    <dl class="report-totals" data-testid="report-totals">
      {cards.map(([key, value]) => (
        <div key={key} class="report-total">
          <dt>{rt(lang, key)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function figureCells(f: ReportFigures, lang: Lang) {
  return (
    <>
      <td>{f.opened}</td>
      <td>{f.resolved}</td>
      <td>{formatDuration(f.firstResponseMedianSeconds, lang)}</td>
      <td>{formatDuration(f.firstResponseP90Seconds, lang)}</td>
      <td>
        {formatShare(f.withinDeadlineShare, lang)}
        {f.deadlineCases > 0 && (
          <span class="report-detail">
            {rt(lang, 'withinDetail', { within: f.withinDeadline, cases: f.deadlineCases })}
          </span>
        )}
      </td>
      <td>{f.escalations}</td>
      <td>
        {f.satisfactionAverage === null ? rt(lang, 'none') : f.satisfactionAverage.toFixed(2)}
        {f.ratings > 0 && <span class="report-detail">{rt(lang, 'ratingsCount', { count: f.ratings })}</span>}
      </td>
    </>
  )
}

function ReportTable({ report, labels, lang }: { report: ReportView; labels: string[]; lang: Lang }) {
  const head: ReportKey[] = [
    report.by === 'officer' ? 'colSubjectOfficer' : 'colSubjectBeat',
    'colOpened',
    'colResolved',
    'colMedian',
    'colP90',
    'colWithin',
    'colEscalations',
    'colSatisfaction',
  ]
  return (
    <div class="report-table-wrap">
      <table class="report-table" data-testid="report-table">
        <thead>
          <tr>
            {head.map((key) => (
              <th key={key} scope="col">
                {rt(lang, key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row, i) => (
            <tr key={row.subject.id ?? row.subject.kind} data-testid="report-row">
              <th scope="row">
                {labels[i]}
                {row.subject.code && <span class="report-code">{row.subject.code}</span>}
              </th>
              {figureCells(row, lang)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{rt(lang, 'total')}</th>
            {figureCells(report.total, lang)}
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
