import { CATEGORY_LABELS_ZH } from './officer-notice.ts'
import type { CaseCategory, Language } from './types.ts'

/** Texts to residents when their case waits too long or waits for them. */
export interface ResidentDeadlineTexts {
  /** The case went to someone else because nobody answered in time. */
  passedOn(caseNumber: string, handler: string): string
  /** The officer asked something and the resident has not answered. */
  nudge(caseNumber: string, resolveBy: string): string
  autoResolved(caseNumber: string): string
  /** The question whose 1–5 answer becomes the case's satisfaction score. */
  askRating(caseNumber: string): string
}

const residentZh: ResidentDeadlineTexts = {
  passedOn: (n, handler) =>
    `抱歉让您久等了。您的案件 ${n} 已转由${handler}处理，会尽快回复您。紧急情况请直接拨打110。`,
  nudge: (n, resolveBy) =>
    `关于案件 ${n}，民警还在等您的回复，请直接回复本消息。如果问题已经解决，可以不用回复，案件将于${resolveBy}自动办结。`,
  autoResolved: (n) => `案件 ${n} 较长时间没有收到您的回复，已先行办结。如仍需帮助，直接回复本消息即可。`,
  askRating: (n) =>
    `请为案件 ${n} 的办理打个分：直接回复数字 1 到 5（5 为非常满意，1 为很不满意）。感谢您的支持！`,
}

const residentEn: ResidentDeadlineTexts = {
  passedOn: (n, handler) =>
    `Sorry to keep you waiting. Case ${n} has been passed to ${handler}, who will answer you soon. In an emergency, call 110.`,
  nudge: (n, resolveBy) =>
    `About case ${n}: the officer is still waiting for your answer; just reply to this message. If the matter is settled, no need to reply: the case will be closed as resolved ${resolveBy}.`,
  autoResolved: (n) =>
    `We have not heard back from you about case ${n} for a while, so it is now marked resolved. If you still need help, just reply to this message.`,
  askRating: (n) =>
    `How did we do with case ${n}? Please reply with a number from 1 to 5 (5 = very satisfied, 1 = very dissatisfied). Thank you!`,
}

export function residentDeadlineTexts(language: Language): ResidentDeadlineTexts {
  return language === 'en' ? residentEn : residentZh
}

const CATEGORY_LABELS_EN: Record<CaseCategory, string> = {
  emergency: 'emergency',
  dispute: 'dispute',
  fraud: 'fraud',
  noise: 'noise',
  lost_property: 'lost property',
  consultation: 'enquiry',
  home_watch: 'home watch',
  residence_permit: 'residence permit appointment',
  rental_registration: 'rental registration',
  mediation: 'mediation request',
}

/** A case as an officer's notice names it: number and category, never the resident or their words. */
export interface NoticeCase {
  caseNumber: string
  category: CaseCategory
}

export interface DigestCounts {
  /** Local date of the digest, e.g. "11月25日" / "25 Nov". */
  date: string
  open: number
  dueToday: number
  overdue: number
  /** Numbers of the overdue cases, most overdue first (a few at most). */
  overdueNumbers: string[]
}

/**
 * Notices to officers' own WeChat. Read on a personal phone, often in public:
 * case numbers, categories and counts only.
 */
export interface OfficerDeadlineTexts {
  reminder(c: NoticeCase, dueBy: string): string
  /** To the officer whose deadline passed. */
  overdue(c: NoticeCase): string
  /** To the beat's backup, asked to step in. */
  escalated(c: NoticeCase, assignee: string): string
  /** To the officer a case was re-routed to. */
  rerouted(c: NoticeCase): string
  digest(d: DigestCounts): string
}

const officerZh: OfficerDeadlineTexts = {
  reminder: (c, dueBy) =>
    `即将超时 ${c.caseNumber}（${CATEGORY_LABELS_ZH[c.category]}）· 请在${dueBy}前首次回复 · 请在收件箱查看`,
  overdue: (c) =>
    `已超时 ${c.caseNumber}（${CATEGORY_LABELS_ZH[c.category]}）· 首次回复已超时，已报值班室 · 请尽快在收件箱回复`,
  escalated: (c, assignee) =>
    `超时升级 ${c.caseNumber}（${CATEGORY_LABELS_ZH[c.category]}）· ${assignee}未在时限内回复，请协助跟进 · 请在收件箱查看`,
  rerouted: (c) =>
    `超时转交 ${c.caseNumber}（${CATEGORY_LABELS_ZH[c.category]}）· 原负责民警未回复，现由您处理 · 请在收件箱查看`,
  digest: (d) => {
    // A full-width bracket carries its own space: no extra one before the dot after it.
    const overdue = d.overdueNumbers.length ? `（${d.overdueNumbers.join('、')}）· ` : ' · '
    return `今日概览 ${d.date} · 在办 ${d.open} 件 · 今日到期 ${d.dueToday} 件 · 已超时 ${d.overdue} 件${overdue}请在收件箱查看`
  },
}

const officerEn: OfficerDeadlineTexts = {
  reminder: (c, dueBy) =>
    `Due soon: ${c.caseNumber} (${CATEGORY_LABELS_EN[c.category]}) · first reply by ${dueBy} · see the inbox`,
  overdue: (c) =>
    `Overdue: ${c.caseNumber} (${CATEGORY_LABELS_EN[c.category]}) · the first reply is late and the duty desk was told · reply in the inbox`,
  escalated: (c, assignee) =>
    `Escalated: ${c.caseNumber} (${CATEGORY_LABELS_EN[c.category]}) · ${assignee} did not answer in time, please help · see the inbox`,
  rerouted: (c) =>
    `Passed to you: ${c.caseNumber} (${CATEGORY_LABELS_EN[c.category]}) · its officer did not answer in time · see the inbox`,
  digest: (d) => {
    const overdue = d.overdueNumbers.length ? ` (${d.overdueNumbers.join(', ')})` : ''
    return `Today ${d.date} · open ${d.open} · due today ${d.dueToday} · overdue ${d.overdue}${overdue} · see the inbox`
  },
}

export function officerDeadlineTexts(language: Language): OfficerDeadlineTexts {
  return language === 'en' ? officerEn : officerZh
}

/** A date as the digest heads it. */
export function digestDate(parts: { month: number; day: number }, language: Language): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  return language === 'en' ? `${parts.day} ${months[parts.month - 1]}` : `${parts.month}月${parts.day}日`
}

const UNITS: Array<[number, string, string]> = [
  [86_400_000, '天', 'day'],
  [3_600_000, '小时', 'hour'],
  [60_000, '分钟', 'minute'],
  [1000, '秒', 'second'],
]

/** A configured duration in words: "72小时" / "72 hours", "3天" / "3 days". */
export function durationWords(ms: number, language: Language): string {
  const [size, zh, en] = UNITS.find(([size]) => ms >= size && ms % size === 0) ?? UNITS[UNITS.length - 1]!
  const n = Math.max(1, Math.round(ms / size))
  return language === 'en' ? `${n} ${en}${n === 1 ? '' : 's'}` : `${n}${zh}`
}

/** The internal note written when after-care resolves a case by itself. */
export function autoResolveNote(waitedMs: number, language: Language): string {
  const waited = durationWords(waitedMs, language)
  return language === 'en'
    ? `Resolved automatically: the resident did not answer within ${waited}.`
    : `系统自动办结：居民${waited}内未回复。`
}
