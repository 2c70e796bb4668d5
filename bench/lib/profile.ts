import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
}

/**
 * A CPU profile of this process over one phase, through the inspector (the same
 * format as `node --cpu-prof`: open it in Chrome DevTools or speedscope).
 */
export class PhaseProfiler {
  private readonly session = new Session()

  async start(): Promise<void> {
    this.session.connect()
    await this.session.post('Profiler.enable')
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 })
    await this.session.post('Profiler.start')
  }

  /** Stops, writes the profile to `path` and returns the busiest places by self time. */
  async stop(path: string): Promise<string[]> {
    const { profile } = (await this.session.post('Profiler.stop')) as { profile: CpuProfile }
    this.session.disconnect()
    await writeFile(path, JSON.stringify(profile))
    return summarizeProfile(profile)
  }
}

/** Where a script lives, shortened to its package (or `app:` for the project's own files). */
function origin(url: string): string {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const [scope, name] = url.slice(nm + 'node_modules/'.length).split('/')
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url)
  }
  if (url.startsWith('node:')) return 'node (core)'
  const app = url.match(/\/(src|bots|workers|bench)\/.*$/)
  return app ? `app:${app[0].slice(1)}` : url
}

function summarizeProfile(profile: CpuProfile): string[] {
  const counts = new Map<number, number>()
  for (const id of profile.samples ?? []) counts.set(id, (counts.get(id) ?? 0) + 1)
  const total = [...counts.values()].reduce((s, n) => s + n, 0) || 1
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  for (const node of profile.nodes) {
    const hits = counts.get(node.id) ?? 0
    if (!hits) continue
    const where = origin(node.callFrame.url)
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + hits)
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits)
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${((v * 100) / total).toFixed(1).padStart(5)}%  ${k}`)
  return ['  self time by origin:', ...top(byOrigin, 14), '  self time by function:', ...top(byFunction, 20)]
}
