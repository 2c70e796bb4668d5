import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { seedIds } from '../../src/store/seed.ts'
import { type SeededResident, seedResidents } from '../helpers/broadcast-residents.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { pngOf } from '../helpers/images.ts'
import { type OfficerClient, signIn } from '../helpers/officer-session.ts'
import { startTestStack, type TestStack } from '../helpers/stack.ts'

const INBOX_BUILD = fileURLToPath(new URL('../../dist/inbox/index.html', import.meta.url))
const ACCOUNTS = ['bc-a', 'bc-b', 'bc-c']
const EAST = { beatId: seedIds.beat('BC-01'), compoundId: seedIds.compound('BC', '东区小区') }
const WEST = { beatId: seedIds.beat('BC-02'), compoundId: seedIds.compound('BC', '西区小区') }

const byTestId = (scope: Page | Locator, id: string): Locator => scope.locator(`[data-testid="${id}"]`)

/** Mock contacts' event typings do not resolve under NodeNext; listen through this view. */
interface MessageSource {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

describe('station broadcasts in Chromium', () => {
  let stack: TestStack
  let browser: Browser
  let author: OfficerClient
  let residents: SeededResident[]
  /** What the residents' WeChat contacts heard from the station's accounts. */
  const heard: string[] = []

  beforeAll(async () => {
    if (!existsSync(INBOX_BUILD)) throw new Error('The inbox is not built: run `npm run build` first.')
    stack = await startTestStack({
      database: await openDatabase({}),
      label: 'e2e-broadcasts',
      stationFiles: ['test/fixtures/broadcast-station.yaml'],
      // A low threshold, so the beat's few residents need a supervisor's approval.
      env: { BROADCAST_APPROVAL_THRESHOLD: '3', BROADCAST_TICK: '100ms' },
    })
    residents = await seedResidents(stack.ctx.database.db, {
      label: 'e2e',
      count: 16,
      accounts: ACCOUNTS,
      places: [EAST, WEST],
      optOutEvery: { n: 5, category: 'anti_fraud' },
    })
    for (const accountId of ACCOUNTS) {
      const mocker = stack.mockers.get(accountId)!
      const botId = mocker.puppet.currentUserId
      for (const c of residents.flatMap((r) => r.contacts).filter((c) => c.accountId === accountId)) {
        const contact = mocker.createContact({ id: c.contactRef, name: c.contactRef })
        ;(contact as unknown as MessageSource).on('message', (m) => {
          if (m.talker().id === botId) heard.push(m.text() ?? '')
        })
      }
    }
    // Signing in through the API creates the logins the browser then uses.
    author = await signIn(stack.ctx, stack.app!, '770001')
    await signIn(stack.ctx, stack.app!, '770009')
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  async function signedInPage(badge: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    const page = await context.newPage()
    await page.goto(`${stack.baseUrl}/inbox`)
    await byTestId(page, 'login-username').fill(`t${badge}`)
    await byTestId(page, 'login-password').fill(`pw-${badge}-long-enough`)
    await byTestId(page, 'login-submit').click()
    await byTestId(page, 'nav-broadcasts').waitFor({ state: 'visible' })
    return page
  }

  it('composes, previews and sends a broadcast to one beat, approved by a supervisor, and follows it to 100%', async () => {
    const page = await signedInPage('770001')
    await byTestId(page, 'nav-broadcasts').click()
    await byTestId(page, 'bc-list').waitFor({ state: 'visible' })
    expect(page.url()).toMatch(/\/inbox\/broadcasts$/)
    await byTestId(page, 'bc-new').click()
    await byTestId(page, 'bc-compose').waitFor({ state: 'visible' })

    await byTestId(page, 'bc-title').fill('警惕冒充客服退款诈骗')
    await byTestId(page, 'bc-beat-BC-01').check()
    // No text yet: the API's 400 lands beside the text field.
    await byTestId(page, 'bc-submit').click()
    const textError = byTestId(page, 'bc-error-text.zh')
    await textError.waitFor({ state: 'visible' })
    expect(await textError.textContent()).toContain('must not be empty')

    await byTestId(page, 'bc-text-zh').fill('近期有骗子冒充网购客服，以退款为由索要验证码，请勿转账。')
    await expect.poll(() => byTestId(page, 'bc-bytes-zh').textContent()).toMatch(/^\d+ \/ 2048/)
    const shownBytes = Number((await byTestId(page, 'bc-bytes-zh').textContent())!.split(' ')[0])
    // A picture goes with it: uploaded when chosen, shown back from the server.
    await byTestId(page, 'bc-image').setInputFiles({
      name: 'poster.png',
      mimeType: 'image/png',
      buffer: pngOf(90, 60, [20, 60, 140]),
    })
    const thumbnail = byTestId(page, 'bc-image-preview')
    await thumbnail.waitFor({ state: 'visible' })
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(90)

    await byTestId(page, 'bc-preview').click()
    const reach = byTestId(page, 'bc-preview-reach')
    await reach.waitFor({ state: 'visible' })
    const preview = await author.request('POST', '/api/broadcasts/preview', {
      title: '警惕冒充客服退款诈骗',
      text: { zh: '近期有骗子冒充网购客服，以退款为由索要验证码，请勿转账。' },
      category: 'anti_fraud',
      targets: { beatIds: [EAST.beatId] },
    })
    expect(preview.status).toBe(200)
    const eastReachable = residents.filter((r, i) => i % 2 === 0 && !r.optedOut).length
    expect(preview.body.residents).toBe(eastReachable)
    expect(await reach.getAttribute('data-residents')).toBe(String(preview.body.residents))
    expect(await reach.textContent()).toContain(`${preview.body.residents} 位居民`)
    expect(shownBytes).toBe(preview.body.bytes.zh)
    expect(await byTestId(page, 'bc-preview-approval').textContent()).toContain('需要其他所领导审批')
    expect(await byTestId(page, 'bc-preview-image').textContent()).toContain('附图片 1 张')

    await byTestId(page, 'bc-submit').click()
    await byTestId(page, 'bc-detail').waitFor({ state: 'visible' })
    await page.waitForSelector(
      '[data-testid="bc-detail"] [data-testid="bc-state"][data-state="pending_approval"]',
    )
    // The author may not approve their own broadcast: no buttons for them.
    expect(await byTestId(page, 'bc-approve').count()).toBe(0)
    const broadcastId = (await byTestId(page, 'bc-detail').getAttribute('data-id'))!

    const supervisor = await signedInPage('770009')
    await supervisor.goto(`${stack.baseUrl}/inbox/broadcasts/${broadcastId}`)
    await byTestId(supervisor, 'bc-approve').click()
    await supervisor.waitForSelector(
      '[data-testid="bc-detail"] [data-testid="bc-state"][data-state="completed"]',
      {
        timeout: 20_000,
      },
    )
    expect(await byTestId(supervisor, 'bc-approval').textContent()).toContain('孙主任')

    // The author's page follows it live: no reload between approval and the end.
    await page.waitForSelector('[data-testid="bc-progress"][data-percent="100"]', { timeout: 20_000 })
    await page.waitForSelector('[data-testid="bc-detail"] [data-testid="bc-state"][data-state="completed"]')
    expect(await byTestId(page, 'bc-approval').textContent()).toMatch(/孙主任 于 .* 批准/)
    expect(await byTestId(page, 'bc-counts').textContent()).toContain(`已发 ${eastReachable}`)
    await byTestId(page, 'bc-report').waitFor({ state: 'visible' })
    await byTestId(page, 'bc-no-failures').waitFor({ state: 'visible' })
    const optedOutEast = residents.filter((r, i) => i % 2 === 0 && r.optedOut).length
    expect(await byTestId(page, 'bc-skipped').textContent()).toContain(`关闭了此类提示：${optedOutEast} 人`)
    const sentPicture = byTestId(page, 'bc-detail-image')
    await expect.poll(() => sentPicture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(90)
    await screenshot(page, 'broadcast-completed')

    expect(heard.filter((t) => t.includes('冒充网购客服'))).toHaveLength(eastReachable)

    await page.goto(`${stack.baseUrl}/inbox/broadcasts`)
    const item = page.locator(`[data-testid="bc-item"][data-id="${broadcastId}"]`)
    await item.waitFor({ state: 'visible' })
    expect(await byTestId(item, 'bc-state').getAttribute('data-state')).toBe('completed')
    expect(await byTestId(item, 'bc-progress').getAttribute('data-percent')).toBe('100')
    await page.context().close()
    await supervisor.context().close()
  }, 90_000)
})
