import type { Lang } from './types.ts'

/**
 * Texts and time helpers of the roster view, kept beside it so the inbox's
 * main dictionary stays about cases; the type makes English carry every key.
 */
const zh = {
  title: '值班表',
  backToInbox: '返回工作台',
  zoneNote: '时间均按派出所所在时区（{zone}）显示和填写。',
  onDutyNow: '当前在岗',
  nobodyOnDuty: '当前无人在岗：新诉求进入值班室。',
  week: '本周排班',
  colOfficer: '民警',
  colStatus: '状态',
  onDuty: '在岗',
  offDuty: '不在岗',
  backAt: '{time} 回岗',
  alwaysOn: '全天候',
  allDay: '全天',
  load: '{open}/{capacity} 件',
  primary: '{beat} 主',
  backup: '{beat} 备',
  inactive: '已停用',
  editDuty: '修改排班',
  dutyLabel: '每周排班，每行一条，如 mon-fri 08:30-17:30 或 sun 20:00-08:00；留空表示全天候在岗。',
  dutyFromApi: '已在工作台修改，重新导入配置文件不会覆盖',
  save: '保存',
  saving: '正在保存…',
  cancel: '取消',
  exceptionsTitle: '请假与调班',
  noExceptions: '暂无当前或今后的请假、调班。',
  'kind.leave': '休假',
  'kind.sick': '病假',
  'kind.swap_off': '调休',
  'kind.swap_on': '调班顶岗',
  'kind.training': '培训',
  fromFile: '来自配置文件',
  by: '{name} 添加',
  remove: '删除',
  confirmRemove: '删除 {officer} 的这条{kind}（{from} 至 {to}）？',
  confirmRemoveFile: '这条来自配置文件，重新导入配置文件后会恢复。',
  addTitle: '添加请假或调班',
  fieldOfficer: '民警',
  fieldKind: '类型',
  fieldFrom: '开始',
  fieldTo: '结束',
  fieldNote: '备注（可选）',
  add: '添加',
  adding: '正在添加…',
  addHint:
    '休假或病假从现在（或一小时内）开始时，该民警的未结案件会立即移交给警务区另一位在岗民警或值班室，并告知居民。',
  handedOver: '已移交 {n} 件未结案件：',
  handedOverNone: '已添加。该民警没有需要移交的案件。',
  toDesk: '值班室',
  errRequired: '请填写开始和结束时间。',
  errLoad: '值班表加载失败：{message}',
  loading: '正在加载…',
}

export type RosterKey = keyof typeof zh

const en: Record<RosterKey, string> = {
  title: 'Duty roster',
  backToInbox: 'Back to inbox',
  zoneNote: 'Times are shown and entered in the station’s time zone ({zone}).',
  onDutyNow: 'On duty now',
  nobodyOnDuty: 'Nobody is on duty: new cases go to the duty desk.',
  week: 'This week',
  colOfficer: 'Officer',
  colStatus: 'Status',
  onDuty: 'On duty',
  offDuty: 'Off duty',
  backAt: 'back {time}',
  alwaysOn: 'Always on duty',
  allDay: 'all day',
  load: '{open}/{capacity} cases',
  primary: '{beat} primary',
  backup: '{beat} backup',
  inactive: 'Disabled',
  editDuty: 'Edit pattern',
  dutyLabel:
    'Weekly pattern, one per line, e.g. mon-fri 08:30-17:30 or sun 20:00-08:00; leave it empty for always on duty.',
  dutyFromApi: 'Changed in the inbox: loading the station file again keeps it',
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  exceptionsTitle: 'Leave and swaps',
  noExceptions: 'No current or coming leave or swaps.',
  'kind.leave': 'Leave',
  'kind.sick': 'Sick',
  'kind.swap_off': 'Shift swapped away',
  'kind.swap_on': 'Swapped-in shift',
  'kind.training': 'Training',
  fromFile: 'from the station file',
  by: 'added by {name}',
  remove: 'Remove',
  confirmRemove: 'Remove this {kind} of {officer} ({from} to {to})?',
  confirmRemoveFile: 'It comes from the station file and returns when the file is loaded again.',
  addTitle: 'Add leave or a swap',
  fieldOfficer: 'Officer',
  fieldKind: 'Kind',
  fieldFrom: 'From',
  fieldTo: 'To',
  fieldNote: 'Note (optional)',
  add: 'Add',
  adding: 'Adding…',
  addHint:
    'Leave or sick leave starting now (or within the hour) hands the officer’s open cases to the beat’s other officer on duty, or the duty desk, and tells each resident.',
  handedOver: '{n} open case(s) handed over:',
  handedOverNone: 'Added. The officer had no cases to hand over.',
  toDesk: 'duty desk',
  errRequired: 'Enter when it starts and ends.',
  errLoad: 'Could not load the roster: {message}',
  loading: 'Loading…',
}

const DICTIONARIES: Record<Lang, Record<RosterKey, string>> = { zh, en }

/** Looks up a roster text and fills `{name}` placeholders. */
export function rosterText(lang: Lang, key: RosterKey, vars?: Record<string, string | number>): string {
  const template = DICTIONARIES[lang][key]
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name]
    return value === undefined ? whole : String(value)
  })
}

/** Wall-clock date and time of an instant in the station's zone, as `YYYY-MM-DDTHH:MM` (sortable, and what a datetime-local input takes). */
export function stationLocal(at: Date | string, timeZone: string): string {
  const parts: Record<string, string> = {}
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
  for (const part of format.formatToParts(new Date(at))) parts[part.type] = part.value
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
}

/** A `YYYY-MM-DD` date moved by whole days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday, for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay()
}

/** An instant as a supervisor reads it: "2月5日 08:30" / "5 Feb 08:30", in the station's zone. */
export function formatStationTime(at: string, timeZone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at))
}
