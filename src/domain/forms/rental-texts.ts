import type { Language } from '../types.ts'
import type { HomeWatchHandler } from './home-watch-texts.ts'

/**
 * What landlords and officers read about a rental registration. Document
 * numbers appear masked only, and never in officers' WeChat notices.
 */

export interface RentalLandlordTexts {
  submitted(input: { caseNumber: string; handler: HomeWatchHandler; flat: string; tenant: string }): string
  verified(input: { caseNumber: string; flat: string; tenant: string; askDays: number }): string
  /** `question`: the first question, when the form opened at once; else how to start the correction. */
  correction(input: { caseNumber: string; reason: string; items: string[]; question: string | null }): string
  corrected(caseNumber: string): string
  correctionGone(): string
  inspection(input: { caseNumber: string; flat: string; when: string }): string
  inspectionReminder(input: { flat: string; when: string }): string
  leaseAsk(input: { caseNumber: string; flat: string; tenant: string; leaseEnd: string }): string
  staysRecorded(input: { flat: string; until: string }): string
  movedOutRecorded(flat: string): string
  needsDate(): string
  notAfterLeaseEnd(leaseEnd: string): string
  renewalTooLong(years: number): string
  /** The answer came for a registration that had ended meanwhile. */
  alreadyEnded(caseNumber: string): string
  /** Other registrations still wait for an answer: the next one is asked. */
  nextPending(input: { caseNumber: string; flat: string; leaseEnd: string }): string
}

const zh: RentalLandlordTexts = {
  submitted: ({ caseNumber, handler, flat, tenant }) =>
    `已收到您的出租登记（${flat}，租客${tenant}），案件编号 ${caseNumber}。${handler.name}${handler.beatName ? `（${handler.beatName}）` : ''}会核验登记信息，核验结果会发给您。紧急情况请拨打110。`,
  verified: ({ caseNumber, flat, tenant, askDays }) =>
    `您的出租登记（${flat}，租客${tenant}，案件 ${caseNumber}）已核验通过。租约到期前${askDays}天我们会问您租客是否续租。`,
  correction: ({ caseNumber, reason, items, question }) =>
    [
      `您的出租登记（案件 ${caseNumber}）需要修改：${reason}`,
      `请修改：${items.join('、')}。`,
      question ?? '您正在填写另一项申请，填完后回复“修改登记”即可修改。',
    ].join('\n'),
  corrected: (caseNumber) => `已收到您修改后的出租登记（案件 ${caseNumber}），民警会再次核验。`,
  correctionGone: () => '这份出租登记已经不需要修改了。如有问题请直接给民警留言。',
  inspection: ({ caseNumber, flat, when }) =>
    `社区民警将于${when}到您的出租屋（${flat}）进行安全检查（案件 ${caseNumber}），请届时在家或安排人开门。前一天我们会再提醒您。`,
  inspectionReminder: ({ flat, when }) =>
    `提醒：社区民警将于${when}到您的出租屋（${flat}）进行安全检查，请届时在家或安排人开门。`,
  leaseAsk: ({ caseNumber, flat, tenant, leaseEnd }) =>
    `您登记的出租屋（${flat}）租客${tenant}的租约将于${leaseEnd}到期（案件 ${caseNumber}）。租客是续租还是搬走？请回复如“续租到2027年11月30日”或“已搬走”。`,
  staysRecorded: ({ flat, until }) => `已记录：${flat}的租客续租到${until}。到期前我们会再问您。`,
  movedOutRecorded: (flat) => `已记录：${flat}的租客已搬走。感谢您配合出租登记！`,
  needsDate: () => '好的。请告诉我们续租到哪天，如“续租到2027年11月30日”。',
  notAfterLeaseEnd: (leaseEnd) => `续租的日期要晚于原来的到期日（${leaseEnd}），请再看一下日期。`,
  renewalTooLong: (years) => `一次最多登记${years}年，请填写${years}年以内的日期。`,
  alreadyEnded: (caseNumber) => `出租登记 ${caseNumber} 已经结束，不需要再答复了。`,
  nextPending: ({ caseNumber, flat, leaseEnd }) =>
    `您还有一份出租登记待答复：${flat}（案件 ${caseNumber}），租约${leaseEnd}到期。租客是续租还是搬走？`,
}

const en: RentalLandlordTexts = {
  submitted: ({ caseNumber, handler, flat, tenant }) =>
    `We have your rental registration (${flat}, tenant ${tenant}): case ${caseNumber}. ${handler.name}${handler.beatName ? ` (${handler.beatName})` : ''} will check it and tell you the result. In an emergency, call 110.`,
  verified: ({ caseNumber, flat, tenant, askDays }) =>
    `Your rental registration (${flat}, tenant ${tenant}, case ${caseNumber}) has been verified. ${askDays} days before the lease ends we will ask you whether the tenant stays.`,
  correction: ({ caseNumber, reason, items, question }) =>
    [
      `Your rental registration (case ${caseNumber}) needs a correction: ${reason}`,
      `Please correct: ${items.join(', ')}.`,
      question ?? 'You are filling in another request; when it is done, reply "correct registration".',
    ].join('\n'),
  corrected: (caseNumber) =>
    `We have your corrected rental registration (case ${caseNumber}); your officer will check it again.`,
  correctionGone: () =>
    'This rental registration no longer needs a correction. Write to your officer if anything is wrong.',
  inspection: ({ caseNumber, flat, when }) =>
    `Your community officer will visit your rented flat (${flat}) for a safety inspection on ${when} (case ${caseNumber}). Please be there or arrange for someone to open the door; we will remind you the day before.`,
  inspectionReminder: ({ flat, when }) =>
    `Reminder: your community officer visits your rented flat (${flat}) for a safety inspection on ${when}. Please be there or arrange for someone to open the door.`,
  leaseAsk: ({ caseNumber, flat, tenant, leaseEnd }) =>
    `The lease of ${tenant} at your flat ${flat} ends on ${leaseEnd} (case ${caseNumber}). Does the tenant stay or move out? Reply e.g. "stays until 30 Nov 2027" or "moved out".`,
  staysRecorded: ({ flat, until }) =>
    `Recorded: the tenant of ${flat} stays until ${until}. We will ask you again before then.`,
  movedOutRecorded: (flat) => `Recorded: the tenant of ${flat} has moved out. Thank you for registering!`,
  needsDate: () => 'Thank you. Until which day does the tenant stay? Reply e.g. "stays until 30 Nov 2027".',
  notAfterLeaseEnd: (leaseEnd) =>
    `The new day must be after the day the lease was due to end (${leaseEnd}); please check it.`,
  renewalTooLong: (years) =>
    `Please register at most ${years} years at a time; give a day within ${years} years.`,
  alreadyEnded: (caseNumber) => `Rental registration ${caseNumber} has already ended; no answer is needed.`,
  nextPending: ({ caseNumber, flat, leaseEnd }) =>
    `Another rental registration waits for your answer: ${flat} (case ${caseNumber}), lease ending ${leaseEnd}. Does the tenant stay or move out?`,
}

