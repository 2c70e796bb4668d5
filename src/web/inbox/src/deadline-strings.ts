import type { Lang } from './types.ts'

/** The morning digest as the inbox shows it when it arrives on the live stream. */
export function digestText(lang: Lang, d: { open: number; dueToday: number; overdue: number }): string {
  return lang === 'en'
    ? `Today: ${d.open} open, ${d.dueToday} due today, ${d.overdue} overdue.`
    : `今日概览：在办 ${d.open} 件，今日到期 ${d.dueToday} 件，已超时 ${d.overdue} 件。`
}
