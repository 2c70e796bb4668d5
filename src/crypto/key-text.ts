/** 32 bytes written as 64 hex digits or as base64 (with or without padding, either alphabet). */
export function parseDataKey(text: string): Buffer | null {
  const t = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    return key.length === 32 ? key : null
  }
  return null
}

export const DATA_KEY_HINT =
  'must be 32 random bytes as base64 or hex, e.g. the output of `openssl rand -base64 32`'
