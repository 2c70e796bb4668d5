import type { InboundStore, InboundTx } from '../../src/app/ports.ts'
import type { AppContext } from '../../src/context.ts'
import { percentile, round } from './stats.ts'

type AnyAsync = (...args: never[]) => Promise<unknown>

/**
 * Where the pipeline spends its time: wraps the ports of the inbound path
 * (store, transaction, dispatcher, ingest) with timers. Only with
 * `--breakdown`, since the wrappers cost a little themselves.
 */
export class Breakdown {
  private readonly samples = new Map<string, number[]>()

  async time<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await fn()
    } finally {
      this.record(label, performance.now() - started)
    }
  }

  record(label: string, ms: number): void {
    const list = this.samples.get(label) ?? []
    list.push(ms)
    this.samples.set(label, list)
  }

  /** Replaces each named method of `target` (in place) with a timed one. */
  wrap<O extends object>(target: O, prefix: string, names: Array<keyof O & string>): O {
    for (const name of names) {
      const original = target[name] as unknown as AnyAsync
      const timed = (...args: never[]) => {
        const started = performance.now()
        const result: unknown = original.apply(target, args)
        // Only calls that wait are timed; a synchronous one (tx.deadlines()) answers as it is.
        if (!(result instanceof Promise)) return result
        return result.finally(() => this.record(`${prefix}.${name}`, performance.now() - started))
      }
      ;(target as Record<string, unknown>)[name] = timed
    }
    return target
  }

  /** Times every function-valued property of a copy of `target` (so new port methods are timed too). */
  wrapAll<O extends object>(target: O, prefix: string): O {
    const copy = { ...target }
    const names = Object.keys(copy).filter((k) => typeof (copy as Record<string, unknown>)[k] === 'function')
    return this.wrap(copy, prefix, names as Array<keyof O & string>)
  }

  clear(): void {
    this.samples.clear()
  }

  /** One line per step, busiest first: calls, mean and p99 in ms, and time in it per second of wall clock. */
  lines(wallMs: number): string[] {
    const rows = [...this.samples].map(([label, list]) => {
      const total = list.reduce((sum, v) => sum + v, 0)
      const sorted = [...list].sort((a, b) => a - b)
      return { label, n: list.length, mean: total / list.length, p99: percentile(sorted, 99), total }
    })
    rows.sort((a, b) => b.total - a.total)
    return rows.map(
      (r) =>
        `    ${r.label.padEnd(42)} ${String(r.n).padStart(7)} calls  mean ${round(r.mean, 2)
          .toFixed(2)
          .padStart(
            8,
          )} ms  p99 ${round(r.p99, 1).toFixed(1).padStart(8)} ms  busy ${round(r.total / wallMs, 2).toFixed(2)}`,
    )
  }
}

/** Times every port call of the inbound path; call before the worker takes jobs. */
export function instrumentPipeline(ctx: AppContext, breakdown: Breakdown): void {
  const deps = ctx.inboundDeps
  const store = deps.store
  const timedStore: InboundStore = breakdown.wrapAll(store, 'store')
  timedStore.transaction = (fn) =>
    breakdown.time('store.transaction (whole)', () =>
      store.transaction((tx) => fn(breakdown.wrapAll<InboundTx>(tx, 'tx'))),
    )
  deps.store = timedStore
  deps.dispatcher = breakdown.wrapAll(deps.dispatcher, 'dispatch')
  breakdown.wrap(ctx.inboundEvents, 'ingest', ['saveMany'])
  breakdown.wrap(ctx.queues, 'ingest', ['addInboundMany'])
  breakdown.wrap(ctx.webChat, 'http', ['findByToken'])
}
