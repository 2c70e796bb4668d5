import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { type PersonalDataCipher, SealedDataError } from '../app/personal-data.ts'

const VERSION = 'v1'
const SEALED = /^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]*$/

/**
 * AES-256-GCM with a fresh 96-bit nonce per value, written as
 * `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url). The key id (the start
 * of the key's SHA-256) says "sealed with another DATA_KEY" instead of a bare
 * authentication failure when the key was changed.
 */
export function createDataCipher(key: Buffer): PersonalDataCipher {
  if (key.length !== 32) throw new Error('the data key must be 32 bytes')
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8)
  return {
    seal(plain, context) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, keyId, nonce, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.')
    },
    open(sealed, context) {
      if (!SEALED.test(sealed)) throw new SealedDataError('not a sealed value')
      const [, id, nonce, tag, body] = sealed.split('.') as [string, string, string, string, string]
      if (id !== keyId) throw new SealedDataError('sealed with another DATA_KEY')
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'))
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        )
      } catch {
        throw new SealedDataError('the sealed value was altered, or sealed for another purpose')
      }
    },
    isSealed: (value): value is string => typeof value === 'string' && SEALED.test(value),
  }
}
