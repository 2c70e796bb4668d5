import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const CASE_NUMBER = /CQ-2026-\d{6}/
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

describe('residence-permit appointments in Chromium: the web chat form and the office’s day list', () => {
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
      label: 'e2e-permit',
      stationFiles: ['seeds/changqing.yaml'],
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    // Wednesday 25 November 2026, 10:00: the first time offered is 11:00.
    stack.clock.set(ON_DUTY)
    await stack.ctx.officerLogins.create({
      officerId: seedIds.officer('330110'),
      username: 'supervisor',
      passwordHash: await hashPassword('supervisor-password-1'),
    })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await stack?.stop()
  })

  const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)

  const openChat = async (): Promise<Page> => {
    const context = await browser.newContext({ ...PHONE, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}/chat`)
    await byTestId(page, 'start-button').click()
    await byTestId(page, 'message-input').waitFor({ state: 'visible' })
    return page
  }

  it('offers the free times in a select, refuses one taken meanwhile beside it, and books another', async () => {
    const page = await openChat()
    const service = byTestId(page, 'service-residence-permit')
    await service.waitFor({ state: 'visible' })
    expect(await service.textContent()).toBe('居住证预约')
    await service.click()
    const slot = byTestId(page, 'field-slot')
    await slot.waitFor({ state: 'visible' })
    expect(await slot.evaluate((el) => el.tagName)).toBe('SELECT')
    const labels = await slot.locator('option').allTextContents()
    expect(labels[0]).toBe('请选择')
    expect(labels.slice(1, 3)).toEqual(['11月25日（周三）11:00–11:30', '11月25日（周三）14:00–14:30'])
    expect(labels).toHaveLength(11)

    await byTestId(page, 'field-name').fill('赵敏')
    await byTestId(page, 'field-phone').fill('13812345678')
    await slot.selectOption({ label: '11月25日（周三）11:00–11:30' })
    // Meanwhile the office takes that time away from new bookings.
    const supervisor = await stack.app!.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'supervisor', password: 'supervisor-password-1' },
    })
    const cookie = supervisor.cookies.find((c) => c.name === 'mb_session')!.value
    const narrowed = await stack.app!.inject({
      method: 'POST',
      url: '/api/permit-slots',
      cookies: { mb_session: cookie },
      headers: { 'x-csrf-token': supervisor.json().csrfToken as string },
      payload: { startsAt: '2026-11-25T11:00', minutes: 30, capacity: 0 },
    })
    expect(narrowed.statusCode).toBe(200)
    await byTestId(page, 'service-submit').click()
    const error = byTestId(page, 'error-slot')
    await error.waitFor({ state: 'visible' })
    expect(await error.textContent()).toBe('这个时段刚刚约满了（或已经开始），请另选一个。')
    // What was typed stays; the full time is no longer offered.
    expect(await byTestId(page, 'field-name').inputValue()).toBe('赵敏')
    await expect
      .poll(() => slot.locator('option').allTextContents())
      .not.toContain('11月25日（周三）11:00–11:30')
    await screenshot(page, 'permit-form-slot-taken')

    await slot.selectOption({ label: '11月25日（周三）14:00–14:30' })
    await byTestId(page, 'service-submit').click()
    const notice = byTestId(page, 'service-notice')
    await notice.waitFor({ state: 'visible' })
    expect(CASE_NUMBER.test((await notice.textContent()) ?? '')).toBe(true)
    const reply = page.locator('[data-testid="message"][data-direction="outbound"]').first()
    await reply.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await reply.locator('.text').textContent()).toContain('11月25日（周三）14:00–14:30')
    await screenshot(page, 'permit-form-booked')
  })

  it("lists the day's appointments in the inbox and marks who came", async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    await context.clock.setFixedTime(stack.clock.now())
    const office = await context.newPage()
    await office.goto(`${stack.baseUrl}/inbox`)
    await byTestId(office, 'login-username').fill('supervisor')
    await byTestId(office, 'login-password').fill('supervisor-password-1')
    await byTestId(office, 'login-submit').click()
    const nav = byTestId(office, 'nav-permits')
    await nav.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await nav.textContent()).toBe('居住证预约')
    await nav.click()
    await byTestId(office, 'permits-page').waitFor({ state: 'visible' })
    expect(await byTestId(office, 'permits-date').inputValue()).toBe('2026-11-25')
    const booked = office.locator('[data-testid="permit-appointment"][data-state="booked"]')
    await booked.waitFor({ state: 'visible' })
    expect(await booked.textContent()).toContain('赵敏')
    expect(await booked.textContent()).toContain('13812345678')
    await screenshot(office, 'permit-day-list')

    await booked.locator('[data-testid="permit-attended"]').click()
    const attended = office.locator('[data-testid="permit-appointment"][data-state="attended"]')
    await attended.waitFor({ state: 'visible' })
    expect(await attended.textContent()).toContain('已到场')
    const row = await stack.ctx.database.db
      .selectFrom('permit_appointments')
      .select(['state', 'marked_by'])
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ state: 'attended', marked_by: seedIds.officer('330110') })
  })
})
