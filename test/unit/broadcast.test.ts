import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import {
  approvalReason,
  type BroadcastContent,
  composeText,
  contentProblems,
  isUrgentCategory,
  utf8Bytes,
} from '../../src/domain/broadcast.ts'
import {
  DEFAULT_QUIET_HOURS,
  estimateSeconds,
  inQuietHours,
  localDay,
  quietHoursEnd,
  sendGapMs,
} from '../../src/domain/broadcast-pace.ts'

const content = (over: Partial<BroadcastContent> = {}): BroadcastContent => ({
  title: '防范电信诈骗',
  textZh: '不要向陌生账户转账。',
  textEn: null,
  imageUrl: null,
  linkUrl: null,
  category: 'anti_fraud',
  ...over,
})

const noTargets = { station: false, beatIds: [], compoundIds: [], tags: [], groups: [] }
const SH = 'Asia/Shanghai'
/** An instant by its wall clock in Hangzhou (UTC+8, no daylight saving). */
const hz = (local: string) => new Date(`${local}+08:00`)

describe('broadcast content', () => {
  it('writes the notice in the resident’s language, English only where there is an English text', () => {
    const c = content({ textEn: 'Never transfer money to strangers.', linkUrl: 'https://example.org/a' })
    expect(composeText(c, 'zh')).toBe(
      '【反诈提醒】防范电信诈骗\n不要向陌生账户转账。\n详情：https://example.org/a',
    )
    expect(composeText(c, 'en')).toBe(
      '[Anti-fraud alerts] 防范电信诈骗\nNever transfer money to strangers.\nMore: https://example.org/a',
    )
    expect(composeText(content(), 'en')).toBe(composeText(content(), 'zh'))
    expect(composeText(content({ imageUrl: 'https://example.org/p.jpg' }), 'zh')).toContain(
      '图片：https://example.org/p.jpg',
    )
  })

  it('measures the whole message in bytes against the channel’s limit, naming the field and the excess', () => {
    expect(contentProblems(content(), 2048)).toEqual([])
    // 680 Chinese characters are 2,040 bytes; with the title line they no longer fit.
    const long = content({ textZh: '防'.repeat(680) })
    const [problem] = contentProblems(long, 2048)
    const bytes = utf8Bytes(composeText(long, 'zh'))
    expect(bytes).toBeGreaterThan(2048)
    expect(problem).toBe(
      `text.zh: the message with its title is ${bytes} bytes; WeChat takes at most 2048 bytes in one message (a Chinese character is 3 bytes): shorten it by ${bytes - 2048} bytes`,
    )
    expect(contentProblems(content({ textEn: 'x'.repeat(2040) }), 2048)[0]).toMatch(/^text\.en: /)
    expect(contentProblems(content({ textZh: ' \n ' }), 2048)).toEqual(['text.zh: must not be empty'])
    expect(contentProblems(content({ title: '' }), 2048)).toEqual(['title: must not be empty'])
  })

  it('asks for approval of station-wide broadcasts and of those over the threshold only', () => {
    expect(approvalReason({ ...noTargets, station: true }, 3, 200)).toBe('station_wide')
    expect(approvalReason({ ...noTargets, beatIds: ['b'] }, 201, 200)).toBe('over_threshold')
    expect(approvalReason({ ...noTargets, beatIds: ['b'] }, 200, 200)).toBeNull()
  })

  it('lets weather warnings and public appeals through quiet hours, nothing else', () => {
    expect(['weather', 'public_appeal'].every((c) => isUrgentCategory(c as 'weather'))).toBe(true)
    expect(
      ['anti_fraud', 'fire_safety', 'traffic', 'other'].some((c) => isUrgentCategory(c as 'other')),
    ).toBe(false)
  })
})

