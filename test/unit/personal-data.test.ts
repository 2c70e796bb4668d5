import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type ConversationInput,
  type FormStateStore,
  stepConversation,
} from '../../src/app/forms/conversation.ts'
import { sealFormStates } from '../../src/app/forms/sealed-form-states.ts'
import { SealedDataError } from '../../src/app/personal-data.ts'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { createDataCipher } from '../../src/crypto/data-cipher.ts'
import { loadDataKey } from '../../src/crypto/data-key.ts'
import type { FormState } from '../../src/domain/forms/engine.ts'
import { maskIdNumber, maskNumbersIn } from '../../src/domain/personal-data.ts'

const ID = '330102199001011234'
const KEY = Buffer.alloc(32, 7)

describe('masking', () => {
  it('keeps the region and the last four of a mainland ID, as Chinese forms print it', () => {
    expect(maskIdNumber('33010219900101123X')).toBe('3301**********123X')
    expect(maskIdNumber('E12345678')).toBe('E1*****78')
    expect(maskIdNumber('G1234')).toBe('G***4')
  })

  it('masks every document-like number in free text, full-width digits too', () => {
    expect(maskNumbersIn(`身份证${ID}，谢谢`)).toBe('身份证3301**********1234，谢谢')
    expect(maskNumbersIn('护照 e12345678')).toBe('护照 E1*****78')
    expect(maskNumbersIn('３３０１０２１９９００１０１１２３４')).toBe('3301**********1234')
    expect(maskNumbersIn('3幢2单元501')).toBe('3幢2单元501')
  })
})

describe('the data cipher (AES-256-GCM)', () => {
  const cipher = createDataCipher(KEY)

  it('seals with a fresh nonce each time and opens only for the same purpose and key', () => {
    const a = cipher.seal(ID, 'rental')
    const b = cipher.seal(ID, 'rental')
    expect(a).not.toBe(b)
    expect(a).not.toContain(ID)
    expect(cipher.isSealed(a)).toBe(true)
    expect(cipher.open(a, 'rental')).toBe(ID)
    expect(() => cipher.open(a, 'form-state')).toThrow(SealedDataError)
    expect(() => createDataCipher(Buffer.alloc(32, 8)).open(a, 'rental')).toThrow('another DATA_KEY')
    const parts = a.split('.')
    parts[4] = `${parts[4]?.slice(0, -2)}AA`
    expect(() => cipher.open(parts.join('.'), 'rental')).toThrow(SealedDataError)
  })
})

describe('the data key', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })
  const warnings: string[] = []
  const warn = (message: string) => warnings.push(message)

  it('reads DATA_KEY as base64 or hex, and refuses anything else without quoting it', async () => {
    const hex = KEY.toString('hex')
    expect(await loadDataKey({ DATA_KEY: hex, DATA_DIR: 'memory://', DEMO: false }, warn)).toEqual(KEY)
    expect(
      await loadDataKey({ DATA_KEY: KEY.toString('base64'), DATA_DIR: 'memory://', DEMO: false }, warn),
    ).toEqual(KEY)
    let error: unknown
    try {
      loadConfig({ DATA_KEY: 'not-a-secret-but-long-enough' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(String((error as Error).message)).toContain('DATA_KEY: must be 32 random bytes')
    expect(String((error as Error).message)).not.toContain('not-a-secret-but-long-enough')
  })

  it('stops a production start without DATA_KEY with a message that names it', async () => {
    await expect(
      loadDataKey({ DATA_DIR: './data', DEMO: false, NODE_ENV: 'production' }, warn),
    ).rejects.toThrow(/DATA_KEY: is required in production/)
  })

  it('generates the demo key once into DATA_DIR, readable by its owner only, and keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-key-'))
    dirs.push(dir)
    const settings = { DATA_DIR: join(dir, 'demo'), DEMO: true, NODE_ENV: 'production' }
    const first = await loadDataKey(settings, warn)
    const second = await loadDataKey(settings, warn)
    expect(first).toHaveLength(32)
    expect(second).toEqual(first)
    const file = join(dir, 'demo', 'data-key')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('base64'))
    expect(warnings.join('\n')).not.toContain(first.toString('base64'))
  })
})

describe('form state at rest', () => {
  const cipher = createDataCipher(KEY)
  const raw = new Map<string, FormState>()
  const inner: FormStateStore = {
    get: async (id) => raw.get(id) ?? null,
    put: async (id, state) => {
      raw.set(id, structuredClone(state))
      return true
    },
    clear: async (id) => raw.delete(id),
  }
  const sealed = sealFormStates(inner, cipher)
  const input = (text: string): ConversationInput => ({
    residentId: 'r1',
    stationId: 'cq',
    timeZone: 'Asia/Shanghai',
    language: 'zh',
    text,
    now: new Date('2026-11-25T02:00:00Z'),
    messageId: `m-${text}`,
  })

  it('keeps the ID number sealed in the store and masked in the stored message, and reads it back whole', async () => {
    let step = await stepConversation({ states: sealed }, input('出租登记'))
    await step?.save()
    for (const text of [
      '长寿桥小区',
      '3幢',
      '2单元501',
      '张伟',
      '13912345678',
      '11月20日',
      '2027年11月19日',
    ]) {
      step = await stepConversation({ states: sealed }, input(text))
      expect(step?.storedText).toBeUndefined()
      await step?.save()
    }
    step = await stepConversation({ states: sealed }, input(`身份证 ${ID}`))
    expect(step?.storedText).toBe('身份证 3301**********1234')
    expect(step?.replies[0]).toContain('3301**********1234')
    await step?.save()
    const stored = JSON.stringify(raw.get('r1'))
    expect(stored).not.toContain(ID)
    expect(cipher.isSealed(raw.get('r1')?.answers.idNumber)).toBe(true)
    expect((await sealed.get('r1'))?.answers.idNumber).toEqual({ kind: 'mainland', number: ID })
    const done = await stepConversation({ states: sealed }, input('确认'))
    expect(done?.completed?.answers).toMatchObject({ idNumber: { kind: 'mainland', number: ID } })
  })

  it('drops an answer sealed with another key, so the form asks for it again', async () => {
    const other = sealFormStates(inner, createDataCipher(Buffer.alloc(32, 9)))
    expect((await other.get('r1'))?.answers.idNumber).toBeUndefined()
  })
})
