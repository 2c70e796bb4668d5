import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import pg from 'pg'

/**
 * CPU time the servers spent on the run, when they run on this machine: the
 * PostgreSQL backends of this run (found by application_name) and the Redis
 * server (all of it: other clients of the same Redis count too). Best effort:
 * anything it cannot read counts as unknown, never as an error.
 */
export class ServerCpu {
  private readonly backends = new Map<number, number>()
  private redisStart = 0

  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly applicationName: string | undefined,
    private readonly redisUrl: string,
  ) {}

  async start(): Promise<void> {
    this.backends.clear()
    for (const pid of await this.backendPids()) this.backends.set(pid, procCpuMs(pid) ?? 0)
    this.redisStart = (await this.redisCpuMs()) ?? 0
  }

  /** CPU ms since `start` of the run's PostgreSQL backends and of Redis (null when unreadable). */
  async stop(): Promise<{ postgresMs: number | null; redisMs: number | null }> {
    let postgresMs: number | null = null
    const pids = await this.backendPids()
    for (const pid of new Set([...this.backends.keys(), ...pids])) {
      const now = procCpuMs(pid)
      if (now === null) continue
      postgresMs = (postgresMs ?? 0) + now - (this.backends.get(pid) ?? 0)
    }
    const redisNow = await this.redisCpuMs()
    return { postgresMs, redisMs: redisNow === null ? null : redisNow - this.redisStart }
  }

  private async backendPids(): Promise<number[]> {
    if (!this.databaseUrl || !this.applicationName) return []
    const client = new pg.Client({ connectionString: this.databaseUrl })
    try {
      await client.connect()
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [this.applicationName],
      )
      return rows.map((r) => r.pid)
    } catch {
      return []
    } finally {
      await client.end().catch(() => {})
    }
  }

  private async redisCpuMs(): Promise<number | null> {
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
    try {
      await redis.connect()
      const info = await redis.info('cpu')
      const field = (name: string) =>
        Number(info.match(new RegExp(`^${name}:([0-9.]+)`, 'm'))?.[1] ?? Number.NaN)
      const seconds = field('used_cpu_user') + field('used_cpu_sys')
      return Number.isNaN(seconds) ? null : seconds * 1000
    } catch {
      return null
    } finally {
      redis.disconnect()
    }
  }
}

/** utime + stime of a local process in ms (Linux /proc; clock ticks of 10 ms), or null. */
function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}
