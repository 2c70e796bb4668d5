import type { Language } from './types.ts'

/** Kinds of safety notice a station broadcasts; a resident may turn each off. */
export const BROADCAST_CATEGORIES = [
  'anti_fraud',
  'fire_safety',
  'traffic',
  'weather',
  'public_appeal',
  'other',
] as const

export type BroadcastCategory = (typeof BROADCAST_CATEGORIES)[number]

/** Every category, or some of them. */
export type CategorySelection = 'all' | BroadcastCategory[]

const NAMES: Record<BroadcastCategory, Record<Language, string>> = {
  anti_fraud: { zh: '反诈提醒', en: 'anti-fraud alerts' },
  fire_safety: { zh: '消防安全', en: 'fire safety' },
  traffic: { zh: '交通出行', en: 'traffic' },
  weather: { zh: '天气预警', en: 'weather warnings' },
  public_appeal: { zh: '协查通报', en: 'public appeals' },
  other: { zh: '其他通知', en: 'other notices' },
}

export function categoryName(category: BroadcastCategory, language: Language): string {
  return NAMES[category][language]
}

/** The short word a resident types for each category, as the help texts suggest it. */
const SHORT: Record<BroadcastCategory, Record<Language, string>> = {
  anti_fraud: { zh: '反诈', en: 'fraud' },
  fire_safety: { zh: '消防', en: 'fire' },
  traffic: { zh: '交通', en: 'traffic' },
  weather: { zh: '天气', en: 'weather' },
  public_appeal: { zh: '协查', en: 'appeals' },
  other: { zh: '其他', en: 'other' },
}

export function categoryKeyword(category: BroadcastCategory, language: Language): string {
  return SHORT[category][language]
}

/** What residents call each category, lower case (input is NFKC-normalized and lower-cased first). */
const ALIASES: Record<BroadcastCategory, string[]> = {
  anti_fraud: [
    '反诈',
    '反诈骗',
    '防诈',
    '防诈骗',
    '诈骗',
    '防骗',
    '反诈提醒',
    'fraud',
    'anti-fraud',
    'anti fraud',
    'antifraud',
    'anti_fraud',
    'scam',
    'scams',
  ],
  fire_safety: ['消防', '防火', '火灾', '消防安全', 'fire', 'fire safety', 'fire-safety', 'fire_safety'],
  traffic: ['交通', '路况', '出行', '交通出行', 'traffic', 'road', 'roads'],
  weather: ['天气', '气象', '天气预警', 'weather'],
  public_appeal: [
    '协查',
    '寻人',
    '协查通报',
    '寻人启事',
    'appeal',
    'appeals',
    'public appeal',
    'public appeals',
    'public_appeal',
    'missing persons',
  ],
  other: ['其他', '其它', '其他通知', 'other', 'others'],
}

const ALL_WORDS = ['全部', '所有', '全部的', 'all', 'everything']

/** Words that only say "notices", so "退订反诈提醒" and "unsubscribe fraud alerts" read as their category. */
const FILLER = [
  '提醒',
  '通知',
  '信息',
  '消息',
  '短信',
  '推送',
  '广播',
  '预警',
  '类',
  '的',
  '和',
  '及',
  '与',
  '以及',
  'and',
  'the',
  'from',
  'of',
  'alerts',
  'alert',
  'notices',
  'notice',
  'messages',
  'news',
  'warnings',
  'warning',
  'broadcasts',
  'updates',
]

type Token = BroadcastCategory | 'all' | 'filler'

const TOKENS: Array<[string, Token]> = [
  ...BROADCAST_CATEGORIES.flatMap((c) => ALIASES[c].map((alias): [string, Token] => [alias, c])),
  ...ALL_WORDS.map((w): [string, Token] => [w, 'all']),
  ...FILLER.map((w): [string, Token] => [w, 'filler']),
].sort((a, b) => b[0].length - a[0].length)

const SEPARATOR = /^[\s,、/&+;:.，。；：]+/u
const LATIN_LETTER = /[a-z]/

/**
 * Reads the categories named in a short phrase ("反诈 交通", "fraud and traffic").
 * Null when any part of it is not a category: the caller then decides whether the
 * phrase was a mistyped category or not a command at all.
 */
export function matchCategories(phrase: string): CategorySelection | null {
  let rest = phrase.normalize('NFKC').toLowerCase()
  const found = new Set<BroadcastCategory>()
  let all = false
  let named = false
  while (rest.length > 0) {
    const sep = rest.match(SEPARATOR)
    if (sep) {
      rest = rest.slice(sep[0].length)
      continue
    }
    const hit = TOKENS.find(([word]) => rest.startsWith(word) && endsOnWordBoundary(rest, word))
    if (!hit) return null
    rest = rest.slice(hit[0].length)
    if (hit[1] === 'all') all = true
    else if (hit[1] !== 'filler') found.add(hit[1])
    named ||= hit[1] !== 'filler'
  }
  // Nothing but "notices" ("退订通知") means all of them.
  if (all || !named) return 'all'
  return BROADCAST_CATEGORIES.filter((c) => found.has(c))
}

/** "fire" must not match the start of "firework". */
function endsOnWordBoundary(text: string, word: string): boolean {
  const next = text.charAt(word.length)
  return !(LATIN_LETTER.test(word.charAt(word.length - 1)) && LATIN_LETTER.test(next))
}
