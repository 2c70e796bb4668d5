import { parseOptions } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import {
  generatePassword,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  passwordProblem,
  verifyDummy,
  verifyPassword,
} from '../../src/auth/passwords.ts'

describe('password hashing', () => {
  it('hashes with argon2id, salted, and verifies only the right password', async () => {
    const first = await hashPassword('correct horse battery')
    const second = await hashPassword('correct horse battery')
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(parseOptions(first).algorithm).toBe(2)
    expect(first).not.toBe(second)
    expect(await verifyPassword(first, 'correct horse battery')).toBe(true)
    expect(await verifyPassword(first, 'correct horse batterY')).toBe(false)
    expect(await verifyPassword(first, '')).toBe(false)
  })

  it('treats a malformed stored hash as a mismatch instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false)
    expect(await verifyPassword('', 'anything')).toBe(false)
  })

  it('spends real hashing work on the dummy check and never accepts', async () => {
    await verifyDummy('warm up')
    const started = performance.now()
    expect(await verifyDummy('maplebridge-dummy-password')).toBe(false)
    expect(performance.now() - started).toBeGreaterThan(2)
  })
})

describe('password rules', () => {
  it('names what is wrong with a password', () => {
    expect(passwordProblem('short')).toBe('must be at least 10 characters')
    expect(passwordProblem('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toBe(
      `must be at most ${MAX_PASSWORD_LENGTH} characters`,
    )
    expect(passwordProblem(' leading space')).toBe('must not start or end with a space')
    expect(passwordProblem('long enough password')).toBeNull()
  })

  it('generates long, unambiguous, distinct passwords that pass the rules', () => {
    const generated = Array.from({ length: 50 }, generatePassword)
    for (const password of generated) {
      expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}$/)
      expect(password).not.toMatch(/[01lIoO]/)
      expect(passwordProblem(password)).toBeNull()
    }
    expect(new Set(generated).size).toBe(generated.length)
  })
})
