import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { createPGliteDataDir } from '../../src/store/pglite-create.ts'

/** The embedded database on disk, as `npm run demo` and a station without PostgreSQL use it. */
describe('PGlite data directory', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mb-pglite-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('creates a new database in a process of its own', async () => {
    const dir = join(root, 'apart')
    await createPGliteDataDir(dir)
    expect((await stat(join(dir, 'PG_VERSION'))).isFile()).toBe(true)
    expect((await stat(join(dir, 'base'))).isDirectory()).toBe(true)
  })

  it('leaves a directory that holds a database alone', async () => {
    // Only the marker: a child started here would try to open it and fail, and nothing else appears.
    const dir = join(root, 'marked')
    await mkdir(dir)
    await writeFile(join(dir, 'PG_VERSION'), '17\n')
    await createPGliteDataDir(dir)
    expect(await readdir(dir)).toEqual(['PG_VERSION'])
  })

  it('keeps what was written across a close and a reopen', async () => {
    const dir = join(root, 'kept')
    const first = await openDatabase({ dataDir: dir })
    await first.runScript('CREATE TABLE notes (id int PRIMARY KEY, body text)')
    await sql`INSERT INTO notes VALUES (1, 'kept')`.execute(first.db)
    await first.close()
    const again = await openDatabase({ dataDir: dir })
    const { rows } = await sql<{ body: string }>`SELECT body FROM notes WHERE id = 1`.execute(again.db)
    await again.close()
    expect(rows).toEqual([{ body: 'kept' }])
  })

  it('says which directory it could not create the database in, and why', async () => {
    const file = join(root, 'not-a-directory')
    await writeFile(file, 'x')
    const dir = join(file, 'db')
    const failure = createPGliteDataDir(dir)
    await expect(failure).rejects.toThrow(`could not create the embedded database in ${dir}: ENOTDIR`)
  })
})
