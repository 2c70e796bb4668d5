import { lastOf } from './last-of.ts'
import type { CaseCategory, CasePriority } from './types.ts'

/** What the keyword rules made of a message. */
export interface Classification {
  readonly category: CaseCategory
  readonly priority: CasePriority
  /** True when the resident must be told to call 110 at once and the duty desk alerted. */
  readonly emergency: boolean
  /** The term that decided the category (absent for the consultation default). */
  readonly keyword?: string
}

type RuledCategory = Exclude<
  CaseCategory,
  'emergency' | 'consultation' | 'home_watch' | 'rental_registration' | 'mediation' | 'residence_permit'
>

/** A plain string matches as a substring; a RegExp is for word boundaries and phrasing. */
type Term = string | RegExp

interface WeightedTerm {
  term: Term
  /** 3 = decisive on its own, 2 = strong hint, 1 = only counts alongside others. */
  weight: number
}

/**
 * Phrases that contain an emergency word without being one. They are blanked
 * out before the emergency terms are looked for, so "跳楼价" (a fire-sale
 * price) or "fire extinguisher" do not send anyone to 110.
 */
const NOT_EMERGENCY: Term[] = [
  '跳楼价',
  '跳楼甩卖',
  '跳楼大甩卖',
  '救命恩人',
  '救命之恩',
  '火灾隐患',
  '防火灾',
  '没有着火',
  '没着火',
  '防抢劫',
  '打我电话',
  '打我手机',
  /\bfire (extinguishers?|safety|drills?|hazards?|exits?|doors?|stations?|inspections?|alarm tests?|escape)\b/g,
  /\b(no|not a|not on) fire\b/g,
]

/**
 * Any of these makes the message an emergency. Bare "help" is not here: it is
 * how polite requests start ("can you help me with my residence permit");
 * only the phrasing of someone in trouble counts.
 */
