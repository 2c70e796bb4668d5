import path from 'node:path'
import type { FileBox } from 'file-box'
import type { Contact, Message, Room, Wechaty } from 'wechaty'
import { IMAGE_EXTENSIONS, isImageType } from '../../src/domain/image-type.ts'
import type { ConversationRef } from '../../src/domain/types.ts'
import {
  type ChannelCapabilities,
  type ChatChannel,
  type InboundHandler,
  type MalformedHandler,
  type OutboundImage,
  type OutboundText,
  PermanentSendError,
} from '../channel.ts'
import {
  isMediaType,
  type NormalizeResult,
  normalizeWechatMessage,
  type RawWechatMessage,
  splitTextByBytes,
  WECHAT_CHANNEL,
  WechatMessageType,
} from './normalize.ts'
import { createPuppet, type PuppetKind, type WechatyPuppet } from './puppet.ts'

/** One WeChat account held by this channel: an officer's own or a station's. */
export interface WechatAccountConfig {
  id: string
  puppet: PuppetKind
  /** The puppet-service token, for `service`. */
  token?: string
  /** Group topics (or room ids) in which the account answers when @-mentioned. */
  groups: string[]
}

/** The part of a pino logger the channel uses; pino's `Logger` fits it. */
export interface ChannelLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

export interface WechatyChannelOptions {
  accounts: WechatAccountConfig[]
  logger: ChannelLogger
  /** Builds each account's puppet; tests pass one that injects a PuppetMock with a mocker they drive. */
  puppetFactory?: (account: WechatAccountConfig) => Promise<WechatyPuppet>
  /**
   * Folder for the login sessions (`wechaty-<account>.memory-card.json`), so an account
   * logs in again after a restart without a new scan. Without it sessions live in memory only.
   */
  sessionDir?: string
  /** Wechaty's own console log level; silent by default because it can print names and text. */
  wechatyLogLevel?: 'silent' | 'error' | 'warn' | 'info'
  /** How long to wait for a media file's size and name before giving up on them. */
  mediaInfoTimeoutMs?: number
  /** Told when an account has logged in (a scan, a stored session at start, a reconnect). */
  onLogin?: (accountId: string) => void
}

interface HeldAccount {
  account: WechatAccountConfig
  bot: Wechaty
}

type WechatyModule = typeof import('wechaty')
type FileBoxClass = typeof import('file-box').FileBox

const SCAN_WAITING = 2
const SCAN_TIMEOUT = 5

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

