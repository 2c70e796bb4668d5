import { describe, expect, it } from 'vitest'
import { addDays, daysFrom, formatDate, instantOn, localDateOf } from '../../src/domain/forms/local-date.ts'
import {
  idCheckCharacter,
  isSkip,
  parseDate,
  parseIdNumber,
  parsePhone,
  parseText,
  parseYesNo,
  readSmallNumber,
} from '../../src/domain/forms/parsers.ts'

const TZ = 'Asia/Shanghai'
/** Monday 9 February 2026, 10:00 in Hangzhou. */
const MONDAY = new Date('2026-02-09T02:00:00Z')

const date = (text: string, now = MONDAY, tz = TZ) => {
  const read = parseDate(text, now, tz)
  return read.ok ? read.value : `problem:${read.problem.code}`
}

describe('parseDate', () => {
  it('reads days relative to today in the station time zone', () => {
    expect(date('今天')).toBe('2026-02-09')
    expect(date('明天')).toBe('2026-02-10')
    expect(date('后天')).toBe('2026-02-11')
    expect(date('大后天')).toBe('2026-02-12')
    expect(date('3天后')).toBe('2026-02-12')
    expect(date('三天以后')).toBe('2026-02-12')
    expect(date('tomorrow')).toBe('2026-02-10')
    expect(date('Today')).toBe('2026-02-09')
    expect(date('the day after tomorrow')).toBe('2026-02-11')
    expect(date('in 5 days')).toBe('2026-02-14')
  })

  it('takes "today" from the station clock, not UTC', () => {
    // 23:30 UTC on the 8th is already 07:30 on the 9th in Hangzhou.
    const lateUtc = new Date('2026-02-08T23:30:00Z')
    expect(date('今天', lateUtc)).toBe('2026-02-09')
    expect(date('today', lateUtc, 'Europe/London')).toBe('2026-02-08')
  })

  it('reads weekdays: the coming one, this week, next week (weeks start on Monday)', () => {
    expect(date('周五')).toBe('2026-02-13')
    expect(date('星期五')).toBe('2026-02-13')
    expect(date('这周五')).toBe('2026-02-13')
    expect(date('本周五')).toBe('2026-02-13')
    expect(date('下周五')).toBe('2026-02-20')
    expect(date('下个星期五')).toBe('2026-02-20')
    expect(date('下礼拜天')).toBe('2026-02-22')
    expect(date('下下周一')).toBe('2026-02-23')
    expect(date('周一')).toBe('2026-02-09')
    expect(date('Friday')).toBe('2026-02-13')
    expect(date('this friday')).toBe('2026-02-13')
    expect(date('next Friday')).toBe('2026-02-20')
    expect(date('next fri')).toBe('2026-02-20')
  })

  it('reads "this Monday" said on a Sunday as the one that has passed', () => {
    const sunday = new Date('2026-02-15T02:00:00Z')
    expect(date('这周一', sunday)).toBe('2026-02-09')
    expect(date('下周一', sunday)).toBe('2026-02-16')
    expect(date('周一', sunday)).toBe('2026-02-16')
  })

  it('reads month and day in Chinese, with 日 or 号, digits or characters', () => {
    expect(date('2月20日')).toBe('2026-02-20')
    expect(date('2月20号')).toBe('2026-02-20')
    expect(date('二月二十日')).toBe('2026-02-20')
    expect(date('12月3号')).toBe('2026-12-03')
    expect(date('十二月三号')).toBe('2026-12-03')
    expect(date('2/20')).toBe('2026-02-20')
    expect(date('20/2')).toBe('2026-02-20')
    expect(date('从2月10号出发')).toBe('2026-02-10')
    expect(date('2月20日回来')).toBe('2026-02-20')
    expect(date('２月２０日')).toBe('2026-02-20')
  })

  it('reads month and day in English', () => {
    expect(date('Feb 20')).toBe('2026-02-20')
    expect(date('February 20th')).toBe('2026-02-20')
    expect(date('20 Feb')).toBe('2026-02-20')
    expect(date('the 20th of February')).toBe('2026-02-20')
    expect(date('on Feb 20')).toBe('2026-02-20')
    expect(date('Mar 1, 2027')).toBe('2027-03-01')
  })

  it('reads full dates', () => {
    expect(date('2026-02-20')).toBe('2026-02-20')
    expect(date('2026/2/20')).toBe('2026-02-20')
    expect(date('2026.02.20')).toBe('2026-02-20')
    expect(date('2026年2月20日')).toBe('2026-02-20')
  })

  it('puts a day without a year in the coming year, unless it passed only lately', () => {
    // Early February: 5 January was weeks ago (this year's, and so "in the past");
    // 5 November is months ahead; 1 February 2026 just passed.
    expect(date('1月5日')).toBe('2026-01-05')
    expect(date('2月1日')).toBe('2026-02-01')
    const december = new Date('2026-12-20T02:00:00Z')
    expect(date('1月5日', december)).toBe('2027-01-05')
    expect(date('Jan 5', december)).toBe('2027-01-05')
  })

  it('says a day does not exist instead of rolling it over', () => {
    expect(parseDate('2月30日', MONDAY, TZ)).toEqual({
      ok: false,
      problem: { code: 'no-such-date', params: { month: 2, day: 30 } },
    })
    expect(date('2026-02-29')).toBe('problem:no-such-date')
    expect(date('13月1日')).toBe('problem:no-such-date')
  })

  it('does not guess at what is not a date', () => {
    for (const text of ['', '下个月', '过几天', 'soon', 'next week', '我不知道', '2月', 'Feb', '12345']) {
      expect(date(text)).toBe('problem:unreadable')
    }
  })
})