describe('broadcast pace', () => {
  it('keeps quiet from 22:00 to 07:00 in the station’s time zone', () => {
    expect(inQuietHours(hz('2026-11-25T21:59:00'), SH, DEFAULT_QUIET_HOURS)).toBe(false)
    expect(inQuietHours(hz('2026-11-25T22:00:00'), SH, DEFAULT_QUIET_HOURS)).toBe(true)
    expect(inQuietHours(hz('2026-11-26T06:59:00'), SH, DEFAULT_QUIET_HOURS)).toBe(true)
    expect(inQuietHours(hz('2026-11-26T07:00:00'), SH, DEFAULT_QUIET_HOURS)).toBe(false)
    expect(inQuietHours(hz('2026-11-25T23:00:00'), SH, null)).toBe(false)
    // 23:00 in Hangzhou is 15:00 in London: not quiet there.
    expect(inQuietHours(hz('2026-11-25T23:00:00'), 'Europe/London', DEFAULT_QUIET_HOURS)).toBe(false)
    expect(quietHoursEnd(hz('2026-11-25T23:30:00'), SH, DEFAULT_QUIET_HOURS)).toEqual(
      hz('2026-11-26T07:00:00'),
    )
    expect(quietHoursEnd(hz('2026-11-26T03:00:00'), SH, DEFAULT_QUIET_HOURS)).toEqual(
      hz('2026-11-26T07:00:00'),
    )
    expect(quietHoursEnd(hz('2026-11-26T12:00:00'), SH, DEFAULT_QUIET_HOURS)).toEqual(
      hz('2026-11-26T12:00:00'),
    )
  })

  it('counts days from local midnight', () => {
    expect(localDay(hz('2026-11-25T23:59:00'), SH)).toBe('2026-11-25')
    expect(localDay(hz('2026-11-26T00:00:00'), SH)).toBe('2026-11-26')
  })

  it('spaces sends by the interval, with jitter that only lengthens a gap and by at most 5%', () => {
    expect(sendGapMs(60, 250, () => 0)).toBe(1000)
    expect(sendGapMs(60, 250, () => 1)).toBe(1050)
    expect(sendGapMs(60, 20, () => 1)).toBe(1020)
    expect(sendGapMs(600, 0, () => 1)).toBe(100)
    expect(sendGapMs(0, 250)).toBe(0)
  })

  it('estimates the time left from the slowest account, its daily cap and the quiet hours', () => {
    const now = hz('2026-11-25T10:00:00')
    const quiet = DEFAULT_QUIET_HOURS
    // 300 sends at one a second: five minutes.
    expect(
      estimateSeconds([{ sends: 300, ratePerMinute: 60, dailyCap: 500, sentToday: 0 }], {
        now,
        timeZone: SH,
        quiet,
      }),
    ).toBe(300)
    // Side by side: the slower decides.
    expect(
      estimateSeconds(
        [
          { sends: 300, ratePerMinute: 60, dailyCap: 500, sentToday: 0 },
          { sends: 300, ratePerMinute: 30, dailyCap: 500, sentToday: 0 },
        ],
        { now, timeZone: SH, quiet },
      ),
    ).toBe(600)
    // 400 left of today's 500: the last 100 wait for 07:00 tomorrow.
    const capped = estimateSeconds([{ sends: 200, ratePerMinute: 60, dailyCap: 500, sentToday: 400 }], {
      now,
      timeZone: SH,
      quiet,
    })
    expect(capped).toBe((hz('2026-11-26T07:00:00').getTime() - now.getTime()) / 1000 + 100)
    // At 23:00 a non-urgent notice starts at 07:00; an urgent one (no quiet hours) at once.
    const night = hz('2026-11-25T23:00:00')
    expect(
      estimateSeconds([{ sends: 60, ratePerMinute: 60, dailyCap: 500, sentToday: 0 }], {
        now: night,
        timeZone: SH,
        quiet,
      }),
    ).toBe(8 * 3600 + 60)
    expect(
      estimateSeconds([{ sends: 60, ratePerMinute: 60, dailyCap: 500, sentToday: 0 }], {
        now: night,
        timeZone: SH,
        quiet: null,
      }),
    ).toBe(60)
    expect(estimateSeconds([], { now, timeZone: SH, quiet })).toBe(0)
  })
})

describe('broadcast settings', () => {
  it('reads quiet hours and the approval threshold, and names a bad value', () => {
    const config = loadConfig({ BROADCAST_QUIET_HOURS: '23:30-06:00', BROADCAST_APPROVAL_THRESHOLD: '50' })
    expect(config.BROADCAST_QUIET_HOURS).toEqual({ startMinute: 23 * 60 + 30, endMinute: 6 * 60 })
    expect(config.BROADCAST_APPROVAL_THRESHOLD).toBe(50)
    expect(loadConfig({ BROADCAST_QUIET_HOURS: 'off' }).BROADCAST_QUIET_HOURS).toBeNull()
    expect(loadConfig({}).BROADCAST_QUIET_HOURS).toEqual(DEFAULT_QUIET_HOURS)
    expect(() => loadConfig({ BROADCAST_QUIET_HOURS: 'nights' })).toThrow(
      /BROADCAST_QUIET_HOURS: must be a span of the day HH:MM-HH:MM/,
    )
  })
})
