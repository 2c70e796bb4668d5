/** What `npm run bench -- <name>` loads from `bench/<name>.bench.ts`. */
export interface BenchModule {
  /** One line for the list printed by `npm run bench` without a name. */
  description: string
  /** Runs the benchmark with the arguments after its name; throws when it cannot complete or its checks fail. */
  run(args: string[]): Promise<void>
}

/** Writes one human-readable progress line (stdout, so it interleaves with the final JSON in order). */
export function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** A wrong option: `run.ts` prints its message and no stack. */
export class UsageError extends Error {
  override name = 'UsageError'
}
