import { loadConfig } from '../config.ts'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'

/** npm run migrate: applies pending SQL migrations to the configured database. */
async function run(): Promise<void> {
  const config = loadConfig(process.env)
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
  try {
    const applied = await migrate(db)
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
  } finally {
    await db.close()
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`)
  process.exit(1)
})
