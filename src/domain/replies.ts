import type { Language } from './types.ts'

/** Who will answer, as the resident should read it. */
export type Handler =
  | { kind: 'officer'; name: string; beatName?: string; backAt?: string }
  | {
      kind: 'desk'
      name: string /** The community officer, when off duty: who and when back. */
      officerBack?: { name: string; at: string }
    }

export interface AckInput {
  caseNumber: string
  handler: Handler
  /** A resident-friendly time by which to expect an answer, e.g. "今天 14:30". */
  expectBy: string
}

const zh = {
  ack({ caseNumber, handler, expectBy }: AckInput): string {
    const who =
      handler.kind === 'officer'
        ? `负责民警：${handler.name}${handler.beatName ? `（${handler.beatName}）` : ''}`
        : `由${handler.name}处理`
    const when =
      handler.kind === 'officer' && handler.backAt
        ? `${handler.name}目前不在岗，将于${handler.backAt}上岗后尽快回复您。`
        : `预计${expectBy}前回复您。`
    const back =
      handler.kind === 'desk' && handler.officerBack
        ? `您的社区民警${handler.officerBack.name}将于${handler.officerBack.at}上岗。`
        : ''
    return `您好，您的消息已收到，案件编号 ${caseNumber}。${who}。${when}${back}如遇紧急情况请直接拨打110。`
  },
  emergency: (caseNumber: string) =>
    `如遇危险或紧急情况，请立即拨打110！您的消息已作为紧急案件（${caseNumber}）转给值班室，值班民警会马上联系您。`,
  askAddress: (caseNumber: string, retry: boolean) =>
    retry
      ? `抱歉，没有找到这个地址。请告诉我们您所在的小区或村的名称，或街道和门牌号（例如“柳营巷12号”）。案件编号 ${caseNumber}。`
      : `您好，您的消息已收到，案件编号 ${caseNumber}。为了转给您的社区民警，请告诉我们您住在哪个小区或村（例如“长寿桥小区”或“柳营巷12号”）。紧急情况请直接拨打110。`,
  unreadable: () => '抱歉，暂时无法读取这种类型的消息，请用文字描述您的情况。紧急情况请直接拨打110。',
  empty: () => '您好，请用文字描述您需要帮助的事情。紧急情况请直接拨打110。',
  tooLong: (max: number) => `您的消息超过${max}字，已收到并转给民警；下次可以分几条发送。`,
}

const en: typeof zh = {
  ack({ caseNumber, handler, expectBy }) {
    const who =
      handler.kind === 'officer'
        ? `Your community officer is ${handler.name}${handler.beatName ? ` (${handler.beatName})` : ''}`
        : `It is being handled by the ${handler.name}`
    const when =
      handler.kind === 'officer' && handler.backAt
        ? `${handler.name} is off duty now and will answer after returning at ${handler.backAt}.`
        : `Expect an answer by ${expectBy}.`
    const back =
      handler.kind === 'desk' && handler.officerBack
        ? ` Your community officer, ${handler.officerBack.name}, is back on duty ${handler.officerBack.at}.`
        : ''
    return `Hello, we have received your message: case ${caseNumber}. ${who}. ${when}${back} In an emergency, call 110.`
  },
  emergency: (caseNumber) =>
    `If you are in danger, call 110 now! Your message has been passed to the duty desk as an emergency (case ${caseNumber}); an officer will contact you right away.`,
  askAddress: (caseNumber, retry) =>
    retry
      ? `Sorry, we could not find that address. Please tell us the name of your compound or village, or the street and number (e.g. "12 Liuying Lane"). Case ${caseNumber}.`
      : `Hello, we have received your message: case ${caseNumber}. To pass it to your community officer, please tell us which compound or village you live in (e.g. "Changshouqiao" or "12 Liuying Lane"). In an emergency, call 110.`,
  unreadable: () =>
    'Sorry, we cannot read this kind of message yet. Please describe your situation in text. In an emergency, call 110.',
  empty: () => 'Hello, please describe in text what you need help with. In an emergency, call 110.',
  tooLong: (max) =>
    `Your message is longer than ${max} characters. We received it and passed it on; next time you may send it in parts.`,
}

/** Texts sent to residents, in their language. */
export function replies(language: Language): typeof zh {
  return language === 'en' ? en : zh
}

/** Status updates sent to a resident when their case changes hands or state. */
export interface StatusUpdates {
  assigned(caseNumber: string, officer: string): string
  toDesk(caseNumber: string, desk: string): string
  inProgress(caseNumber: string, officer: string): string
  awaitingResident(caseNumber: string, officer: string): string
  resolved(caseNumber: string): string
  reopened(caseNumber: string, officer: string): string
}

const statusZh: StatusUpdates = {
  assigned: (n, officer) => `您的案件 ${n} 现由${officer}负责处理。`,
  toDesk: (n, desk) => `您的案件 ${n} 已转由${desk}处理。`,
  inProgress: (n, officer) => `${officer}正在处理您的案件 ${n}。`,
  awaitingResident: (n, officer) => `关于案件 ${n}，${officer}需要您补充一些信息，请直接回复本消息。`,
  resolved: (n) => `您的案件 ${n} 已办结，感谢您的配合。如仍有问题，直接回复本消息即可。`,
  reopened: (n, officer) => `您的案件 ${n} 已重新打开，${officer}会继续处理。`,
}

const statusEn: StatusUpdates = {
  assigned: (n, officer) => `${officer} is now handling case ${n}.`,
  toDesk: (n, desk) => `Case ${n} has been passed to the ${desk}.`,
  inProgress: (n, officer) => `${officer} is working on case ${n}.`,
  awaitingResident: (n, officer) =>
    `${officer} needs a little more information about case ${n}: please reply to this message.`,
  resolved: (n) =>
    `Case ${n} has been resolved. Thank you. If anything is still wrong, just reply to this message.`,
  reopened: (n, officer) => `Case ${n} has been reopened; ${officer} will continue with it.`,
}

export function statusUpdates(language: Language): StatusUpdates {
  return language === 'en' ? statusEn : statusZh
}
