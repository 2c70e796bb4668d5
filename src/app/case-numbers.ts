/**
 * Case numbers handed out from blocks reserved in the database, so the one
 * counter row of a station is touched once per block instead of once per
 * message, and never inside a case transaction (where it would serialize every
 * worker on that row). A batch takes as many numbers as it might need and
 * gives back what it did not use, so numbers stay dense; only numbers held by
 * a process when it stops are skipped, which is harmless.
 */
export interface CaseNumberSource {
  /** Reserves `count` consecutive values of the station's counter for the year; answers the last one. */
  reserve(stationId: string, year: number, count: number): Promise<number>
}

export class CaseNumbers {
  private readonly free = new Map<string, number[]>()

  constructor(
    private readonly source: CaseNumberSource,
    private readonly blockSize = 50,
  ) {}

  /** `count` unused counter values, lowest first. */
  async take(stationId: string, year: number, count: number): Promise<number[]> {
    if (count <= 0) return []
    const key = `${stationId}|${year}`
    // A loop: other batches may take from the pool while this one waits for its block.
    while ((this.free.get(key)?.length ?? 0) < count) {
      const size = Math.max(count - (this.free.get(key)?.length ?? 0), this.blockSize)
      const last = await this.source.reserve(stationId, year, size)
      this.giveBack(
        stationId,
        year,
        Array.from({ length: size }, (_, i) => last - size + 1 + i),
      )
    }
    const pool = this.free.get(key) ?? []
    return pool.splice(0, count)
  }

  /** Numbers a batch took but did not use: handed out again next. */
  giveBack(stationId: string, year: number, numbers: number[]): void {
    if (numbers.length === 0) return
    const key = `${stationId}|${year}`
    const pool = this.free.get(key) ?? []
    pool.push(...numbers)
    pool.sort((a, b) => a - b)
    this.free.set(key, pool)
  }
}
