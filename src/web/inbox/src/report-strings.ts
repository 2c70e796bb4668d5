import type { Lang } from './types.ts'

/**
 * Texts of the reports view. Kept beside the view rather than in i18n.ts so the
 * page's main dictionary stays about the inbox; the type makes English carry
 * every key, as there.
 */
const zh = {
  title: '统计报表',
  backToInbox: '返回工作台',
  periodLegend: '统计期间',
  last7: '近 7 天',
  last30: '近 30 天',
  last90: '近 90 天',
  from: '起',
  to: '止',
  apply: '查询',
  byLegend: '统计维度',
  byOfficer: '按民警',
  byBeat: '按警务区',
  downloadCsv: '下载 CSV',
  periodText: '{from} 至 {to}，共 {days} 天（{zone}）',
  loading: '正在统计…',
  errFromAfterTo: '开始日期不能晚于结束日期。',
  errLoad: '报表加载失败：{message}',
  colSubjectOfficer: '民警',
  colSubjectBeat: '警务区',
  colOpened: '收案',
  colResolved: '办结',
  colMedian: '首次响应中位数',
  colP90: '首次响应 P90',
  colWithin: '期限内响应率',
  colEscalations: '升级',
  colSatisfaction: '满意度',
  withinDetail: '{within}/{cases}',
  ratingsCount: '{count} 条评价',
  total: '全所合计',
  desk: '值班室（未分配）',
  noBeat: '未划入警务区',
  chartVolume: '收案与办结',
  chartResponse: '首次响应时间（分钟）',
  chartWithin: '期限内响应率',
  legendOpened: '收案',
  legendResolved: '办结',
  legendMedian: '中位数',
  legendP90: 'P90',
  legendWithin: '期限内',
  none: '—',
  seconds: '{n} 秒',
  minutes: '{n} 分钟',
  hours: '{n} 小时',
  footnote:
    '收案、办结、升级和评价按发生时间计入期间；首次响应时间和期限内响应率按期间内收到的诉求计算，尚未到期且未回复的诉求暂不计入。',
}

const en: Record<keyof typeof zh, string> = {
  title: 'Reports',
  backToInbox: 'Back to the inbox',
  periodLegend: 'Period',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  last90: 'Last 90 days',
  from: 'From',
  to: 'To',
  apply: 'Show',
  byLegend: 'Group by',
  byOfficer: 'Per officer',
  byBeat: 'Per beat',
  downloadCsv: 'Download CSV',
  periodText: '{from} to {to}, {days} days ({zone})',
  loading: 'Counting…',
  errFromAfterTo: 'The start date must not be after the end date.',
  errLoad: 'The report could not be loaded: {message}',
  colSubjectOfficer: 'Officer',
  colSubjectBeat: 'Beat',
  colOpened: 'Opened',
  colResolved: 'Resolved',
  colMedian: 'First response median',
  colP90: 'First response p90',
  colWithin: 'Within deadline',
  colEscalations: 'Escalations',
  colSatisfaction: 'Satisfaction',
  withinDetail: '{within}/{cases}',
  ratingsCount: '{count} ratings',
  total: 'Station total',
  desk: 'Duty desk (unassigned)',
  noBeat: 'No beat',
  chartVolume: 'Opened and resolved',
  chartResponse: 'First response time (minutes)',
  chartWithin: 'Answered within the deadline',
  legendOpened: 'Opened',
  legendResolved: 'Resolved',
  legendMedian: 'Median',
  legendP90: 'p90',
  legendWithin: 'Within deadline',
  none: '—',
  seconds: '{n} s',
  minutes: '{n} min',
  hours: '{n} h',
  footnote:
    'Opened, resolved, escalated and rated count by when that happened; first-response times and the deadline share follow the cases opened in the period. Unanswered cases still within their deadline are not counted yet.',
}

export type ReportKey = keyof typeof zh

const DICTIONARIES: Record<Lang, Record<ReportKey, string>> = { zh, en }

/** Looks up a reports text and fills `{name}` placeholders. */
export function rt(lang: Lang, key: ReportKey, vars?: Record<string, string | number>): string {
  const template = DICTIONARIES[lang][key]
  return vars
    ? template.replace(/\{(\w+)\}/g, (whole, name: string) => String(vars[name] ?? whole))
    : template
}

/** A first-response time as people read it: seconds, minutes or hours. */
export function formatDuration(seconds: number | null, lang: Lang): string {
  if (seconds === null) return rt(lang, 'none')
  if (seconds < 60) return rt(lang, 'seconds', { n: Math.round(seconds) })
  if (seconds < 7200) return rt(lang, 'minutes', { n: (seconds / 60).toFixed(1).replace(/\.0$/, '') })
  return rt(lang, 'hours', { n: (seconds / 3600).toFixed(1).replace(/\.0$/, '') })
}

export function formatShare(value: number | null, lang: Lang): string {
  return value === null ? rt(lang, 'none') : `${(value * 100).toFixed(1).replace(/\.0$/, '')}%`
}

/** Today's date (YYYY-MM-DD) on the station's wall clock. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}

/** The date `days` days after (or before, when negative) a YYYY-MM-DD date. */
export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10)
}
