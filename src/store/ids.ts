import { randomBytes, randomUUID } from 'node:crypto'

/** Record ids: random UUIDs, never derived from personal data. */
export const newId = (): string => randomUUID()

/** A resident code as it may appear inside a contact's alias, e.g. "王阿姨 MB7K2PQ9XA". */
export const RESIDENT_CODE = /MB[A-HJ-NP-Z2-9]{8}/

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/**
 * A short code a resident's WeChat contact can carry as its alias, so that the
 * contact can be bound back to the resident when a puppet's contact ids change.
 */
export function newResidentCode(): string {
  const bytes = randomBytes(8)
  let code = 'MB'
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length]
  return code
}
