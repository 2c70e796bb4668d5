import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../config.ts'
import { DATA_KEY_HINT, parseDataKey } from './key-text.ts'

const GENERATED_KEY_FILE = 'data-key'

export interface DataKeySettings {
  DATA_KEY?: string | undefined
  DATA_DIR: string
  DEMO: boolean
  NODE_ENV?: string | undefined
}

/**
 * The key of personal data at rest. DATA_KEY when set. Otherwise, outside
 * production (or for `npm run demo`), a key generated once into
 * `<DATA_DIR>/data-key` (readable by its owner only), so the demo's data stays
 * readable across restarts; with the in-memory data directory of tests, a
 * random key for the process. In production without DATA_KEY: a ConfigError.
 */
export async function loadDataKey(
  settings: DataKeySettings,
  warn: (message: string) => void,
): Promise<Buffer> {
  if (settings.DATA_KEY) {
    const key = parseDataKey(settings.DATA_KEY)
    if (!key) throw new ConfigError([`DATA_KEY: ${DATA_KEY_HINT}`])
    return key
  }
  if (settings.NODE_ENV === 'production' && !settings.DEMO) {
    throw new ConfigError([
      `DATA_KEY: is required in production (it encrypts ID and passport numbers); it ${DATA_KEY_HINT}`,
    ])
  }
  if (settings.DATA_DIR.startsWith('memory://')) return randomBytes(32)
  const file = join(settings.DATA_DIR, GENERATED_KEY_FILE)
  const existing = await readKeyFile(file)
  if (existing) {
    warn(`DATA_KEY is not set: personal data is encrypted with the generated key in ${file}`)
    return existing
  }
  await mkdir(settings.DATA_DIR, { recursive: true })
  try {
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    warn(`DATA_KEY is not set: generated a key for personal data in ${file} (set DATA_KEY in production)`)
  } catch (error) {
    // Another process of the same demo wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const written = await readKeyFile(file)
  if (!written) throw new ConfigError([`DATA_KEY: ${file} does not hold a key; it ${DATA_KEY_HINT}`])
  return written
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const key = parseDataKey(text)
  if (!key) throw new ConfigError([`DATA_KEY: ${file} does not hold a key; it ${DATA_KEY_HINT}`])
  return key
}
