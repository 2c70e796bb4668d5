import type { Language } from '../types.ts'
import type { NextStep } from './mediation.ts'
import type { MediationAnswers } from './mediation-form.ts'

/**
 * What parties to a mediation read, in their language. `handler` and
 * `mediator` are already worded for them ("李明警官（长寿桥社区）",
 * "调解员蒋文斌", "the mediation team of …"); `mediator` is null while nobody
 * is named.
 */
export interface MediationResidentTexts {
  /** To the resident who asked by chat, with the case number. */
  submitted(input: { caseNumber: string; handler: string }): string
  /** To the resident whose dispute case an officer turned into a mediation. */
  opened(input: { caseNumber: string; mediator: string | null }): string
  scheduled(input: { caseNumber: string; when: string; place: string }): string
  reminder(input: { caseNumber: string; when: string; place: string; soon: 'day' | 'hour' }): string
  sessionCancelled(input: { caseNumber: string; when: string; reason: string | null }): string
  settled(input: { caseNumber: string; terms: string; followUpDays: number }): string
  notSettled(input: { caseNumber: string; nextStep: NextStep }): string
}

const NEXT_ZH: Record<NextStep, string> = {
  committee: '已移交人民调解委员会继续调解，他们会与您联系。',
  court: '如需继续解决，可以依法向人民法院起诉；需要了解怎么做，直接回复本消息即可。',
  police: '此事已转交派出所依法处理，民警会与您联系。',
}

const NEXT_EN: Record<NextStep, string> = {
  committee: 'It has been passed to the people’s mediation committee, who will contact you.',
  court:
    'If you wish to take it further, you may bring it before the people’s court; reply to this message if you would like to know how.',
  police: 'The police station will now deal with it under the law; an officer will contact you.',
}

const zh: MediationResidentTexts = {
  submitted: ({ caseNumber, handler }) =>
    `已收到您的调解申请，案件编号 ${caseNumber}。${handler}会尽快与您和对方联系，约定调解时间；调解会前一天和开始前一小时都会提醒您。紧急情况请拨打110。`,
  opened: ({ caseNumber, mediator }) =>
    `您反映的纠纷（案件 ${caseNumber}）已转入调解${mediator ? `，由${mediator}主持` : ''}。约定调解时间后我们会通知您，并在调解会前一天和开始前一小时提醒您。`,
  scheduled: ({ caseNumber, when, place }) =>
    `调解会已安排（案件 ${caseNumber}）：${when}，地点：${place}。请准时参加；如不能到场，请直接回复本消息。`,
  reminder: ({ caseNumber, when, place, soon }) =>
    soon === 'day'
      ? `提醒：调解会定于${when}在${place}举行（案件 ${caseNumber}），请准时参加。`
      : `提醒：调解会将于${when}在${place}开始（案件 ${caseNumber}），请准时到场。`,
  sessionCancelled: ({ caseNumber, when, reason }) =>
    `原定${when}的调解会已取消（案件 ${caseNumber}）。${reason ? `原因：${reason}。` : ''}新的时间确定后会再通知您。`,
  settled: ({ caseNumber, terms, followUpDays }) =>
    `调解成功（案件 ${caseNumber}）。双方达成的协议：${terms}。请各方按协议履行；约${followUpDays}天后调解员会回访。`,
  notSettled: ({ caseNumber, nextStep }) =>
    `本次调解未能达成协议（案件 ${caseNumber}）。${NEXT_ZH[nextStep]}`,
}

const en: MediationResidentTexts = {
  submitted: ({ caseNumber, handler }) =>
    `We have your request for mediation: case ${caseNumber}. ${handler} will contact you and the other side soon to agree a time. You will be reminded the day before the meeting and an hour before it. In an emergency, call 110.`,
  opened: ({ caseNumber, mediator }) =>
    `The dispute you told us about (case ${caseNumber}) is now in mediation${mediator ? `, led by ${mediator}` : ''}. We will tell you when the meeting is and remind you the day before and an hour before.`,
  scheduled: ({ caseNumber, when, place }) =>
    `Mediation meeting arranged (case ${caseNumber}): ${when}, at ${place}. Please be on time; if you cannot come, just reply to this message.`,
  reminder: ({ caseNumber, when, place, soon }) =>
    soon === 'day'
      ? `Reminder: the mediation meeting is ${when} at ${place} (case ${caseNumber}). Please be on time.`
      : `Reminder: the mediation meeting starts ${when} at ${place} (case ${caseNumber}). Please be on time.`,
  sessionCancelled: ({ caseNumber, when, reason }) =>
    `The mediation meeting of ${when} has been cancelled (case ${caseNumber}).${reason ? ` Reason: ${reason}.` : ''} We will tell you the new time once it is agreed.`,
  settled: ({ caseNumber, terms, followUpDays }) =>
    `Mediation succeeded (case ${caseNumber}). The agreement: ${terms}. Please keep to it; the mediator will visit again in about ${followUpDays} days.`,
  notSettled: ({ caseNumber, nextStep }) =>
    `No agreement was reached in mediation (case ${caseNumber}). ${NEXT_EN[nextStep]}`,
}

export function mediationResidentTexts(language: Language): MediationResidentTexts {
  return language === 'en' ? en : zh
}

/** Notices to officers' own WeChat: the case number and the time only, never a party or their words. */
export interface MediationOfficerTexts {
  sessionReminder(input: { caseNumber: string; when: string; soon: 'day' | 'hour' }): string
  followUpDue(input: { caseNumber: string; days: number }): string
  named(input: { caseNumber: string }): string
}

const officerZh: MediationOfficerTexts = {
  sessionReminder: ({ caseNumber, when, soon }) =>
    `调解会提醒 ${caseNumber}：${soon === 'day' ? '明天' : '一小时后'}（${when}）有调解会，请在收件箱查看当事人和地点。`,
  followUpDue: ({ caseNumber, days }) =>
    `调解回访 ${caseNumber}：调解协议已满${days}天，请回访当事人，并在收件箱记录回访结果。`,
  named: ({ caseNumber }) => `调解 ${caseNumber}：您被指定为调解员，请在收件箱查看。`,
}

const officerEn: MediationOfficerTexts = {
  sessionReminder: ({ caseNumber, when, soon }) =>
    `Mediation ${caseNumber}: a meeting ${soon === 'day' ? 'tomorrow' : 'in an hour'} (${when}); parties and place are in the inbox.`,
  followUpDue: ({ caseNumber, days }) =>
    `Mediation follow-up ${caseNumber}: the agreement is ${days} days old; please visit the parties and record what you find in the inbox.`,
  named: ({ caseNumber }) => `Mediation ${caseNumber}: you are its mediator; see the inbox.`,
}

export function mediationOfficerTexts(language: Language): MediationOfficerTexts {
  return language === 'en' ? officerEn : officerZh
}

/** The request as officers read it in the conversation (an internal line, never sent). */
export function mediationRequestNote(a: MediationAnswers, language: Language): string {
  if (language === 'en') {
    return `Mediation request: ${[
      `Other party: ${a.otherParty}${a.otherPartyPhone ? `, ${a.otherPartyPhone}` : ''}`,
      `About: ${a.subject}`,
      `Times that suit: ${a.preferredTimes ?? '(not said)'}`,
    ].join('; ')}`
  }
  return `矛盾纠纷调解申请：${[
    `对方：${a.otherParty}${a.otherPartyPhone ? `，${a.otherPartyPhone}` : ''}`,
    `事由：${a.subject}`,
    `方便时间：${a.preferredTimes ?? '未说明'}`,
  ].join('；')}`
}
