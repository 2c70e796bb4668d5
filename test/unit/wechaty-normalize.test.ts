import { describe, expect, it } from 'vitest'
import { types } from 'wechaty-puppet'
import {
  inboundKindOf,
  type NormalizeContext,
  normalizeWechatMessage,
  type RawWechatMessage,
  splitTextByBytes,
  stripSelfMention,
  WechatMessageType,
} from '../../bots/wechaty/normalize.ts'

const ctx: NormalizeContext = {
  accountId: 'officer-zhang',
  servedGroups: ['柳营巷3号楼', 'room-by-id@chatroom'],
  receivedAt: new Date('2026-03-01T08:00:01.000Z'),
}

function raw(over: Partial<RawWechatMessage> = {}): RawWechatMessage {
  return {
    id: 'msg-1',
    type: WechatMessageType.Text,
    self: false,
    text: '你好，我家门口有人吵架',
    talkerId: 'wxid_resident',
    talkerName: '王阿姨',
    talkerAlias: 'R-000123',
    mentionSelf: false,
    date: new Date('2026-03-01T08:00:00.000Z'),
    ...over,
  }
}

function eventOf(r: RawWechatMessage, c: NormalizeContext = ctx) {
  const result = normalizeWechatMessage(r, c)
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`)
  return result.event
}

describe('WechatMessageType', () => {
  it('matches the MessageType enum of wechaty-puppet', () => {
    for (const [name, value] of Object.entries(WechatMessageType)) {
      expect(types.Message[name as keyof typeof types.Message], name).toBe(value)
    }
    const enumNames = Object.keys(types.Message).filter((k) => Number.isNaN(Number(k)))
    expect(enumNames.sort()).toEqual(Object.keys(WechatMessageType).sort())
  })
})

describe('normalizeWechatMessage: direct messages', () => {
  it('turns a text message into a full event', () => {
    expect(eventOf(raw())).toEqual({
      channel: 'wechat',
      accountId: 'officer-zhang',
      externalId: 'msg-1',
      sender: { ref: 'wxid_resident', displayName: '王阿姨', alias: 'R-000123' },
      kind: 'text',
      text: '你好，我家门口有人吵架',
      sentAt: '2026-03-01T08:00:00.000Z',
      receivedAt: '2026-03-01T08:00:01.000Z',
    })
  })

  it('leaves out sender name and alias when the puppet gives none', () => {
    const event = eventOf(raw({ talkerName: undefined, talkerAlias: '' }))
    expect(event.sender).toEqual({ ref: 'wxid_resident' })
  })

  it('keeps an empty text message as an event (the pipeline answers it politely)', () => {
    const event = eventOf(raw({ text: '' }))
    expect(event.kind).toBe('text')
    expect(event.text).toBe('')
  })

  it('does not strip @-text in a direct message', () => {
    expect(eventOf(raw({ text: '@张警官 你好', mentionNames: ['张警官'] })).text).toBe('@张警官 你好')
  })

  it.each([
    [WechatMessageType.Image, 'image'],
    [WechatMessageType.Audio, 'voice'],
    [WechatMessageType.Video, 'video'],
    [WechatMessageType.Attachment, 'file'],
  ] as const)('turns media type %i into a %s placeholder without text', (type, kind) => {
    const event = eventOf(
      raw({ type, text: '<msg>xml the puppet left</msg>', fileSize: 34567, fileName: 'a.bin' }),
    )
    expect(event.kind).toBe(kind)
    expect(event.text).toBeUndefined()
    expect(event.media).toEqual({ type: kind, sizeBytes: 34567, name: 'a.bin' })
  })

  it('keeps media without size or name, and drops an unknown (-1) size', () => {
    expect(eventOf(raw({ type: WechatMessageType.Image })).media).toEqual({ type: 'image' })
    expect(eventOf(raw({ type: WechatMessageType.Audio, fileSize: -1 })).media).toEqual({ type: 'voice' })
  })

  it('describes a link with its title, description and url', () => {
    const event = eventOf(
      raw({
        type: WechatMessageType.Url,
        link: { title: '防诈骗提醒', description: '请转发', url: 'https://example.org/a' },
      }),
    )
    expect(event.kind).toBe('link')
    expect(event.media).toEqual({ type: 'link' })
    expect(event.text).toBe('防诈骗提醒\n请转发\nhttps://example.org/a')
  })

  it('keeps a link without details as a link event without text', () => {
    const event = eventOf(raw({ type: WechatMessageType.Url }))
    expect(event.kind).toBe('link')
    expect(event.text).toBeUndefined()
  })

  it('describes a location by name and address (so the gazetteer can match it)', () => {
    const event = eventOf(
      raw({
        type: WechatMessageType.Location,
        location: { name: '柳营巷', address: '杭州市上城区柳营巷12号', latitude: 30.25, longitude: 120.17 },
      }),
    )
    expect(event.kind).toBe('location')
    expect(event.media).toEqual({ type: 'location' })
    expect(event.text).toBe('柳营巷 杭州市上城区柳营巷12号')
  })

  it('falls back to coordinates for a location without a name, and to no text without anything', () => {
    const coords = eventOf(
      raw({ type: WechatMessageType.Location, location: { latitude: 30.25, longitude: 120.17 } }),
    )
    expect(coords.text).toBe('30.25,120.17')
    expect(eventOf(raw({ type: WechatMessageType.Location })).text).toBeUndefined()
  })

  it.each([
    WechatMessageType.Unknown,
    WechatMessageType.Contact,
    WechatMessageType.ChatHistory,
    WechatMessageType.Emoticon,
    WechatMessageType.MiniProgram,
    WechatMessageType.Transfer,
    WechatMessageType.RedEnvelope,
    WechatMessageType.Post,
    99,
  ])('turns unsupported type %i into an unknown event without text', (type) => {
    const event = eventOf(raw({ type, text: 'puppet text' }))
    expect(event.kind).toBe('unknown')
    expect(event.text).toBeUndefined()
    expect(event.media).toBeUndefined()
  })
})

describe('normalizeWechatMessage: ignored messages', () => {
  it("ignores the account's own messages, even ones that would be malformed", () => {
    expect(normalizeWechatMessage(raw({ self: true }), ctx)).toEqual({ kind: 'ignore', reason: 'self' })
    expect(normalizeWechatMessage(raw({ self: true, id: undefined }), ctx)).toEqual({
      kind: 'ignore',
      reason: 'self',
    })
  })

  it('ignores recalled messages and system notes', () => {
    expect(normalizeWechatMessage(raw({ type: WechatMessageType.Recalled }), ctx)).toEqual({
      kind: 'ignore',
      reason: 'recalled',
    })
    expect(normalizeWechatMessage(raw({ type: WechatMessageType.GroupNote }), ctx)).toEqual({
      kind: 'ignore',
      reason: 'system',
    })
  })
})

describe('normalizeWechatMessage: groups', () => {
  const inServedRoom = { roomId: 'r1@chatroom', roomTopic: '柳营巷3号楼' }

  it('ignores a message in a served group that does not mention the account', () => {
    expect(normalizeWechatMessage(raw({ ...inServedRoom, mentionSelf: false }), ctx)).toEqual({
      kind: 'ignore',
      reason: 'group-not-mentioned',
    })
  })

  it('ignores a mention in a group the account does not serve', () => {
    expect(
      normalizeWechatMessage(raw({ roomId: 'r2@chatroom', roomTopic: '别的群', mentionSelf: true }), ctx),
    ).toEqual({ kind: 'ignore', reason: 'group-not-served' })
    expect(normalizeWechatMessage(raw({ roomId: 'r3@chatroom', mentionSelf: true }), ctx)).toEqual({
      kind: 'ignore',
      reason: 'group-not-served',
    })
  })

  it('takes a mention in a served group, strips the mention and names the group', () => {
    const event = eventOf(
      raw({
        ...inServedRoom,
        mentionSelf: true,
        mentionNames: ['张警官'],
        text: '@张警官\u2005楼下电动车在充电，很危险',
      }),
    )
    expect(event.group).toEqual({ ref: 'r1@chatroom', name: '柳营巷3号楼' })
    expect(event.text).toBe('楼下电动车在充电，很危险')
    expect(event.sender.ref).toBe('wxid_resident')
  })

  it('matches a served group by room id too, and leaves the name out when the topic is unknown', () => {
    const event = eventOf(raw({ roomId: 'room-by-id@chatroom', mentionSelf: true, text: '你好' }))
    expect(event.group).toEqual({ ref: 'room-by-id@chatroom' })
  })

  it('keeps the text as is when no mention name is known', () => {
    expect(eventOf(raw({ ...inServedRoom, mentionSelf: true, text: '@X 你好' })).text).toBe('@X 你好')
  })
})

describe('normalizeWechatMessage: malformed messages', () => {
  it.each([
    ['missing message id', { id: undefined }],
    ['missing message id', { id: '' }],
    ['missing talker', { talkerId: undefined }],
    ['missing message type', { type: undefined }],
    ['missing message type', { type: 1.5 }],
    ['missing or invalid date', { date: undefined }],
    ['missing or invalid date', { date: new Date('not a date') }],
    ['text message without text', { text: undefined }],
  ] as const)('reports %s', (reason, over) => {
    expect(normalizeWechatMessage(raw(over as Partial<RawWechatMessage>), ctx)).toEqual({
      kind: 'malformed',
      reason,
    })
  })
})

describe('inboundKindOf', () => {
  it('maps every supported type', () => {
    expect(inboundKindOf(WechatMessageType.Text)).toBe('text')
    expect(inboundKindOf(WechatMessageType.Image)).toBe('image')
    expect(inboundKindOf(WechatMessageType.Audio)).toBe('voice')
    expect(inboundKindOf(WechatMessageType.Video)).toBe('video')
    expect(inboundKindOf(WechatMessageType.Attachment)).toBe('file')
    expect(inboundKindOf(WechatMessageType.Location)).toBe('location')
    expect(inboundKindOf(WechatMessageType.Url)).toBe('link')
    expect(inboundKindOf(WechatMessageType.Emoticon)).toBe('unknown')
  })
})

describe('stripSelfMention', () => {
  it('removes mentions ending in U+2005, a space or the end of the text', () => {
    expect(stripSelfMention('@张警官\u2005你好', ['张警官'])).toBe('你好')
    expect(stripSelfMention('你好 @张警官 在吗', ['张警官'])).toBe('你好 在吗')
    expect(stripSelfMention('你好 @张警官', ['张警官'])).toBe('你好')
  })

  it('removes the room alias and the name, leaves other mentions and near-misses', () => {
    expect(stripSelfMention('@片警老张\u2005@李四\u2005看一下', ['片警老张', '张三'])).toBe(
      '@李四\u2005看一下',
    )
    expect(stripSelfMention('@张警官们好', ['张警官'])).toBe('@张警官们好')
  })

  it('treats names literally, not as patterns', () => {
    expect(stripSelfMention('@a.b* hi', ['a.b*'])).toBe('hi')
    expect(stripSelfMention('@axb hi', ['a.b'])).toBe('@axb hi')
  })
})

describe('splitTextByBytes', () => {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

  it('returns short text whole', () => {
    expect(splitTextByBytes('你好', 2048)).toEqual(['你好'])
    expect(splitTextByBytes('', 2048)).toEqual([''])
  })

  it('cuts Chinese text into pieces within the byte limit, losing nothing', () => {
    const text = '警'.repeat(1000)
    const pieces = splitTextByBytes(text, 2048)
    expect(pieces).toHaveLength(2)
    expect(pieces.every((p) => bytes(p) <= 2048)).toBe(true)
    expect(pieces.join('')).toBe(text)
  })

  it('never cuts inside a character, including astral ones', () => {
    const text = `a${'😀'.repeat(10)}`
    const pieces = splitTextByBytes(text, 9)
    expect(pieces.join('')).toBe(text)
    for (const p of pieces) {
      expect(bytes(p)).toBeLessThanOrEqual(9)
      expect(p).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
    }
  })

  it('prefers a line break in the second half of a piece', () => {
    const text = `${'a'.repeat(70)}\n${'b'.repeat(60)}`
    expect(splitTextByBytes(text, 100)).toEqual([`${'a'.repeat(70)}\n`, 'b'.repeat(60)])
  })

  it('ignores a line break too early in the piece', () => {
    const text = `${'a'.repeat(10)}\n${'b'.repeat(120)}`
    const pieces = splitTextByBytes(text, 100)
    expect(pieces[0]).toHaveLength(100)
    expect(pieces.join('')).toBe(text)
  })

  it('refuses a limit that cannot hold a character', () => {
    expect(() => splitTextByBytes('abc', 3)).toThrow(RangeError)
  })
})
