import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page, Response } from 'playwright-core'
import { TOKEN_STORAGE_KEY, withPage, useStackAndBrowser, isApi } from './harness'

/**
 * A reader's account on the H5 build, the real API and the WeChat simulator: signed in silently on
 * the first visit, 我的, binding the phone of a member of the web site (their VIP carries over),
 * nickname and avatar, a reload that keeps the session, and signing out.
 */
const SAMPLE_TITLE = '中部城市群高质量发展'
const MEMBER_PHONE = '13912345678'
const MEMBER_PHONE_MASKED = '139****5678'
const MEMBER_VIP_UNTIL = '2030-06-30'
const NICKNAME = '北辰读者'
/** A 1×1 PNG */
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

jest.setTimeout(180_000)

const env = useStackAndBrowser({}, async () => {
  // A member of the web site, with VIP, whose phone a reader will bind.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-members-'))
  const csv = path.join(dir, 'members.csv')
  fs.writeFileSync(csv, `phone,name,vip_expires_at\n${MEMBER_PHONE},网站会员,${MEMBER_VIP_UNTIL}\n`)
  try {
    await env.stack.admin('import-members', csv)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

/** Calls the page made to the API, as "METHOD /path status". */
function recordApiCalls(page: Page): string[] {
  const calls: string[] = []
  page.on('response', (response) => {
    const { pathname } = new URL(response.url())
    if (pathname.startsWith('/api/')) calls.push(`${response.request().method()} ${pathname} ${response.status()}`)
  })
  return calls
}

async function openMe(page: Page): Promise<void> {
  await page.locator('.taro-tabbar__tabbar').getByText('我的', { exact: true }).click()
  await page.getByText('客服电话').waitFor({ state: 'visible', timeout: 30_000 })
}

async function waitForText(page: Page, text: string): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout: 30_000 })
}

/** Binds `phone` through the stand-in phone sheet (H5's getPhoneNumber). */
async function bindPhone(page: Page, phone: string): Promise<Response> {
  await page.getByText('绑定手机号', { exact: true }).click()
  const sheet = page.getByRole('dialog', { name: '手机号快速验证' })
  await sheet.waitFor({ state: 'visible' })
  await sheet.locator('input').fill(phone)
  const answer = page.waitForResponse(isApi('POST', '/api/me/phone'))
  await sheet.getByText('允许', { exact: true }).click()
  return answer
}

