import { type RawWechatMessage, WechatMessageType } from '../../bots/wechaty/normalize.ts'
import type { CompoundSpec, StationFile } from '../../src/store/station-file.ts'

/**
 * Synthetic but realistic resident traffic: fictional residents of the demo
 * stations writing in Chinese (some in English) about noise, disputes, fraud,
 * lost property and services, with addresses taken from the demo gazetteer,
 * some without one (and giving it when asked), a few emergencies. Seeded, so
 * every run offers the same messages.
 */

/** A resident who writes on the web chat page: one session each. */
export interface WebResident {
  station: string
  name: string
  language: 'zh' | 'en'
}

export interface WebSend {
  /** Index into `webResidents` (and the session tokens created for them). */
  resident: number
  text: string
  clientMessageId: string
}

/** A message as the Wechaty channel reads it, minus the date, which is stamped when it is sent. */
export interface WechatSend {
  accountId: string
  servedGroups: string[]
  raw: Omit<RawWechatMessage, 'date'>
}

export interface Corpus {
  webResidents: WebResident[]
  web: WebSend[]
  wechat: WechatSend[]
  /** Distinct residents across both channels: each ends with exactly one open case. */
  residents: number
}

export interface CorpusOptions {
  messages: number
  seed: number
  /** Makes contact refs and message ids unique between corpora of one run. */
  idPrefix: string
  /** Share of residents who use web chat rather than WeChat. */
  webShare?: number
}

