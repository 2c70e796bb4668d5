/**
 * How identity document numbers are shown. Officers, residents and logs see
 * the masked form only; the number itself is revealed to an officer of the
 * station on request (and audited), never printed by anything else.
 */

/** A tenant's identity document: an 18-character mainland ID number, or a passport number. */
export type IdDocument = { kind: 'mainland'; number: string } | { kind: 'passport'; number: string }

const MAINLAND = /^\d{17}[\dX]$/

/**
 * "330102199001011234" → "3301**********1234": region and last four kept, as
 * Chinese forms print it. Anything else keeps its first two and last two
 * characters (its first and last when shorter than eight).
 */
export function maskIdNumber(number: string): string {
  const n = number.length
  if (MAINLAND.test(number)) return `${number.slice(0, 4)}${'*'.repeat(10)}${number.slice(-4)}`
  if (n >= 8) return `${number.slice(0, 2)}${'*'.repeat(n - 4)}${number.slice(-2)}`
  if (n >= 3) return `${number.slice(0, 1)}${'*'.repeat(n - 2)}${number.slice(-1)}`
  return '*'.repeat(n)
}

/** A run of letters and digits (full-width ones too) with a digit in it: what a document number looks like in text. */
const NUMBER_LIKE = /[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]*[0-9０-９][A-Za-z0-9Ａ-Ｚａ-ｚ０-９]*/g

/**
 * Free text with every document-like number (four digits or more) masked
 * ("护照 E12345678" → "护照 E1*****78"): a resident's answer to an ID
 * question, or an officer's reason that quotes one, as it may be stored and shown.
 */
export function maskNumbersIn(text: string): string {
  return text.replace(NUMBER_LIKE, (found) => {
    const token = found.normalize('NFKC').toUpperCase()
    return token.replace(/\D/g, '').length >= 4 ? maskIdNumber(token) : found
  })
}

export function maskDocument(doc: IdDocument): string {
  return maskIdNumber(doc.number)
}
