import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const ID = '330102199001011234'

describe('the rental registration in the officer’s case view, in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the browser tests need it (apt-get install chromium).`,
      )
    }
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-rental',
      stationFiles: ['seeds/changqing.yaml'],
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    stack.clock.set(ON_DUTY)
    await stack.ctx.officerLogins.create({
      officerId: seedIds.officer('330104'),
      username: 'liming',
      passwordHash: await hashPassword('li-ming-password-1'),
    })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await stack?.stop()
  })

  const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)

  it('shows the ID number masked, reveals it on request, verifies and plans a visit', async () => {
    const session = await stack.app!.inject({ method: 'POST', url: '/chat/api/sessions', payload: {} })
    const submitted = await stack.app!.inject({
      method: 'POST',
      url: '/chat/api/forms/rental-registration',
      headers: { authorization: `Bearer ${session.json().token}` },
      payload: {
        submissionId: 'e2e-rental',
        answers: {
          compound: '长寿桥小区',
          building: '3幢',
          unit: '2单元501',
          tenantName: '张伟',
          phone: '13912345678',
          moveIn: '2026-11-20',
          leaseEnd: '2027-11-19',
          idNumber: ID,
        },
      },
    })
    expect(submitted.statusCode).toBe(201)
    const number = submitted.json().caseNumber as string

    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    await context.clock.setFixedTime(stack.clock.now())
    const officer = await context.newPage()
    await officer.goto(`${stack.baseUrl}/inbox`)
    await byTestId(officer, 'login-username').fill('liming')
    await byTestId(officer, 'login-password').fill('li-ming-password-1')
    await byTestId(officer, 'login-submit').click()
    const row = officer.locator(`[data-testid="case-row"][data-case-number="${number}"]`)
    await row.waitFor({ state: 'visible', timeout: 10_000 })
    await row.click()
    const panel = byTestId(officer, 'rental')
    await panel.waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'rental-document').textContent()).toBe('3301**********1234')
    expect(await panel.textContent()).not.toContain(ID)
    expect(await byTestId(officer, 'rental-review').textContent()).toBe('待核验')

    await byTestId(officer, 'rental-reveal').click()
    await expect.poll(() => byTestId(officer, 'rental-document').textContent()).toBe(ID)

    await byTestId(officer, 'rental-verify').click()
    await expect.poll(() => byTestId(officer, 'rental-review').textContent()).toBe('已核验')

    await byTestId(officer, 'rental-visit-at').fill('2026-11-28T14:00')
    await byTestId(officer, 'rental-schedule').click()
    await byTestId(officer, 'rental-inspection').waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'rental-inspection').textContent()).toContain('14:00')
    await screenshot(officer, 'rental-inbox')

    const revealed = await stack.ctx.database.db
      .selectFrom('audit_events')
      .select('actor')
      .where('action', '=', 'personal_data.revealed')
      .execute()
    expect(revealed).toEqual([{ actor: seedIds.officer('330104') }])
  })
})
