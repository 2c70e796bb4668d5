import { Queue, Worker } from 'bullmq'
import pg from 'pg'
import { createMicroBatch } from '../../src/app/micro-batch.ts'
import { createRedis } from '../../src/queues/redis.ts'
import { INBOUND_BATCHES_IN_FLIGHT, INBOUND_OVERLAP_FROM } from '../../workers/inbound.worker.ts'
import { say } from './bench.ts'
import { Completions } from './completions.ts'
import { describeOffer, offerClosed, offerOpen } from './offer.ts'
import { ServerCpu } from './server-cpu.ts'
import { describeLatency, describeMeter, type LatencySummary, ProcessMeter, summarize } from './stats.ts'

export interface SkeletonOptions {
  redisUrl: string
  /** The run's own schema (search_path and application_name already in the URL). */
  databaseUrl: string
  serverUrl?: string
  applicationName?: string
  prefix: string
  messages: number
  concurrency: number
  producers: number
  latency: { perSecond: number; seconds: number }
}

export interface SkeletonResult {
  msgsPerSec: number
  /** CPU ms a message: this process, PostgreSQL's backends, the Redis server (null when unreadable). */
  cpuMs: { process: number; postgres: number | null; redis: number | null }
  /** From the offer to the worker's completion, at the latency phase's rate. */
  latency: LatencySummary
}

/**
 * The least work the design asks of a message, with none of the
 * application in between: store the event, queue its id, and in a worker
 * (batched, one transaction a batch) mark it done, store the message, open or
 * touch the resident's case, store the acknowledgement, then queue the case on
 * an officer's queue and the acknowledgement on an account's outbound queue.
 * No HTTP, no resident lookup, no routing, no timers, no live events: every
 * real implementation does more, so its throughput and its latency at a rate
 * are bounds for the pipeline's on this machine, measured in the same run.
 */
