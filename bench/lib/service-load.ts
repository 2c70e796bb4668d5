import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'
import { fromRoot } from '../../src/project-root.ts'
import type { WechatSend } from './corpus.ts'
import type { OfferReport } from './offer.ts'
import type { ServiceReply, ServiceRequest, WorkerReport } from './service-process.ts'
import type { Meter } from './stats.ts'
import type { Pacing } from './wechat-send.ts'

type Payload = ServiceRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never
type Answer = Extract<ServiceReply, { ok: true }>

/** Node's flags as `npm start` runs the service: read from package.json, so the two cannot drift apart. */
function serviceNodeFlags(): string[] {
  const scripts = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).scripts as Record<string, string>
  const [program, ...args] = (scripts.start ?? '').split(' ')
  if (program !== 'node')
    throw new Error(`npm start runs ${program}, not node: the bench cannot start the service as it does`)
  return args.filter((arg) => arg.startsWith('--'))
}

/** Closing the app and the context takes a moment; longer than this, the child is stuck. */
const STOP_TIMEOUT_MS = 15_000

let bundled: Promise<string> | null = null

/**
 * Bundles service-process.ts as `npm run build` bundles the service (once a run), so the
 * children run compiled code on plain Node, as a deployment does, not under tsx.
 */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = fromRoot('dist', 'bench', 'service-process.js')
    await build({
      entryPoints: [fromRoot('bench', 'lib', 'service-process.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.19',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    })
    return outfile
  })()
  return bundled
}

/** The inbound bench's handle on one of the service's child processes (service-process.ts). */
export class ServiceProcess {
  baseUrl = ''
  private nextId = 1
  private nextCorpus = 1
  private readonly pending = new Map<number, { resolve(r: ServiceReply): void; reject(e: Error): void }>()
  private readonly loaded = new WeakMap<WechatSend[], number>()
  /** Why the child is gone, once it is. */
  private gone: string | null = null
  private readonly exited: Promise<void>

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    onReport: (report: WorkerReport) => void,
  ) {
    child.on('message', (message: ServiceReply | WorkerReport) => {
      if ('kind' in message) return onReport(message)
      const reply = message
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      waiter?.resolve(reply)
    })
    this.exited = new Promise((resolve) => {
      const end = (why: string) => {
        this.gone ??= why
        // A crash must fail the calls waiting on it, not leave the bench waiting forever.
        for (const waiter of this.pending.values()) waiter.reject(new Error(this.gone))
        this.pending.clear()
        resolve()
      }
      child.on('exit', (code, signal) => end(`${name} exited (${signal ?? `code ${code}`})`))
      // It could not be started (or signalled): there is no process to wait for.
      child.on('error', (error) => end(`${name}: ${error.message}`))
    })
  }

  /**
   * Forks the bundled child with `env` as its environment (its config: ROLES says what it runs);
   * it builds its context on the bench's clock and answers where its app listens (if it has one).
   * A worker's reports go to `onReport`.
   */
  static async start(
    name: string,
    env: Record<string, string | undefined>,
    clockOffsetMs: number,
    onReport: (report: WorkerReport) => void = () => {},
  ): Promise<ServiceProcess> {
    const child = fork(await bundle(), [], { env, execArgv: serviceNodeFlags(), serialization: 'advanced' })
    const service = new ServiceProcess(child, name, onReport)
    try {
      service.baseUrl = (await service.call({ kind: 'start', clockOffsetMs })).baseUrl ?? ''
    } catch (error) {
      await service.stop().catch(() => {})
      throw error
    }
    return service
  }

  private async call(payload: Payload): Promise<Answer> {
    if (this.gone) throw new Error(this.gone)
    const id = this.nextId++
    const reply = await new Promise<ServiceReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ ...payload, id }, (error) => {
        if (!error) return
        this.pending.delete(id)
        reject(error)
      })
    })
    if (!reply.ok) throw new Error(`${this.name}: ${reply.error}`)
    return reply
  }

  /** Normalizes and ingests WeChat messages in the child; hand the corpus over first with `load`. */
  async offerWechat(messages: WechatSend[], pacing: Pacing): Promise<OfferReport> {
    const key = this.loaded.get(messages) ?? (await this.load(messages))
    const { report } = await this.call({ kind: 'offer', key, pacing })
    if (!report) throw new Error(`${this.name} returned no report`)
    return report
  }

  async load(messages: WechatSend[]): Promise<number> {
    const key = this.nextCorpus++
    await this.call({ kind: 'load', key, messages })
    this.loaded.set(messages, key)
    return key
  }

  /** The child's CPU and event loop since the previous lap. */
  async lap(): Promise<Meter> {
    const { meter } = await this.call({ kind: 'lap' })
    if (!meter) throw new Error(`${this.name} returned no meter`)
    return meter
  }

  /** The child's highest RSS since the previous call, and over its life, in MB. */
  async rss(): Promise<{ phaseMaxMb: number; maxMb: number }> {
    const { rss } = await this.call({ kind: 'rss' })
    if (!rss) throw new Error(`${this.name} returned no RSS`)
    return rss
  }

  /** Asks the child to close its app and context and exit; kills it if it does not. Throws if it failed. */
  async stop(): Promise<void> {
    if (this.gone) {
      // Gone before being asked: a crash, which must not pass for a clean stop.
      if (this.child.exitCode !== 0) throw new Error(this.gone)
      return
    }
    const asked = this.call({ kind: 'stop' }).then(
      () => null,
      (error: Error) => error,
    )
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      this.child.kill('SIGKILL')
    }, STOP_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
    const error = await asked
    if (killed) throw new Error(`${this.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killed`)
    // Its exit can overtake its answer; exiting 0 is the answer.
    if (this.child.exitCode !== 0) throw error ?? new Error(this.gone ?? `${this.name} did not stop`)
  }
}
