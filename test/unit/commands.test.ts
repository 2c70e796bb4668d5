import { describe, expect, it } from 'vitest'
import { matchCategories } from '../../src/domain/broadcast-categories.ts'
import {
  type CommandContext,
  dependsOnContext,
  MENU,
  NO_CONTEXT,
  parseCommand,
} from '../../src/domain/commands.ts'

const RATING: CommandContext = { ...NO_CONTEXT, ratingPending: true }
const MENU_SHOWN: CommandContext = { ...NO_CONTEXT, menuShown: true }
const WITHDRAW_ASKED: CommandContext = { ...NO_CONTEXT, withdrawPending: true }

const parse = (text: string, context: CommandContext = NO_CONTEXT) => parseCommand(text, context)

describe('parseCommand: keywords', () => {
  it.each([
    '进度',
    '进度？',
    '  查询进度 ',
    '请帮我查进度，谢谢',
    '我的案件',
    'status',
    'STATUS!',
    'Status please',
    'my cases',
  ])('%j asks for status', (text) => {
    expect(parse(text)).toEqual({ kind: 'status' })
  })

  it.each(['帮助', '菜单', '帮助！', 'help', 'Help?', 'menu', 'MENU'])('%j asks for the menu', (text) => {
    expect(parse(text)).toEqual({ kind: 'help' })
  })

  it.each(['我的订阅', '订阅情况', 'subscriptions', 'My subscriptions'])('%j lists subscriptions', (text) => {
    expect(parse(text)).toEqual({ kind: 'subscriptions' })
  })

  it.each([
    '帮助我看看楼下的车',
    '进度太慢了，什么时候有人来？',
    'help me, someone is following me',
    'status of my parcel at the gate?',
    '菜单上写的电话打不通',
    '订阅号怎么关注',
    '退订的东西到了吗',
    '取消订单怎么办',
    'cancel the appointment tomorrow',
    'unsubscribed from everything already',
    '楼上很吵',
    '',
    '   ',
  ])('%j is a message for the officer', (text) => {
    expect(parse(text)).toBeNull()
    expect(parse(text, { ratingPending: true, menuShown: true, withdrawPending: true })).toBeNull()
  })

  it('leaves long messages alone even when they start with a keyword', () => {
    expect(parse(`取消，${'因为'.repeat(120)}`)).toBeNull()
  })
})

describe('parseCommand: broadcasts', () => {
  it('a bare unsubscribe or subscribe means every category', () => {
    for (const text of ['退订', '取消订阅', 'TD', 'unsubscribe', '退订全部', '全部退订', 'unsubscribe all']) {
      expect(parse(text), text).toEqual({ kind: 'unsubscribe', categories: 'all' })
    }
    for (const text of ['订阅', '恢复订阅', 'subscribe', 'Subscribe all', '全部订阅']) {
      expect(parse(text), text).toEqual({ kind: 'subscribe', categories: 'all' })
    }
  })

  it.each([
    ['退订 反诈', ['anti_fraud']],
    ['退订反诈', ['anti_fraud']],
    ['退订反诈提醒', ['anti_fraud']],
    ['退订：交通、反诈', ['anti_fraud', 'traffic']],
    ['unsubscribe fraud', ['anti_fraud']],
    ['Unsubscribe fire safety and traffic', ['fire_safety', 'traffic']],
    ['unsubscribe from weather warnings', ['weather']],
  ] as const)('%j unsubscribes from %j', (text, categories) => {
    expect(parse(text)).toEqual({ kind: 'unsubscribe', categories })
  })

  it('subscribes to one category again', () => {
    expect(parse('订阅 天气')).toEqual({ kind: 'subscribe', categories: ['weather'] })
    expect(parse('subscribe appeals')).toEqual({ kind: 'subscribe', categories: ['public_appeal'] })
  })

  it('explains a category it does not know, but only for a short, separated word', () => {
    expect(parse('退订 快递')).toEqual({ kind: 'unknown-category', words: '快递' })
    expect(parse('unsubscribe fireworks')).toEqual({ kind: 'unknown-category', words: 'fireworks' })
    expect(parse('退订 我的快递怎么一直没有到啊到底怎么回事')).toBeNull()
    expect(parse('退订 这是什么？')).toBeNull()
  })

  it('reads category words with full-width punctuation and filler words', () => {
    expect(matchCategories('：反诈，消防')).toEqual(['anti_fraud', 'fire_safety'])
    expect(matchCategories('fraud alerts and the weather')).toEqual(['anti_fraud', 'weather'])
    expect(matchCategories('通知')).toBe('all')
    expect(matchCategories('fire')).toEqual(['fire_safety'])
    expect(matchCategories('firework')).toBeNull()
    expect(matchCategories('快递')).toBeNull()
  })
})

