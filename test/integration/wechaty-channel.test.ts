import { FileBox } from 'file-box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mock } from 'wechaty-puppet-mock'
import { type MalformedHandler, PermanentSendError } from '../../bots/channel.ts'
import { createPuppet, loadPuppetClass, PuppetUnavailableError } from '../../bots/wechaty/puppet.ts'
import { type ChannelLogger, WechatyChannel } from '../../bots/wechaty/wechaty.channel.ts'
import type { InboundEvent } from '../../src/domain/types.ts'

interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug'
  obj: Record<string, unknown>
  msg?: string
}

function captureLogger(entries: LogEntry[]): ChannelLogger {
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg })
    }
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

type Mocker = InstanceType<typeof mock.Mocker>
type MockContact = ReturnType<Mocker['createContact']>

/**
 * Mock contacts and rooms are event emitters whose typings do not resolve under NodeNext
 * (typed-emitter ships CommonJS types), so listen through this narrow view.
 */
interface MessageSource {
  on(event: 'message', listener: (message: { text(): string | undefined }) => void): unknown
}

/** Collects the text of every message a mock contact or room receives. */
function collectTexts(source: object, into: string[]): void {
  ;(source as MessageSource).on('message', (message) => {
    const text = message.text()
    if (text !== undefined) into.push(text)
  })
}

const OFFICER = 'officer-zhang'
const STATION = 'station-changqing'
const OFFLINE = 'officer-offline'
const SERVED_GROUP = '柳营巷3号楼'
const PERSONAL = ['张警官', '长青派出所', '王阿姨', '李大伯']

