import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const INBOX_BUILD = fileURLToPath(new URL('../../dist/inbox/index.html', import.meta.url))
const CASE_NUMBER = /CQ-2026-\d{6}/
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const DESK = { viewport: { width: 1440, height: 900 } }
/** Long enough for a message to travel resident → queue → case → stream → page, with room for a slow CI box. */
const LIVE_MS = 10_000

const LI_MING = '330104'
const ZHANG_WEI = '330106'
const RESIDENT_NAME = '王阿姨'
const FIRST_MESSAGE = '我住柳营巷12号，楼上每天半夜装修，太吵了'
const NOTE = '内部备注：已联系物业核实装修时间，勿告知居民'

const username = (badge: string): string => `t${badge}`
const password = (badge: string): string => `pw-${badge}-long-enough`

const byTestId = (scope: Page | Locator, id: string): Locator => scope.locator(`[data-testid="${id}"]`)
const messages = (page: Page, direction: string): Locator =>
  page.locator(`[data-testid="message"][data-direction="${direction}"]`)

describe('officer inbox in Chromium, with a resident on the web chat', () => {
  let stack: TestStack
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium); CI installs it.`,
      )
    }
    if (!existsSync(INBOX_BUILD)) {
      throw new Error(
        'The inbox is not built: run `npm run build` (npm test does it first) before this test.',
      )
    }
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-inbox',
      stationFiles: ['seeds/changqing.yaml'],
      // Web chat only: no WeChat account needs to be held for this test.
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    for (const badge of [LI_MING, ZHANG_WEI]) {
      await stack.ctx.officerLogins.create({
        officerId: seedIds.officer(badge),
        username: username(badge),
        passwordHash: await hashPassword(password(badge)),
      })
    }
    browser = await launchBrowser()
  })
  afterAll(async () => {
    // The browser goes first so its open event streams do not hold the server's close.
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await stack?.stop()
  })

  /**
   * A browser in Hangzhou whose clock reads the stack's: due times and "today" are
   * then judged as the server judges them, not against the machine's real date.
   */
  const newPage = async (options: object): Promise<Page> => {
    const context = await browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    await context.clock.setFixedTime(stack.clock.now())
    return context.newPage()
  }

  /** Fails with the notice's text if the inbox is showing one (it shows none after a reply or note that worked). */
  const expectNoNotice = async (page: Page): Promise<void> => {
    const notices = await byTestId(page, 'toast').allTextContents()
    expect(notices, `unexpected notice: ${notices.join(' | ')}`).toEqual([])
  }

  /** Signs in through the login form and waits for the inbox with its live stream up. */
  const signInOnPage = async (page: Page, badge: string): Promise<void> => {
    await byTestId(page, 'login-username').fill(username(badge))
    await byTestId(page, 'login-password').fill(password(badge))
    await byTestId(page, 'login-submit').click()
    await page.waitForSelector('[data-testid="connection"][data-state="open"]', { timeout: LIVE_MS })
  }

  const openCase = async (page: Page, number: string): Promise<Locator> => {
    const row = page.locator(`[data-testid="case-row"][data-case-number="${number}"]`)
    await row.waitFor({ state: 'visible', timeout: LIVE_MS })
    const caseId = await row.getAttribute('data-case-id')
    await row.click()
    const conversation = page.locator(`[data-testid="conversation"][data-case-id="${caseId}"]`)
    await conversation.waitFor({ state: 'visible' })
    return conversation
  }

  const outboundWith = (page: Page, text: string): Locator =>
    messages(page, 'outbound').filter({ hasText: text })

  it('shows a resident’s case live, answers it with a canned reply, notes, transfers and resolves it while the resident is told each step', async () => {
    // The officer, at a desk: a wrong password first, then the right one.
    const officer = await newPage(DESK)
    await officer.goto(`${stack.baseUrl}/inbox`)
    await byTestId(officer, 'login-username').waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'login-error').isVisible()).toBe(false)
    await screenshot(officer, 'inbox-login')

    await byTestId(officer, 'login-username').fill(username(LI_MING))
    await byTestId(officer, 'login-password').fill('not-the-password-at-all')
    await byTestId(officer, 'login-submit').click()
    await byTestId(officer, 'login-error').waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'login-error').textContent()).toBe('用户名或密码不正确。')
    expect(await byTestId(officer, 'login-password').inputValue()).toBe('')
    expect(await byTestId(officer, 'conversation').count()).toBe(0)

    await signInOnPage(officer, LI_MING)
    expect(await byTestId(officer, 'login-error').count()).toBe(0)
    expect(await byTestId(officer, 'queue-mine').getAttribute('aria-current')).toBe('page')
    await expect.poll(() => byTestId(officer, 'case-row').count()).toBe(0)
    // Marks this document: a reload would lose it, so the case below can only arrive through the stream.
    await officer.evaluate(() => {
      ;(window as unknown as { notReloaded: boolean }).notReloaded = true
    })

    // The resident, on a phone, writes for the first time.
    const resident = await newPage(PHONE)
    await resident.goto(`${stack.baseUrl}/chat`)
    await byTestId(resident, 'name-input').fill(RESIDENT_NAME)
    await byTestId(resident, 'start-button').click()
    await byTestId(resident, 'message-input').waitFor({ state: 'visible' })
    await resident.waitForSelector('[data-testid="connection"][data-state="open"]', { state: 'attached' })
    await byTestId(resident, 'message-input').fill(FIRST_MESSAGE)
    await byTestId(resident, 'send-button').click()

    const ack = messages(resident, 'outbound').first()
    await ack.waitFor({ state: 'visible', timeout: LIVE_MS })
    const number = CASE_NUMBER.exec((await ack.textContent()) ?? '')?.[0]
    expect(number).toBeDefined()
    const caseNumber = number as string

    // The case arrives in the officer's own queue without a reload.
    const row = officer.locator(`[data-testid="case-row"][data-case-number="${caseNumber}"]`)
    await row.waitFor({ state: 'visible', timeout: LIVE_MS })
    expect(await officer.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    )
    expect(await row.textContent()).toContain(RESIDENT_NAME)
    await expect
      .poll(() => byTestId(byTestId(officer, 'queue-mine'), 'queue-count').textContent(), {
        timeout: LIVE_MS,
      })
      .toBe('1')
    expect(await byTestId(officer, 'connection').getAttribute('data-state')).toBe('open')
    await screenshot(officer, 'inbox-live-case')

    const conversation = await openCase(officer, caseNumber)
    expect(new URL(officer.url()).pathname).toBe(`/inbox/case/${await row.getAttribute('data-case-id')}`)
    await expect.poll(() => messages(officer, 'inbound').filter({ hasText: FIRST_MESSAGE }).count()).toBe(1)
    expect(await byTestId(officer, 'resident-panel').textContent()).toContain(RESIDENT_NAME)

    // A canned reply, picked by typing "/" in the reply box, with its variables filled in.
    const reply = byTestId(officer, 'reply-input')
    await reply.click()
    await reply.press('/')
    await byTestId(officer, 'canned-menu').waitFor({ state: 'visible' })
    const hello = officer
      .locator('[data-testid="canned-option"][data-shortcut="hello"]')
      .filter({ hasText: '问候' })
    const greeting = `${RESIDENT_NAME}您好，我是李明，您的案件${caseNumber}由我负责，我来了解一下情况。`
    expect(await hello.locator('.canned-body').textContent()).toBe(greeting)
    await screenshot(officer, 'inbox-canned')
    await hello.click()
    await expect.poll(() => byTestId(officer, 'canned-menu').count()).toBe(0)
    expect(await reply.inputValue()).toBe(greeting)
    await byTestId(officer, 'reply-send').click()

    await outboundWith(resident, greeting).waitFor({ state: 'visible', timeout: LIVE_MS })
    const sentReply = outboundWith(officer, greeting)
    await expect.poll(() => sentReply.getAttribute('data-delivery'), { timeout: LIVE_MS }).toBe('sent')
    await expectNoNotice(officer)
    await expect.poll(() => reply.inputValue()).toBe('')
    await screenshot(officer, 'inbox-replied')

    // An internal note stays in the inbox.
    await byTestId(officer, 'note-toggle').click()
    expect(await byTestId(officer, 'note-toggle').getAttribute('aria-checked')).toBe('true')
    await reply.fill(NOTE)
    await byTestId(officer, 'reply-send').click()
    await messages(officer, 'note').filter({ hasText: NOTE }).waitFor({ state: 'visible', timeout: LIVE_MS })
    await expectNoNotice(officer)
    await expect.poll(() => reply.inputValue()).toBe('')
    await byTestId(officer, 'note-toggle').click()
    expect(await byTestId(officer, 'note-toggle').getAttribute('aria-checked')).toBe('false')
    await screenshot(officer, 'inbox-note')

    // Transfer to 张伟: the resident hears who has the case now.
    const zhangId = seedIds.officer(ZHANG_WEI)
    await byTestId(officer, 'assign-button').click()
    const option = officer.locator(`[data-testid="assign-option"][data-officer-id="${zhangId}"]`)
    await option.waitFor({ state: 'visible' })
    expect(await option.isEnabled()).toBe(true)
    await option.click()
    await expect.poll(() => conversation.locator('.case-sub strong').textContent()).toBe('张伟')
    await expect.poll(() => byTestId(officer, 'toast').textContent()).toContain('已转交给 张伟')
    await outboundWith(resident, `您的案件 ${caseNumber} 现由张伟警官负责处理`).waitFor({
      state: 'visible',
      timeout: LIVE_MS,
    })
    await screenshot(officer, 'inbox-transfer')

    // 张伟 signs in elsewhere, finds the case in his own queue and resolves it.
    const second = await newPage(DESK)
    await second.goto(`${stack.baseUrl}/inbox`)
    await byTestId(second, 'login-username').waitFor({ state: 'visible' })
    await signInOnPage(second, ZHANG_WEI)
    const secondConversation = await openCase(second, caseNumber)
    expect(await messages(second, 'note').filter({ hasText: NOTE }).count()).toBe(1)
    await byTestId(second, 'status-resolve').click()
    await byTestId(secondConversation, 'reopen').waitFor({ state: 'visible', timeout: LIVE_MS })
    expect(await secondConversation.locator('.case-badges').textContent()).toContain('已解决')
    const resolved = `您的案件 ${caseNumber} 已办结`
    await outboundWith(resident, resolved).waitFor({ state: 'visible', timeout: LIVE_MS })
    await expect
      .poll(() => outboundWith(second, resolved).getAttribute('data-delivery'), { timeout: LIVE_MS })
      .toBe('sent')
    expect(await byTestId(second, 'connection').getAttribute('data-state')).toBe('open')
    await screenshot(second, 'inbox-resolved')

    // 李明 still has the case open (it is on his beat): the resolution reaches him live too.
    await byTestId(conversation, 'reopen').waitFor({ state: 'visible', timeout: LIVE_MS })

    // The resident saw the acknowledgement, the reply, both status updates and the question to
    // rate the help, and never the note, neither live nor in the history a fresh load fetches.
    await screenshot(resident, 'chat-after-resolve')
    for (const reloaded of [false, true]) {
      if (reloaded) {
        await resident.reload()
        await byTestId(resident, 'message-input').waitFor({ state: 'visible' })
      }
      await expect.poll(() => messages(resident, 'outbound').count()).toBe(5)
      expect(await resident.locator('body').textContent()).toContain('直接回复数字 1 到 5')
      expect(await resident.locator('body').textContent()).not.toContain(NOTE)
    }
    const noteRows = await stack.ctx.database.db
      .selectFrom('messages')
      .select('direction')
      .where('text', '=', NOTE)
      .execute()
    expect(noteRows).toEqual([{ direction: 'note' }])

    // The same session on a phone-sized screen, opened from the case's address.
    const phone = await newPage({ ...PHONE, storageState: await officer.context().storageState() })
    await phone.goto(officer.url())
    await byTestId(phone, 'conversation').waitFor({ state: 'visible' })
    await phone.waitForSelector('[data-testid="connection"][data-state="open"]', { timeout: LIVE_MS })
    await screenshot(phone, 'inbox-phone')

    // Signing out ends the session and shows the sign-in form again.
    await byTestId(officer, 'logout').click()
    await byTestId(officer, 'login-username').waitFor({ state: 'visible' })
    expect(await officer.locator('.login-notice').textContent()).toBe('您已退出登录。')
  }, 60_000)
})
