import type { InboundEvent, InboundKind, MediaInfo } from '../../src/domain/types.ts'

/**
 * The pure text rules of the WeChat adapter: what a Wechaty message becomes on the
 * way in, and how a long reply is cut on the way out. Nothing here imports Wechaty,
 * so the rules load and test without it.
 */

/** The channel kind stamped on every WeChat event and conversation reference. */
export const WECHAT_CHANNEL = 'wechat'

/**
 * Wechaty's `MessageType` numbers (wechaty-puppet `types.Message`), copied as constants
 * so that normalizing needs no Wechaty at run time. A unit test checks them against the enum.
 */
export const WechatMessageType = {
  Unknown: 0,
  Attachment: 1,
  Audio: 2,
  Contact: 3,
  ChatHistory: 4,
  Emoticon: 5,
  Image: 6,
  Text: 7,
  Location: 8,
  MiniProgram: 9,
  GroupNote: 10,
  Transfer: 11,
  RedEnvelope: 12,
  Recalled: 13,
  Url: 14,
  Video: 15,
  Post: 16,
} as const

/**
 * What the channel reads off a Wechaty message before normalizing it. Fields are optional
 * where a puppet may fail to provide them; the normalizer decides what is malformed.
 */
export interface RawWechatMessage {
  id?: string
  /** Wechaty's `MessageType` number. */
  type?: number
  /** True when the account itself sent it (its own sends come back as echoes). */
  self: boolean
  text?: string
  talkerId?: string
  talkerName?: string
  /** The contact's alias as set on this account. */
  talkerAlias?: string
  roomId?: string
  roomTopic?: string
  /** True when the message @-mentions this account. */
  mentionSelf: boolean
  /** The names this account may be @-mentioned by in the room (its name, its room alias). */
  mentionNames?: string[]
  date?: Date
  fileSize?: number
  fileName?: string
  link?: { title?: string; url?: string; description?: string }
  location?: { name?: string; address?: string; latitude?: number; longitude?: number }
}

/** What the channel knows about the account and the moment of receipt. */
export interface NormalizeContext {
  accountId: string
  /** Group topics (or room ids) this account is configured to serve. */
  servedGroups: string[]
  receivedAt: Date
}

/** Why a message is dropped without becoming an event; never carries message text. */
export type IgnoreReason = 'self' | 'recalled' | 'system' | 'group-not-served' | 'group-not-mentioned'

export type NormalizeResult =
  | { kind: 'event'; event: InboundEvent }
  | { kind: 'ignore'; reason: IgnoreReason }
  | { kind: 'malformed'; reason: string }

const MEDIA_KINDS: Partial<Record<number, MediaInfo['type']>> = {
  [WechatMessageType.Image]: 'image',
  [WechatMessageType.Audio]: 'voice',
  [WechatMessageType.Video]: 'video',
  [WechatMessageType.Attachment]: 'file',
}

/** Maps a Wechaty message type to our kind; types we cannot read become `unknown` so the resident gets a polite reply. */
export function inboundKindOf(type: number): InboundKind {
  switch (type) {
    case WechatMessageType.Text:
      return 'text'
    case WechatMessageType.Location:
      return 'location'
    case WechatMessageType.Url:
      return 'link'
    default:
      return MEDIA_KINDS[type] ?? 'unknown'
  }
}

