interface Waiter<V> {
  resolve(value: V): void
  reject(error: unknown): void
}

interface Slot<V> {
  reading: boolean
  waiters: Array<Waiter<V>>
  read: (() => Promise<V>) | null
}

/**
 * Lets callers that ask for the same thing at the same moment share one read,
 * without ever answering a caller from a read that began before it asked: so
 * each answer is as fresh as a read of its own. Per key, one read at a time;
 * callers that ask meanwhile wait together for the next one, which starts as
 * soon as the current one ends. Idle, a read starts at once and costs what it
 * always did; under a burst (every open inbox refreshing after a live event)
 * one read serves all who asked while the previous one was under way.
 *
 * Callers with the same key must want the same answer (the read of whichever
 * asked first is run), and must not change what they are given: it is shared.
 */
export function shareFreshReads<V>(): (key: string, read: () => Promise<V>) => Promise<V> {
  const slots = new Map<string, Slot<V>>()

  const start = (key: string, slot: Slot<V>) => {
    const { waiters, read } = slot
    slot.waiters = []
    slot.read = null
    slot.reading = true
    let result: Promise<V>
    try {
      result = (read as () => Promise<V>)()
    } catch (error) {
      result = Promise.reject(error)
    }
    result
      .then(
        (value) => {
          for (const w of waiters) w.resolve(value)
        },
        (error: unknown) => {
          for (const w of waiters) w.reject(error)
        },
      )
      .finally(() => {
        slot.reading = false
        if (slot.waiters.length > 0) start(key, slot)
        else slots.delete(key)
      })
  }

  return (key, read) =>
    new Promise<V>((resolve, reject) => {
      let slot = slots.get(key)
      if (!slot) {
        slot = { reading: false, waiters: [], read: null }
        slots.set(key, slot)
      }
      slot.waiters.push({ resolve, reject })
      slot.read ??= read
      if (!slot.reading) start(key, slot)
    })
}