describe('WechatyChannel with wechaty-puppet-mock', () => {
  const logs: LogEntry[] = []
  const events: InboundEvent[] = []
  const malformed: Parameters<MalformedHandler>[0][] = []
  const mockers = new Map<string, Mocker>()
  const failQueueFor = new Set<string>()
  const sentTexts: string[] = []
  let channel: WechatyChannel
  let officer: MockContact
  let station: MockContact
  let residentA: MockContact
  let residentB: MockContact
  const receivedByA: string[] = []

  const debugCount = (reason: string) =>
    logs.filter((l) => l.level === 'debug' && l.obj.reason === reason).length
  const eventWithText = (text: string) => events.find((e) => e.text === text)

  beforeAll(async () => {
    channel = new WechatyChannel({
      accounts: [
        { id: OFFICER, puppet: 'mock', groups: [SERVED_GROUP] },
        { id: STATION, puppet: 'mock', groups: [] },
        { id: OFFLINE, puppet: 'mock', groups: [] },
      ],
      logger: captureLogger(logs),
      puppetFactory: async (account) => {
        const mocker = new mock.Mocker()
        mockers.set(account.id, mocker)
        return createPuppet({ puppet: 'mock', mocker })
      },
    })
    await channel.start({
      onInbound: async (event) => {
        if (event.text && failQueueFor.has(event.text)) throw new Error('redis down')
        events.push(event)
      },
      onMalformed: async (raw) => {
        malformed.push(raw)
      },
    })
    const officerMocker = mockers.get(OFFICER)!
    const stationMocker = mockers.get(STATION)!
    officer = officerMocker.createContact({ name: '张警官' })
    station = stationMocker.createContact({ name: '长青派出所' })
    residentA = officerMocker.createContact({ name: '王阿姨' })
    residentB = stationMocker.createContact({ name: '李大伯' })
    collectTexts(residentA, receivedByA)
    officerMocker.login(officer)
    stationMocker.login(station)
    await waitFor(() => channel.isLoggedIn(OFFICER) && channel.isLoggedIn(STATION), 'both logins')
  }, 15_000)

  afterAll(async () => {
    await channel?.stop()
  })

  it('holds its accounts and says what it can carry', () => {
    expect(channel.kind).toBe('wechat')
    expect(channel.accountIds()).toEqual([OFFICER, STATION, OFFLINE])
    expect(channel.capabilities).toEqual({ maxTextBytes: 2048, groups: true, media: true })
    expect(channel.isLoggedIn(OFFLINE)).toBe(false)
    expect(channel.isLoggedIn('nobody')).toBe(false)
  })

  it("turns a resident's text to an officer's and to a station's account into events", async () => {
    residentA.say('我家楼道里堆满了杂物').to(officer)
    residentB.say('请问居住证怎么办理').to(station)
    const a = await waitFor(() => eventWithText('我家楼道里堆满了杂物'), 'event on the officer account')
    const b = await waitFor(() => eventWithText('请问居住证怎么办理'), 'event on the station account')

    expect(a).toMatchObject({
      channel: 'wechat',
      accountId: OFFICER,
      kind: 'text',
      sender: { ref: residentA.id, displayName: '王阿姨' },
    })
    expect(a.group).toBeUndefined()
    expect(a.externalId).toEqual(expect.any(String))
    expect(Date.parse(a.sentAt)).not.toBeNaN()
    expect(Date.parse(a.receivedAt)).toBeGreaterThanOrEqual(Date.parse(a.sentAt) - 1000)
    expect(b).toMatchObject({ accountId: STATION, kind: 'text', sender: { ref: residentB.id } })
  })

  it('turns an image into a media placeholder with type, size and name', async () => {
    const bytes = Buffer.from('not really a jpeg, but 37 bytes long.')
    residentB.say(FileBox.fromBase64(bytes.toString('base64'), 'photo.jpg')).to(station)
    const image = await waitFor(() => events.find((e) => e.kind === 'image'), 'image event')
    expect(image).toMatchObject({ accountId: STATION, sender: { ref: residentB.id } })
    expect(image.text).toBeUndefined()
    expect(image.media).toEqual({ type: 'image', sizeBytes: bytes.length, name: 'photo.jpg' })
  })

  it('takes a group message only when the account is @-mentioned in a group it serves', async () => {
    const mocker = mockers.get(OFFICER)!
    const served = mocker.createRoom({ topic: SERVED_GROUP, memberIdList: [officer.id, residentA.id] })
    const other = mocker.createRoom({ topic: '广场舞群', memberIdList: [officer.id, residentA.id] })

    const notMentioned = debugCount('group-not-mentioned')
    residentA.say('大家好，今晚停水').to(served)
    await waitFor(() => debugCount('group-not-mentioned') > notMentioned, 'unmentioned group message ignored')

    const notServed = debugCount('group-not-served')
    residentA.say('@张警官\u2005这里有人跳舞太吵', [officer]).to(other)
    await waitFor(() => debugCount('group-not-served') > notServed, 'unserved group message ignored')

    residentA.say('@张警官\u2005楼下电动车在楼道充电', [officer]).to(served)
    const taken = await waitFor(() => eventWithText('楼下电动车在楼道充电'), 'mentioned group message')
    expect(taken).toMatchObject({
      accountId: OFFICER,
      kind: 'text',
      sender: { ref: residentA.id },
      group: { ref: served.id, name: SERVED_GROUP },
    })
    expect(events.some((e) => e.text?.includes('今晚停水') || e.text?.includes('跳舞'))).toBe(false)
  })

  it("sends text to the resident, and the account's own send never comes back as an event", async () => {
    const selfBefore = debugCount('self')
    const text = '已收到，张警官会在两小时内联系您。'
    sentTexts.push(text)
    await channel.send(
      { channel: 'wechat', accountId: OFFICER, contactRef: residentA.id },
      { id: 'out-1', text },
    )
    await waitFor(() => receivedByA.includes(text), 'resident receives the reply')
    await waitFor(() => debugCount('self') > selfBefore, 'echo ignored')
    expect(events.some((e) => e.text === text || e.sender.ref === officer.id)).toBe(false)
  })

  it('splits a text longer than 2048 bytes into several sends', async () => {
    const text = `${'请注意防范电信诈骗。'.repeat(150)}结束`
    expect(Buffer.byteLength(text)).toBeGreaterThan(2048 * 2)
    const before = receivedByA.length
    await channel.send(
      { channel: 'wechat', accountId: OFFICER, contactRef: residentA.id },
      { id: 'out-2', text },
    )
    const pieces = await waitFor(
      () => (receivedByA.slice(before).join('') === text ? receivedByA.slice(before) : undefined),
      'all pieces',
    )
    expect(pieces.length).toBe(3)
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(2048)
  })

  it('sends into a served group, mentioning the resident', async () => {
    const mocker = mockers.get(OFFICER)!
    const room = mocker.createRoom({ topic: '柳营巷5号楼', memberIdList: [officer.id, residentA.id] })
    const inRoom: string[] = []
    collectTexts(room, inRoom)
    await channel.send(
      { channel: 'wechat', accountId: OFFICER, contactRef: residentA.id, groupRef: room.id },
      { id: 'out-3', text: '已派人查看' },
    )
    await waitFor(() => inRoom.includes('@王阿姨 已派人查看'), 'group reply')
  })

  it('refuses for good to send to a contact or group that is gone, or an account it does not hold', async () => {
    const gone = channel.send(
      { channel: 'wechat', accountId: OFFICER, contactRef: 'wxid_nobody' },
      { id: 'x', text: 'hi' },
    )
    await expect(gone).rejects.toBeInstanceOf(PermanentSendError)
    await expect(gone).rejects.toMatchObject({ code: 'CONTACT_GONE' })
    await expect(
      channel.send(
        { channel: 'wechat', accountId: OFFICER, contactRef: residentA.id, groupRef: 'gone@chatroom' },
        { id: 'x', text: 'hi' },
      ),
    ).rejects.toMatchObject({ code: 'GROUP_GONE' })
    await expect(
      channel.send({ channel: 'wechat', accountId: 'elsewhere', contactRef: 'c' }, { id: 'x', text: 'hi' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ACCOUNT' })
  })

  it('fails a send on an account that is not logged in with a retryable error', async () => {
    const offline = channel.send(
      { channel: 'wechat', accountId: OFFLINE, contactRef: 'c' },
      { id: 'x', text: 'hi' },
    )
    await expect(offline).rejects.toThrow(/not logged in/)
    await expect(offline).rejects.not.toBeInstanceOf(PermanentSendError)
  })

  it('logs the login QR code for the account', async () => {
    mockers.get(OFFLINE)!.scan('https://login.weixin.example/l/abc123', 2)
    const entry = await waitFor(
      () => logs.find((l) => l.level === 'info' && l.obj.accountId === OFFLINE && l.obj.qrcode),
      'scan log',
    )
    expect(entry.obj.qrcode).toBe('https://login.weixin.example/l/abc123')
    expect(entry.obj.qrImageUrl).toEqual(expect.stringContaining(encodeURIComponent('abc123')))
  })

  it('parks a malformed platform message without its text', async () => {
    const mocker = mockers.get(STATION)!
    // A payload without a timestamp, as a broken puppet might deliver it.
    mocker.cacheMessagePayload.set('broken-1', {
      id: 'broken-1',
      talkerId: residentB.id,
      listenerId: station.id,
      type: 7,
      text: '秘密内容',
    } as never)
    mocker.puppet.emit('message', { messageId: 'broken-1' })
    const parked = await waitFor(() => malformed.find((m) => m.accountId === STATION), 'malformed event')
    expect(parked).toMatchObject({ channel: 'wechat', reason: 'missing or invalid date' })
    expect(JSON.stringify(parked.detail)).not.toContain('秘密内容')
    expect(events.some((e) => e.externalId === 'broken-1')).toBe(false)
  })

  it('logs an event that could not be queued and keeps serving', async () => {
    failQueueFor.add('队列失败的消息')
    residentB.say('队列失败的消息').to(station)
    await waitFor(
      () => logs.find((l) => l.level === 'error' && l.obj.accountId === STATION && l.msg?.includes('queued')),
      'queue failure log',
    )
    residentB.say('之后的消息').to(station)
    await waitFor(() => eventWithText('之后的消息'), 'next message')
  })

  it('never logs names or message text', () => {
    const all = JSON.stringify(logs)
    for (const word of [...PERSONAL, ...sentTexts, '我家楼道', '电动车', '秘密内容', '队列失败']) {
      expect(all).not.toContain(word)
    }
    expect(logs.some((l) => l.msg === 'WeChat account logged in' && l.obj.accountId === OFFICER)).toBe(true)
  })
})

describe('WeChat puppets', () => {
  it('explains clearly when a puppet package is not installed', async () => {
    await expect(loadPuppetClass('wechaty-puppet-not-installed-here', 'X')).rejects.toThrow(
      /wechaty-puppet-not-installed-here is not installed: run `npm install/,
    )
  })

  it('requires a token for the puppet service', async () => {
    await expect(createPuppet({ puppet: 'service' })).rejects.toBeInstanceOf(PuppetUnavailableError)
  })

  it('stops every bot when one account cannot start, and names the account', async () => {
    const logs: LogEntry[] = []
    const channel = new WechatyChannel({
      accounts: [
        { id: 'ok', puppet: 'mock', groups: [] },
        { id: 'broken', puppet: 'service', groups: [] },
      ],
      logger: captureLogger(logs),
    })
    const noop = async () => {}
    await expect(channel.start({ onInbound: noop, onMalformed: noop })).rejects.toThrow(
      /WeChat account broken could not start: .*token/,
    )
    expect(channel.isLoggedIn('ok')).toBe(false)
  })
})
