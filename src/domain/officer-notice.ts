import type { CaseCategory } from './types.ts'

/** Case categories as officers read them (the inbox uses the same words). */
export const CATEGORY_LABELS_ZH: Record<CaseCategory, string> = {
  emergency: '紧急警情',
  dispute: '纠纷调解',
  fraud: '诈骗',
  noise: '噪音扰民',
  lost_property: '失物招领',
  consultation: '咨询',
  home_watch: '长假照看',
  residence_permit: '居住证预约',
  rental_registration: '出租登记',
  mediation: '调解申请',
}

export interface OfficerNoticeInput {
  /** `new` for a case routed to the officer as it opened, `transferred` for one handed on to them. */
  kind: 'new' | 'transferred'
  caseNumber: string
  category: CaseCategory
  /** The compound, else the beat; null when the case has neither yet. */
  place: string | null
}

/**
 * The short WeChat notice an officer gets when a case lands in their queue.
 * It is read on a personal phone, often in public: it names the case and where,
 * never what the resident wrote or who they are.
 */
export function officerNoticeText(input: OfficerNoticeInput): string {
  const head = input.kind === 'new' ? '新案件' : '转交案件'
  const rest = [input.place, '请在收件箱查看'].filter(Boolean).join(' · ')
  // A full-width bracket carries its own space: no extra one before the first dot.
  return `${head} ${input.caseNumber}（${CATEGORY_LABELS_ZH[input.category]}）· ${rest}`
}
