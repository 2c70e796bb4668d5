import {
  BROADCAST_CATEGORIES,
  type BroadcastCategory,
  type CategorySelection,
  categoryKeyword,
  categoryName,
} from './broadcast-categories.ts'
import { MENU, type MenuItem } from './commands.ts'
import { availableServices } from './forms/registry.ts'
import type { CaseStatus, Language } from './types.ts'

/** One open case as the status reply lists it; names already in the resident's language. */
export interface CaseStatusLine {
  number: string
  status: CaseStatus
  /** Still waiting for the resident to say where they live. */
  awaitingAddress: boolean
  /** An officer's name as residents read it ("李明警官", "Officer Li Ming"), or the duty desk's. */
  handler: { kind: 'officer' | 'desk'; name: string }
  /** When the case last changed, e.g. "今天 14:30". */
  lastUpdate: string
}

export interface SelfServiceTexts {
  menu(): string
  status(cases: CaseStatusLine[]): string
  subscriptions(optedOut: readonly BroadcastCategory[]): string
  unsubscribed(changed: CategorySelection, optedOut: readonly BroadcastCategory[]): string
  subscribed(changed: CategorySelection, optedOut: readonly BroadcastCategory[]): string
  unknownCategory(words: string): string
  askWithdraw(caseNumber: string): string
  withdrawn(caseNumber: string): string
  kept(caseNumber: string): string
  nothingToWithdraw(): string
  alreadyClosed(caseNumber: string): string
  rated(caseNumber: string, score: number): string
  alreadyRated(caseNumber: string): string
  badRating(): string
  badChoice(): string
}

/** The numbered menu: the commands, then the services that can be requested by chat. */
const MENU_SIZE = () => MENU.length + availableServices().length

const subscribedTo = (optedOut: readonly BroadcastCategory[]) =>
  BROADCAST_CATEGORIES.filter((c) => !optedOut.includes(c))

const MENU_ZH: Record<MenuItem, string> = {
  status: '查询案件进度（“进度”）',
  subscriptions: '查看您接收的安全提醒（“我的订阅”）',
  unsubscribe: '退订安全提醒（“退订”，或如“退订 天气”只退订一类）',
  subscribe: '恢复接收安全提醒（“订阅”）',
  withdraw: '撤回正在办理的诉求（“取消”）',
}

const STATUS_ZH: Record<CaseStatus, string> = {
  new: '已收到，正在安排民警',
  assigned: '已转给民警，等待处理',
  in_progress: '民警正在处理',
  awaiting_resident: '等待您补充信息',
  resolved: '已办结',
  closed: '已关闭',
}

const namesZh = (categories: readonly BroadcastCategory[]) =>
  categories.map((c) => categoryName(c, 'zh')).join('、')

function summaryZh(optedOut: readonly BroadcastCategory[]): string {
  const on = subscribedTo(optedOut)
  if (on.length === 0) return '您已退订全部安全提醒。回复“订阅”可重新接收，或如“订阅 反诈”只接收一类。'
  if (optedOut.length === 0)
    return `您正在接收全部安全提醒：${namesZh(on)}。回复“退订”可全部退订，或如“退订 天气”只退订一类。`
  return `您正在接收：${namesZh(on)}；已退订：${namesZh(optedOut)}。回复如“订阅 ${categoryKeyword(optedOut[0] as BroadcastCategory, 'zh')}”可恢复。`
}

const zh: SelfServiceTexts = {
  menu: () =>
    [
      '您好！在这里直接发消息就能联系社区民警，也可以回复数字或关键词：',
      ...MENU.map((item, i) => `${i + 1} ${MENU_ZH[item]}`),
      ...availableServices().map((s, i) => `${MENU.length + i + 1} ${s.menu.zh}`),
      '紧急情况请立即拨打110。',
    ].join('\n'),
  status(cases) {
    if (cases.length === 0) return '您目前没有正在办理的案件。有事请直接发消息给我们，紧急情况请拨打110。'
    const lines = cases.map((c) => {
      const state = c.awaitingAddress ? '等待您告知住址' : STATUS_ZH[c.status]
      const who = c.handler.kind === 'officer' ? `负责民警：${c.handler.name}` : `由${c.handler.name}处理`
      return `案件 ${c.number}：${state}，${who}，最近更新 ${c.lastUpdate}。`
    })
    return [`您有${cases.length}件正在办理的案件：`, ...lines, '如需撤回，请回复“取消”。'].join('\n')
  },
  subscriptions: (optedOut) => summaryZh(optedOut),
  unsubscribed: (changed, optedOut) =>
    `已退订${changed === 'all' ? '全部安全提醒' : namesZh(changed)}，与您案件有关的消息不受影响。${summaryZh(optedOut)}`,
  subscribed: (changed, optedOut) =>
    `已恢复接收${changed === 'all' ? '全部安全提醒' : namesZh(changed)}。${summaryZh(optedOut)}`,
  unknownCategory: (words) =>
    `没有“${words}”这一类提醒。可选的类别：${BROADCAST_CATEGORIES.map((c) => categoryKeyword(c, 'zh')).join('、')}，例如“退订 天气”。`,
  askWithdraw: (n) =>
    `确定要撤回案件 ${n} 吗？撤回后民警将不再处理。回复“确认”撤回；回复其他内容，案件将继续办理。`,
  withdrawn: (n) =>
    `案件 ${n} 已撤回，民警会看到您撤回的说明。如有需要，随时给我们发消息；紧急情况请拨打110。`,
  kept: (n) => `好的，案件 ${n} 继续办理。`,
  nothingToWithdraw: () => '您目前没有正在办理的诉求，无需撤回。有事请直接发消息给我们。',
  alreadyClosed: (n) => `案件 ${n} 已办结或已关闭，无需撤回。`,
  rated: (n, score) =>
    `感谢您为案件 ${n} 评分：${score}分。您的评价会帮助我们改进工作。${score <= 2 ? '如有不满意的地方，可以直接发消息告诉我们。' : ''}`,
  alreadyRated: (n) => `案件 ${n} 已经评过分了，谢谢您！`,
  badRating: () => '请回复 1 到 5 之间的数字为本次服务评分（5 分为非常满意）。',
  badChoice: () => `请回复菜单中的数字 1 到 ${MENU_SIZE()}，或直接发消息给民警。`,
}

