import { type CategorySelection, matchCategories } from './broadcast-categories.ts'

/** What the conversation last asked the resident: it gives a bare number or "yes" its meaning. */
export interface CommandContext {
  /** A resolved case of the resident waits for its 1–5 rating. */
  ratingPending: boolean
  /** The numbered menu is the last thing the resident was sent. */
  menuShown: boolean
  /** The resident was just asked to confirm withdrawing their request. */
  withdrawPending: boolean
}

export const NO_CONTEXT: CommandContext = { ratingPending: false, menuShown: false, withdrawPending: false }

export type Rating = 1 | 2 | 3 | 4 | 5

export type Command =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'subscriptions' }
  | { kind: 'subscribe' | 'unsubscribe'; categories: CategorySelection }
  /** A subscribe or unsubscribe naming something that is no category: explained, not guessed. */
  | { kind: 'unknown-category'; words: string }
  /** The resident's own words after the command, if any, tell the officer why. */
  | { kind: 'withdraw'; reason: string | null }
  /** A new reason replaces the one given with the request; null keeps it. */
  | { kind: 'confirm-withdraw'; reason: string | null }
  | { kind: 'keep' }
  | { kind: 'rate'; score: Rating }
  | { kind: 'bad-rating' }
  | { kind: 'bad-choice' }

export type MenuItem = 'status' | 'subscriptions' | 'unsubscribe' | 'subscribe' | 'withdraw'

/** The numbered menu, in order: the help text lists these, and "1".."5" pick them. */
export const MENU: readonly MenuItem[] = ['status', 'subscriptions', 'unsubscribe', 'subscribe', 'withdraw']

const MENU_COMMANDS: Record<MenuItem, Command> = {
  status: { kind: 'status' },
  subscriptions: { kind: 'subscriptions' },
  unsubscribe: { kind: 'unsubscribe', categories: 'all' },
  subscribe: { kind: 'subscribe', categories: 'all' },
  withdraw: { kind: 'withdraw', reason: null },
}

/** Longer than this, a message is something to tell the officer, not a command. */
const MAX_COMMAND_CHARS = 200

const HELP = new Set(['帮助', '菜单', '帮助菜单', '功能', '功能菜单', '使用帮助', '使用说明', 'help', 'menu'])

const STATUS = new Set([
  '进度',
  '查询进度',
  '查进度',
  '查看进度',
  '进度查询',
  '案件进度',
  '办理进度',
  '处理进度',
  '我的案件',
  '我的诉求',
  '查询案件',
  '状态',
  'status',
  'progress',
  'my status',
  'my case',
  'my cases',
  'case status',
  'check status',
])

const SUBSCRIPTIONS = new Set([
  '我的订阅',
  '订阅情况',
  '订阅状态',
  '查看订阅',
  '查询订阅',
  '订阅列表',
  'subscriptions',
  'my subscriptions',
  'subscription status',
  'list subscriptions',
])

const CONFIRM = new Set([
  '确认',
  '确定',
  '是',
  '是的',
  '对',
  '对的',
  '好',
  '好的',
  '嗯',
  '确认撤回',
  '确定撤回',
  '确认取消',
  '确定取消',
  'yes',
  'y',
  'confirm',
  'ok',
  'okay',
  'sure',
])

const KEEP = new Set([
  '不',
  '否',
  '不是',
  '不要',
  '不撤回',
  '不取消',
  '先不',
  '先不要',
  '保留',
  '继续',
  '继续办理',
  'no',
  'n',
  'nope',
  'keep',
  'keep it',
  'keep open',
  "don't",
])