async function attemptAsync<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    const work = fn()
    if (timeoutMs === undefined) return await work
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    })
    return await Promise.race([work, timeout])
  } catch {
    return undefined
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/**
 * The WeChat channel: one Wechaty bot per configured account. It only turns WeChat
 * messages into `InboundEvent`s and sends texts; everything else happens after the
 * inbound handler has queued the event.
 */
export class WechatyChannel implements ChatChannel {
  readonly kind = WECHAT_CHANNEL
  readonly capabilities: ChannelCapabilities = { maxTextBytes: 2048, groups: true, media: true }

  private readonly held = new Map<string, HeldAccount>()
  private fileBox: FileBoxClass | null = null
  private readonly options: WechatyChannelOptions
  private readonly log: ChannelLogger

  constructor(options: WechatyChannelOptions) {
    const ids = new Set<string>()
    for (const account of options.accounts) {
      if (ids.has(account.id)) throw new Error(`WeChat account id ${account.id} is configured twice`)
      ids.add(account.id)
    }
    this.options = options
    this.log = options.logger
  }

  accountIds(): string[] {
    return this.options.accounts.map((a) => a.id)
  }

  /** Whether the account's bot is running and logged in to WeChat. */
  isLoggedIn(accountId: string): boolean {
    return this.held.get(accountId)?.bot.isLoggedIn ?? false
  }

  async start(handlers: { onInbound: InboundHandler; onMalformed: MalformedHandler }): Promise<void> {
    if (this.held.size > 0) throw new Error('WechatyChannel already started')
    // Loaded here, not at the top: Wechaty takes about a second to import, and processes
    // that hold no WeChat account should not pay for it.
    const wechaty: WechatyModule = await import('wechaty')
    wechaty.log.level(this.options.wechatyLogLevel ?? 'silent')
    // Wechaty's own dependency, for sending pictures.
    this.fileBox = (await import('file-box')).FileBox

    const results = await Promise.allSettled(
      this.options.accounts.map((account) => this.startAccount(wechaty, account, handlers)),
    )
    const failedIndex = results.findIndex((r) => r.status === 'rejected')
    if (failedIndex >= 0) {
      const failed = results[failedIndex] as PromiseRejectedResult
      const accountId = this.options.accounts[failedIndex]?.id
      await this.stop()
      throw new Error(`WeChat account ${accountId} could not start: ${errorMessage(failed.reason)}`, {
        cause: failed.reason,
      })
    }
  }

  private async startAccount(
    wechaty: WechatyModule,
    account: WechatAccountConfig,
    handlers: { onInbound: InboundHandler; onMalformed: MalformedHandler },
  ): Promise<void> {
    const factory = this.options.puppetFactory ?? ((a: WechatAccountConfig) => createPuppet(a))
    const puppet = await factory(account)
    const name = this.options.sessionDir
      ? path.resolve(this.options.sessionDir, `wechaty-${account.id}`)
      : undefined
    const bot = wechaty.WechatyBuilder.build(name ? { puppet, name } : { puppet })
    const accountId = account.id

    bot.on('scan', (qrcode, status) => {
      if (status !== SCAN_WAITING && status !== SCAN_TIMEOUT) return
      this.log.info(
        { accountId, qrcode, qrImageUrl: wechaty.qrcodeValueToImageUrl(qrcode) },
        "WeChat login needed: show this QR code and scan it with the account's phone",
      )
    })
    bot.on('login', () => {
      this.log.info({ accountId }, 'WeChat account logged in')
      this.options.onLogin?.(accountId)
    })
    bot.on('logout', () => this.log.warn({ accountId }, 'WeChat account logged out'))
    bot.on('error', (err) =>
      this.log.warn({ accountId, err: errorMessage(err) }, 'Wechaty reported an error'),
    )
    bot.on('message', (msg) => {
      void this.onMessage(account, bot, msg, handlers)
    })

    this.held.set(accountId, { account, bot })
    await bot.start()
  }

  private async onMessage(
    account: WechatAccountConfig,
    bot: Wechaty,
    msg: Message,
    handlers: { onInbound: InboundHandler; onMalformed: MalformedHandler },
  ): Promise<void> {
    const accountId = account.id
    const receivedAt = new Date()
    let result: NormalizeResult
    try {
      result = await this.readAndNormalize(account, bot, msg, receivedAt)
    } catch (err) {
      this.log.warn(
        { accountId, externalId: msg.id, err: errorMessage(err) },
        'WeChat message could not be read',
      )
      result = { kind: 'malformed', reason: 'message could not be read' }
    }

    if (result.kind === 'ignore') {
      this.log.debug({ accountId, externalId: msg.id, reason: result.reason }, 'WeChat message ignored')
      return
    }
    if (result.kind === 'malformed') {
      const detail = {
        externalId: msg.id || undefined,
        type: attempt(() => msg.type()),
        isGroup: attempt(() => msg.room()) !== undefined,
      }
      this.log.warn({ accountId, reason: result.reason, ...detail }, 'malformed WeChat message')
      try {
        await handlers.onMalformed({ channel: WECHAT_CHANNEL, accountId, reason: result.reason, detail })
      } catch (err) {
        this.log.error(
          { accountId, externalId: detail.externalId, err: errorMessage(err) },
          'malformed WeChat message could not be parked',
        )
      }
      return
    }
    try {
      await handlers.onInbound(result.event)
    } catch (err) {
      this.log.error(
        { accountId, externalId: result.event.externalId, err: errorMessage(err) },
        'WeChat message could not be queued',
      )
    }
  }

  /**
   * Reads a message in two steps: first what decides whether it is ours at all, then,
   * only for messages we take, the sender's details and the media, link or location.
   */
  private async readAndNormalize(
    account: WechatAccountConfig,
    bot: Wechaty,
    msg: Message,
    receivedAt: Date,
  ): Promise<NormalizeResult> {
    const ctx = { accountId: account.id, servedGroups: account.groups, receivedAt }
    const talker = attempt(() => msg.talker())
    const room = attempt(() => msg.room())
    const raw: RawWechatMessage = {
      id: msg.id,
      type: attempt(() => msg.type()),
      self: talker !== undefined && talker.id === bot.puppet.currentUserId,
      text: attempt(() => msg.text()),
      talkerId: talker?.id,
      date: attempt(() => msg.date()),
      mentionSelf: false,
    }
    if (raw.self) return normalizeWechatMessage(raw, ctx)

    if (room) await this.readRoom(raw, bot, msg, room)
    const first = normalizeWechatMessage(raw, ctx)
    if (first.kind !== 'event') return first

    if (talker) await this.readTalker(raw, talker)
    await this.readContent(raw, msg)
    return normalizeWechatMessage(raw, ctx)
  }

  private async readRoom(raw: RawWechatMessage, bot: Wechaty, msg: Message, room: Room): Promise<void> {
    raw.roomId = room.id
    raw.roomTopic = await attemptAsync(() => room.topic())
    raw.mentionSelf = (await attemptAsync(() => msg.mentionSelf())) ?? false
    if (raw.mentionSelf) {
      const self = attempt(() => bot.currentUser)
      const roomAlias = self ? await attemptAsync(() => room.alias(self)) : undefined
      raw.mentionNames = [roomAlias, self ? attempt(() => self.name()) : undefined].filter(
        (n): n is string => !!n,
      )
    }
  }

  private async readTalker(raw: RawWechatMessage, talker: Contact): Promise<void> {
    raw.talkerName = attempt(() => talker.name()) || undefined
    raw.talkerAlias = (await attemptAsync(() => talker.alias())) || undefined
  }

  private async readContent(raw: RawWechatMessage, msg: Message): Promise<void> {
    const timeoutMs = this.options.mediaInfoTimeoutMs ?? 5000
    if (raw.type !== undefined && isMediaType(raw.type)) {
      // The file is not downloaded: FileBox keeps size and name as metadata.
      const box = await attemptAsync(() => msg.toFileBox(), timeoutMs)
      if (box) {
        if (box.size >= 0) raw.fileSize = box.size
        if (box.name) raw.fileName = box.name
      }
    } else if (raw.type === WechatMessageType.Url) {
      const link = await attemptAsync(() => msg.toUrlLink(), timeoutMs)
      if (link) raw.link = { title: link.title(), url: link.url(), description: link.description() }
    } else if (raw.type === WechatMessageType.Location) {
      const loc = await attemptAsync(() => msg.toLocation(), timeoutMs)
      if (loc) {
        raw.location = {
          name: loc.name(),
          address: loc.address(),
          latitude: loc.latitude(),
          longitude: loc.longitude(),
        }
      }
    }
  }

  async send(ref: ConversationRef, message: OutboundText): Promise<{ externalId?: string }> {
    const held = this.held.get(ref.accountId)
    if (!held) {
      throw new PermanentSendError(`No WeChat account ${ref.accountId} in this channel`, 'UNKNOWN_ACCOUNT')
    }
    const { bot } = held
    // Not permanent: the account may log in again (a scan, a reconnect) and the retry succeeds.
    if (!bot.isLoggedIn) throw new Error(`WeChat account ${ref.accountId} is not logged in`)

    const picture = message.image ? this.pictureOf(message.image) : undefined
    let last: unknown
    if (ref.groupRef) {
      // Groups are configured by name (a broadcast to a served group) or known by id (a member wrote in it).
      const room =
        (await bot.Room.find({ id: ref.groupRef })) ?? (await bot.Room.find({ topic: ref.groupRef }))
      if (!room) throw new PermanentSendError('The WeChat group is gone', 'GROUP_GONE')
      // No contact: a message to the whole group, mentioning nobody.
      const contact = ref.contactRef ? await bot.Contact.find({ id: ref.contactRef }) : undefined
      const mentionName = contact
        ? (await attemptAsync(() => room.alias(contact))) || contact.name()
        : undefined
      // Room.say prefixes "@name " to the text; leave room for it so no piece exceeds the limit.
      const overhead = mentionName ? Buffer.byteLength(`@${mentionName} `, 'utf8') : 0
      const pieces = splitTextByBytes(message.text, this.capabilities.maxTextBytes - overhead)
      // The picture first, then the words about it; the picture mentions nobody.
      if (picture) await room.say(picture)
      for (const piece of pieces) {
        last = contact ? await room.say(piece, contact) : await room.say(piece)
      }
    } else {
      const contact = await bot.Contact.find({ id: ref.contactRef })
      if (!contact) throw new PermanentSendError('The WeChat contact is gone', 'CONTACT_GONE')
      if (picture) await contact.say(picture)
      for (const piece of splitTextByBytes(message.text, this.capabilities.maxTextBytes)) {
        last = await contact.say(piece)
      }
    }
    const externalId = (last as { id?: unknown } | undefined)?.id
    return typeof externalId === 'string' ? { externalId } : {}
  }

  /**
   * The picture as a file message. From base64 rather than a Buffer: a
   * Buffer box cannot be serialized (`toJSON` throws), which puppets that
   * pass files on as JSON need; the bytes are the same.
   */
  private pictureOf(image: OutboundImage): FileBox {
    if (!this.fileBox) throw new Error('WechatyChannel not started')
    const ext = isImageType(image.mime) ? IMAGE_EXTENSIONS[image.mime] : 'jpg'
    const bytes = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
    return this.fileBox.fromBase64(bytes.toString('base64'), `${image.attachmentId}.${ext}`)
  }

  async stop(): Promise<void> {
    const held = [...this.held.values()]
    this.held.clear()
    const results = await Promise.allSettled(
      held.map(async ({ account, bot }) => {
        await bot.stop()
        this.log.info({ accountId: account.id }, 'WeChat account stopped')
      }),
    )
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        this.log.warn(
          { accountId: held[i]?.account.id, err: errorMessage(r.reason) },
          'WeChat account did not stop cleanly',
        )
      }
    }
  }
}
