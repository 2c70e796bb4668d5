import type { Language } from './types.ts'

/**
 * What a report counts for one officer, one beat or the whole station. Cases
 * are counted by when each thing happened: opened, resolved, escalated and
 * rated within the period. First-response figures follow the cases opened in
 * the period.
 */
export interface ReportFigures {
  opened: number
  resolved: number
  /** Cases opened in the period that have had a first response. */
  responded: number
  firstResponseMedianSeconds: number | null
  firstResponseP90Seconds: number | null
  /**
   * Cases opened in the period whose deadline is decided: answered, or not
   * answered with the deadline passed (a miss). Unanswered cases still within
   * their deadline count for neither side yet.
   */
  deadlineCases: number
  withinDeadline: number
  /** withinDeadline / deadlineCases, from 0 to 1; null without deadline cases. */
  withinDeadlineShare: number | null
  escalations: number
  ratings: number
  satisfactionAverage: number | null
}

/** Who a row is about; `desk` holds cases nobody is assigned to, `no-beat` cases outside every beat. */
export interface ReportSubject {
  kind: 'officer' | 'desk' | 'beat' | 'no-beat'
  id: string | null
  /** Badge of an officer, code of a beat. */
  code: string | null
  name: string | null
  nameEn: string | null
}

export interface ReportRow extends ReportFigures {
  subject: ReportSubject
}

export type ReportGrouping = 'officer' | 'beat'

/** A share from two counts, to four decimals (so a percentage keeps two). */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null
}

/** Rounds away floating-point dust such as 7.900000000000001 (to `digits` decimals). */
export function roundTo(value: number | null, digits: number): number | null {
  if (value === null) return null
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Byte order mark: without it Excel reads UTF-8 as the local code page and garbles Chinese names. */
const BOM = '\uFEFF'

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
 * Text starting with = + - @ or a tab gets a leading apostrophe, so a
 * spreadsheet shows it instead of running it as a formula.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** A whole CSV document: BOM, CRLF line ends, every line the same number of fields. */
export function toCsv(lines: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const body = lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')
  return `${BOM}${body}\r\n`
}

const HEADERS: Record<Language, Record<ReportGrouping, string[]> & { figures: string[] }> = {
  zh: {
    officer: ['民警', '警号'],
    beat: ['警务区', '编号'],
    figures: [
      '收案数',
      '办结数',
      '已首次响应',
      '首次响应中位数（分钟）',
      '首次响应P90（分钟）',
      '期限内响应',
      '计入期限的案件',
      '期限内响应率（%）',
      '升级数',
      '评价数',
      '满意度均分',
    ],
  },
  en: {
    officer: ['Officer', 'Badge'],
    beat: ['Beat', 'Code'],
    figures: [
      'Opened',
      'Resolved',
      'Responded',
      'First response median (min)',
      'First response p90 (min)',
      'Answered within deadline',
      'Cases with a decided deadline',
      'Within deadline (%)',
      'Escalations',
      'Ratings',
      'Satisfaction average',
    ],
  },
}

const LABELS: Record<Language, { total: string; desk: string; noBeat: string }> = {
  zh: { total: '合计', desk: '值班室（未分配）', noBeat: '未划入警务区' },
  en: { total: 'Total', desk: 'Duty desk (unassigned)', noBeat: 'No beat' },
}

function subjectName(subject: ReportSubject, language: Language): string {
  const named = language === 'en' ? (subject.nameEn ?? subject.name) : subject.name
  if (named) return named
  return subject.kind === 'no-beat' ? LABELS[language].noBeat : LABELS[language].desk
}

const minutes = (seconds: number | null) => (seconds === null ? null : roundTo(seconds / 60, 1))
const percent = (value: number | null) => (value === null ? null : roundTo(value * 100, 1))

function figureCells(f: ReportFigures): Array<number | null> {
  return [
    f.opened,
    f.resolved,
    f.responded,
    minutes(f.firstResponseMedianSeconds),
    minutes(f.firstResponseP90Seconds),
    f.withinDeadline,
    f.deadlineCases,
    percent(f.withinDeadlineShare),
    f.escalations,
    f.ratings,
    roundTo(f.satisfactionAverage, 2),
  ]
}

/**
 * The report as a spreadsheet: a header line in the chosen language, one line
 * per officer or beat, and the station total last. Times are in minutes and
 * shares in percent, as a supervisor reads them; empty cells mean "no data".
 */
export function reportCsv(
  by: ReportGrouping,
  rows: readonly ReportRow[],
  total: ReportFigures,
  language: Language,
): string {
  const header = [...HEADERS[language][by], ...HEADERS[language].figures]
  return toCsv([
    header,
    ...rows.map((row) => [subjectName(row.subject, language), row.subject.code, ...figureCells(row)]),
    [LABELS[language].total, null, ...figureCells(total)],
  ])
}
