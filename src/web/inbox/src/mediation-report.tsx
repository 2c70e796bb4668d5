import type {
  MediationFigures,
  MediationReport,
  MediationReportRow,
} from '../../../domain/mediation-report.ts'
import { BarChart } from './charts.tsx'
import { formatShare } from './report-strings.ts'
import type { Lang } from './types.ts'
import './mediation.css'

const TEXT = {
  zh: {
    title: '矛盾纠纷调解',
    note: '调解成功率 = 调解成功 ÷ 调解终结（枫桥经验口径）；仍在调解中的不计入。',
    chart: '各调解员受理与调解成功',
    opened: '受理调解',
    concluded: '调解终结',
    settled: '调解成功',
    notSettled: '未成功（人民调解委员会 / 法院 / 派出所）',
    rate: '调解成功率',
    followUps: '回访',
    mediator: '调解员',
    team: '调解团队',
    none: '未指定调解员',
    total: '合计',
    empty: '这段时间没有调解案件。',
  },
  en: {
    title: 'Dispute mediation',
    note: 'Settlement rate = settled ÷ concluded (the Fengqiao count); mediations still running count for neither.',
    chart: 'Opened and settled per mediator',
    opened: 'Opened',
    concluded: 'Concluded',
    settled: 'Settled',
    notSettled: 'Not settled (committee / court / police)',
    rate: 'Settlement rate',
    followUps: 'Follow-ups',
    mediator: 'Mediator',
    team: 'Mediation team',
    none: 'No mediator named',
    total: 'Total',
    empty: 'No mediation in this period.',
  },
}

function label(row: MediationReportRow, lang: Lang): string {
  const m = row.mediator
  const named = lang === 'en' ? (m.nameEn ?? m.name) : m.name
  return named ?? (m.kind === 'team' ? TEXT[lang].team : TEXT[lang].none)
}

function cells(f: MediationFigures, lang: Lang) {
  return (
    <>
      <td>{f.opened}</td>
      <td>{f.concluded}</td>
      <td>{f.settled}</td>
      <td>
        {f.notSettled}
        {f.notSettled > 0 && (
          <span class="report-detail">
            {f.referredCommittee} / {f.referredCourt} / {f.referredPolice}
          </span>
        )}
      </td>
      <td>{formatShare(f.settlementRate, lang)}</td>
      <td>{f.followUps}</td>
    </>
  )
}

/** The report's mediation section: a chart of opened and settled per mediator, and the table with the rate. */
export function MediationSection({ report, lang }: { report: MediationReport; lang: Lang }) {
  const t = TEXT[lang]
  const labels = report.rows.map((r) => label(r, lang))
  return (
    <section class="report-mediation" data-testid="report-mediation">
      <h2 class="report-section-title">{t.title}</h2>
      {report.rows.length === 0 ? (
        <p class="muted">{t.empty}</p>
      ) : (
        <>
          <div class="report-charts">
            <BarChart
              testId="chart-mediation"
              title={t.chart}
              series={[
                { label: t.opened, tone: 'navy' },
                { label: t.settled, tone: 'green' },
              ]}
              rows={report.rows.map((r, i) => ({ label: labels[i] ?? '', values: [r.opened, r.settled] }))}
              integer
              format={(v) => String(Math.round(v))}
            />
          </div>
          <div class="report-table-wrap">
            <table class="report-table" data-testid="mediation-table">
              <thead>
                <tr>
                  {[t.mediator, t.opened, t.concluded, t.settled, t.notSettled, t.rate, t.followUps].map(
                    (h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ),
                  )}
                </tr>
              </thead>
              <tbody>
                {report.rows.map((row, i) => (
                  <tr key={row.mediator.id ?? row.mediator.kind} data-testid="mediation-row">
                    <th scope="row">
                      {labels[i]}
                      {row.mediator.code && <span class="report-code">{row.mediator.code}</span>}
                    </th>
                    {cells(row, lang)}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t.total}</th>
                  {cells(report.total, lang)}
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
      <p class="report-footnote muted small">{t.note}</p>
    </section>
  )
}
