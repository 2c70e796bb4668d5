import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { insertReportCases } from '../helpers/report-cases.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

const INBOX_BUILD = fileURLToPath(new URL('../../dist/inbox/index.html', import.meta.url))
const NOW = new Date('2026-11-25T02:00:00Z')
const LI = seedIds.officer('330104')
const WANG = seedIds.officer('330105')
const USERNAME = 'report-supervisor'
const PASSWORD = 'report-supervisor-password'

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)

describe('reports view in Chromium', () => {
  let stack: TestStack
  let browser: Browser

  beforeAll(async () => {
    if (!existsSync('/usr/bin/chromium')) throw new Error('Chromium is not installed at /usr/bin/chromium')
    if (!existsSync(INBOX_BUILD)) throw new Error('The inbox is not built: run `npm run build` first')
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-reports',
      roles: ['api'],
      stationFiles: ['seeds/changqing.yaml'],
      at: NOW,
    })
    stack.clock.set(NOW)
    await insertReportCases(stack.ctx.database.db, {
      A: {
        officer: LI,
        beat: seedIds.beat('CQ-01'),
        opened: '2026-11-21T02:00:00Z',
        respondedAfter: 120,
        dueAfter: 600,
        resolved: '2026-11-21T05:00:00Z',
        rating: { score: 4, at: '2026-11-21T06:00:00Z' },
      },
      B: {
        officer: LI,
        beat: seedIds.beat('CQ-01'),
        opened: '2026-11-22T02:00:00Z',
        respondedAfter: 900,
        dueAfter: 600,
      },
      C: {
        officer: WANG,
        beat: seedIds.beat('CQ-02'),
        opened: '2026-11-23T02:00:00Z',
        respondedAfter: 60,
        dueAfter: 600,
      },
    })
    await stack.ctx.officerLogins.create({
      officerId: seedIds.officer('330110'),
      username: USERNAME,
      passwordHash: await hashPassword(PASSWORD),
    })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  /** A supervisor's browser in Hangzhou, signed in through the login form on `path`. */
  const supervisorPage = async (path: string): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    })
    await context.clock.setFixedTime(NOW)
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}${path}`)
    await byTestId(page, 'login-username').fill(USERNAME)
    await byTestId(page, 'login-password').fill(PASSWORD)
    await byTestId(page, 'login-submit').click()
    return page
  }

  it('draws the charts and the table, switches to beats and downloads the CSV', async () => {
    const page = await supervisorPage('/inbox')
    await byTestId(page, 'nav-reports').click()
    await byTestId(page, 'report-table').waitFor({ state: 'visible' })
    expect(new URL(page.url()).pathname).toBe('/inbox/reports')
    expect(await byTestId(page, 'report-period').textContent()).toContain('2026-11-19 至 2026-11-25')

    // Li opened 2 and resolved 1: his bars carry those values, drawn in proportion.
    const li = page.locator('[data-testid="chart-volume"] g.chart-row[data-label="李明"]')
    const bars = li.locator('rect.chart-bar')
    expect(await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('data-value')))).toEqual([
      '2',
      '1',
    ])
    const [opened, resolved] = await bars.evaluateAll((rects) =>
      rects.map((r) => (r as SVGRectElement).getBBox().width),
    )
    expect(opened).toBeCloseTo(2 * resolved!, 5)
    // Median (120 + 900) / 2 s = 8.5 min and p90 = 120 + 0.9 × 780 = 822 s = 13.7 min.
    expect(
      await page
        .locator('[data-testid="chart-response"] g.chart-row[data-label="李明"] .chart-value')
        .textContent(),
    ).toBe('13.7 / 8.5')
    const liRow = byTestId(page, 'report-row').filter({ hasText: '李明' })
    expect(await liRow.locator('td').allTextContents()).toEqual([
      '2',
      '1',
      '8.5 分钟',
      '13.7 分钟',
      '50%1/2',
      '0',
      '4.001 条评价',
    ])
    await screenshot(page, 'reports-officers')

    await byTestId(page, 'report-by-beat').click()
    await expect.poll(() => new URL(page.url()).searchParams.get('by')).toBe('beat')
    await byTestId(page, 'report-row').filter({ hasText: 'CQ-02' }).waitFor({ state: 'visible' })
    expect(await byTestId(page, 'report-table').locator('thead th').first().textContent()).toBe('警务区')

    const href = await byTestId(page, 'report-csv').getAttribute('href')
    expect(href).toBe('/api/reports.csv?by=beat&from=2026-11-19&to=2026-11-25&lang=zh')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      byTestId(page, 'report-csv').click(),
    ])
    expect(download.suggestedFilename()).toBe('report-CQ-beat-2026-11-19_2026-11-25.csv')
    const body = await readFile((await download.path())!)
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(body.toString('utf8')).toContain('长寿桥社区,CQ-01,2,1,2,8.5,13.7,1,2,50,0,1,4')
    await screenshot(page, 'reports-beats')
  })

  it('refuses a reversed period in the page and speaks English', async () => {
    const page = await supervisorPage('/inbox/reports?from=2026-11-20&to=2026-11-24')
    await byTestId(page, 'report-table').waitFor({ state: 'visible' })
    await byTestId(page, 'report-from').fill('2026-11-26')
    expect(await byTestId(page, 'report-apply').isDisabled()).toBe(true)
    expect(await page.getByRole('alert').textContent()).toBe('开始日期不能晚于结束日期。')

    await byTestId(page, 'lang-toggle').click()
    await expect
      .poll(() => byTestId(page, 'report-table').locator('thead th').first().textContent())
      .toBe('Officer')
    expect(await byTestId(page, 'report-csv').getAttribute('href')).toContain('lang=en')
  })
})
