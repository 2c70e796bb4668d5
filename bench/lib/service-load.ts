import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { WechatSend } from './corpus.ts'
import type { FrontReply, FrontRequest } from './front-process.ts'
import type { OfferReport } from './offer.ts'
import type { Meter } from './stats.ts'
import type { Pacing } from './wechat-send.ts'

type Payload = FrontRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never
type Answer = Extract<FrontReply, { ok: true }>

/** Closing the app and the context takes a moment; longer than this, the child is stuck. */
const STOP_TIMEOUT_MS = 15_000

/** The inbound bench's handle on its front process (front-process.ts) in the split layout. */
export class FrontProcess {
  baseUrl = ''
  private nextId = 1
  private nextCorpus = 1
  private readonly pending = new Map<number, { resolve(r: FrontReply): void; reject(e: Error): void }>()
  private readonly loaded = new WeakMap<WechatSend[], number>()
  /** Why the child is gone, once it is. */
  private gone: string | null = null
  private readonly exited: Promise<void>

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: FrontReply) => {
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
      child.on('exit', (code, signal) => end(`front process exited (${signal ?? `code ${code}`})`))
      // It could not be started (or signalled): there is no process to wait for.
      child.on('error', (error) => end(`front process: ${error.message}`))
    })
  }

  /**
   * Forks the child with `env` as its environment (its config) and this process's loader flags
   * (tsx); it builds its context on the bench's clock and answers where its app listens.
   */
  static async start(env: Record<string, string | undefined>, clockOffsetMs: number): Promise<FrontProcess> {
    const entry = fileURLToPath(new URL('./front-process.ts', import.meta.url))
    const child = fork(entry, [], { env, execArgv: process.execArgv, serialization: 'advanced' })
    const front = new FrontProcess(child)
    try {
      front.baseUrl = (await front.call({ kind: 'start', clockOffsetMs })).baseUrl ?? ''
      if (!front.baseUrl) throw new Error('front process answered no address')
    } catch (error) {
      await front.stop().catch(() => {})
      throw error
    }
    return front
  }

  private async call(payload: Payload): Promise<Answer> {
    if (this.gone) throw new Error(this.gone)
    const id = this.nextId++
    const reply = await new Promise<FrontReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ ...payload, id }, (error) => {
        if (!error) return
        this.pending.delete(id)
        reject(error)
      })
    })
    if (!reply.ok) throw new Error(`front process: ${reply.error}`)
    return reply
  }

  /** Normalizes and ingests WeChat messages in the child; hand the corpus over first with `load`. */
  async offerWechat(messages: WechatSend[], pacing: Pacing): Promise<OfferReport> {
    const key = this.loaded.get(messages) ?? (await this.load(messages))
    const { report } = await this.call({ kind: 'offer', key, pacing })
    if (!report) throw new Error('front process returned no report')
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
    if (!meter) throw new Error('front process returned no meter')
    return meter
  }

  /** The child's highest RSS since the previous call, and over its life, in MB. */
  async rss(): Promise<{ phaseMaxMb: number; maxMb: number }> {
    const { rss } = await this.call({ kind: 'rss' })
    if (!rss) throw new Error('front process returned no RSS')
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
    if (killed) throw new Error(`front process did not stop within ${STOP_TIMEOUT_MS / 1000} s; killed`)
    // Its exit can overtake its answer; exiting 0 is the answer.
    if (this.child.exitCode !== 0) throw error ?? new Error(this.gone ?? 'front process did not stop')
  }
}