const MENU_EN: Record<MenuItem, string> = {
  status: 'Where your case stands ("status")',
  subscriptions: 'Which safety notices you receive ("subscriptions")',
  unsubscribe: 'Stop safety notices ("unsubscribe", or e.g. "unsubscribe weather" for one kind)',
  subscribe: 'Receive safety notices again ("subscribe")',
  withdraw: 'Withdraw your open request ("cancel")',
}

const STATUS_EN: Record<CaseStatus, string> = {
  new: 'received, an officer is being found',
  assigned: 'passed to an officer, waiting to be taken up',
  in_progress: 'an officer is working on it',
  awaiting_resident: 'waiting for more information from you',
  resolved: 'resolved',
  closed: 'closed',
}

const namesEn = (categories: readonly BroadcastCategory[]) =>
  categories.map((c) => categoryName(c, 'en')).join(', ')

function summaryEn(optedOut: readonly BroadcastCategory[]): string {
  const on = subscribedTo(optedOut)
  if (on.length === 0)
    return 'You receive no safety notices. Reply "subscribe" to get them all again, or e.g. "subscribe fraud" for one kind.'
  if (optedOut.length === 0)
    return `You receive all safety notices: ${namesEn(on)}. Reply "unsubscribe" to stop them all, or e.g. "unsubscribe weather" for one kind.`
  return `You receive: ${namesEn(on)}. Stopped: ${namesEn(optedOut)}. Reply e.g. "subscribe ${categoryKeyword(optedOut[0] as BroadcastCategory, 'en')}" to get one back.`
}

const en: SelfServiceTexts = {
  menu: () =>
    [
      'Hello! Write here to reach your community officer, or reply with a number or a word:',
      ...MENU.map((item, i) => `${i + 1} ${MENU_EN[item]}`),
      ...availableServices().map((s, i) => `${MENU.length + i + 1} ${s.menu.en}`),
      'In an emergency, call 110 now.',
    ].join('\n'),
  status(cases) {
    if (cases.length === 0)
      return 'You have no open cases. To reach your officer, just write here; in an emergency, call 110.'
    const lines = cases.map((c) => {
      const state = c.awaitingAddress ? 'waiting for your address' : STATUS_EN[c.status]
      const who =
        c.handler.kind === 'officer' ? `Your officer: ${c.handler.name}` : `Handled by the ${c.handler.name}`
      return `Case ${c.number}: ${state}. ${who}. Last update ${c.lastUpdate}.`
    })
    const heading = cases.length === 1 ? 'You have 1 open case:' : `You have ${cases.length} open cases:`
    return [heading, ...lines, 'To withdraw a request, reply "cancel".'].join('\n')
  },
  subscriptions: (optedOut) => summaryEn(optedOut),
  unsubscribed: (changed, optedOut) =>
    `Stopped ${changed === 'all' ? 'all safety notices' : namesEn(changed)}; messages about your own cases still reach you. ${summaryEn(optedOut)}`,
  subscribed: (changed, optedOut) =>
    `You will receive ${changed === 'all' ? 'all safety notices' : namesEn(changed)} again. ${summaryEn(optedOut)}`,
  unknownCategory: (words) =>
    `There is no kind of notice called "${words}". The kinds are: ${BROADCAST_CATEGORIES.map((c) => categoryKeyword(c, 'en')).join(', ')}; e.g. "unsubscribe weather".`,
  askWithdraw: (n) =>
    `Withdraw case ${n}? Your officer will stop working on it. Reply "yes" to withdraw; anything else keeps it open.`,
  withdrawn: (n) =>
    `Case ${n} has been withdrawn; your officer will see that you withdrew it. Write here any time you need us again; in an emergency, call 110.`,
  kept: (n) => `All right, case ${n} stays open.`,
  nothingToWithdraw: () => 'You have no open request to withdraw. To reach your officer, just write here.',
  alreadyClosed: (n) => `Case ${n} is already resolved or closed; there is nothing to withdraw.`,
  rated: (n, score) =>
    `Thank you for rating case ${n}: ${score} out of 5. It helps us do better.${score <= 2 ? ' If something went wrong, tell us here.' : ''}`,
  alreadyRated: (n) => `Case ${n} has already been rated. Thank you!`,
  badRating: () => 'Please reply with a number from 1 to 5 to rate the help you got (5 is best).',
  badChoice: () =>
    `Please reply with a number from 1 to ${MENU_SIZE()} from the menu, or just write to your officer.`,
}

/** Self-service texts sent to residents, in their language. */
export function selfServiceReplies(language: Language): SelfServiceTexts {
  return language === 'en' ? en : zh
}
