import type { Lang } from './types.ts'

/** Texts of residence-permit appointments in the inbox: a case's section and the day's list. */
const zh = {
  title: '居住证预约',
  nav: '居住证预约',
  dayTitle: '居住证预约 · 当日名单',
  backToInbox: '返回收件箱',
  date: '日期',
  today: '今天',
  previous: '前一天',
  next: '后一天',
  zoneNote: '时间为派出所所在时区（{zone}）。',
  noSlots: '这一天没有预约时段。',
  places: '已约 {taken}/{capacity}',
  closed: '已取消的时段',
  empty: '（无您可见的预约）',
  applicant: '申请人',
  phone: '电话',
  slot: '时段',
  case: '案件',
  assignee: '经办',
  moves: '改约 {n} 次',
  markedBy: '{name} {time} 标记',
  'state.booked': '待办理',
  'state.attended': '已到场',
  'state.no_show': '未到场',
  'state.cancelled': '已取消',
  attended: '已到场',
  noShow: '未到场',
  marking: '正在标记…',
  loading: '正在加载居住证预约…',
  errLoad: '居住证预约加载失败：{message}',
}

export type PermitKey = keyof typeof zh

const en: Record<PermitKey, string> = {
  title: 'Residence permit appointment',
  nav: 'Permit appointments',
  dayTitle: "Residence permit appointments · the day's list",
  backToInbox: 'Back to the inbox',
  date: 'Day',
  today: 'Today',
  previous: 'Previous day',
  next: 'Next day',
  zoneNote: "Times are the station's ({zone}).",
  noSlots: 'No appointment slots on this day.',
  places: '{taken}/{capacity} booked',
  closed: 'removed slot',
  empty: '(no appointments you may see)',
  applicant: 'Applicant',
  phone: 'Phone',
  slot: 'Time',
  case: 'Case',
  assignee: 'Handled by',
  moves: 'moved {n}×',
  markedBy: 'marked by {name} at {time}',
  'state.booked': 'booked',
  'state.attended': 'came',
  'state.no_show': 'did not come',
  'state.cancelled': 'cancelled',
  attended: 'Came',
  noShow: 'Did not come',
  marking: 'Marking…',
  loading: 'Loading the appointment…',
  errLoad: 'Could not load the appointments: {message}',
}

const DICTIONARIES: Record<Lang, Record<PermitKey, string>> = { zh, en }

export function permitText(lang: Lang, key: PermitKey, vars?: Record<string, string | number>): string {
  const template = DICTIONARIES[lang][key]
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name]
    return value === undefined ? whole : String(value)
  })
}

/** "09:00–09:30" in the station's zone. */
export function slotTimes(startsAt: string, endsAt: string, timeZone: string): string {
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
  return `${clock.format(new Date(startsAt))}–${clock.format(new Date(endsAt))}`
}

/** "11月26日 周四" / "Thu 26 Nov" in the station's zone. */
export function slotDay(at: string, timeZone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
  }).format(new Date(at))
}
