import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../project-root.ts'

const run = promisify(execFile)

/**
 * Creates PGlite's files in a new data directory, in a process of its own.
 * Creating them (initdb) grows PGlite's WebAssembly memory to some 800 MB,
 * and WebAssembly memory is never given back: a service that created its
 * database itself kept that all its life, where one that opens an existing
 * database takes about 300 MB. Does nothing when the directory holds a database.
 */
export async function createPGliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return
  const script = [
    'try {',
    "  const { PGlite } = await import('@electric-sql/pglite')",
    `  const db = new PGlite(${JSON.stringify(resolve(dataDir))})`,
    '  await db.waitReady',
    '  await db.close()',
    '} catch (error) {',
    '  process.stderr.write(String(error?.message ?? error))',
    '  process.exit(1)',
    '}',
  ].join('\n')
  try {
    // Run from the project, so the child imports the same PGlite this process does.
    await run(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: PROJECT_ROOT,
      timeout: 120_000,
    })
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message
    throw new Error(`could not create the embedded database in ${dataDir}: ${detail}`)
  }
}
