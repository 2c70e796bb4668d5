import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { residentWrites } from '../helpers/resident.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

const INBOX_BUILD = fileURLToPath(new URL('../../dist/inbox/index.html', import.meta.url))
const SUPERVISOR = '330110'
const LI_MING = '330104'
const WANG = seedIds.officer('330105')

const byTestId = (scope: Page | Locator, id: string): Locator => scope.locator(`[data-testid="${id}"]`)

describe('duty roster page in Chromium', () => {
  let stack: TestStack
  let browser: Browser

  beforeAll(async () => {
    if (!existsSync(INBOX_BUILD)) throw new Error('The inbox is not built: run `npm run build` first.')
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-roster',
      stationFiles: ['seeds/changqing.yaml'],
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    await stack.ctx.officerLogins.create({
      officerId: seedIds.officer(SUPERVISOR),
      username: 'roster-supervisor',
      passwordHash: await hashPassword('roster-supervisor-password'),
    })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  it('shows who is on duty, refuses a bad pattern, and puts an officer on leave handing over their case', async () => {
    const { caseNumber } = await residentWrites(stack.app!, '我住柳营巷12号，楼上半夜一直在装修')
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    await context.clock.setFixedTime(stack.clock.now())
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}/inbox`)
    await byTestId(page, 'login-username').fill('roster-supervisor')
    await byTestId(page, 'login-password').fill('roster-supervisor-password')
    await byTestId(page, 'login-submit').click()
    await byTestId(page, 'nav-roster').click()
    await byTestId(page, 'roster-grid').waitFor({ state: 'visible' })
    expect(page.url()).toMatch(/\/inbox\/roster$/)
    expect(await byTestId(page, `on-duty-${LI_MING}`).getAttribute('data-on-duty')).toBe('yes')
    expect(await byTestId(page, 'on-duty-now').textContent()).toContain('李明')
    // Liu Yang's Spring Festival leave comes from the station file.
    expect(await byTestId(page, 'exception-list').textContent()).toContain('春节休假')

    await byTestId(page, 'edit-duty-330109').click()
    await byTestId(page, 'duty-text').fill('tue-sat 08:30-17:30\nsat 12:00-20:00')
    await byTestId(page, 'duty-save').click()
    await byTestId(page, 'duty-error').waitFor({ state: 'visible' })
    expect(await byTestId(page, 'duty-error').textContent()).toContain('overlap')
    await byTestId(page, 'duty-text').fill('tue-sat 08:30-17:30')
    await byTestId(page, 'duty-save').click()
    await byTestId(page, 'duty-editor').waitFor({ state: 'detached' })

    await byTestId(page, 'exception-officer').selectOption(seedIds.officer(LI_MING))
    await byTestId(page, 'exception-kind').selectOption('leave')
    await byTestId(page, 'exception-to').fill('2026-11-28T17:30')
    await byTestId(page, 'exception-note').fill('年假')
    await byTestId(page, 'exception-add').click()
    const notice = byTestId(page, 'handed-over')
    await notice.waitFor({ state: 'visible' })
    expect(await notice.textContent()).toContain(`${caseNumber} → 王芳`)
    await page.waitForSelector(`[data-testid="on-duty-${LI_MING}"][data-on-duty="no"]`)
    await screenshot(page, 'roster-leave')

    const row = await stack.ctx.database.db
      .selectFrom('cases')
      .select('assignee_officer_id')
      .where('number', '=', caseNumber)
      .executeTakeFirstOrThrow()
    expect(row.assignee_officer_id).toBe(WANG)

    page.once('dialog', (dialog) => void dialog.accept())
    const leave = byTestId(page, 'exception-list').locator('li', { hasText: '年假' })
    await leave.locator('button').click()
    await leave.waitFor({ state: 'detached' })
    await page.waitForSelector(`[data-testid="on-duty-${LI_MING}"][data-on-duty="yes"]`)
    await context.close()
  })
})