test('a fresh visit signs in silently; 我的: phone, nickname, avatar; a reload keeps the session; sign out', async () => {
  await withPage(env.browser, 'account-flow', async (page) => {
    const calls = recordApiCalls(page)
    const signedIn = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.goto(`${env.stack.origin}/`)
    expect((await signedIn).status()).toBe(200)
    const token = await page.evaluate((key) => window.localStorage.getItem(key), TOKEN_STORAGE_KEY)
    expect(token).toContain('"data":"')

    // 我的 shows the reader, not yet a member, phone not bound.
    await openMe(page)
    await waitForText(page, '微信用户')
    await waitForText(page, '未开通')
    expect(await page.locator('body').innerText()).not.toContain('未登录')

    // Binding the phone of a member of the web site carries their VIP over.
    const bound = await bindPhone(page, MEMBER_PHONE)
    expect(bound.status()).toBe(200)
    await waitForText(page, `已绑定 ${MEMBER_PHONE_MASKED}`)
    await waitForText(page, '已同步网站会员权益')
    await waitForText(page, `有效期至 ${MEMBER_VIP_UNTIL}`)

    // Nickname, saved from the form.
    await page.locator('.me-nickname input').fill(NICKNAME)
    const renamed = page.waitForResponse(isApi('PATCH', '/api/me'))
    await page.getByText('保存', { exact: true }).click()
    expect((await renamed).status()).toBe(200)
    await page.locator('.me-name', { hasText: NICKNAME }).waitFor({ state: 'visible' })

    // Avatar, from the file picker, uploaded with uploadFile and shown from the API.
    const chooser = page.waitForEvent('filechooser')
    await page.locator('.me-avatar-button').click()
    const uploaded = page.waitForResponse(isApi('POST', '/api/me/avatar'))
    await (await chooser).setFiles({ name: 'avatar.png', mimeType: 'image/png', buffer: AVATAR_PNG })
    expect((await uploaded).status()).toBe(200)
    // The picture itself loads (1×1), from the API's media route.
    await page.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('.me-avatar-image img')
        return Boolean(img?.src.includes('/api/media/avatars/') && img.complete && img.naturalWidth === 1)
      },
      undefined,
      { timeout: 30_000 },
    )
    expect(await page.locator('.me-avatar-image img').getAttribute('src')).toMatch(
      /\/api\/media\/avatars\/\d+-[0-9a-f]{16}\.png$/,
    )

    // The carried-over VIP unlocks the sample issue.
    await page.locator('.taro-tabbar__tabbar').getByText('首页', { exact: true }).click()
    await page.getByText(SAMPLE_TITLE).first().click()
    await waitForText(page, '例题2') // the first VIP block
    expect(await page.locator('body').innerText()).not.toContain('本篇为VIP章节')

    // A reload keeps the session: no new sign-in, the same reader.
    calls.length = 0
    await page.goto(`${env.stack.origin}/#/pages/me/index`)
    await page.reload()
    await page.locator('.me-name', { hasText: NICKNAME }).waitFor({ state: 'visible', timeout: 30_000 })
    await waitForText(page, `已绑定 ${MEMBER_PHONE_MASKED}`)
    expect(calls.filter((call) => call.startsWith('POST /api/auth/login'))).toEqual([])
    expect(calls).toContain('GET /api/me 200')

    // Sign out: asked first, then 未登录; a reload does not sign in behind the reader's back.
    await page.getByText('退出登录', { exact: true }).click()
    const signedOut = page.waitForResponse(isApi('POST', '/api/auth/logout'))
    await page.getByText('退出', { exact: true }).click()
    expect((await signedOut).status()).toBe(204)
    await waitForText(page, '未登录')
    await waitForText(page, '微信一键登录')
    expect(await page.evaluate((key) => window.localStorage.getItem(key), TOKEN_STORAGE_KEY)).toBeNull()

    calls.length = 0
    await page.reload()
    await waitForText(page, '微信一键登录')
    expect(calls.filter((call) => call.startsWith('POST /api/auth/login'))).toEqual([])

    // 微信一键登录 brings the same reader back.
    const again = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.getByText('微信一键登录', { exact: true }).click()
    expect((await again).status()).toBe(200)
    await page.locator('.me-name', { hasText: NICKNAME }).waitFor({ state: 'visible', timeout: 30_000 })
  })
})

/** What a phone does, without a browser: sign in a simulator user and bind `phone` to them. */
async function bindPhoneElsewhere(user: string, phone: string): Promise<void> {
  const post = async (url: string, body: unknown, token = '') => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`)
    return (await response.json()) as Record<string, unknown>
  }
  const { code } = await post(`${env.stack.simOrigin}/__phone/login`, { user })
  const { token } = await post(`${env.stack.apiOrigin}/api/auth/login`, { code })
  const phoneCode = (await post(`${env.stack.simOrigin}/__phone/phone-number`, { user, phoneNumber: phone })).code
  await post(`${env.stack.apiOrigin}/api/me/phone`, { code: phoneCode }, String(token))
}

test('a phone bound to another WeChat account: the reader is told to contact customer service', async () => {
  const phone = '13700000001'
  await bindPhoneElsewhere('e2e-phone-owner', phone)
  await withPage(env.browser, 'account-phone-elsewhere', async (page) => {
    const signedIn = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.goto(`${env.stack.origin}/?wxuser=e2e-second-reader`)
    expect((await signedIn).status()).toBe(200)
    await openMe(page)

    const refused = await bindPhone(page, phone)
    expect(refused.status()).toBe(409)
    const alert = page.getByRole('alert')
    await alert.waitFor({ state: 'visible' })
    expect(await alert.innerText()).toContain('该手机号已绑定其他微信账号，请联系客服处理')
    expect(await alert.innerText()).toContain('联系客服 400-1788-950')
    await waitForText(page, '绑定手机号')
  })
})
