import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { createWebChatResidents } from '../../src/store/web-chat-residents.repository.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const INBOX_BUILD = fileURLToPath(new URL('../../dist/inbox/index.html', import.meta.url))
const LOU = seedIds.officer('681002')
const CASE_ID = 'cs-e2e-mediation'

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)

/**
 * The mediation section of a case and of the reports, in Chromium: an
 * officer of Fengqiao turns a dispute into a mediation, adds the other side,
 * arranges a session and records the agreement; the supervisor's report
 * then counts it for the mediation team.
 */
describe('mediation in the inbox, in Chromium', () => {
  let stack: TestStack
  let browser: Browser

  beforeAll(async () => {
    if (!existsSync('/usr/bin/chromium')) throw new Error('Chromium is not installed at /usr/bin/chromium')
    if (!existsSync(INBOX_BUILD)) throw new Error('The inbox is not built: run `npm run build` first')
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-mediation',
      roles: ['api'],
      stationFiles: ['seeds/fengqiao.yaml'],
    })
    stack.clock.set(ON_DUTY)
    const db = stack.ctx.database.db
    const session = await stack.app!.inject({
      method: 'POST',
      url: '/chat/api/sessions',
      payload: { name: '居民甲', language: 'zh', station: 'FQ' },
    })
    const found = await stack.ctx.webChat.findByToken(session.json().token as string)
    const resident = await createWebChatResidents(db).ensure({
      accountId: 'web-fq',
      sessionId: found!.id,
      displayName: '居民甲',
      language: 'zh',
    })
    await db
      .insertInto('cases')
      .values({
        id: CASE_ID,
        number: 'FQ-2026-000901',
        station_id: seedIds.station('FQ'),
        resident_id: resident.residentId,
        identity_id: resident.identityId,
        beat_id: seedIds.beat('FQ-02'),
        category: 'dispute',
        priority: 'normal',
        status: 'assigned',
        assignee_officer_id: LOU,
        queue: `officer-${LOU}`,
        opened_at: ON_DUTY,
        last_message_at: ON_DUTY,
      })
      .execute()
    for (const [badge, username] of [
      ['681002', 'louzhigang'],
      ['681020', 'luoyongping'],
    ] as const) {
      await stack.ctx.officerLogins.create({
        officerId: seedIds.officer(badge),
        username,
        passwordHash: await hashPassword(`${username}-password`),
      })
    }
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  const signedInPage = async (username: string, path: string): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    await context.clock.setFixedTime(ON_DUTY)
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}${path}`)
    await byTestId(page, 'login-username').fill(username)
    await byTestId(page, 'login-password').fill(`${username}-password`)
    await byTestId(page, 'login-submit').click()
    return page
  }

  it('turns a dispute into a mediation and runs it from the case: party, session, agreement', async () => {
    const page = await signedInPage('louzhigang', `/inbox/case/${CASE_ID}`)
    const start = byTestId(page, 'mediation-start')
    await start.locator('summary').click()
    await byTestId(page, 'md-start-subject').fill('楼上漏水')
    await byTestId(page, 'md-start').click()
    const panel = byTestId(page, 'mediation')
    await panel.waitFor({ state: 'visible' })
    expect(await panel.getAttribute('data-state')).toBe('open')
    expect(await byTestId(page, 'md-mediator').textContent()).toBe('调解团队（蒋文斌、斯慧琴、陈立新）')
    expect(await byTestId(page, 'md-party').count()).toBe(1)

    await byTestId(page, 'md-open-party').click()
    await byTestId(page, 'md-party-name').fill('张先生')
    await byTestId(page, 'md-party-phone').fill('1391234567')
    await byTestId(page, 'md-party-add').click()
    // A phone one digit short is refused with the reason, and nothing is added.
    await expect.poll(() => byTestId(page, 'md-error').textContent()).toContain('phone:')
    expect(await byTestId(page, 'md-party').count()).toBe(1)
    await byTestId(page, 'md-party-phone').fill('13912345678')
    await byTestId(page, 'md-party-add').click()
    await expect.poll(() => byTestId(page, 'md-party').count()).toBe(2)
    expect(await byTestId(page, 'md-party').nth(1).textContent()).toContain('被申请人张先生13912345678')

    await byTestId(page, 'md-open-schedule').click()
    await byTestId(page, 'md-at').fill('2026-11-27T14:00')
    await byTestId(page, 'md-place').fill('枫桥派出所调解室')
    await byTestId(page, 'md-schedule-submit').click()
    const session = byTestId(page, 'md-session')
    await session.waitFor({ state: 'visible' })
    expect(await session.getAttribute('data-state')).toBe('scheduled')
    expect(await session.textContent()).toContain('14:00')
    expect(await session.textContent()).toContain('枫桥派出所调解室')

    await byTestId(page, 'md-open-outcome').click()
    await byTestId(page, 'md-terms').fill('张先生修好防水，赔偿500元')
    await byTestId(page, 'md-outcome-submit').click()
    await expect.poll(() => panel.getAttribute('data-state')).toBe('settled')
    expect(await byTestId(page, 'md-outcome').textContent()).toContain('张先生修好防水，赔偿500元')
    // Settled on 25 November: the visit is due thirty days on.
    expect(await byTestId(page, 'md-follow-up').textContent()).toContain('12月25日')
    await screenshot(page, 'mediation-case')
  })

  it('shows the mediation in the supervisor’s report, credited to the team', async () => {
    const page = await signedInPage('luoyongping', '/inbox/reports')
    const table = byTestId(page, 'mediation-table')
    await table.waitFor({ state: 'visible' })
    const team = byTestId(page, 'mediation-row').filter({ hasText: '调解团队' })
    expect(await team.locator('td').allTextContents()).toEqual(['1', '1', '1', '0', '100%', '0'])
    const bars = page.locator(
      '[data-testid="chart-mediation"] g.chart-row[data-label="调解团队"] rect.chart-bar',
    )
    expect(await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('data-value')))).toEqual([
      '1',
      '1',
    ])
    expect(await table.locator('tfoot td').allTextContents()).toEqual(['1', '1', '1', '0', '100%', '0'])
    await screenshot(page, 'mediation-report')
  })
})
