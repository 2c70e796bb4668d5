import type { Language } from '../types.ts'
import type { HomeWatchAnswers } from './home-watch-form.ts'

/** Who looks after the home, as the resident reads it: "李明警官（长寿桥社区）" or the duty desk. */
export interface HomeWatchHandler {
  name: string
  beatName?: string
}

export type CheckResult = 'secure' | 'attention'

export interface HomeWatchResidentTexts {
  submitted(input: { caseNumber: string; handler: HomeWatchHandler; from: string; to: string }): string
  /** After a check: "李明警官 14:05 查看了您的住所：一切正常". */
  checked(input: { officer: string; time: string; result: CheckResult; note: string | null }): string
  finished(input: {
    caseNumber: string
    from: string
    to: string
    checks: number
    attention: number
    early: boolean
  }): string
  extended(until: string): string
  notAfterCurrentEnd(currentBack: string): string
  tooLong(maxDays: number): string
  alreadyOver(): string
}

const zh: HomeWatchResidentTexts = {
  submitted: ({ caseNumber, handler, from, to }) =>
    `已收到您的长假照看申请，案件编号 ${caseNumber}。${handler.name}${handler.beatName ? `（${handler.beatName}）` : ''}将在${from}至${to}期间每天上门查看您的住所，每次查看后都会告诉您结果。需要延长请回复如“延长到3月1日”，提前回来请回复“提前结束”。紧急情况请拨打110。`,
  checked: ({ officer, time, result, note }) =>
    result === 'secure'
      ? `${officer} ${time} 查看了您的住所：一切正常。${note ? `备注：${note}` : ''}`
      : `${officer} ${time} 查看了您的住所，发现需要注意的情况：${note ?? ''}。民警会与您联系，紧急情况请拨打110。`,
  finished: ({ caseNumber, from, to, checks, attention, early }) =>
    `长假照看${early ? '已提前结束' : '已结束'}（${from}至${to}）：民警共上门查看${checks}次${
      attention > 0 ? `，其中${attention}次发现需要注意的情况` : '，一切正常'
    }。欢迎回家！案件 ${caseNumber} 已办结，如有问题直接回复本消息即可。`,
  extended: (until) => `好的，长假照看已延长到${until}，民警会继续每天上门查看。`,
  notAfterCurrentEnd: (currentBack) => `延长的日期要晚于原定回来的日期（${currentBack}），请再看一下日期。`,
  tooLong: (maxDays) => `长假照看最长${maxDays}天；时间更长请直接联系社区民警。`,
  alreadyOver: () => '您的长假照看已经结束了。需要时请再发“长假照看”申请。',
}

const en: HomeWatchResidentTexts = {
  submitted: ({ caseNumber, handler, from, to }) =>
    `We have your holiday home watch request: case ${caseNumber}. ${handler.name}${handler.beatName ? ` (${handler.beatName})` : ''} will check your home every day from ${from} to ${to} and tell you each time. To extend it, reply e.g. "extend to March 1"; if you are back early, reply "end home watch". In an emergency, call 110.`,
  checked: ({ officer, time, result, note }) =>
    result === 'secure'
      ? `${officer} checked your home at ${time}: all secure.${note ? ` Note: ${note}` : ''}`
      : `${officer} checked your home at ${time} and found something that needs attention: ${note ?? ''}. The officer will contact you; in an emergency, call 110.`,
  finished: ({ caseNumber, from, to, checks, attention, early }) =>
    `Your holiday home watch (${from} to ${to}) has ${early ? 'been ended early' : 'ended'}: your officer checked your home ${checks} time${checks === 1 ? '' : 's'}${
      attention > 0
        ? `, and found something that needed attention ${attention} time${attention === 1 ? '' : 's'}`
        : ', and all was secure'
    }. Welcome home! Case ${caseNumber} is resolved; just reply to this message if anything is wrong.`,
  extended: (until) => `Done: your home watch now runs until ${until}, with a check every day.`,
  notAfterCurrentEnd: (currentBack) =>
    `The new date must be after the day you were due back (${currentBack}); please check it.`,
  tooLong: (maxDays) =>
    `A home watch lasts at most ${maxDays} days; for longer, please talk to your community officer.`,
  alreadyOver: () => 'Your home watch has already ended. Write "holiday home watch" to ask for a new one.',
}

export function homeWatchResidentTexts(language: Language): HomeWatchResidentTexts {
  return language === 'en' ? en : zh
}

/** Notices to officers' own WeChat: case number and place only, never the resident or their words. */
export interface HomeWatchOfficerTexts {
  reminder(input: { caseNumber: string; place: string | null; dueBy: string }): string
  missed(input: { caseNumber: string; day: string }): string
  missedForBackup(input: { caseNumber: string; day: string; officer: string }): string
}

const officerZh: HomeWatchOfficerTexts = {
  reminder: ({ caseNumber, place, dueBy }) =>
    `长假照看 ${caseNumber}${place ? `（${place}）` : ''}：请在今天${dueBy}前上门查看，并在工作台记录。`,
  missed: ({ caseNumber, day }) => `长假照看 ${caseNumber}：${day}的上门查看没有记录，已升级，请尽快处理。`,
  missedForBackup: ({ caseNumber, day, officer }) =>
    `长假照看 ${caseNumber}：${officer}${day}的上门查看没有记录，请协助跟进。`,
}

const officerEn: HomeWatchOfficerTexts = {
  reminder: ({ caseNumber, place, dueBy }) =>
    `Home watch ${caseNumber}${place ? ` (${place})` : ''}: please check the home before ${dueBy} today and record it in the inbox.`,
  missed: ({ caseNumber, day }) =>
    `Home watch ${caseNumber}: no check was recorded for ${day}; it has been escalated.`,
  missedForBackup: ({ caseNumber, day, officer }) =>
    `Home watch ${caseNumber}: ${officer} recorded no check for ${day}; please follow it up.`,
}

export function homeWatchOfficerTexts(language: Language): HomeWatchOfficerTexts {
  return language === 'en' ? officerEn : officerZh
}

/**
 * The request as officers read it in the conversation (an internal line,
 * never sent): everything the resident gave, in the station's language.
 */
export function homeWatchRequestNote(a: HomeWatchAnswers, language: Language): string {
  if (language === 'en') {
    return `Holiday home watch request: ${[
      `Address: ${a.address}`,
      `Away ${a.awayFrom}, back ${a.backOn}`,
      `Emergency contact: ${a.contactName}, ${a.contactPhone}`,
      `Key holder or camera: ${a.keyHolderOrCamera ? 'yes' : 'no'}`,
      `Notes: ${a.notes ?? '(none)'}`,
    ].join('; ')}`
  }
  return `长假照看申请：${[
    `住址：${a.address}`,
    `出发：${a.awayFrom}，回来：${a.backOn}`,
    `紧急联系人：${a.contactName}，${a.contactPhone}`,
    `钥匙托管人或摄像头：${a.keyHolderOrCamera ? '有' : '没有'}`,
    `备注：${a.notes ?? '无'}`,
  ].join('；')}`
}
