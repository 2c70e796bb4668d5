import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Worker } from 'bullmq'
import { createImageLoader, type ImageLoader } from '../src/app/attachments.ts'
import { createAccountResume } from '../src/app/broadcasts/account-resume.ts'
import { createDeliverySender } from '../src/app/broadcasts/send-delivery.ts'
import type { Sender } from '../src/app/send-outbound.ts'
import type { AppContext } from '../src/context.ts'
import { startOutboundWorker } from '../workers/outbound.worker.ts'
import { type ChatChannel, PermanentSendError, withoutMedia } from './channel.ts'
import { WebChatChannel } from './web-chat/web-chat.channel.ts'
import type { WechatAccountConfig, WechatyChannelOptions } from './wechaty/wechaty.channel.ts'

/** How often logged-in accounts are checked for broadcast deliveries still paused. */
const RESUME_SWEEP_MS = 30_000

export interface BotRole {
  channels: ChatChannel[]
  stop(): Promise<void>
}

export interface BotRoleOptions {
  /** Tests inject mock puppets here. */
  puppetFactory?: WechatyChannelOptions['puppetFactory']
}

/**
 * The bot role: holds the chat channels (WeChat accounts, web chat) and runs
 * one outbound worker per account, at that account's pace. Inbound messages go
 * straight to `ctx.ingest`; nothing else happens in this role.
 */
export async function startBots(ctx: AppContext, options: BotRoleOptions = {}): Promise<BotRole> {
  const { config, logger } = ctx
  const dir = await ctx.directory.get()
  const rows = await ctx.database.db.selectFrom('bot_accounts').selectAll().orderBy('id').execute()
  const wanted =
    config.BOT_ACCOUNTS === 'all' ? null : new Set(config.BOT_ACCOUNTS.split(',').map((s) => s.trim()))
  const wechatRows = rows.filter((r) => r.kind === 'wechaty' && (!wanted || wanted.has(r.id)))

  const channels: ChatChannel[] = []
  const handlers = {
    onInbound: async (event: unknown) => void (await ctx.ingest(event)),
    onMalformed: async (entry: Parameters<AppContext['park']>[0]) => void (await ctx.park(entry)),
  }

  // A logged-out account's broadcast deliveries wait; its login lets them go on.
  const resume = createAccountResume({
    store: ctx.broadcasts.sendStore,
    publish: (event) => ctx.dispatcher.publish(event),
    audit: (entry) => ctx.audit.record(entry),
    onError: (error, accountIds) =>
      logger.warn({ err: error, accountIds }, 'resuming the broadcasts of logged-in accounts failed'),
  })

  const webAccounts = [...dir.accounts.keys()].filter((id) => id.startsWith('web-'))
  const web = new WebChatChannel(ctx.redis.producer, config.QUEUE_PREFIX, () => webAccounts)
  channels.push(web)

  if (wechatRows.length > 0) {
    const { WechatyChannel } = await import('./wechaty/wechaty.channel.ts')
    const accounts: WechatAccountConfig[] = wechatRows.map((r) => ({
      id: r.id,
      puppet: r.puppet as WechatAccountConfig['puppet'],
      token: r.token_env ? process.env[r.token_env] : undefined,
      groups: r.groups,
    }))
    channels.push(
      new WechatyChannel({
        accounts,
        logger,
        puppetFactory: options.puppetFactory,
        sessionDir: join(config.DATA_DIR, 'wechat-sessions'),
        onLogin: (accountId) => void resume.loggedIn(accountId),
      }),
    )
  }

  for (const channel of channels) await channel.start(handlers)

  const workers: Worker[] = []
  const limits = new Map(rows.map((r) => [r.id, r.rate_per_minute]))
  // One copy of a broadcast's picture serves every account of the process.
  const images = createImageLoader(ctx.attachmentStore, { cacheBytes: 4 * config.ATTACHMENT_MAX_BYTES })
  for (const channel of channels) {
    const sender: Sender = {
      send: (ref, message) => channel.send(ref, channel.capabilities.media ? message : withoutMedia(message)),
      isPermanent: (error) => error instanceof PermanentSendError,
    }
    const loggedIn = channel.isLoggedIn?.bind(channel)
    for (const accountId of channel.accountIds()) {
      const paced =
        channel === web
          ? {}
          : wechatSending(ctx, {
              accountId,
              timeZone:
                dir.stations.get(dir.accounts.get(accountId)?.stationId ?? '')?.timeZone ?? config.TIME_ZONE,
              ratePerMinute: limits.get(accountId) ?? 60,
              sender,
              loggedIn: loggedIn ? () => loggedIn(accountId) : undefined,
              images,
            })
      workers.push(
        startOutboundWorker({
          ...paced,
          accountId,
          connection: ctx.redis.worker,
          prefix: config.QUEUE_PREFIX,
          logger,
          store: ctx.outboundStore,
          sender,
          live: ctx.deliveryNotifier,
          images,
          // Web chat has no platform to upset; WeChat accounts keep their configured pace.
          perMinute: channel === web ? 0 : (limits.get(accountId) ?? 60),
          jitterMs: channel === web ? 0 : config.OUTBOUND_JITTER_MS,
        }),
      )
    }
  }
  logger.info({ accounts: channels.flatMap((c) => c.accountIds()) }, 'bot role started')
  // Accounts found logged in at start, and now and then after: a pause written just after a login.
  const resumeSweep = resume.every(RESUME_SWEEP_MS, () =>
    channels.flatMap((c) => c.accountIds().filter((id) => c.isLoggedIn?.(id) ?? false)),
  )

  return {
    channels,
    async stop() {
      resumeSweep.stop()
      await Promise.all(workers.map((w) => w.close()))
      for (const channel of channels) await channel.stop()
    },
  }
}

/**
 * A WeChat account's pace, which every send of the account keeps (replies,
 * notices and broadcast deliveries alike), and its broadcast sender.
 */
function wechatSending(
  ctx: AppContext,
  account: {
    accountId: string
    timeZone: string
    ratePerMinute: number
    sender: Sender
    loggedIn?: () => boolean
    images: ImageLoader
  },
) {
  const pace = ctx.sendPace.forAccount({
    accountId: account.accountId,
    ratePerMinute: account.ratePerMinute,
    jitterMs: ctx.config.OUTBOUND_JITTER_MS,
    timeZone: account.timeZone,
  })
  const broadcasts = createDeliverySender({
    store: ctx.broadcasts.sendStore,
    sender: account.sender,
    pace,
    accountReady: account.loggedIn,
    clock: ctx.clock,
    quietHours: ctx.config.BROADCAST_QUIET_HOURS,
    publish: (event) => ctx.dispatcher.publish(event),
    audit: (entry) => ctx.audit.record(entry),
    newToken: randomUUID,
    images: account.images,
  })
  return { pace, broadcasts }
}
