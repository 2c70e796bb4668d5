import { readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BenchModule, UsageError } from './lib/bench.ts'

/**
 * `npm run bench -- <name> [options]` runs bench/<name>.bench.ts;
 * without a name it lists the benchmarks there are.
 */
const here = dirname(fileURLToPath(import.meta.url))
const SUFFIX = '.bench.ts'
const available = readdirSync(here)
  .filter((file) => file.endsWith(SUFFIX))
  .map((file) => file.slice(0, -SUFFIX.length))
  .sort()

async function list(): Promise<void> {
  process.stdout.write('Benchmarks (npm run bench -- <name> [options]; <name> --help for its options):\n')
  for (const name of available) {
    const bench = (await import(`./${name}${SUFFIX}`)) as BenchModule
    process.stdout.write(`  ${name.padEnd(12)} ${bench.description}\n`)
  }
}

const [name, ...args] = process.argv.slice(2)
if (!name || name === '--help' || name === '-h') {
  await list()
  process.exit(0)
}
if (!available.includes(name)) {
  process.stderr.write(`There is no benchmark "${name}".\n`)
  await list()
  process.exit(2)
}
try {
  const bench = (await import(`./${name}${SUFFIX}`)) as BenchModule
  await bench.run(args)
  // Drivers and timers of the service under test must not keep a finished run alive.
  process.exit(0)
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(2)
  }
  process.stderr.write(
    `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
}
