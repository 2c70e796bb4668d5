import { describe, expect, it } from 'vitest'
import { classify } from '../../src/domain/classify.ts'
import type { CaseCategory } from '../../src/domain/types.ts'

const cases: [string, CaseCategory][] = [
  // emergency
  ['救命！有人在撬我家门', 'emergency'],
  ['楼下着火了，烟很大', 'emergency'],
  ['长寿桥小区3幢失火了快来', 'emergency'],
  ['菜市场门口有人打人，打得很凶', 'emergency'],
  ['他拿着刀在楼道里，持刀威胁我', 'emergency'],
  ['我刚才在柳营巷被抢劫了', 'emergency'],
  ['有人要跳楼，在12楼天台上', 'emergency'],
  ['老公喝醉了在打我，孩子在哭', 'emergency'],
  ['我家孩子走丢了，四岁，穿红衣服', 'emergency'],
  ['Help! Someone is breaking into my flat', 'emergency'],
  ['There is a fire in the building next door', 'emergency'],
  ['someone is hitting my neighbour in the street', 'emergency'],
  ['I was just robbed near the subway exit', 'emergency'],
  ['a man with a knife is following me', 'emergency'],
  ['please help me quickly, I am being attacked', 'emergency'],
  // fraud
  ['接到电话说我涉嫌洗钱，要我把钱转到安全账户', 'fraud'],
  ['网上刷单被骗了三千块', 'fraud'],
  ['有人冒充公检法打电话给我妈', 'fraud'],
  ['短信说我中奖了，要先交手续费', 'fraud'],
  ['有个客服让我报验证码，这是不是诈骗', 'fraud'],
  ['I think I was scammed by a fake delivery company', 'fraud'],
  ['Someone asked me to transfer money to a safe account', 'fraud'],
  // dispute
  ['和楼上邻居因为漏水的事有矛盾，想请民警调解', 'dispute'],
  ['昨天和房东吵架了，他不退押金', 'dispute'],
  ['两家为了停车位打架，现在没事了，想要个说法', 'dispute'],
  ['和邻居因为装修噪音吵架了', 'dispute'],
  ['I have a dispute with my landlord about the deposit', 'dispute'],
  ['We had an argument with the neighbour over the shared corridor', 'dispute'],
  // noise
  ['楼下每天晚上跳广场舞，噪音太大', 'noise'],
  ['隔壁装修从早上七点开始，太吵了', 'noise'],
  ['对面的狗叫了一整夜', 'noise'],
  ['The bar downstairs plays loud music every night', 'noise'],
  ['constant noise from the construction site after 10pm', 'noise'],
  // lost property
  ['我的钱包丢了，里面有身份证', 'lost_property'],
  ['在公交车上捡到一个手机，怎么交给你们', 'lost_property'],
  ['身份证遗失了怎么补办', 'lost_property'],
  ['I lost my wallet on the number 7 bus', 'lost_property'],
  ['I found a bag with keys at the bus stop', 'lost_property'],
  // consultation, including the false friends
  ['你好，请问居住证怎么办理', 'consultation'],
  ['can you help me with my residence permit?', 'consultation'],
  ['去火车站怎么走？', 'consultation'],
  ['商场跳楼价大甩卖，是不是违法广告', 'consultation'],
  ['楼道里堆了很多杂物，有火灾隐患', 'consultation'],
  ['When is the next fire safety training for landlords?', 'consultation'],
  ['有事可以打我电话吗？', 'consultation'],
  ['Could you help me find the form for registering a tenant?', 'consultation'],
  ['I got fired from my job, can I still apply for the permit?', 'consultation'],
]

describe('classify', () => {
  it.each(cases)('%s → %s', (text, category) => {
    expect(classify(text).category).toBe(category)
  })

  it('gives each category its priority and flags only emergencies', () => {
    expect(classify('救命')).toMatchObject({ priority: 'emergency', emergency: true, keyword: '救命' })
    expect(classify('我被骗了')).toMatchObject({ priority: 'urgent', emergency: false, keyword: '被骗' })
    expect(classify('邻居纠纷')).toMatchObject({ priority: 'normal', emergency: false, keyword: '纠纷' })
    expect(classify('太吵了')).toMatchObject({ priority: 'normal', emergency: false })
    expect(classify('钱包丢了')).toMatchObject({ priority: 'normal', emergency: false })
    expect(classify('你好')).toEqual({ category: 'consultation', priority: 'normal', emergency: false })
  })

  it('reads full-width and upper-case text', () => {
    expect(classify('ＨＥＬＰ！')).toMatchObject({ category: 'emergency' })
    expect(classify('THIS IS A SCAM')).toMatchObject({ category: 'fraud', keyword: 'scam' })
  })

  it('lets emergency wording win over everything else in the message', () => {
    expect(classify('被骗子骗了钱，现在他拿刀在我家门口')).toMatchObject({
      category: 'emergency',
      keyword: '拿刀',
    })
  })
})
