/**
 * The broadcast worker and the bot role (every WeChat account on the mock
 * puppet) in a process of its own, for the test that kills it (kill -9) in
 * the middle of a broadcast and starts another. Configured from the
 * environment like the service; says "ready" on stdout once it sends.
 *
 * SEND_LOG: every platform send is appended to this file as it is made
 * (epoch ms, account, contact id or group:<name>, first line of the text),
 * synchronously, so the record survives the kill.
 * CLOCK_OFFSET_MS: the service clock runs this far ahead of the real one.
 * SEND_DELAY_MS: each send takes this long after it is recorded, which widens
 * the window in which a killed worker has sent but not yet said so.
 */
import { appendFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { mock } from 'wechaty-puppet-mock'
import { startBots } from '../../bots/index.ts'
import { createPuppet } from '../../bots/wechaty/puppet.ts'
import { loadConfig } from '../../src/config.ts'
import { createContext } from '../../src/context.ts'
import { createLogger } from '../../src/logger.ts'
import { startBroadcastWorker } from '../../workers/broadcast.worker.ts'
import { waitFor } from './wait.ts'

const config = loadConfig(process.env)
const logger = createLogger({ level: config.LOG_LEVEL })
const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0)
const ctx = await createContext(config, logger, { clock: { now: () => new Date(Date.now() + offset) } })
const log = process.env.SEND_LOG ?? ''
const delayMs = Number(process.env.SEND_DELAY_MS ?? 0)

const db = ctx.database.db
const contacts = await db.selectFrom('channel_identities').select(['account_id', 'contact_ref']).execute()
const accounts = await db.selectFrom('bot_accounts').select(['id', 'groups']).execute()

type Mocker = InstanceType<typeof mock.Mocker>
const mockers = new Map<string, Mocker>()
const bots = await startBots(ctx, {
  puppetFactory: async (account) => {
    const mocker = new mock.Mocker()
    mockers.set(account.id, mocker)
    const puppet = await createPuppet({ puppet: 'mock', mocker })
    const send = puppet.messageSendText.bind(puppet)
    puppet.messageSendText = async (conversationId: string, text: string, ...rest: unknown[]) => {
      const to = conversationId.endsWith('@chatroom')
        ? `group:${mocker.roomPayload(conversationId)?.topic}`
        : conversationId
      appendFileSync(log, `${Date.now()}\t${account.id}\t${to}\t${text.split('\n')[0]}\n`)
      if (delayMs > 0) await sleep(delayMs)
      return (send as (...args: unknown[]) => Promise<string | undefined>)(conversationId, text, ...rest)
    }
    return puppet
  },
})
const wechat = bots.channels.find((c) => c.kind === 'wechat') as unknown as {
  isLoggedIn(id: string): boolean
}
for (const [accountId, mocker] of mockers) {
  const self = mocker.createContact({ name: accountId })
  mocker.login(self)
  for (const c of contacts)
    if (c.account_id === accountId) mocker.createContact({ id: c.contact_ref, name: c.contact_ref })
  for (const topic of accounts.find((a) => a.id === accountId)?.groups ?? [])
    mocker.createRoom({ topic, memberIdList: [self.id] })
}
await waitFor(() => [...mockers.keys()].every((id) => wechat.isLoggedIn(id)), 'mock accounts to log in')

const role = startBroadcastWorker({
  connection: ctx.redis.worker,
  redis: ctx.redis.producer,
  prefix: config.QUEUE_PREFIX,
  logger,
  runner: ctx.broadcasts.runner,
  tickMs: config.BROADCAST_TICK,
})
await role.worker.waitUntilReady()
process.stdout.write('ready\n')

process.on('SIGTERM', () => {
  void role
    .close()
    .then(() => bots.stop())
    .then(() => ctx.close())
    .finally(() => process.exit(0))
})
