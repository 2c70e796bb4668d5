/**
 * Two ways of offering load. Closed loop: a fixed number of senders, each
 * sending the next item as soon as its previous one was answered (measures how
 * fast the service can take them). Open loop: items leave at a fixed rate,
 * whether or not earlier ones were answered (measures latency at a given load
 * without the coordinated omission a closed loop would hide).
 */

export interface OfferReport {
  sent: number
  failed: number
  /** Distinct failure descriptions and how often each happened. */
  errors: Array<[string, number]>
  /** Open loop only: the furthest a send started behind its schedule, in ms (the sender itself lagging). */
  maxLagMs: number
  elapsedMs: number
  /** CPU time of the process that offered (set by the web chat client, which runs on its own). */
  cpuMs?: number
}

type Send<T> = (item: T) => Promise<void>

class Tally {
  sent = 0
  failed = 0
  maxLagMs = 0
  private readonly errors = new Map<string, number>()

  async run<T>(send: Send<T>, item: T): Promise<void> {
    try {
      await send(item)
      this.sent++
    } catch (error) {
      this.failed++
      const what = error instanceof Error ? error.message : String(error)
      this.errors.set(what, (this.errors.get(what) ?? 0) + 1)
    }
  }

  report(startedAt: number): OfferReport {
    return {
      sent: this.sent,
      failed: this.failed,
      errors: [...this.errors],
      maxLagMs: Math.round(this.maxLagMs),
      elapsedMs: Date.now() - startedAt,
    }
  }
}

/** Sends every item with at most `concurrency` in flight, each sender taking the next item when free. */
export async function offerClosed<T>(items: T[], concurrency: number, send: Send<T>): Promise<OfferReport> {
  const tally = new Tally()
  const startedAt = Date.now()
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T
      await tally.run(send, item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane))
  return tally.report(startedAt)
}

/**
 * Sends item i at `startAt + i / perSecond` (epoch ms, so two processes can
 * share one schedule), never waiting for answers before sending the next.
 */
export async function offerOpen<T>(
  items: T[],
  perSecond: number,
  startAt: number,
  send: Send<T>,
): Promise<OfferReport> {
  const tally = new Tally()
  const inFlight = new Set<Promise<void>>()
  const due = (i: number) => startAt + (i * 1000) / perSecond
  let i = 0
  while (i < items.length) {
    const wait = due(i) - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const now = Date.now()
    while (i < items.length && due(i) <= now) {
      tally.maxLagMs = Math.max(tally.maxLagMs, now - due(i))
      const p = tally.run(send, items[i++] as T).finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
  }
  await Promise.all(inFlight)
  return tally.report(startAt)
}

/** Describes a report in one line, without any message content. */
export function describeOffer(label: string, report: OfferReport): string {
  const rate = report.elapsedMs > 0 ? Math.round((report.sent * 1000) / report.elapsedMs) : 0
  const errors = report.errors.map(([what, n]) => `${n}× ${what}`).join('; ')
  return (
    `  ${label}: ${report.sent} accepted in ${(report.elapsedMs / 1000).toFixed(1)} s (${rate}/s)` +
    (report.maxLagMs > 0 ? `, sender lag max ${report.maxLagMs} ms` : '') +
    (report.cpuMs !== undefined && report.sent
      ? `, client ${(report.cpuMs / report.sent).toFixed(2)} ms CPU per message`
      : '') +
    (report.failed ? `, ${report.failed} FAILED: ${errors}` : '')
  )
}
