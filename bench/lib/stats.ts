import { performance } from 'node:perf_hooks'

/** The value below which `p` percent of the samples fall (nearest rank); NaN without samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** p50/p90/p99/max of a set of durations in ms. */
export function summarize(durations: number[]): LatencySummary {
  const sorted = [...durations].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  }
}

export function describeLatency(s: LatencySummary): string {
  const ms = (v: number) => `${round(v, 1)} ms`
  return `p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.count} samples)`
}

export function round(value: number, decimals = 0): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

/** Samples the resident set size of this process at a fixed interval and keeps the highest seen. */
export class RssSampler {
  private maxBytes = process.memoryUsage().rss
  private phaseMaxBytes = this.maxBytes
  private readonly timer: NodeJS.Timeout

  constructor(everyMs = 200) {
    this.timer = setInterval(() => this.sample(), everyMs)
    this.timer.unref()
  }

  private sample(): void {
    const rss = process.memoryUsage().rss
    if (rss > this.maxBytes) this.maxBytes = rss
    if (rss > this.phaseMaxBytes) this.phaseMaxBytes = rss
  }

  get maxMb(): number {
    return this.maxBytes / 2 ** 20
  }

  /** The highest RSS since the previous call (or the start), in MB; starts a new phase. */
  phaseMaxMb(): number {
    this.sample()
    const mb = this.phaseMaxBytes / 2 ** 20
    this.phaseMaxBytes = process.memoryUsage().rss
    return mb
  }

  stop(): void {
    this.sample()
    clearInterval(this.timer)
  }
}

/** How busy this process was over a phase: event-loop utilization (1 = the loop never idled) and CPU cores used. */
export class ProcessMeter {
  private elu = performance.eventLoopUtilization()
  private cpu = process.cpuUsage()
  private at = performance.now()

  /** Since the previous call (or construction); starts a new interval. */
  lap(): Meter {
    const elu = performance.eventLoopUtilization(this.elu)
    const cpu = process.cpuUsage(this.cpu)
    const wallMs = performance.now() - this.at
    this.elu = performance.eventLoopUtilization()
    this.cpu = process.cpuUsage()
    this.at = performance.now()
    const cpuMs = (cpu.user + cpu.system) / 1000
    return {
      eventLoop: elu.utilization,
      cores: cpuMs / wallMs,
      cpuMs,
      kernelShare: cpu.system / 1000 / cpuMs,
    }
  }
}

export interface Meter {
  eventLoop: number
  cores: number
  cpuMs: number
  /** Share of that CPU time spent in the kernel (system calls: sockets to PostgreSQL, Redis, HTTP). */
  kernelShare: number
}

/** With `units`, also the CPU time per unit (a figure that other load on the machine skews less). */
export function describeMeter(m: Meter, units?: number): string {
  const per = units ? `, ${(m.cpuMs / units).toFixed(2)} ms CPU per message` : ''
  return (
    `event loop ${Math.round(m.eventLoop * 100)}% busy, ${m.cores.toFixed(2)} cores of CPU ` +
    `(${Math.round(m.kernelShare * 100)}% in the kernel)${per}`
  )
}
