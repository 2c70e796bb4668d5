import { lastOf } from '../last-of.ts'
import { bare } from './parsers.ts'

/**
 * What a resident means by a short message in the middle of a form. Only a
 * message that is (nearly) just the word counts: "取消" cancels, "取消了航班"
 * is an answer.
 */
export type FormIntent =
  | { kind: 'cancel' }
  | { kind: 'back' }
  | { kind: 'help' }
  | { kind: 'confirm' }
  /** "修改", "修改 2", "edit 3": change an answer (which one, if said). */
  | { kind: 'edit'; item: number | null }
  | { kind: 'number'; value: number }

const CANCEL = new Set([
  '取消',
  '取消申请',
  '取消办理',
  '算了',
  '不办了',
  '不申请了',
  '不填了',
  '不要了',
  '退出',
  '放弃',
  'cancel',
  'quit',
  'stop',
  'exit',
  'never mind',
  'nevermind',
])

const BACK = new Set([
  '上一步',
  '上一题',
  '上一个',
  '上一项',
  '返回',
  '后退',
  '退回',
  'back',
  'go back',
  'previous',
])

const HELP = new Set(['帮助', '怎么填', '怎么弄', '?', 'help'])

const CONFIRM = new Set([
  '确认',
  '确定',
  '提交',
  '确认提交',
  '是',
  '是的',
  '对',
  '对的',
  '好',
  '好的',
  '没问题',
  '可以',
  'yes',
  'y',
  'ok',
  'okay',
  'confirm',
  'submit',
  'correct',
])

/** Courtesies that do not change the intent: "请帮我取消", "取消吧", "back please". */
const POLITE = /^(?:请|麻烦|帮我|我要|我想|please )+|(?:[\s,，]*(?:吧|了|谢谢|please|thanks))+$/giu

export function formIntent(text: string): FormIntent | null {
  const raw = bare(text).toLowerCase()
  const t = raw.replace(POLITE, '').trim()
  const is = (words: Set<string>) => words.has(raw) || words.has(t)
  if (is(CANCEL)) return { kind: 'cancel' }
  if (is(BACK)) return { kind: 'back' }
  if (is(HELP)) return { kind: 'help' }
  if (is(CONFIRM)) return { kind: 'confirm' }
  const edit = /^(?:修改|更改|改|编辑|edit|change)(?: ?第? ?(\d{1,2}) ?[项条个]?)?$/u.exec(t)
  if (edit) return { kind: 'edit', item: edit[1] ? Number(edit[1]) : null }
  const number = /^第? ?(\d{1,2}) ?[项条个]?$/u.exec(t)
  if (number) return { kind: 'number', value: Number(number[1]) }
  return null
}

/** Width folded, courtesies and punctuation dropped, lower case: what keywords are compared with. */
export const keywordText = lastOf((text: string): string =>
  bare(text)
    .toLowerCase()
    .replace(
      /^(?:请|麻烦|帮我|我要|我想|我想要|想|申请|办理|预约|登记|please |i want to |i'd like to |apply for |book |register )+/u,
      '',
    )
    .replace(/(?:[\s,，]*(?:谢谢您?|谢谢你|一下|吧|了|please|thanks|thank you))+$/u, '')
    .replace(/[\s-]+/g, ' ')
    .trim(),
)