/** mulberry32: small, fast and good enough to pick templates reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PROBLEMS_ZH = [
  '楼上每天半夜装修，太吵了，老人孩子都睡不好',
  '小区里广场舞音响开得很大声，晚上十点还没停',
  '隔壁的狗叫了一整夜，敲门也没人理',
  '和邻居因为楼道堆放杂物吵架了，想请你们调解一下',
  '楼上漏水把我家天花板泡坏了，物业说不归他们管',
  '房东不退押金，已经拖了两个月了',
  '我爸刚接到一个冒充公检法的电话，让他把钱转到安全账户，是不是诈骗？',
  '我在网上刷单被骗了三千块，还能追回来吗',
  '有人冒充快递客服让我开屏幕共享，我没给验证码，要不要报警',
  '早上在菜市场把钱包丢了，里面有身份证和银行卡',
  '在公交站捡到一部手机，想交给你们',
  '电动车停在楼下，电瓶被人偷了',
  '想问一下居住证怎么办理，需要带什么材料',
  '国庆长假全家要出门一周，能不能帮忙照看一下家里',
  '我有一套房子要出租，租客登记怎么办理',
  '楼道里有人给电动车充电，拉了飞线，担心有安全隐患',
  '最近小区里有陌生人挨家挨户推销，感觉不太对劲',
  '孩子上学路上的红绿灯坏了，能不能反映一下',
]

const PROBLEMS_EN = [
  'my upstairs neighbours play loud music every night until 2am.',
  'I lost my wallet near the bus stop this morning.',
  'someone called pretending to be the police and asked me to transfer money to a safe account. Is it a scam?',
  'how do I apply for a residence permit? What documents do I need?',
  'our family will travel during the holiday. Could an officer check on our flat?',
  'my landlord refuses to return my deposit.',
]

const FIRST_ZH = [
  (addr: string, p: string) => `您好，我住${addr}，${p}`,
  (addr: string, p: string) => `${addr}，${p}`,
  (addr: string, p: string) => `${p}。地址：${addr}`,
  (addr: string, p: string) => `警官你好，${addr}这边${p}`,
]

const EMERGENCY_ZH = [
  (addr: string) => `救命！${addr}楼下着火了，快来人`,
  (addr: string) => `${addr}有人打人，快报警`,
  (addr: string) => `我家老人走失了，最后在${addr}附近看到的`,
  (addr: string) => `有人拿刀在${addr}楼下，快来`,
]

const EMERGENCY_EN = [
  (addr: string) => `Help me now! There is a fire at ${addr}!`,
  (addr: string) => `Someone is hitting me at ${addr}, hurry`,
]

const CHATTER_ZH = [
  '还在吵，麻烦尽快来看看',
  '好的，谢谢警官',
  '请问大概什么时候能处理？',
  '我晚上六点以后在家',
  '照片已经拍好了，需要的话可以发给你们',
  '补充一下，这个情况已经持续一个多星期了',
]

const CHATTER_EN = ['Thank you. When can someone come?', 'It is still going on.', 'I am home after 6pm.']

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程'
const TITLES = ['阿姨', '先生', '女士', '师傅', '大爷', '同学', '老师']
const EN_NAMES = ['Tom', 'Anna', 'David', 'Maria', 'Kenji', 'Sofia', 'Lucas', 'Emma', 'Omar', 'Lena']

interface Place {
  zh: string
  en: string
}

interface StationPlaces {
  code: string
  compounds: CompoundSpec[]
  accounts: Array<{ id: string; groups: string[]; mentionName: string; weight: number }>
}

interface ResidentPlan {
  channel: 'web' | 'wechat'
  station: StationPlaces
  language: 'zh' | 'en'
  texts: Array<{ text?: string; kind: 'text' | 'image' | 'location'; inGroup: boolean }>
  name: string
  account: StationPlaces['accounts'][number] | undefined
}

/** Builds `messages` messages from residents of the stations in `files`, in the order they are offered. */
export function buildCorpus(files: StationFile[], options: CorpusOptions): Corpus {
  const rnd = seededRandom(options.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const chance = (p: number) => rnd() < p
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
  const stations = placesOf(files)
  const webShare = options.webShare ?? 0.5

  const placeIn = (station: StationPlaces): Place => {
    const compound = pick(station.compounds)
    const en = capitalize(compound.pinyin[0] ?? compound.name)
    const range = compound.streets.length ? pick(compound.streets) : undefined
    if (range && chance(0.7)) {
      const from = range.from ?? 1
      const to = range.to ?? from + 80
      let n = int(from, to)
      if (range.parity === 'odd' && n % 2 === 0) n = n + 1 <= to ? n + 1 : n - 1
      if (range.parity === 'even' && n % 2 === 1) n = n + 1 <= to ? n + 1 : n - 1
      return { zh: `${range.street}${n}号`, en: `No. ${n}, ${en}` }
    }
    const label = chance(0.7) ? compound.name : (pick(compound.aliases) ?? compound.name)
    const village = /村$/.test(compound.name)
    return {
      zh: village ? `${label}${int(1, 12)}组` : `${label}${int(1, 30)}幢${int(1, 4)}单元`,
      en: village ? `${en} village` : `${en}, building ${int(1, 30)}`,
    }
  }

  const plans: ResidentPlan[] = []
  let planned = 0
  while (planned < options.messages) {
    const station = chance(0.7)
      ? (stations[0] as StationPlaces)
      : (stations[1] ?? (stations[0] as StationPlaces))
    const channel = chance(webShare) ? 'web' : 'wechat'
    const language = chance(0.08) ? 'en' : 'zh'
    const roll = rnd()
    const count = Math.min(
      options.messages - planned,
      roll < 0.45 ? 1 : roll < 0.75 ? 2 : roll < 0.9 ? 3 : int(4, 6),
    )
    const home = placeIn(station)
    const addr = language === 'zh' ? home.zh : home.en
    const texts: ResidentPlan['texts'] = []
    const say = (text?: string, kind: 'text' | 'image' | 'location' = 'text') =>
      texts.push({ text, kind, inGroup: false })

    const style = rnd()
    let addressGiven = true
    if (style < 0.04) say(language === 'zh' ? pick(EMERGENCY_ZH)(addr) : pick(EMERGENCY_EN)(addr))
    else if (style < 0.7)
      say(
        language === 'zh'
          ? pick(FIRST_ZH)(addr, pick(PROBLEMS_ZH))
          : `Hello, I live at ${addr}. ${capitalize(pick(PROBLEMS_EN))}`,
      )
    else {
      addressGiven = false
      say(language === 'zh' ? `你好，${pick(PROBLEMS_ZH)}` : `Hello, ${pick(PROBLEMS_EN)}`)
    }
    while (texts.length < count) {
      if (!addressGiven) {
        addressGiven = true
        say(language === 'zh' ? `我住${addr}` : `My address is ${addr}`)
      } else if (channel === 'wechat' && chance(0.08)) say(undefined, 'image')
      else if (channel === 'wechat' && chance(0.04)) say(home.zh, 'location')
      else say(language === 'zh' ? pick(CHATTER_ZH) : pick(CHATTER_EN))
    }

    const account = channel === 'wechat' ? weighted(station.accounts, rnd) : undefined
    // Some residents write in a compound group the account serves, @-mentioning it.
    if (account?.groups.length && chance(0.1)) for (const t of texts) t.inGroup = t.kind === 'text'
    const name = language === 'zh' ? `${pick([...SURNAMES])}${pick(TITLES)}` : (pick(EN_NAMES) as string)
    plans.push({ channel, station, language, texts, name, account })
    planned += count
  }

  const corpus: Corpus = { webResidents: [], web: [], wechat: [], residents: plans.length }
  const webIndex = new Map<number, number>()
  plans.forEach((plan, i) => {
    if (plan.channel !== 'web') return
    webIndex.set(i, corpus.webResidents.length)
    corpus.webResidents.push({ station: plan.station.code, name: plan.name, language: plan.language })
  })
  const groupOf = new Map<number, string>()
  // Round by round: every resident's first message, then every second one, so a resident's
  // next message is offered well after the previous one, as a person would type them.
  const rounds = Math.max(...plans.map((p) => p.texts.length))
  for (let round = 0; round < rounds; round++) {
    plans.forEach((plan, i) => {
      const message = plan.texts[round]
      if (!message) return
      if (plan.channel === 'web') {
        corpus.web.push({
          resident: webIndex.get(i) as number,
          text: message.text ?? '',
          clientMessageId: `m${round + 1}`,
        })
        return
      }
      const account = plan.account as NonNullable<ResidentPlan['account']>
      const raw: WechatSend['raw'] = {
        id: `${options.idPrefix}-${i}-${round + 1}`,
        type: WechatMessageType.Text,
        self: false,
        talkerId: `wx-${options.idPrefix}-${i}`,
        talkerName: plan.name,
        mentionSelf: false,
      }
      if (message.kind === 'image') {
        raw.type = WechatMessageType.Image
        raw.fileSize = 180_000 + Math.floor(rnd() * 2_000_000)
        raw.fileName = `IMG_${1000 + round}.jpg`
      } else if (message.kind === 'location') {
        raw.type = WechatMessageType.Location
        raw.location = { name: message.text, address: '浙江省杭州市' }
      } else raw.text = message.text
      if (message.inGroup) {
        let topic = groupOf.get(i)
        if (!topic) {
          topic = pick(account.groups)
          groupOf.set(i, topic)
        }
        raw.roomId = `room-${options.idPrefix}-${topic}`
        raw.roomTopic = topic
        raw.mentionSelf = true
        raw.mentionNames = [account.mentionName]
        raw.text = `@${account.mentionName}\u2005${message.text ?? ''}`
      }
      corpus.wechat.push({ accountId: account.id, servedGroups: account.groups, raw })
    })
  }
  return corpus
}

function placesOf(files: StationFile[]): StationPlaces[] {
  const out: StationPlaces[] = []
  for (const file of files) {
    for (const station of file.stations) {
      const officers = new Map(station.officers.map((o) => [o.badge, o.name]))
      out.push({
        code: station.code,
        compounds: station.beats.flatMap((b) => b.compounds),
        accounts: station.accounts.map((a) => ({
          id: a.id,
          groups: a.groups,
          mentionName: a.owner === 'station' ? station.name : (officers.get(a.owner) ?? a.id),
          // Most residents write to the station's account; some to their officer's own.
          weight: a.owner === 'station' ? 3 : 1,
        })),
      })
    }
  }
  if (out.length === 0 || out.some((s) => s.compounds.length === 0 || s.accounts.length === 0)) {
    throw new Error('the bench needs station files whose stations all have compounds and WeChat accounts')
  }
  return out
}

function weighted<T extends { weight: number }>(list: T[], rnd: () => number): T {
  let roll = rnd() * list.reduce((sum, item) => sum + item.weight, 0)
  for (const item of list) {
    roll -= item.weight
    if (roll < 0) return item
  }
  return list.at(-1) as T
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