export function rentalLandlordTexts(language: Language): RentalLandlordTexts {
  return language === 'en' ? en : zh
}

/** Notices to officers' own WeChat: case number and place only. */
export interface RentalOfficerTexts {
  corrected(input: { caseNumber: string; place: string | null }): string
  movedOut(input: { caseNumber: string; place: string | null }): string
  leaseLapsed(input: { caseNumber: string; place: string | null }): string
}

const at = (place: string | null, open: string, close: string) => (place ? `${open}${place}${close}` : '')

const officerZh: RentalOfficerTexts = {
  corrected: ({ caseNumber, place }) =>
    `出租登记 ${caseNumber}${at(place, '（', '）')}：房东已按要求修改，请在工作台再次核验。`,
  movedOut: ({ caseNumber, place }) =>
    `出租登记 ${caseNumber}${at(place, '（', '）')}：房东告知租客已搬走，请更新流动人口信息。`,
  leaseLapsed: ({ caseNumber, place }) =>
    `出租登记 ${caseNumber}${at(place, '（', '）')}：租约已到期，房东没有答复租客是否续租，请核实。`,
}

const officerEn: RentalOfficerTexts = {
  corrected: ({ caseNumber, place }) =>
    `Rental registration ${caseNumber}${at(place, ' (', ')')}: the landlord sent the correction; please check it again in the inbox.`,
  movedOut: ({ caseNumber, place }) =>
    `Rental registration ${caseNumber}${at(place, ' (', ')')}: the landlord says the tenant has moved out; please update the resident records.`,
  leaseLapsed: ({ caseNumber, place }) =>
    `Rental registration ${caseNumber}${at(place, ' (', ')')}: the lease has ended and the landlord did not say whether the tenant stays; please check.`,
}

export function rentalOfficerTexts(language: Language): RentalOfficerTexts {
  return language === 'en' ? officerEn : officerZh
}

/** The registration as officers read it in the conversation (an internal line): the document masked. */
export interface RentalNoteInput {
  flat: string
  tenantName: string
  phone: string
  moveIn: string
  leaseEnd: string
  document: { kind: 'mainland' | 'passport'; masked: string }
  nationality: string | null
}

export function rentalRequestNote(a: RentalNoteInput, language: Language, corrected = false): string {
  const doc = a.document
  if (language === 'en') {
    const id =
      doc.kind === 'passport' ? `passport ${doc.masked} (${a.nationality ?? ''})` : `ID ${doc.masked}`
    return `${corrected ? 'Corrected rental registration' : 'Rental registration'}: ${[
      `Flat: ${a.flat}`,
      `Tenant: ${a.tenantName}, ${id}, phone ${a.phone}`,
      `Moved in ${a.moveIn}, lease ends ${a.leaseEnd}`,
    ].join('; ')}`
  }
  const id = doc.kind === 'passport' ? `护照 ${doc.masked}（${a.nationality ?? ''}）` : `身份证 ${doc.masked}`
  return `${corrected ? '出租登记（已修改）' : '出租登记'}：${[
    `出租屋：${a.flat}`,
    `租客：${a.tenantName}，${id}，电话 ${a.phone}`,
    `入住：${a.moveIn}，租约到期：${a.leaseEnd}`,
  ].join('；')}`
}

/** Internal lines of what happened to the tenancy. */
export function tenancyLine(
  input: { kind: 'stays'; until: string } | { kind: 'moved-out' } | { kind: 'lapsed' },
  by: 'landlord' | 'officer' | 'system',
  language: Language,
): string {
  const who =
    language === 'en'
      ? { landlord: 'The landlord says', officer: 'Recorded by the officer:', system: '' }[by]
      : { landlord: '房东答复：', officer: '民警记录：', system: '' }[by]
  if (language === 'en') {
    const what =
      input.kind === 'stays'
        ? `the tenant stays until ${input.until}`
        : input.kind === 'moved-out'
          ? 'the tenant has moved out'
          : 'The lease has ended without an answer from the landlord; the registration has ended'
    return by === 'system' ? what : `${who} ${what}`
  }
  const what =
    input.kind === 'stays'
      ? `租客续租到${input.until}`
      : input.kind === 'moved-out'
        ? '租客已搬走'
        : '租约已到期，房东没有答复，出租登记已结束'
  return `${who}${what}`
}