/** Whether the message type carries a file whose size and name are worth fetching. */
export function isMediaType(type: number): boolean {
  return MEDIA_KINDS[type] !== undefined
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Removes `@name` mentions of this account from a group message. WeChat ends a mention
 * with U+2005 (four-per-em space); some clients use a plain space.
 */
export function stripSelfMention(text: string, names: string[]): string {
  let out = text
  for (const name of names) {
    if (!name) continue
    out = out.replace(new RegExp(`@${escapeRegExp(name)}(?:\u2005| |$)`, 'g'), '')
  }
  return out.trim()
}

function linkText(link: RawWechatMessage['link']): string | undefined {
  const parts = [link?.title, link?.description, link?.url].filter((p): p is string => !!p)
  return parts.length > 0 ? parts.join('\n') : undefined
}

function locationText(loc: RawWechatMessage['location']): string | undefined {
  const parts = [loc?.name, loc?.address].filter((p): p is string => !!p)
  if (parts.length > 0) return parts.join(' ')
  if (typeof loc?.latitude === 'number' && typeof loc.longitude === 'number') {
    return `${loc.latitude},${loc.longitude}`
  }
  return undefined
}

function groupFilter(raw: RawWechatMessage, servedGroups: string[]): IgnoreReason | undefined {
  if (!raw.roomId) return undefined
  const served =
    servedGroups.includes(raw.roomId) || (raw.roomTopic !== undefined && servedGroups.includes(raw.roomTopic))
  if (!served) return 'group-not-served'
  if (!raw.mentionSelf) return 'group-not-mentioned'
  return undefined
}

/**
 * Turns what a Wechaty message carried into an `InboundEvent`, or says why it is not one.
 * Order matters: echoes of our own sends are dropped before anything else, so they are
 * never parked as malformed.
 */
export function normalizeWechatMessage(raw: RawWechatMessage, ctx: NormalizeContext): NormalizeResult {
  if (raw.self) return { kind: 'ignore', reason: 'self' }
  if (!raw.id) return { kind: 'malformed', reason: 'missing message id' }
  if (!raw.talkerId) return { kind: 'malformed', reason: 'missing talker' }
  if (typeof raw.type !== 'number' || !Number.isInteger(raw.type)) {
    return { kind: 'malformed', reason: 'missing message type' }
  }
  if (!(raw.date instanceof Date) || Number.isNaN(raw.date.getTime())) {
    return { kind: 'malformed', reason: 'missing or invalid date' }
  }
  if (raw.type === WechatMessageType.Recalled) return { kind: 'ignore', reason: 'recalled' }
  if (raw.type === WechatMessageType.GroupNote) return { kind: 'ignore', reason: 'system' }

  const groupReason = groupFilter(raw, ctx.servedGroups)
  if (groupReason) return { kind: 'ignore', reason: groupReason }

  const kind = inboundKindOf(raw.type)
  let text: string | undefined
  let media: MediaInfo | undefined
  switch (kind) {
    case 'text':
      if (typeof raw.text !== 'string') return { kind: 'malformed', reason: 'text message without text' }
      text = raw.roomId ? stripSelfMention(raw.text, raw.mentionNames ?? []) : raw.text
      break
    case 'link':
      text = linkText(raw.link)
      media = { type: 'link' }
      break
    case 'location':
      text = locationText(raw.location)
      media = { type: 'location' }
      break
    case 'unknown':
      break
    default:
      media = { type: kind }
      if (typeof raw.fileSize === 'number' && raw.fileSize >= 0) media.sizeBytes = raw.fileSize
      if (raw.fileName) media.name = raw.fileName
  }

  const event: InboundEvent = {
    channel: WECHAT_CHANNEL,
    accountId: ctx.accountId,
    externalId: raw.id,
    sender: { ref: raw.talkerId },
    kind,
    sentAt: raw.date.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
  }
  if (raw.talkerName) event.sender.displayName = raw.talkerName
  if (raw.talkerAlias) event.sender.alias = raw.talkerAlias
  if (raw.roomId) event.group = raw.roomTopic ? { ref: raw.roomId, name: raw.roomTopic } : { ref: raw.roomId }
  if (text !== undefined) event.text = text
  if (media) event.media = media
  return { kind: 'event', event }
}

/**
 * Cuts text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character
 * (code point). A piece ends after the last line break in its second half when there is
 * one, so replies split where a reader expects. Joining the pieces gives the text back.
 */
export function splitTextByBytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must leave room for one character (4 bytes)')
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return [text]
  const pieces: string[] = []
  let current = ''
  let currentBytes = 0
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8')
    while (current && currentBytes + size > maxBytes) {
      const cut = current.lastIndexOf('\n') + 1
      const head = cut > 0 ? current.slice(0, cut) : ''
      if (head && Buffer.byteLength(head, 'utf8') * 2 >= maxBytes) {
        pieces.push(head)
        current = current.slice(cut)
      } else {
        pieces.push(current)
        current = ''
      }
      currentBytes = Buffer.byteLength(current, 'utf8')
    }
    current += ch
    currentBytes += size
  }
  if (current) pieces.push(current)
  return pieces
}