export async function runSkeleton(options: SkeletonOptions): Promise<SkeletonResult> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8 })
  await pool.query(`
    CREATE TABLE skel_events (id text PRIMARY KEY, payload jsonb NOT NULL, status text NOT NULL DEFAULT 'pending');
    CREATE TABLE skel_cases (id text PRIMARY KEY, resident_id text NOT NULL UNIQUE, last_message_at timestamptz NOT NULL);
    CREATE TABLE skel_messages (id text PRIMARY KEY, case_id text NOT NULL, direction text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`)
  const producer = createRedis(options.redisUrl, 'producer')
  const connection = createRedis(options.redisUrl, 'worker')
  const jobOptions = { removeOnComplete: { age: 24 * 3600, count: 10_000 } }
  const inbound = new Queue('skel-inbound', { connection: producer, prefix: options.prefix })
  const officer = new Queue('skel-officer', { connection: producer, prefix: options.prefix })
  const outbound = new Queue('skel-outbound', { connection: producer, prefix: options.prefix })

  const saving = createMicroBatch<{ id: string; payload: string }, undefined>({
    run: async (rows) => {
      await pool.query(
        'INSERT INTO skel_events (id, payload) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT DO NOTHING',
        [rows.map((r) => r.id), rows.map((r) => r.payload)],
      )
      return rows.map(() => undefined)
    },
    maxSize: 100,
    maxInFlight: 4,
  })
  const queueing = createMicroBatch<string, undefined>({
    run: async (ids) => {
      await inbound.addBulk(
        ids.map((id) => ({ name: 'inbound', data: { eventId: id }, opts: { jobId: id, ...jobOptions } })),
      )
      return ids.map(() => undefined)
    },
    maxSize: 100,
    maxInFlight: 4,
  })
  const handling = createMicroBatch<string, undefined>({
    run: async (ids) => {
      const client = await pool.connect()
      let events: Array<{ id: string; resident: string; text: string }>
      try {
        await client.query('BEGIN')
        events = (
          await client.query(
            `UPDATE skel_events SET status = 'done' WHERE id = ANY($1::text[]) AND status = 'pending'
             RETURNING id, payload->>'resident' AS resident, payload->>'text' AS text`,
            [ids],
          )
        ).rows
        const residents = [...new Set(events.map((e) => e.resident))]
        await client.query(
          `INSERT INTO skel_cases (id, resident_id, last_message_at) SELECT 'case-' || r, r, now() FROM unnest($1::text[]) AS r
           ON CONFLICT (resident_id) DO UPDATE SET last_message_at = now()`,
          [residents],
        )
        await client.query(
          `INSERT INTO skel_messages (id, case_id, direction, body)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
          [
            [...events.map((e) => e.id), ...events.map((e) => `ack-${e.id}`)],
            [...events, ...events].map((e) => `case-${e.resident}`),
            [...events.map(() => 'inbound'), ...events.map(() => 'outbound')],
            [...events.map((e) => e.text), ...events.map(() => '已收到您的消息，案件编号 CQ-2026-000123')],
          ],
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      } finally {
        client.release()
      }
      await Promise.all([
        officer.addBulk(
          events.map((e) => ({
            name: 'case',
            data: { caseId: `case-${e.resident}`, messageId: e.id },
            opts: { jobId: `case-${e.resident}`, priority: 5, ...jobOptions },
          })),
        ),
        outbound.addBulk(
          events.map((e) => ({
            name: 'send',
            data: { messageId: `ack-${e.id}` },
            opts: { jobId: `ack-${e.id}`, attempts: 5, ...jobOptions },
          })),
        ),
      ])
      return ids.map(() => undefined)
    },
    // Batched as the inbound worker batches.
    maxSize: Math.ceil(options.concurrency / INBOUND_BATCHES_IN_FLIGHT),
    maxInFlight: INBOUND_BATCHES_IN_FLIGHT,
    overlapFrom: INBOUND_OVERLAP_FROM,
  })
  const worker = new Worker<{ eventId: string }>('skel-inbound', (job) => handling.submit(job.data.eventId), {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  })
  const offeredAt = new Map<string, number>()
  const latencies: number[] = []
  const done = new Completions(worker, (job) => {
    const at = job.id ? offeredAt.get(job.id) : undefined
    if (at !== undefined) latencies.push(Date.now() - at)
  })
  await worker.waitUntilReady()

  const servers = new ServerCpu(options.serverUrl, options.applicationName, options.redisUrl)
  try {
    const items = (count: number, tag: string) =>
      Array.from({ length: count }, (_, i) => ({
        id: `skel-${tag}-${i}`,
        payload: JSON.stringify({
          resident: `r${i % 10_000}`,
          text: `柳营巷${i % 40}号楼下每天晚上有人很吵，请帮忙处理一下，谢谢`,
        }),
      }))
    const send = async (item: { id: string; payload: string }) => {
      await saving.submit(item)
      await queueing.submit(item.id)
    }
    await servers.start()
    const meter = new ProcessMeter()
    const startedAt = Date.now()
    const offered = offerClosed(items(options.messages, 'tp'), options.producers, send)
    await done.waitFor(options.messages, 'skeleton')
    say(describeOffer('skeleton producers', await offered))
    const msgsPerSec = (options.messages * 1000) / (done.lastAt - startedAt)
    const lap = meter.lap()
    const cpu = await servers.stop()
    const per = (ms: number | null) => (ms === null ? null : ms / options.messages)
    say(`  skeleton process: ${describeMeter(lap, options.messages)}`)
    const { perSecond, seconds } = options.latency
    const paced = items(perSecond * seconds, 'lat')
    const report = await offerOpen(paced, perSecond, Date.now() + 200, (item) => {
      offeredAt.set(item.id, Date.now())
      return send(item)
    })
    await done.waitFor(options.messages + paced.length, 'skeleton at rate')
    say(describeOffer(`skeleton at ${perSecond}/s`, report))
    const latency = summarize(latencies)
    say(`  skeleton latency (offer → completed) at ${perSecond}/s: ${describeLatency(latency)}`)
    if (done.failures.size) throw new Error(`skeleton had failures: ${JSON.stringify([...done.failures])}`)
    // A ceiling is only worth its figure if the work was done: every event handled, both messages stored.
    const total = options.messages + paced.length
    const { rows } = await pool.query<{ done: number; messages: number }>(
      `SELECT (SELECT count(*)::int FROM skel_events WHERE status = 'done') AS done,
              (SELECT count(*)::int FROM skel_messages) AS messages`,
    )
    if (rows[0]?.done !== total || rows[0]?.messages !== 2 * total) {
      throw new Error(`skeleton did not do its work: ${JSON.stringify(rows[0])}, expected ${total} events`)
    }
    return {
      msgsPerSec,
      cpuMs: {
        process: lap.cpuMs / options.messages,
        postgres: per(cpu.postgresMs),
        redis: per(cpu.redisMs),
      },
      latency,
    }
  } finally {
    await worker.close()
    await Promise.all([inbound.close(), officer.close(), outbound.close()])
    producer.disconnect()
    connection.disconnect()
    await pool.query('DROP TABLE IF EXISTS skel_events, skel_cases, skel_messages')
    await pool.end()
  }
}
