import { settlementRate } from './forms/mediation.ts'
import { csvCell } from './report-table.ts'
import type { Language } from './types.ts'

/**
 * Mediation figures as the Fengqiao model counts them: mediations opened in
 * the period, those concluded in it (an outcome recorded), of which settled,
 * and the settlement rate settled ÷ concluded. A mediation still running
 * counts as opened and for neither side of the rate.
 */
export interface MediationFigures {
  opened: number
  concluded: number
  settled: number
  notSettled: number
  /** Where the unsettled ones went. */
  referredCommittee: number
  referredCourt: number
  referredPolice: number
  /** settled / concluded, 0 to 1 (four decimals); null when none concluded. */
  settlementRate: number | null
  /** Follow-up visits of agreements recorded in the period. */
  followUps: number
}

/** Who mediated: an officer, the station's mediation team, or nobody named. */
export interface MediatorSubject {
  kind: 'officer' | 'team' | 'none'
  id: string | null
  /** The officer's badge. */
  code: string | null
  name: string | null
  nameEn: string | null
}

export interface MediationReportRow extends MediationFigures {
  mediator: MediatorSubject
}

export interface MediationReport {
  rows: MediationReportRow[]
  /** The station's, counted over all its mediations. */
  total: MediationFigures
}

export interface MediationCounts {
  opened: number
  concluded: number
  settled: number
  committee: number
  court: number
  police: number
  followUps: number
}

export const NO_MEDIATIONS: MediationCounts = {
  opened: 0,
  concluded: 0,
  settled: 0,
  committee: 0,
  court: 0,
  police: 0,
  followUps: 0,
}

export function mediationFigures(c: MediationCounts): MediationFigures {
  return {
    opened: c.opened,
    concluded: c.concluded,
    settled: c.settled,
    notSettled: c.concluded - c.settled,
    referredCommittee: c.committee,
    referredCourt: c.court,
    referredPolice: c.police,
    settlementRate: settlementRate(c.settled, c.concluded),
    followUps: c.followUps,
  }
}

const HEADERS: Record<
  Language,
  { title: string; columns: string[]; total: string; team: string; none: string }
> = {
  zh: {
    title: '矛盾纠纷调解（调解成功率 = 调解成功 ÷ 调解终结）',
    columns: [
      '调解员',
      '警号',
      '受理调解',
      '调解终结',
      '调解成功',
      '未成功',
      '移交人民调解委员会',
      '引导诉讼',
      '转派出所处理',
      '调解成功率（%）',
      '回访',
    ],
    total: '合计',
    team: '调解团队',
    none: '未指定调解员',
  },
  en: {
    title: 'Dispute mediation (settlement rate = settled ÷ concluded)',
    columns: [
      'Mediator',
      'Badge',
      'Opened',
      'Concluded',
      'Settled',
      'Not settled',
      'To the mediation committee',
      'To court',
      'To the police',
      'Settlement rate (%)',
      'Follow-ups',
    ],
    total: 'Total',
    team: 'Mediation team',
    none: 'No mediator named',
  },
}

export function mediatorName(subject: MediatorSubject, language: Language): string {
  const named = language === 'en' ? (subject.nameEn ?? subject.name) : subject.name
  if (named) return named
  return subject.kind === 'team' ? HEADERS[language].team : HEADERS[language].none
}

const cells = (f: MediationFigures): Array<number | null> => [
  f.opened,
  f.concluded,
  f.settled,
  f.notSettled,
  f.referredCommittee,
  f.referredCourt,
  f.referredPolice,
  f.settlementRate === null ? null : Math.round(f.settlementRate * 1000) / 10,
  f.followUps,
]

/**
 * The mediation section of the report's CSV, to follow the main table: an
 * empty line, its title, its header, one line per mediator and the total,
 * each padded to `width` fields so every line of the file has as many.
 */
export function mediationCsv(report: MediationReport, language: Language, width: number): string {
  const h = HEADERS[language]
  const line = (values: Array<string | number | null>) => {
    const padded = [...values, ...Array<null>(Math.max(0, width - values.length)).fill(null)]
    return padded.map(csvCell).join(',')
  }
  return `${[
    line([]),
    line([h.title]),
    line(h.columns),
    ...report.rows.map((r) => line([mediatorName(r.mediator, language), r.mediator.code, ...cells(r)])),
    line([h.total, null, ...cells(report.total)]),
  ].join('\r\n')}\r\n`
}