describe('readSmallNumber', () => {
  it('reads digits and Chinese numerals up to 99', () => {
    expect(readSmallNumber('7')).toBe(7)
    expect(readSmallNumber('十')).toBe(10)
    expect(readSmallNumber('十二')).toBe(12)
    expect(readSmallNumber('二十')).toBe(20)
    expect(readSmallNumber('三十一')).toBe(31)
    expect(readSmallNumber('两')).toBe(2)
    expect(readSmallNumber('一二')).toBeNull()
    expect(readSmallNumber('')).toBeNull()
  })
})

describe('local dates', () => {
  it('adds days across months and years, and lists a period', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29')
    expect(daysFrom('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01'])
  })

  it('finds instants on the station wall clock', () => {
    expect(instantOn('2026-02-10', 9 * 60, TZ).toISOString()).toBe('2026-02-10T01:00:00.000Z')
    expect(localDateOf(new Date('2026-02-09T16:30:00Z'), TZ)).toBe('2026-02-10')
  })

  it('shows a day with its weekday, and the year only when it is another', () => {
    expect(formatDate('2026-02-20', 'zh', '2026-02-09')).toBe('2月20日（周五）')
    expect(formatDate('2026-02-20', 'en', '2026-02-09')).toBe('Fri 20 Feb')
    expect(formatDate('2027-01-05', 'zh', '2026-12-20')).toBe('2027年1月5日（周二）')
    expect(formatDate('2027-01-05', 'en', '2026-12-20')).toBe('Tue 5 Jan 2027')
  })
})

describe('parsePhone', () => {
  const phone = (text: string) => {
    const read = parsePhone(text)
    return read.ok ? `${read.value.kind}:${read.value.number}` : `problem:${read.problem.code}`
  }

  it('reads mainland mobiles, with spaces, dashes, labels and +86', () => {
    expect(phone('13800138000')).toBe('mobile:13800138000')
    expect(phone('138 0013 8000')).toBe('mobile:13800138000')
    expect(phone('138-0013-8000')).toBe('mobile:13800138000')
    expect(phone('+86 138 0013 8000')).toBe('mobile:13800138000')
    expect(phone('008613800138000')).toBe('mobile:13800138000')
    expect(phone('8613800138000')).toBe('mobile:13800138000')
    expect(phone('手机：13912345678')).toBe('mobile:13912345678')
    expect(phone('电话是19912345678')).toBe('mobile:19912345678')
    expect(phone('１３８００１３８０００')).toBe('mobile:13800138000')
  })

  it('reads landlines with their area code', () => {
    expect(phone('0571-87654321')).toBe('landline:0571-87654321')
    expect(phone('057187654321')).toBe('landline:0571-87654321')
    expect(phone('(0571) 8765432')).toBe('landline:0571-8765432')
    expect(phone('010-62345678')).toBe('landline:010-62345678')
    expect(phone('021 52345678')).toBe('landline:021-52345678')
  })

  it('says what is wrong with a number that is not one', () => {
    expect(phone('1380013800')).toBe('problem:mobile-length')
    expect(parsePhone('138001380001')).toEqual({
      ok: false,
      problem: { code: 'mobile-length', params: { digits: 12 } },
    })
    expect(phone('12345678901')).toBe('problem:not-a-phone')
    expect(phone('87654321')).toBe('problem:needs-area-code')
    expect(phone('王芳')).toBe('problem:not-a-phone')
    expect(phone('0571-123')).toBe('problem:not-a-phone')
    expect(phone('+1 415 555 0100')).toBe('problem:not-a-phone')
    expect(phone('')).toBe('problem:not-a-phone')
  })
})

