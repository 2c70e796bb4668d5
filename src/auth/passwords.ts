import { randomInt } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/**
 * argon2id at the OWASP baseline (19 MiB, 2 passes, 1 lane): about 20-40 ms a
 * hash here, slow enough to make guessing expensive, fast enough for a login.
 */
const HASH_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const

/** Shortest password a person may set; generated ones are longer. */
export const MIN_PASSWORD_LENGTH = 10
/** Longest password accepted anywhere: hashing megabytes would be a cheap way to tie up a server. */
export const MAX_PASSWORD_LENGTH = 256

/** Hashes a password with argon2id; the result is a PHC string (`$argon2id$v=19$...`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS)
}

/** Checks a password against a stored hash; a malformed hash counts as a mismatch. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | null = null

/**
 * Spends the same work as a real check when the username is unknown, so the
 * response time does not tell an attacker which usernames exist. Always false.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('maplebridge-dummy-password')
  await verifyPassword(await dummyHash, password)
  return false
}

/** Why a password may not be set, or null when it may. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`
  if (password.trim() !== password) return 'must not start or end with a space'
  return null
}

/** No 0/O, 1/l/I: generated passwords are read off a terminal and typed by hand. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A random password of four groups of five (about 116 bits), e.g. `h7Kq2-xM9pa-...`. */
export function generatePassword(): string {
  const groups: string[] = []
  for (let g = 0; g < 4; g++) {
    let group = ''
    for (let i = 0; i < 5; i++) group += ALPHABET[randomInt(ALPHABET.length)]
    groups.push(group)
  }
  return groups.join('-')
}