describe('parseCommand: withdrawal', () => {
  it.each([
    '取消',
    '取消！',
    '我要取消',
    '撤回诉求',
    '取消了',
    'cancel',
    'Cancel please',
    'cancel my request',
  ])('%j asks to withdraw, with no reason', (text) => {
    expect(parse(text)).toEqual({ kind: 'withdraw', reason: null })
  })

  it('keeps the words after the command as the reason, as written', () => {
    expect(parse('取消，已经解决了')).toEqual({ kind: 'withdraw', reason: '已经解决了' })
    expect(parse('取消 已经和邻居协商好了')).toEqual({ kind: 'withdraw', reason: '已经和邻居协商好了' })
    expect(parse('Cancel: Sorted it out with my Neighbour')).toEqual({
      kind: 'withdraw',
      reason: 'Sorted it out with my Neighbour',
    })
  })

  it('confirms only right after the question', () => {
    for (const text of ['确认', '是', 'yes', 'OK']) {
      expect(parse(text, WITHDRAW_ASKED), text).toEqual({ kind: 'confirm-withdraw', reason: null })
      expect(parse(text), text).toBeNull()
    }
    expect(parse('取消，搞定了', WITHDRAW_ASKED)).toEqual({ kind: 'confirm-withdraw', reason: '搞定了' })
    for (const text of ['不', 'no', '不撤回']) {
      expect(parse(text, WITHDRAW_ASKED), text).toEqual({ kind: 'keep' })
      expect(parse(text), text).toBeNull()
    }
    expect(parse('1', WITHDRAW_ASKED)).toBeNull()
  })
})

describe('parseCommand: numbers', () => {
  it('a number is a message when no rating is pending and no menu was shown', () => {
    for (const text of ['1', '5', '3分', '12']) expect(parse(text), text).toBeNull()
  })

  it.each([
    ['5', 5],
    ['５', 5],
    ['1', 1],
    ['4分', 4],
    ['五星', 5],
    ['三', 3],
    ['5 stars', 5],
    ['5/5', 5],
    ['2.', 2],
    ['5分，谢谢', 5],
    ['⭐️⭐️⭐️⭐️', 4],
  ] as const)('%j after the rating question rates %i', (text, score) => {
    expect(parse(text, RATING)).toEqual({ kind: 'rate', score })
  })

  it('a number outside 1-5 after the rating question is explained, a sentence is not taken', () => {
    expect(parse('6', RATING)).toEqual({ kind: 'bad-rating' })
    expect(parse('0', RATING)).toEqual({ kind: 'bad-rating' })
    expect(parse('10分', RATING)).toEqual({ kind: 'bad-rating' })
    expect(parse('5 很满意谢谢', RATING)).toBeNull()
    expect(parse('非常满意', RATING)).toBeNull()
    expect(parse('13800138000', RATING)).toBeNull()
  })

  it('a number right after the menu picks its item, even with a rating pending', () => {
    expect(MENU).toHaveLength(5)
    const both = { ...MENU_SHOWN, ratingPending: true }
    expect(parse('1', both)).toEqual({ kind: 'status' })
    expect(parse('２', MENU_SHOWN)).toEqual({ kind: 'subscriptions' })
    expect(parse('3', MENU_SHOWN)).toEqual({ kind: 'unsubscribe', categories: 'all' })
    expect(parse('4', MENU_SHOWN)).toEqual({ kind: 'subscribe', categories: 'all' })
    expect(parse('5', MENU_SHOWN)).toEqual({ kind: 'withdraw', reason: null })
    expect(parse('9', MENU_SHOWN)).toEqual({ kind: 'bad-choice' })
  })
})

describe('dependsOnContext', () => {
  it('is true for numbers, yes/no and withdrawals only', () => {
    for (const text of ['1', '５', '五星', '确认', 'no', '取消'])
      expect(dependsOnContext(text), text).toBe(true)
    for (const text of ['进度', 'help', '退订 反诈', '楼上很吵', '', '13800138000'])
      expect(dependsOnContext(text), text).toBe(false)
  })
})
