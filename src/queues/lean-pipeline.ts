import { Pipeline, type Redis } from 'ioredis'

type PipelineCommands = Parameters<Redis['pipeline']>[0]

/**
 * ioredis builds every pipeline by copying onto it each Lua script the client
 * knows. BullMQ defines 64, so a pipeline cost 70-130 µs to build on a 2-core
 * machine, and auto-pipelining builds one per tick: at 300 messages a second,
 * about 0.2 ms of CPU a message. Here a client's pipelines are built knowing no
 * scripts and find them through one prototype they share, made again only when
 * a script is defined.
 */
export function leanPipelines(redis: Redis): Redis {
  // What the constructor reads from the client, minus the scripts it would copy.
  const scriptless = Object.create(redis, {
    scriptsSet: { value: {} },
    addedBuiltinSet: { value: new Set<string>() },
  }) as Redis
  let shared: { proto: object; shaToScript: Record<string, unknown> } | null = null
  const defineCommand = redis.defineCommand.bind(redis)
  redis.defineCommand = (...args: Parameters<Redis['defineCommand']>) => {
    shared = null
    defineCommand(...args)
  }
  redis.pipeline = (commands?: PipelineCommands) => {
    shared ??= scripted(redis)
    const pipeline = new Pipeline(scriptless)
    // Its own fields now point at the real client; its methods come from the shared prototype.
    Object.assign(pipeline, { redis, _shaToScript: shared.shaToScript })
    Object.setPrototypeOf(pipeline, shared.proto)
    if (Array.isArray(commands)) pipeline.addBatch(commands)
    return pipeline
  }
  return redis
}

/** A pipeline prototype with the client's scripts (and commands it added) on it, as ioredis would copy them. */
function scripted(redis: Redis): { proto: object; shaToScript: Record<string, unknown> } {
  const client = redis as unknown as Record<string, unknown> & {
    scriptsSet: Record<string, { sha: string }>
    addedBuiltinSet: Set<string>
  }
  const proto: Record<string, unknown> = Object.create(Pipeline.prototype)
  const shaToScript: Record<string, unknown> = {}
  for (const [name, script] of Object.entries(client.scriptsSet)) {
    shaToScript[script.sha] = script
    proto[name] = client[name]
    proto[`${name}Buffer`] = client[`${name}Buffer`]
  }
  for (const name of client.addedBuiltinSet) {
    proto[name] = client[name]
    proto[`${name}Buffer`] = client[`${name}Buffer`]
  }
  return { proto, shaToScript }
}
