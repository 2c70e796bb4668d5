import type { Language } from '../types.ts'
import type { PermitAnswers } from './permit-form.ts'

/** Who receives the resident at the office, as they read it: "李明警官" and the beat. */
export interface PermitHandler {
  name: string
  beatName?: string
}

/** What a resident is told about their residence-permit appointment. */
export interface PermitResidentTexts {
  /** The booking, with what to bring. */
  booked(input: { caseNumber: string; when: string; handler: PermitHandler }): string
  /** The day before. */
  reminder(when: string): string
  moved(when: string): string
  sameSlot(when: string): string
  cancelled(when: string): string
  /** The keyword again while an appointment is booked. */
  alreadyBooked(when: string): string
  /** A change asked for when there is no appointment to change (any more). */
  notBooked(): string
  /** The slot filled up between the choice and the booking; the question follows. */
  slotTaken(when: string): string
  /** …and no form could be picked up again (the resident started something else). */
  slotTakenStartAgain(when: string): string
  attended(): string
  noShow(when: string): string
}

const BRING_ZH = [
  '请带好：',
  '1. 本人居民身份证原件及复印件',
  '2. 居住证明：租房的带房屋租赁合同和房东房产证复印件，自有住房带房产证，住单位宿舍的带单位证明',
  '3. 近期一寸白底免冠证件照2张（也可在现场拍照）',
  '4. 如有：劳动合同、营业执照或学生证等就业、就读证明',
].join('\n')

const BRING_EN = [
  'Please bring:',
  '1. Your ID card (the original and a copy)',
  '2. Proof of address: if you rent, the lease and a copy of the landlord’s property certificate; if you own, the property certificate; in staff housing, a letter from your employer',
  '3. Two recent passport-size photos on a white background (or have one taken at the office)',
  '4. If you have them: an employment contract, business licence or student card',
].join('\n')

const zh: PermitResidentTexts = {
  booked: ({ caseNumber, when, handler }) =>
    [
      `居住证办理预约成功（编号 ${caseNumber}）：${when}，请到社区警务室办理，接待民警：${handler.name}${handler.beatName ? `（${handler.beatName}）` : ''}。`,
      BRING_ZH,
      '前一天会再提醒您。要改时间请回复“改约”，不来了请回复“取消预约”。',
    ].join('\n'),
  reminder: (when) =>
    [
      `提醒：您预约了明天 ${when} 到社区警务室办理居住证。`,
      BRING_ZH,
      '要改时间请回复“改约”，不来了请回复“取消预约”。',
    ].join('\n'),
  moved: (when) => [`已改约：新的时间是 ${when}，请到社区警务室办理。`, BRING_ZH].join('\n'),
  sameSlot: (when) => `您选的就是现在预约的时段（${when}），预约不变。`,
  cancelled: (when) => `已取消您 ${when} 的居住证预约。需要时再发“居住证”重新预约。`,
  alreadyBooked: (when) =>
    `您已预约 ${when} 到社区警务室办理居住证。要改时间请回复“改约”，不来了请回复“取消预约”。`,
  notBooked: () => '您目前没有有效的居住证预约。需要时发“居住证”预约。',
  slotTaken: (when) => `抱歉，您选的时段（${when}）刚刚被约满了，预约没有成功。`,
  slotTakenStartAgain: (when) =>
    `抱歉，您选的时段（${when}）刚刚被约满了，预约没有成功。请再发“居住证”重新选择时段。`,
  attended: () => '感谢您前来办理居住证，材料已由社区民警接收。办理进度有变化会再告诉您。',
  noShow: (when) =>
    `您预约的 ${when} 没有到社区警务室办理居住证，本次预约已失效。需要时再发“居住证”重新预约。`,
}

const en: PermitResidentTexts = {
  booked: ({ caseNumber, when, handler }) =>
    [
      `Your residence permit appointment is booked (case ${caseNumber}): ${when} at the community police office, with ${handler.name}${handler.beatName ? ` (${handler.beatName})` : ''}.`,
      BRING_EN,
      'We will remind you the day before. To change the time, reply "move appointment"; if you cannot come, reply "cancel appointment".',
    ].join('\n'),
  reminder: (when) =>
    [
      `Reminder: tomorrow, ${when}, you have an appointment at the community police office for your residence permit.`,
      BRING_EN,
      'To change the time, reply "move appointment"; if you cannot come, reply "cancel appointment".',
    ].join('\n'),
  moved: (when) =>
    [`Your appointment has been moved to ${when} at the community police office.`, BRING_EN].join('\n'),
  sameSlot: (when) => `That is the time you are already booked for (${when}); nothing has changed.`,
  cancelled: (when) =>
    `Your residence permit appointment on ${when} has been cancelled. Write "residence permit" whenever you want to book again.`,
  alreadyBooked: (when) =>
    `You already have an appointment for your residence permit on ${when}. To change the time, reply "move appointment"; if you cannot come, reply "cancel appointment".`,
  notBooked: () => 'You have no residence permit appointment booked. Write "residence permit" to book one.',
  slotTaken: (when) =>
    `Sorry: the time you picked (${when}) has just been fully booked, so it could not be booked.`,
  slotTakenStartAgain: (when) =>
    `Sorry: the time you picked (${when}) has just been fully booked, so it could not be booked. Write "residence permit" to pick another time.`,
  attended: () =>
    'Thank you for coming in for your residence permit; your community officer has your documents. We will tell you if anything else is needed.',
  noShow: (when) =>
    `You did not come to your residence permit appointment on ${when}, so it has lapsed. Write "residence permit" whenever you want to book again.`,
}

export function permitResidentTexts(language: Language): PermitResidentTexts {
  return language === 'en' ? en : zh
}

/** The internal line officers read in the conversation: who, how to reach them, when. */
export function permitRequestNote(a: PermitAnswers, language: Language): string {
  return language === 'en'
    ? `Residence permit appointment: applicant ${a.name}, phone ${a.phone}, ${a.slot.label.en}.`
    : `居住证预约：申请人 ${a.name}，电话 ${a.phone}，时段 ${a.slot.label.zh}。`
}
