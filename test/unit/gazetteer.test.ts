import { describe, expect, it } from 'vitest'
import { buildGazetteer } from '../../src/domain/gazetteer.ts'
import type { Compound } from '../../src/domain/types.ts'

const compounds: Compound[] = [
  {
    id: 'csq',
    beatId: 'beat-1',
    name: '长寿桥小区',
    aliases: ['长寿桥社区'],
    pinyin: ['changshouqiao', 'chang shou qiao xiao qu'],
    streets: [
      { street: '柳营巷', from: 1, to: 30 },
      { street: 'Liuying Lane', from: 1, to: 30 },
    ],
  },
  {
    id: 'lyl',
    beatId: 'beat-2',
    name: '柳营里',
    aliases: [],
    pinyin: ['liuyingli'],
    streets: [
      { street: '柳营巷', from: 31, to: 80 },
      { street: 'Liuying Lane', from: 31, to: 80 },
    ],
  },
  {
    id: 'hsl',
    beatId: 'beat-2',
    name: '浣纱里',
    aliases: ['浣纱里小区'],
    pinyin: ['huanshali'],
    streets: [{ street: '浣纱路', from: 1, to: 99, parity: 'odd' }],
  },
  {
    id: 'hsxy',
    beatId: 'beat-3',
    name: '浣纱新苑',
    aliases: [],
    pinyin: ['huanshaxinyuan'],
    streets: [
      { street: '浣纱路', from: 2, to: 200, parity: 'even' },
      { street: '浣纱路', from: 101, to: 199, parity: 'odd' },
    ],
  },
  {
    id: 'yaxc',
    beatId: 'beat-4',
    name: '延安新村',
    aliases: [],
    pinyin: ['yananxincun'],
    streets: [{ street: '延安路' }],
  },
  {
    id: 'wly',
    beatId: 'beat-4',
    name: '武林苑',
    aliases: [],
    pinyin: [],
    streets: [
      { street: '延安路', from: 1, to: 50 },
      { street: '长寿桥路', from: 1, to: 20 },
    ],
  },
  {
    id: 'rhl',
    beatId: 'beat-5',
    name: '仁和里',
    aliases: [],
    pinyin: ['renheli'],
    streets: [{ street: '仁和路', from: 1, to: 60 }],
  },
  {
    id: 'zh',
    beatId: 'beat-5',
    name: '朝晖小区',
    aliases: [],
    pinyin: ['zhaohui'],
    streets: [],
  },
  {
    id: 'qb-east',
    beatId: 'beat-6',
    name: '清波东苑',
    aliases: ['清波门'],
    pinyin: [],
    streets: [{ street: '河坊街', from: 1, to: 20 }],
  },
  {
    id: 'qb-west',
    beatId: 'beat-6',
    name: '清波西苑',
    aliases: ['清波门'],
    pinyin: [],
    streets: [{ street: '河坊街', from: 21, to: 40 }],
  },
  {
    id: 'al',
    beatId: 'beat-6',
    name: '安乐村',
    aliases: [],
    pinyin: ['anle'],
    streets: [],
  },
]

const gazetteer = buildGazetteer(compounds)

describe('gazetteer: exact names and aliases', () => {
  it.each([
    ['我住在长寿桥小区3幢', 'csq', 'name', '长寿桥小区'],
    ['长寿桥社区的民警是谁', 'csq', 'alias', '长寿桥社区'],
    ['长寿桥 小区 5 幢 2 单元', 'csq', 'name', '长寿桥小区'],
    ['我家在长寿桥3幢', 'csq', 'alias', '长寿桥'],
    ['浣纱里小区门口有车乱停', 'hsl', 'alias', '浣纱里小区'],
    ['浣纱新苑12幢楼道堵了', 'hsxy', 'name', '浣纱新苑'],
    ['住在朝晖小区', 'zh', 'name', '朝晖小区'],
  ])('%s → %s', (text, compoundId, how, matched) => {
    expect(gazetteer.match(text)).toEqual({
      compoundId,
      beatId: compounds.find((c) => c.id === compoundId)?.beatId,
      how,
      matched,
    })
  })

  it('normalizes full-width digits, letters and spaces', () => {
    expect(gazetteer.match('长寿桥小区３幢')?.compoundId).toBe('csq')
    expect(gazetteer.match('浣纱路　１０８　号')).toMatchObject({ compoundId: 'hsxy', number: 108 })
    expect(gazetteer.match('ＣＨＡＮＧＳＨＯＵＱＩＡＯ')?.compoundId).toBe('csq')
  })

  it('returns null for text without any place', () => {
    expect(gazetteer.match('你好，请问居住证怎么办理？')).toBeNull()
    expect(gazetteer.match('')).toBeNull()
    expect(gazetteer.match('hello, how do I apply for a residence permit?')).toBeNull()
  })

  it('returns null when an alias is shared by two compounds and nothing else decides', () => {
    expect(gazetteer.match('我住清波门附近')).toBeNull()
  })

  it('lets a street number break a tie between compounds sharing an alias', () => {
    expect(gazetteer.match('清波门，河坊街25号')?.compoundId).toBe('qb-west')
  })

  it('prefers the longer term when one contains another', () => {
    expect(gazetteer.match('长寿桥路5号')).toMatchObject({ compoundId: 'wly', how: 'street', number: 5 })
  })

  it('prefers the most specific match when two compounds are named', () => {
    expect(gazetteer.match('长寿桥小区，不是柳营里')?.compoundId).toBe('csq')
  })
})

