import { purgeExpiredPersonalData } from '../app/retention.ts'
import { loadConfig } from '../config.ts'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'
import { createRetentionStore } from '../store/retention.repository.ts'

/**
 * npm run retention: removes the ID and passport numbers of requests closed
 * longer ago than PERSONAL_DATA_RETENTION (the worker does the same daily).
 * Needs the database only: removing a sealed number does not need its key.
 */
async function run(): Promise<void> {
  const config = loadConfig(process.env)
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
  try {
    await migrate(db)
    const result = await purgeExpiredPersonalData({
      store: createRetentionStore(db.db),
      clock: { now: () => new Date() },
      retentionMs: config.PERSONAL_DATA_RETENTION,
      actor: 'cli',
    })
    process.stdout.write(
      `ID numbers removed from ${result.purged} closed request(s) that ended before ${result.cutoff.toISOString()}` +
        (result.cancelled ? `; ${result.cancelled} abandoned registration(s) closed` : '') +
        '\n',
    )
  } finally {
    await db.close()
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`retention failed: ${(error as Error).message}\n`)
  process.exit(1)
})
