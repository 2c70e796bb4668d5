import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/passwords.ts'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { pngOf } from '../helpers/images.ts'
import { ON_DUTY, startTestStack, type TestStack } from '../helpers/stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const CASE_NUMBER = /CQ-2026-\d{6}/
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

describe('the home watch form on the web chat page, in Chromium', () => {
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
      label: 'e2e-homewatch',
      stationFiles: ['seeds/changqing.yaml'],
      env: { WEB_CHAT_STATION: 'CQ', BOT_ACCOUNTS: 'web-cq' },
    })
    // Wednesday 25 November 2026, 10:00: the dates below are days after it.
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

  const openChat = async (): Promise<Page> => {
    const context = await browser.newContext({ ...PHONE, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}/chat`)
    await byTestId(page, 'start-button').click()
    await byTestId(page, 'message-input').waitFor({ state: 'visible' })
    return page
  }

  it('offers home watch as a service, shows each wrong answer beside its field, and submits it', async () => {
    const page = await openChat()
    const service = byTestId(page, 'service-home-watch')
    await service.waitFor({ state: 'visible' })
    expect(await service.textContent()).toBe('长假照看')
    await service.click()
    const form = byTestId(page, 'service-form')
    await form.waitFor({ state: 'visible' })
    expect(await form.locator('h2').textContent()).toBe('长假照看')
    expect(await form.locator('label[for="svc-awayFrom"]').textContent()).toBe('出发日期')
    expect(await byTestId(page, 'field-awayFrom').getAttribute('type')).toBe('date')
    expect(await byTestId(page, 'field-contactPhone').getAttribute('type')).toBe('tel')

    await byTestId(page, 'field-address').fill('长寿桥小区3幢501')
    await byTestId(page, 'field-awayFrom').fill('2026-11-27')
    await byTestId(page, 'field-backOn').fill('2026-11-26')
    await byTestId(page, 'field-contactName').fill('王芳')
    await byTestId(page, 'field-contactPhone').fill('1391234567')
    await byTestId(page, 'field-keyHolderOrCamera-yes').check()
    await byTestId(page, 'service-submit').click()

    await byTestId(page, 'error-backOn').waitFor({ state: 'visible' })
    expect(await byTestId(page, 'error-backOn').textContent()).toContain(
      '回来的日期要晚于出发日期（11月27日（周五））',
    )
    expect(await byTestId(page, 'error-contactPhone').textContent()).toContain(
      '手机号应为11位数字，您发的是10位',
    )
    expect(await byTestId(page, 'error-address').count()).toBe(0)
    expect(await byTestId(page, 'field-backOn').getAttribute('aria-invalid')).toBe('true')
    // What was typed stays, so only the wrong answers need fixing.
    expect(await byTestId(page, 'field-address').inputValue()).toBe('长寿桥小区3幢501')
    expect(await byTestId(page, 'field-keyHolderOrCamera-yes').isChecked()).toBe(true)
    await screenshot(page, 'home-watch-form-errors')

    await byTestId(page, 'field-backOn').fill('2026-11-30')
    await byTestId(page, 'field-contactPhone').fill('139 1234 5678')
    await byTestId(page, 'field-notes').fill('阳台门锁坏了')
    await byTestId(page, 'service-submit').click()

    const notice = byTestId(page, 'service-notice')
    await notice.waitFor({ state: 'visible' })
    const number = CASE_NUMBER.exec((await notice.textContent()) ?? '')?.[0]
    expect(number).toBeDefined()
    expect(await form.isVisible()).toBe(false)
    // The confirmation arrives in the conversation, with its case number.
    const reply = page.locator('[data-testid="message"][data-direction="outbound"]').first()
    await reply.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await reply.locator('.text').textContent()).toContain('李明警官（长寿桥社区）')
    expect(await reply.locator('[data-testid="case-number"]').textContent()).toBe(`案件 ${number}`)
    await screenshot(page, 'home-watch-form-submitted')

    const row = await stack.ctx.database.db
      .selectFrom('service_requests as sr')
      .innerJoin('cases as c', 'c.id', 'sr.case_id')
      .select(['sr.answers', 'c.category', 'c.assignee_officer_id'])
      .where('c.number', '=', number!)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      category: 'home_watch',
      assignee_officer_id: seedIds.officer('330104'),
      answers: {
        awayFrom: '2026-11-27',
        backOn: '2026-11-30',
        contactPhone: '13912345678',
        keyHolderOrCamera: true,
      },
    })

    // Opened again, the form offers the address the request bound the resident to.
    await byTestId(page, 'service-home-watch').click()
    await expect.poll(() => byTestId(page, 'field-address').inputValue()).toBe('长寿桥小区')
    await byTestId(page, 'service-cancel').click()
    expect(await form.isVisible()).toBe(false)
  })

  it('draws the form in English after the language toggle', async () => {
    const page = await openChat()
    await byTestId(page, 'lang-toggle').click()
    const service = byTestId(page, 'service-home-watch')
    await expect.poll(() => service.textContent()).toBe('Holiday home watch')
    await service.click()
    await byTestId(page, 'service-form').waitFor({ state: 'visible' })
    expect(await page.locator('label[for="svc-backOn"]').textContent()).toBe('Back on')
    expect(await page.locator('label[for="svc-notes"]').textContent()).toBe('Notes (optional)')
    await byTestId(page, 'service-submit').click()
    await byTestId(page, 'error-address').waitFor({ state: 'visible' })
    expect(await byTestId(page, 'error-address').textContent()).toBe('This one is required.')
    await screenshot(page, 'home-watch-form-en')
  })

  it('shows the home watch in the officer’s case view and records a check the resident hears of', async () => {
    const resident = await openChat()
    const token = await resident.evaluate(() => localStorage.getItem('maplebridge.chat.token'))
    const submitted = await stack.app!.inject({
      method: 'POST',
      url: '/chat/api/forms/home-watch',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        submissionId: 'inbox-test',
        answers: {
          address: '长寿桥小区9幢901',
          awayFrom: '2026-11-25',
          backOn: '2026-11-28',
          contactName: '李强',
          contactPhone: '13800138000',
          keyHolderOrCamera: 'no',
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
    const panel = byTestId(officer, 'home-watch')
    await panel.waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'home-watch-progress').textContent()).toBe('已查看 0/3 天')
    const today = officer.locator('[data-testid="home-watch-day"][data-date="2026-11-25"]')
    expect(await today.getAttribute('data-status')).toBe('due')
    expect(await panel.textContent()).toContain('李强')

    await byTestId(officer, 'hw-open-record').click()
    await byTestId(officer, 'hw-note').fill('门窗完好')
    // The photo is uploaded as soon as it is chosen and shown from the server before the check is recorded.
    const photo = pngOf(64, 48, [200, 40, 40])
    await byTestId(officer, 'hw-photo').setInputFiles({
      name: 'door.png',
      mimeType: 'image/png',
      buffer: photo,
    })
    const preview = byTestId(officer, 'hw-photo-preview')
    await preview.waitFor({ state: 'visible' })
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64)
    // Something that is not a picture is refused with the server's reason, and the chosen photo stays.
    await byTestId(officer, 'hw-photo').setInputFiles({
      name: 'notes.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a picture at all'),
    })
    await byTestId(officer, 'hw-photo-error').waitFor({ state: 'visible' })
    expect(await byTestId(officer, 'hw-photo-error').textContent()).toBe(
      '这不是照片：只能上传 JPEG、PNG、WebP 或 GIF 图片。',
    )
    expect(await preview.isVisible()).toBe(true)
    await byTestId(officer, 'hw-record').click()
    await expect.poll(() => today.getAttribute('data-status')).toBe('checked')
    expect(await byTestId(officer, 'home-watch-progress').textContent()).toBe('已查看 1/3 天')
    expect(await today.textContent()).toContain('10:00 · 李明 · 一切正常 · 门窗完好')
    const thumb = today.locator('[data-testid="hw-check-photo"]')
    await thumb.waitFor({ state: 'visible' })
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64)
    // The form is ready for the next visit: no photo chosen, nothing of the refusal left.
    expect(await preview.count()).toBe(0)
    expect(await byTestId(officer, 'hw-photo-error').count()).toBe(0)
    await thumb.scrollIntoViewIfNeeded()
    await screenshot(officer, 'home-watch-inbox')

    const heard = resident.locator('[data-testid="message"][data-direction="outbound"]', {
      hasText: '查看了您的住所',
    })
    await heard.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await heard.locator('.text').textContent()).toBe(
      '李明警官 10:00 查看了您的住所：一切正常。备注：门窗完好',
    )
    // The photo arrives with the words: loaded with the resident's own token and drawn in the bubble.
    const shown = heard.locator('[data-testid="message-image"]')
    await shown.waitFor({ state: 'visible' })
    await expect.poll(() => shown.getAttribute('data-state')).toBe('loaded')
    expect(await shown.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([
      64, 48,
    ])
    expect(await shown.getAttribute('alt')).toBe('民警发来的照片')
    await screenshot(resident, 'home-watch-photo-resident')
  })
})
