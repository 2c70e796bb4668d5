import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const CASE_NUMBER = /CQ-2026-\d{6}/
const TOKEN_KEY = 'maplebridge.chat.token'
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** The page as a resident uses it, with every request it makes to the chat API counted. */
interface ChatPage {
  page: Page
  requests: string[]
  count(method: string, path: string): number
}

describe('resident web chat in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium); CI installs it.`,
      )
    }
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-chat',
      stationFiles: ['seeds/changqing.yaml'],
      // Web chat only: no WeChat account needs to be held for these tests.
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    // The browser goes first so its open event streams do not hold the server's close.
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await stack?.stop()
  })

  const openChat = async (): Promise<ChatPage> => {
    const context = await browser.newContext({ ...PHONE, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    const requests: string[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.pathname.startsWith('/chat/api/')) requests.push(`${request.method()} ${url.pathname}`)
    })
    await page.goto(`${stack.baseUrl}/chat`)
    return {
      page,
      requests,
      count: (method, path) => requests.filter((r) => r === `${method} ${path}`).length,
    }
  }
  const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)
  const replies = (page: Page) => page.locator('[data-testid="message"][data-direction="outbound"]')
  const streamOpen = (page: Page) =>
    page.waitForSelector('[data-testid="connection"][data-state="open"]', { state: 'attached' })
  const caseRow = (number: string) =>
    stack.ctx.database.db
      .selectFrom('cases')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirstOrThrow()

  it('takes a first message from a phone and shows the acknowledgement live, then keeps the history on reload', async () => {
    const { page, count } = await openChat()
    await expect.poll(() => byTestId(page, 'name-input').isVisible()).toBe(true)
    expect(await page.locator('h2').textContent()).toBe('您好')
    await screenshot(page, 'web-chat-welcome-zh')

    await byTestId(page, 'name-input').fill('王阿姨')
    await byTestId(page, 'start-button').click()
    await byTestId(page, 'message-input').waitFor({ state: 'visible' })
    await streamOpen(page)
    expect(count('POST', '/chat/api/sessions')).toBe(1)

    // An empty message is stopped in the page and never sent.
    await byTestId(page, 'send-button').click()
    await expect.poll(() => byTestId(page, 'error').textContent()).toBe('请先输入留言内容')
    expect(await byTestId(page, 'error').isVisible()).toBe(true)
    expect(count('POST', '/chat/api/messages')).toBe(0)
    await screenshot(page, 'web-chat-empty-send')

    // Marks this document: a reload would lose it.
    await page.evaluate(() => {
      ;(window as unknown as { notReloaded: boolean }).notReloaded = true
    })
    const historyFetches = count('GET', '/chat/api/messages')
    await byTestId(page, 'message-input').fill('我住柳营巷12号，晚上楼上一直很吵')
    await expect.poll(() => byTestId(page, 'error').isVisible()).toBe(false)
    await byTestId(page, 'send-button').click()

    const ack = replies(page).first()
    await ack.waitFor({ state: 'visible', timeout: 10_000 })
    const ackText = (await ack.locator('.text').textContent()) ?? ''
    const number = CASE_NUMBER.exec(ackText)?.[0]
    expect(number, ackText).toBeDefined()
    expect(ackText).toContain('李明')
    expect(await ack.locator('[data-testid="case-number"]').textContent()).toBe(`案件 ${number}`)
    // It came through the event stream: the same document, no history fetched since sending.
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
    expect(count('GET', '/chat/api/messages')).toBe(historyFetches)
    expect(count('POST', '/chat/api/messages')).toBe(1)

    const mine = page.locator('[data-testid="message"][data-direction="inbound"]')
    await expect.poll(() => mine.count()).toBe(1)
    expect(await mine.locator('.text').textContent()).toBe('我住柳营巷12号，晚上楼上一直很吵')
    await expect.poll(() => mine.getAttribute('data-status')).toBe('sent')
    expect(await byTestId(page, 'message-input').inputValue()).toBe('')
    await screenshot(page, 'web-chat-acknowledged-zh')

    const row = await caseRow(number!)
    expect(row.assignee_officer_id).toBe(seedIds.officer('330104'))
    expect(row.category).toBe('noise')

    const token = await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY)
    expect(token).toBeTruthy()
    await page.reload()
    await byTestId(page, 'message-input').waitFor({ state: 'visible' })
    expect(await byTestId(page, 'name-input').isVisible()).toBe(false)
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(2)
    expect(await replies(page).locator('.text').textContent()).toBe(ackText)
    expect(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY)).toBe(token)
    expect(count('POST', '/chat/api/sessions')).toBe(1)
    await screenshot(page, 'web-chat-after-reload')
  })

  it('speaks English after the language toggle and acknowledges a new session in English', async () => {
    const { page } = await openChat()
    await byTestId(page, 'lang-toggle').click()
    await expect.poll(() => page.locator('h2').textContent()).toBe('Hello')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    expect(await byTestId(page, 'start-button').textContent()).toBe('Start')

    await byTestId(page, 'start-button').click()
    await byTestId(page, 'message-input').waitFor({ state: 'visible' })
    await streamOpen(page)
    expect(await byTestId(page, 'send-button').textContent()).toBe('Send')
    await byTestId(page, 'message-input').fill(
      'I live in Changshouqiao and the dog next door barks all night',
    )
    await byTestId(page, 'send-button').click()

    const ack = replies(page).first()
    await ack.waitFor({ state: 'visible', timeout: 10_000 })
    const ackText = (await ack.locator('.text').textContent()) ?? ''
    expect(ackText).toMatch(/^Hello, we have received your message: case CQ-2026-\d{6}\./)
    expect(ackText).toContain('Officer Li Ming')
    expect(ackText).toContain('call 110')
    const number = CASE_NUMBER.exec(ackText)?.[0]
    expect(await ack.locator('[data-testid="case-number"]').textContent()).toBe(`Case ${number}`)
    await screenshot(page, 'web-chat-acknowledged-en')

    const row = await caseRow(number!)
    expect(row.assignee_officer_id).toBe(seedIds.officer('330104'))
    const resident = await stack.ctx.database.db
      .selectFrom('residents')
      .select('language')
      .where('id', '=', row.resident_id)
      .executeTakeFirstOrThrow()
    expect(resident.language).toBe('en')
  })
})
