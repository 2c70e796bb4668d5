import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project's directory (the one holding package.json), found from where this
 * code runs: the files shipped beside the code (migrations, the chat page, the
 * built inbox) are then found alike whether the service runs from its sources
 * or from its bundle in dist/.
 */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))

/** A path inside the project. */
export function fromRoot(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts)
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json in ${from} or above it`)
  }
}
