import { loadConfig } from '../config.ts'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'
import { seedStations } from '../store/seed.ts'
import { readStationFile, StationFileError } from '../store/station-file.ts'

/** npm run seed -- <file.yaml> [...]: loads station data; running it again updates, never duplicates. */
async function run(files: string[]): Promise<void> {
  if (files.length === 0) {
    process.stderr.write('usage: npm run seed -- <station-file.yaml> [more files]\n')
    process.exit(2)
  }
  const config = loadConfig(process.env)
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
  try {
    await migrate(db)
    for (const file of files) {
      const summary = await seedStations(db.db, await readStationFile(file), {
        defaultTimeZone: config.TIME_ZONE,
      })
      process.stdout.write(
        `${file}: ${summary.stations} station(s), ${summary.officers} officers, ${summary.beats} beats, ${summary.compounds} compounds, ${summary.accounts} accounts\n`,
      )
    }
  } finally {
    await db.close()
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof StationFileError ? error.message : (error as Error).stack}\n`)
  process.exit(1)
})
