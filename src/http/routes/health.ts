import type { FastifyInstance } from 'fastify'

export interface HealthChecks {
  /** Named checks; each resolves when its dependency answers. */
  [name: string]: () => Promise<unknown>
}

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ])

/** /healthz: the process is up. /readyz: it can do its work (Redis and the database answer). */
export async function healthRoutes(app: FastifyInstance, options: { checks: HealthChecks }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const results: Record<string, string> = {}
    let ready = true
    await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await within(2000, check())
          results[name] = 'ok'
        } catch (error) {
          ready = false
          results[name] = (error as Error).message || 'failed'
        }
      }),
    )
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results })
  })
}