const EMERGENCY: Term[] = [
  '救命',
  '救救我',
  '着火',
  '失火',
  '起火',
  '火灾',
  '烧起来了',
  '有人打人',
  '打人',
  '在打我',
  '打我了',
  '要打我',
  '打起来了',
  '持刀',
  '拿刀',
  '动刀',
  '砍人',
  '捅人',
  '杀人',
  '抢劫',
  '被抢',
  '抢钱',
  '绑架',
  '劫持',
  '跳楼',
  '自杀',
  '轻生',
  '跳河',
  '家暴',
  '流了很多血',
  '晕倒',
  '昏迷',
  '快来人',
  '快报警',
  '有人闯进',
  '入室抢',
  '撬门',
  '走丢了',
  '走失',
  '孩子丢了',
  '孩子不见了',
  '爆炸',
  '煤气泄漏',
  '燃气泄漏',
  '有人跟踪我',
  '性侵',
  '强奸',
  /\bhelp( me| us)?( now| please| quick(ly)?)?\s*!/,
  /\bhelp,?\s+help\b/,
  /\bsos\b/,
  /\bhelp( me| us)?\b[^.?]*\b(hurry|quick(ly)?|emergency|dying|bleeding|attack(ed|ing)?|kill(ed|ing)?|right now)\b/,
  /\b(quick(ly)?|hurry|emergency)\b[^.?]*\bhelp( me| us)?\b/,
  /\bfire\b/,
  /\bon fire\b/,
  /\bsomething(?:'s| is) burning\b/,
  /\bsomeone (is |'s )?(hitting|beating|attacking|stabbing|chasing|following) me\b/,
  /\bsomeone is (hitting|beating|attacking|stabbing)\b/,
  /\bbeing (attacked|beaten|hit|robbed|stabbed|kidnapped|followed)\b/,
  /\b(robbery|robbed|mugged|mugging)\b/,
  /\b(knife|gun|stabbed|stabbing)\b/,
  /\bkidnap(ped|ping)?\b/,
  /\b(suicide|kill (myself|himself|herself)|jump(ing)? off)\b/,
  /\bdomestic violence\b/,
  /\b(breaking in|break-in|intruder)\b/,
  /\bmissing (child|kid|son|daughter|boy|girl)\b/,
  /\b(child|kid|son|daughter) is missing\b/,
  /\b(gas leak|explosion)\b/,
]

const RULES: Record<RuledCategory, WeightedTerm[]> = {
  fraud: [
    { term: '诈骗', weight: 3 },
    { term: '骗子', weight: 3 },
    { term: '被骗', weight: 3 },
    { term: '骗了', weight: 3 },
    { term: '骗钱', weight: 3 },
    { term: '刷单', weight: 3 },
    { term: '冒充公检法', weight: 3 },
    { term: '公检法', weight: 3 },
    { term: '安全账户', weight: 3 },
    { term: '杀猪盘', weight: 3 },
    { term: '冒充客服', weight: 3 },
    { term: '假客服', weight: 3 },
    { term: '屏幕共享', weight: 3 },
    { term: '中奖', weight: 3 },
    { term: '洗钱', weight: 2 },
    { term: '网贷', weight: 2 },
    { term: '验证码', weight: 2 },
    { term: '转账', weight: 2 },
    { term: '汇款', weight: 2 },
    { term: '退款', weight: 1 },
    { term: '投资理财', weight: 1 },
    { term: /\b(scam|scams|scammed|scammer|scammers|fraud|fraudulent|phishing)\b/, weight: 3 },
    { term: /\b(fake police|safe account|won a prize|lottery)\b/, weight: 3 },
    {
      term: /\b(verification code|transfer(red)? money|wire transfer|money laundering|gift cards?)\b/,
      weight: 2,
    },
    { term: /\brefund\b/, weight: 1 },
  ],
  lost_property: [
    { term: '丢失', weight: 3 },
    { term: '遗失', weight: 3 },
    { term: '捡到', weight: 3 },
    { term: '拾到', weight: 3 },
    { term: '失物', weight: 3 },
    { term: '手机丢', weight: 3 },
    { term: '身份证丢', weight: 3 },
    { term: '丢了', weight: 2 },
    { term: '钱包', weight: 2 },
    { term: '落在', weight: 1 },
    { term: '找不到', weight: 1 },
    { term: '掉了', weight: 1 },
    { term: /\b(found an?|lost and found|lost property)\b/, weight: 3 },
    { term: /\b(lost|wallet|left my|can'?t find my)\b/, weight: 2 },
    { term: /\b(purse|missing)\b/, weight: 1 },
  ],
  dispute: [
    { term: '纠纷', weight: 3 },
    { term: '吵架', weight: 3 },
    { term: '争吵', weight: 3 },
    { term: '矛盾', weight: 3 },
    { term: '调解', weight: 3 },
    { term: '打架', weight: 3 },
    { term: '欠钱', weight: 2 },
    { term: '漏水', weight: 2 },
    { term: '押金', weight: 2 },
    { term: '邻居', weight: 1 },
    { term: '物业', weight: 1 },
    { term: '赔偿', weight: 1 },
    { term: '房东', weight: 1 },
    { term: '占用', weight: 1 },
    { term: /\b(dispute|disputes|argument|arguing|quarrel|quarrelling|mediation|mediate)\b/, weight: 3 },
    { term: /\b(conflict|fight|fighting|deposit)\b/, weight: 2 },
    { term: /\b(neighbou?rs?|landlord)\b/, weight: 1 },
  ],
  noise: [
    { term: '噪音', weight: 3 },
    { term: '噪声', weight: 3 },
    { term: '扰民', weight: 3 },
    { term: '太吵', weight: 3 },
    { term: '吵死', weight: 3 },
    { term: '广场舞', weight: 3 },
    { term: '狗叫', weight: 3 },
    { term: '装修', weight: 2 },
    { term: '音响', weight: 2 },
    { term: /吵(?!架)/, weight: 1 },
    { term: '大声', weight: 1 },
    { term: '半夜', weight: 1 },
    { term: /\b(noise|noisy|barking)\b/, weight: 3 },
    { term: /\b(loud|music)\b/, weight: 2 },
    { term: /\b(party|construction)\b/, weight: 1 },
  ],
}

/** When two categories score the same, the first here wins: losing money is the costliest mistake. */
const TIE_ORDER: RuledCategory[] = ['fraud', 'lost_property', 'dispute', 'noise']

const PRIORITY: Record<CaseCategory, CasePriority> = {
  emergency: 'emergency',
  // Money sent to a fraudster can sometimes still be stopped if the bank is told within hours.
  fraud: 'urgent',
  dispute: 'normal',
  noise: 'normal',
  lost_property: 'normal',
  consultation: 'normal',
  home_watch: 'low',
  residence_permit: 'low',
  rental_registration: 'low',
  mediation: 'normal',
}

function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
}

function find(text: string, term: Term): string | undefined {
  if (typeof term === 'string') return text.includes(term) ? term : undefined
  return term.exec(text)?.[0]
}

function blankOut(text: string, terms: Term[]): string {
  let out = text
  for (const term of terms) {
    out = typeof term === 'string' ? out.replaceAll(term, ' ') : out.replace(term, ' ')
  }
  return out
}

/**
 * Sorts a resident's message into a case category with keyword rules in
 * Chinese and English. Emergency wording is checked first and wins outright;
 * otherwise each category scores by its strongest term, then by how many of
 * its terms appear, and a message that matches nothing is a consultation.
 */
export const classify = lastOf(classifyText)

function classifyText(text: string): Classification {
  const normalized = normalize(text)
  const screened = blankOut(normalized, NOT_EMERGENCY)
  for (const term of EMERGENCY) {
    const hit = find(screened, term)
    if (hit !== undefined)
      return { category: 'emergency', priority: 'emergency', emergency: true, keyword: hit }
  }

  let best: { category: RuledCategory; score: number; keyword: string } | undefined
  for (const category of TIE_ORDER) {
    let strongest = 0
    let count = 0
    let keyword = ''
    for (const { term, weight } of RULES[category]) {
      const hit = find(normalized, term)
      if (hit === undefined) continue
      count++
      if (weight > strongest) {
        strongest = weight
        keyword = hit
      }
    }
    if (count === 0) continue
    const score = strongest * 100 + count
    if (best === undefined || score > best.score) best = { category, score, keyword }
  }

  if (best === undefined)
    return { category: 'consultation', priority: PRIORITY.consultation, emergency: false }
  return {
    category: best.category,
    priority: PRIORITY[best.category],
    emergency: false,
    keyword: best.keyword,
  }
}
