import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Where screenshots go: `test-artifacts/` at the project root, ignored by git. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))

// The machine has no network: keep Chromium from reaching out for updates, sync or QUIC probes.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Starts the system's headless Chromium (Debian's `/usr/bin/chromium`); the caller closes it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true })
}

/**
 * Saves a full-page PNG of `page` as `test-artifacts/<name>.png` and returns its path.
 * The name is reduced to letters, digits, dots, dashes and underscores so it is always a plain file name.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  const base = name.replace(/\.png$/i, '').replace(/[^\w.-]+/g, '-') || 'screenshot'
  const path = `${ARTIFACTS_DIR}${base}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}