describe('parseYesNo', () => {
  const yn = (text: string) => {
    const read = parseYesNo(text)
    return read.ok ? read.value : 'problem'
  }

  it('reads the words residents use', () => {
    for (const yes of [
      '是',
      '是的',
      '好',
      '好的！',
      '对',
      '有',
      '有的',
      '可以',
      '嗯',
      'yes',
      'Yes.',
      'y',
      'OK',
      'sure',
    ])
      expect(yn(yes), yes).toBe(true)
    for (const no of ['不', '否', '不是', '没有', '没', '无', '不用', 'no', 'No.', 'n', 'nope', 'none'])
      expect(yn(no), no).toBe(false)
  })

  it('reads longer answers by how they start', () => {
    expect(yn('有，我妹妹有钥匙')).toBe(true)
    expect(yn('没有摄像头')).toBe(false)
    expect(yn('yes, my neighbour has a key')).toBe(true)
    expect(yn('no camera')).toBe(false)
  })

  it('does not read "I do not know" or anything else as an answer', () => {
    for (const text of ['不知道', '不清楚', 'not sure', 'maybe', '明天', '13800138000', ''])
      expect(yn(text), text).toBe('problem')
  })
})

describe('parseText and isSkip', () => {
  it('trims, collapses spaces and counts characters as people do', () => {
    expect(parseText('  长寿桥小区   3幢 501 ', { max: 100 })).toEqual({
      ok: true,
      value: '长寿桥小区 3幢 501',
    })
    expect(parseText('👍👍', { max: 2 })).toEqual({ ok: true, value: '👍👍' })
  })

  it('says empty, too short and too long, with the figures', () => {
    expect(parseText('   ', { max: 10 })).toEqual({ ok: false, problem: { code: 'empty' } })
    expect(parseText('王', { min: 2, max: 10 })).toEqual({
      ok: false,
      problem: { code: 'too-short', params: { min: 2 } },
    })
    expect(parseText('一二三四五六', { max: 5 })).toEqual({
      ok: false,
      problem: { code: 'too-long', params: { max: 5, length: 6 } },
    })
  })

  it('knows the words that leave an optional answer empty', () => {
    for (const skip of ['无', '没有', '跳过', 'none', 'Skip', '-']) expect(isSkip(skip), skip).toBe(true)
    expect(isSkip('阳台门没锁')).toBe(false)
  })
})

describe('parseIdNumber', () => {
  // A made-up number: Hangzhou Shangcheng (330102), born 1 March 1990, sequence 123, with its check character.
  const first17 = '33010219900301123'
  const valid = `${first17}${idCheckCharacter(first17)}`
  const id = (text: string) => {
    const read = parseIdNumber(text, MONDAY, TZ)
    return read.ok ? read.value : `problem:${read.problem.code}`
  }

  it('computes the ISO 7064 MOD 11-2 check character', () => {
    // The example from GB 11643-1999.
    expect(idCheckCharacter('11010519491231002')).toBe('X')
    expect(idCheckCharacter('44052418800101001')).toBe('4')
  })

  it('accepts a valid number, with spaces and a lower-case x', () => {
    expect(id(valid)).toBe(valid)
    expect(id('11010519491231002x')).toBe('11010519491231002X')
    expect(id(`${valid.slice(0, 6)} ${valid.slice(6, 14)} ${valid.slice(14)}`)).toBe(valid)
  })

  it('names what is wrong', () => {
    const wrongCheck = `${first17}${idCheckCharacter(first17) === '0' ? '1' : '0'}`
    expect(id(wrongCheck)).toBe('problem:id-checksum')
    expect(id('330102900301123')).toBe('problem:id-old-format')
    expect(parseIdNumber('3301021990030112', MONDAY, TZ)).toEqual({
      ok: false,
      problem: { code: 'id-length', params: { length: 16 } },
    })
    expect(id('33010219901301123X')).toBe('problem:id-birthdate')
    expect(id('33010220300301123X')).toBe('problem:id-birthdate')
    expect(id('03010219900301123X')).toBe('problem:id-region')
    expect(id('3301021990030112AB')).toBe('problem:id-format')
  })
})