describe('gazetteer: pinyin', () => {
  it.each([
    ['I live in Changshouqiao', 'csq'],
    ['chang shou qiao', 'csq'],
    ['Chang Shou Qiao Xiao Qu building 3', 'csq'],
    ['changshouqiaoxiaoqu', 'csq'],
    ['ChangShouQiao community', 'csq'],
    ['Chángshòuqiáo', 'csq'],
    ['we are at huanshali now', 'hsl'],
    ['Huansha Xinyuan 12-301', 'hsxy'],
    ['Anle village', 'al'],
  ])('%s → %s', (text, compoundId) => {
    expect(gazetteer.match(text)).toMatchObject({ compoundId, how: 'pinyin' })
  })

  it('only matches pinyin on word edges', () => {
    expect(gazetteer.match('xchangshouqiao')).toBeNull()
    expect(gazetteer.match('my handle is danle99')).toBeNull()
    expect(gazetteer.match('a panle of experts')).toBeNull()
  })
})

describe('gazetteer: streets and house numbers', () => {
  it.each([
    ['柳营巷12号', 'csq', 12],
    ['柳营巷50号2单元', 'lyl', 50],
    ['柳营巷十二号', 'csq', 12],
    ['柳营巷第30号', 'csq', 30],
    ['浣纱路 107 号', 'hsxy', 107],
    ['浣纱路11号', 'hsl', 11],
    ['浣纱路108号', 'hsxy', 108],
    ['浣纱路 57 号', 'hsl', 57],
    ['延安路20号', 'wly', 20],
    ['延安路300号', 'yaxc', 300],
    ['仁和路500号', 'rhl', 500],
  ])('%s → %s', (text, compoundId, number) => {
    const m = gazetteer.match(text)
    expect(m?.compoundId).toBe(compoundId)
    expect(m?.how).toBe('street')
    expect(m?.number).toBe(number)
  })

  it('gives the only compound on a street even without a number', () => {
    expect(gazetteer.match('仁和路上有人卖假药')).toMatchObject({ compoundId: 'rhl', how: 'street' })
  })

  it('returns null for a street shared by compounds when the number does not decide', () => {
    expect(gazetteer.match('柳营巷那边')).toBeNull()
    expect(gazetteer.match('柳营巷200号')).toBeNull()
    expect(gazetteer.match('柳营巷一带')).toBeNull()
  })

  it('reads English street addresses with the number before or after', () => {
    expect(gazetteer.match('No. 12 Liuying Lane')).toMatchObject({
      compoundId: 'csq',
      how: 'street',
      number: 12,
    })
    expect(gazetteer.match('I live at 45 liuying lane, room 301')?.compoundId).toBe('lyl')
    expect(gazetteer.match('Liuying Lane No.45')?.compoundId).toBe('lyl')
    expect(gazetteer.match('12 Liuying Xiang')?.compoundId).toBe('csq')
  })
})

describe('gazetteer: typos', () => {
  it.each([
    ['我住长寿侨小区', 'csq'],
    ['长寿侨3幢', 'csq'],
    ['长受桥小区2单元', 'csq'],
    ['朝辉小区', 'zh'],
    ['浣纱心苑5幢', 'hsxy'],
    ['浣纱心新苑', 'hsxy'],
    ['浣纱苑12幢', 'hsxy'],
  ])('%s → %s', (text, compoundId) => {
    expect(gazetteer.match(text)).toMatchObject({ compoundId, how: 'fuzzy' })
  })

  it('corrects one character in a street name followed by a number', () => {
    expect(gazetteer.match('浣沙路11号')).toMatchObject({ compoundId: 'hsl', how: 'fuzzy', number: 11 })
  })

  it.each([
    ['changshouqiau', 'csq'],
    ['changshouqao', 'csq'],
    ['huansali', 'hsl'],
    ['huanshaxinyan', 'hsxy'],
  ])('pinyin %s → %s', (text, compoundId) => {
    expect(gazetteer.match(text)).toMatchObject({ compoundId, how: 'fuzzy' })
  })

  it('does not believe a typo that is a different kind of place or has no context', () => {
    expect(gazetteer.match('长寿路12号')).toBeNull()
    expect(gazetteer.match('长寿侨')).toBeNull()
    expect(gazetteer.match('changshouqxyz')).toBeNull()
    expect(gazetteer.match('anla')).toBeNull()
  })
})

describe('gazetteer: many compounds', () => {
  // How fast it is belongs to `npm run bench -- inbound`; this checks it stays right at volume.
  it('matches 20,000 messages against 40 compounds consistently', () => {
    const many: Compound[] = []
    const chars = '东南西北金银春夏秋冬梅兰竹菊松柏杨柳桃李'
    for (let i = 0; i < 40; i++) {
      const core = `${chars[i % 20]}${chars[(i * 7 + 3) % 20]}${'山水'[Math.floor(i / 20)]}`
      many.push({
        id: `c${i}`,
        beatId: `b${i % 6}`,
        name: `${core}小区`,
        aliases: [`${core}社区`],
        pinyin: [`pinyinname${String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26))}`],
        streets: [{ street: `${core}路`, from: 1, to: 99 }],
      })
    }
    const big = buildGazetteer(many)
    const [a, b, c] = [many[3], many[17], many[29]]
    const messages = [
      `您好，我住在${a?.name}3幢，楼下有人装修太吵了`,
      `我的电动车在${b?.streets[0]?.street}12号被偷了，怎么办`,
      '请问居住证在哪里办理？需要带什么材料',
      `邻居家的狗天天叫，住${c?.aliases[0]}2单元`,
      'Hello, I live in pinyinnamehA, my wallet was stolen',
      `${a?.name[0]}茜${a?.name.slice(2)}门口有人打架`,
    ]
    let found = 0
    for (let i = 0; i < 20_000; i++) {
      if (big.match(messages[i % messages.length] ?? '') !== null) found++
    }
    expect(found).toBe(16_667)
  })
})
