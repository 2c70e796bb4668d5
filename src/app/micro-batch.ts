/**
 * Gathers single calls into batches, so one database statement or one Redis
 * round trip serves many messages. A call made while nothing is in flight
 * goes out on the next turn of the event loop (with whatever else arrived in
 * that turn); under load, calls wait for a free slot and go out together. So a
 * quiet service answers as fast as before and a busy one does less work per call.
 * With `overlapFrom`, a batch starts beside one already in flight only once that
 * many calls wait: at a steady trickle, calls gather behind the batch in flight
 * instead of each going out nearly alone.
 */
export interface MicroBatchOptions<I, O> {
  /** Handles a batch; answers one result per item, in order, or an Error for an item that failed alone. */
  run(items: I[]): Promise<Array<O | Error>>
  /** Largest batch. */
  maxSize: number
  /** Batches in flight at once. */
  maxInFlight: number
  /** Calls that must be waiting before a batch starts while another is in flight (default 1). */
  overlapFrom?: number
}

interface Pending<I, O> {
  item: I
  resolve(value: O): void
  reject(error: unknown): void
}

export interface MicroBatch<I, O> {
  submit(item: I): Promise<O>
  /** Resolves once every submitted call has been answered. */
  drain(): Promise<void>
}

export function createMicroBatch<I, O>(options: MicroBatchOptions<I, O>): MicroBatch<I, O> {
  const waiting: Array<Pending<I, O>> = []
  let inFlight = 0
  let scheduled = false
  let idle: Array<() => void> = []

  const overlapFrom = Math.max(1, options.overlapFrom ?? 1)
  const canStart = () =>
    inFlight < options.maxInFlight && waiting.length >= (inFlight === 0 ? 1 : overlapFrom)

  const schedule = () => {
    if (scheduled || !canStart()) return
    scheduled = true
    setImmediate(flush)
  }

  const flush = () => {
    scheduled = false
    while (canStart()) {
      const batch = waiting.splice(0, options.maxSize)
      inFlight++
      void runBatch(batch).finally(() => {
        inFlight--
        if (waiting.length > 0) schedule()
        else if (inFlight === 0) {
          for (const done of idle) done()
          idle = []
        }
      })
    }
  }

  const runBatch = async (batch: Array<Pending<I, O>>) => {
    let results: Array<O | Error>
    try {
      results = await options.run(batch.map((p) => p.item))
    } catch (error) {
      for (const p of batch) p.reject(error)
      return
    }
    batch.forEach((p, i) => {
      const result = results[i]
      if (result instanceof Error) p.reject(result)
      else if (i >= results.length) p.reject(new Error('batch answered fewer results than items'))
      else p.resolve(result as O)
    })
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        schedule()
      })
    },
    drain() {
      if (inFlight === 0 && waiting.length === 0) return Promise.resolve()
      return new Promise((resolve) => idle.push(resolve))
    },
  }
}
