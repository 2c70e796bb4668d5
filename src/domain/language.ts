import type { Language } from './types.ts'

const HAN = /\p{Script=Han}/u
const LETTER = /\p{L}/gu
const LATIN = /\p{Script=Latin}/gu

/**
 * Guesses the language a resident wrote in, so replies come back in it.
 *
 * Any Chinese character makes it Chinese: residents mix in latin words
 * (WeChat, ok, app names) far more often than the other way round.
 * Text that is mostly latin letters is English. Digits, emoji, punctuation
 * or other scripts alone say nothing, and give `undefined` so the caller
 * falls back to the channel's or station's language.
 */
export function detectLanguage(text: string): Language | undefined {
  const normalized = text.normalize('NFKC')
  if (HAN.test(normalized)) return 'zh'
  const letters = normalized.match(LETTER)?.length ?? 0
  const latin = normalized.match(LATIN)?.length ?? 0
  if (latin > 0 && latin * 2 >= letters) return 'en'
  return undefined
}
