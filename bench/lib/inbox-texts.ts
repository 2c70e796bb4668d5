/**
 * What the seeded conversations say: residents' first messages by category,
 * their follow-ups, officers' replies, internal notes and system lines. All
 * fictional; Chinese, with a few English ones for residents who write in English.
 */

export const OPENING_ZH: Record<string, readonly string[]> = {
  noise: [
    '楼上每天晚上十一点以后还在拖椅子，吵得孩子睡不着',
    '小区门口的烧烤摊音响开到半夜，能不能管一管',
    '隔壁装修周末一大早就开始电钻，物业说管不了',
    '楼下棋牌室天天吵到凌晨，已经跟他们说过好几次了',
  ],
  dispute: [
    '和对门邻居因为楼道里堆的鞋柜吵起来了，想请民警帮忙调解',
    '楼上卫生间漏水把我家吊顶泡坏了，对方不肯赔',
    '停车位被别人长期占着，沟通没用，差点动手',
    '房东押金拖了两个月不退，电话也不接',
  ],
  fraud: [
    '我妈接到自称公安局的电话，说她涉嫌洗钱，要她转账到安全账户',
    '网上兼职刷单被骗了两千八，对方已经把我拉黑了',
    '有人冒充快递客服让我下载会议软件共享屏幕，我没照做，要报警吗',
    '收到短信说医保卡被冻结，要点链接解冻，是不是诈骗',
  ],
  lost_property: [
    '今天早上在菜场丢了钱包，里面有身份证和两张银行卡',
    '在公交站台捡到一部手机，想交到派出所',
    '楼下电动车的电瓶昨晚被偷了',
    '孩子的书包落在出租车上了，有车牌号的照片',
  ],
  consultation: [
    '请问居住证怎么办，需要带哪些材料',
    '国庆要出门一周，能不能请你们帮忙照看一下家里',
    '我有一套房子出租，租客登记要怎么办',
    '户口迁移需要先去哪里开证明',
  ],
  emergency: [
    '楼道里有人拿着刀在吵架，快来人',
    '对面楼冒烟了，好像是电动车着火',
    '我家老人走失了，穿灰色外套，有点糊涂',
    '有人在小区门口打架，已经有人受伤了',
  ],
}

export const OPENING_EN: readonly string[] = [
  'My neighbour has been playing loud music every night after midnight.',
  'I lost my passport near the metro station this morning.',
  'Someone called claiming to be the police and asked me to transfer money.',
  'How do I register as a foreign tenant in this district?',
]

export const FOLLOW_UP_ZH: readonly string[] = [
  '好的，谢谢',
  '我家在三单元502，白天一般有人',
  '昨天晚上又吵了，一直到一点多',
  '对方刚才又打电话来了，我没接',
  '照片我发给你们了，请看一下',
  '请问什么时候能有结果',
  '今天下午我在家，可以过来',
  '麻烦你们了，真的很着急',
  '我已经报给物业了，他们说找你们',
  '明白了，我按你说的去办',
  '还是没解决，能再来看看吗',
  '好的，我等你们电话',
]

export const FOLLOW_UP_EN: readonly string[] = [
  'Thank you, I will wait for your call.',
  'It happened again last night.',
  'I am at home this afternoon.',
]

export const REPLY_ZH: readonly string[] = [
  '您好，已经收到，我们今天下午过去看一下',
  '请您不要转账，这是典型的冒充公检法诈骗，有新情况随时联系我们',
  '已联系物业一起处理，请您留意楼道情况',
  '请问您方便留一个联系电话吗，我们上门核实',
  '钱包已经有人送到派出所了，请带身份证明来领取',
  '居住证需要身份证、租房合同和近期照片，工作日到社区警务室办理',
  '我们已经和对方沟通过了，他们答应晚上十点后不再施工',
  '照看期间我们每天会巡查一次，有情况会第一时间告诉您',
  '调解时间定在周四上午九点，地点在社区调解室',
  '收到照片了，我们会调取附近的监控',
  '好的，有进展马上通知您',
  '请您保管好相关聊天记录和转账凭证',
]

export const REPLY_EN: readonly string[] = [
  'We have received your message and will visit this afternoon.',
  'Please do not transfer any money; this is a known scam.',
  'Please bring your passport and rental contract to the community police office.',
]

export const NOTE_ZH: readonly string[] = [
  '已电话联系居民，情况属实',
  '对方是多次被投诉的住户，建议联合物业上门',
  '已调取监控，待下周一复核',
  '居民情绪比较激动，注意沟通方式',
  '已通报反诈中心',
  '与社区网格员一起跟进',
]

export const SYSTEM_ZH: readonly string[] = [
  '案件已由值班室转交给社区民警',
  '首次响应已超时，已提醒值班室',
  '居民已确认地址',
]

export const CLOSING_ZH = '您好，您反映的问题已处理完毕，如有需要请随时联系我们。案件编号：'
export const CLOSING_EN = 'Your case has been resolved. Reply any time if you need us again. Case number: '

export const SURNAMES: readonly string[] = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '朱',
  '马',
  '胡',
  '郭',
  '林',
  '何',
  '高',
  '罗',
]

export const GIVEN_NAMES: readonly string[] = [
  '阿姨',
  '师傅',
  '先生',
  '女士',
  '大爷',
  '建国',
  '秀英',
  '丽娟',
  '志强',
  '晓明',
  '海燕',
  '文华',
  '子涵',
  '雨桐',
  '国平',
  '美玲',
]
