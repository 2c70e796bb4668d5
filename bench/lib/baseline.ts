import { Queue, Worker } from 'bullmq'
import { createRedis } from '../../src/queues/redis.ts'
import { say } from './bench.ts'
import { Completions } from './completions.ts'
import { describeOffer, offerClosed, offerOpen } from './offer.ts'
import { describeLatency, type LatencySummary, summarize } from './stats.ts'

export interface BaselineOptions {
  redisUrl: string
  prefix: string
  jobs: number
  /** Worker concurrency: the same as the inbound worker's. */
  concurrency: number
  /** Producers in flight during the throughput phase. */
  producers: number
  latency: { perSecond: number; seconds: number }
}

export interface BaselineResult {
  jobsPerSec: number
  latency: LatencySummary
}

/**
 * What BullMQ alone does on this machine and Redis: the same number of jobs,
 * added one by one with the options of an inbound job, taken by a worker of the
 * same concurrency that does nothing. The floor under the pipeline's figures.
 */
export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const producer = createRedis(options.redisUrl, 'producer')
  const connection = createRedis(options.redisUrl, 'worker')
  const queue = new Queue('baseline', {
    connection: producer,
    prefix: options.prefix,
    // As the service's queues: finished jobs removed by age and count.
    defaultJobOptions: {
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  })
  const worker = new Worker('baseline', async () => ({ ok: true }), {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  })
  const errors: string[] = []
  queue.on('error', (e) => errors.push(e.message))
  worker.on('error', (e) => errors.push(e.message))
  const latencies: number[] = []
  let measureLatency = false
  const done = new Completions(worker, (job) => {
    if (measureLatency) latencies.push(Date.now() - job.timestamp)
  })
  await worker.waitUntilReady()
  // As Queues.addInbound: a derived job id, the event's account, retries with backoff, removed once done.
  const add = (id: string) =>
    queue
      .add(
        'inbound',
        { eventId: id, accountId: 'cq-station' },
        { jobId: id, attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true },
      )
      .then(() => undefined)

  try {
    const ids = Array.from({ length: options.jobs }, (_, i) => `base-${i}`)
    const startedAt = Date.now()
    const offered = offerClosed(ids, options.producers, add)
    await done.waitFor(options.jobs, 'baseline')
    say(describeOffer('baseline producers', await offered))
    const jobsPerSec = (options.jobs * 1000) / (done.lastAt - startedAt)

    const { perSecond, seconds } = options.latency
    const paced = Array.from({ length: perSecond * seconds }, (_, i) => `base-lat-${i}`)
    measureLatency = true
    const report = await offerOpen(paced, perSecond, Date.now() + 200, add)
    await done.waitFor(options.jobs + paced.length, 'baseline at rate')
    say(describeOffer(`baseline at ${perSecond}/s`, report))
    const latency = summarize(latencies)
    say(`  baseline latency (add → completed) at ${perSecond}/s: ${describeLatency(latency)}`)
    if (errors.length || done.failures.size) {
      throw new Error(`baseline had errors: ${JSON.stringify([...errors, ...done.failures.keys()])}`)
    }
    return { jobsPerSec, latency }
  } finally {
    await worker.close()
    await queue.close()
    producer.disconnect()
    connection.disconnect()
  }
}