/** Courtesies around a command that do not change it: "请帮我查进度，谢谢". */
const POLITE_PREFIX =
  /^(?:请|麻烦|帮我|我要|我想|我想要|please |pls |i want to |i'd like to |i would like to )+/iu
const POLITE_SUFFIX = /(?:[\s,，]*(?:谢谢您?|谢谢你|一下|吧|了|啦|please|pls|thanks|thank you))+$/iu

/** Punctuation and quotes that may surround a command (after NFKC, full-width forms are ASCII). */
const EDGE =
  /^[\s"'“”‘’「」『』【】《》()[\]<>.,!?;:。、~…·]+|[\s"'“”‘’「」『』【】《》()[\]<>.,!?;:。、~…·]+$/gu

/** What may stand between a command and the words after it. */
const SEPARATED = /^[\s,、.;:!\-—。]/u

const UNSUBSCRIBE = /^(?:全部退订|取消订阅|退订|td|unsubscribe|opt out|opt-out)(.*)$/u
const SUBSCRIBE = /^(?:全部订阅|恢复订阅|重新订阅|订阅|resubscribe|subscribe)(.*)$/u
const WITHDRAW_ZH = /^(?:取消|撤回|撤销)(?:我的)?(?:诉求|案件|报警|求助|申请|请求)?(.*)$/u
const WITHDRAW_EN = /^(?:cancel|withdraw)(?: (?:my|the|this))?(?: (?:request|case|report|complaint))?(.*)$/iu

/** Width folded (full-width digits and punctuation), spaces collapsed, edge punctuation dropped; case kept. */
function tidy(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\uFE0F/g, '')
    .replace(/\s+/g, ' ')
    .replace(EDGE, '')
}

/**
 * True when what the text means depends on the conversation (a bare number, a
 * yes or no): only then does the caller need to look the context up.
 */
export function dependsOnContext(text: string): boolean {
  const t = tidy(text)
  if (t.length === 0 || t.length > MAX_COMMAND_CHARS) return false
  const lower = t.toLowerCase()
  return (
    readNumber(bare(lower)) !== null || CONFIRM.has(lower) || KEEP.has(lower) || parseWithdraw(t) !== null
  )
}

/**
 * Reads a resident's message as a self-service command, or null when it is a
 * message for the officer. Conservative by design: a command is a short message
 * that is (nearly) only the keyword; "帮助我看看楼下的车" is not "帮助".
 */
export function parseCommand(text: string, context: CommandContext): Command | null {
  const t = tidy(text)
  if (t.length === 0 || t.length > MAX_COMMAND_CHARS) return null
  const lower = t.toLowerCase()

  if (context.withdrawPending) {
    if (CONFIRM.has(lower)) return { kind: 'confirm-withdraw', reason: null }
    if (KEEP.has(lower)) return { kind: 'keep' }
    const again = parseWithdraw(t)
    if (again) return { kind: 'confirm-withdraw', reason: again.reason }
  }

  const number = readNumber(bare(lower))
  if (number !== null) {
    // The menu came after any rating question, so it is what a number answers.
    if (context.menuShown) {
      const item = MENU[number - 1]
      return item ? MENU_COMMANDS[item] : { kind: 'bad-choice' }
    }
    if (context.ratingPending) {
      return number >= 1 && number <= 5 ? { kind: 'rate', score: number as Rating } : { kind: 'bad-rating' }
    }
    return null
  }

  const core = bare(lower)
  if (HELP.has(core)) return { kind: 'help' }
  if (STATUS.has(core)) return { kind: 'status' }
  if (SUBSCRIPTIONS.has(core)) return { kind: 'subscriptions' }
  const subscription = parseSubscription(core, /[?？]/.test(text))
  if (subscription) return subscription
  return parseWithdraw(t)
}

function parseSubscription(t: string, question: boolean): Command | null {
  const unsubscribe = t.match(UNSUBSCRIBE)
  const match = unsubscribe ?? t.match(SUBSCRIBE)
  if (!match) return null
  const kind = unsubscribe ? 'unsubscribe' : 'subscribe'
  const rest = match[1] ?? ''
  if (rest === '') return { kind, categories: 'all' }
  const categories = matchCategories(rest)
  const separated = SEPARATED.test(rest)
  // Latin keywords need a space before their category ("unsubscribe fraud", not "unsubscribed").
  const latinKeyword = /^[a-z]/.test(t) && !separated
  if (categories && !latinKeyword) return { kind, categories }
  // "退订 快递" is a mistyped category worth explaining; "订阅号怎么关注" is a question for a person.
  const words = rest.replace(EDGE, '')
  if (separated && words.length <= 12 && !question) return { kind: 'unknown-category', words }
  return null
}

/**
 * "取消", "取消：已经解决了", "cancel, sorted out": a withdrawal, with the words after it as
 * the reason. Chinese may put a space between command and reason; English needs
 * punctuation, so "cancel the appointment" stays a message.
 */
function parseWithdraw(t: string): { kind: 'withdraw'; reason: string | null } | null {
  if (matchWithdraw(bare(t))?.rest === '') return { kind: 'withdraw', reason: null }
  // The reason is kept as written, courtesies and all.
  const match = matchWithdraw(t.replace(POLITE_PREFIX, ''))
  if (!match || match.rest === '') return null
  const separated = match.english ? /^\s*[,.;:!\-—]/u.test(match.rest) : SEPARATED.test(match.rest)
  if (!separated) return null
  const reason = match.rest.replace(EDGE, '').replace(/^[-—]+\s*/u, '')
  return { kind: 'withdraw', reason: reason || null }
}

function matchWithdraw(t: string): { rest: string; english: boolean } | null {
  const zh = t.match(WITHDRAW_ZH)
  if (zh) return { rest: zh[1] ?? '', english: false }
  const en = t.match(WITHDRAW_EN)
  return en ? { rest: en[1] ?? '', english: true } : null
}

/** The text without courtesies around it. */
function bare(t: string): string {
  return t.replace(POLITE_PREFIX, '').replace(POLITE_SUFFIX, '').replace(EDGE, '')
}

const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
}

/** "5", "５", "5分", "五星", "5 stars", "5/5", "⭐⭐⭐⭐⭐": the number, else null. */
function readNumber(t: string): number | null {
  const digits = t.match(/^(\d{1,3}) ?(?:分|星|颗星|stars?|points?|\/ ?5|out of 5)?$/u)
  if (digits?.[1]) return Number(digits[1])
  const chinese = t.match(/^([零〇一二两三四五六七八九十]) ?(?:分|星|颗星)?$/u)
  if (chinese?.[1]) return CHINESE_DIGITS[chinese[1]] ?? null
  const stars = t.match(/^[⭐★]{1,9}$/u)
  if (stars) return [...t].length
  return null
}
