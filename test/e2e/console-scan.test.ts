import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { ROOT } from '../../scripts/lib/processes'
import { openDb } from '../../server/src/db/database'
import { Operators } from '../../server/src/domain/operators'
import { openidFor } from '../../simulator/src/ids'
import { E2E_WECHAT_APPID, type Stack, useStackAndBrowser, withPage } from './harness'

/**
 * Signing in to the operator console by scanning, as an editor does it: the console shows a
 * 小程序码; the WeChat camera (the simulator reads the code back) opens the mini-program's
 * 确认登录后台 page with the code's ticket; the reader confirms there, and the console, polling,
 * enters. A reader who is no operator is refused on both screens.
 */
jest.setTimeout(180_000)

const CONSOLE_INDEX = path.join(ROOT, 'console', 'dist', 'index.html')
const SCANNER = 'console-scanner'
const EDITOR = { name: 'bianji-scan', role: 'editor' as const, openid: openidFor(E2E_WECHAT_APPID, SCANNER) }

const env = useStackAndBrowser({}, async ({ stack }) => {
  if (!fs.existsSync(CONSOLE_INDEX)) {
    throw new Error('The console is not built (console/dist/index.html). Build it first: npm run build:console')
  }
  const db = openDb({ databaseUrl: '', sqlitePath: stack.sqlitePath })
  try {
    await new Operators(db.kysely).add(EDITOR, Date.now())
  } finally {
    await db.close()
  }
})

/** The console's sign-in page, waiting with a fresh 小程序码; resolves with what the camera reads from it. */
async function openScanCode(page: Page, stack: Stack): Promise<{ page: string; scene: string }> {
  await page.setViewportSize({ width: 1366, height: 900 })
  await page.goto(`${stack.apiOrigin}/admin/`)
  const code = page.getByAltText('登录小程序码')
  await code.waitFor()
  const image = await page.request.get(new URL((await code.getAttribute('src'))!, stack.apiOrigin).href)
  expect(image.headers()['content-type']).toBe('image/png')
  const scanned = await fetch(`${stack.simOrigin}/__phone/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: (await image.body()).toString('base64') }),
  })
  expect(scanned.status).toBe(200)
  return (await scanned.json()) as { page: string; scene: string }
}

/** The mini-program opened by the code, as the reader `user`, signed in. */
async function openConfirmPage(phone: Page, stack: Stack, user: string, scanned: { page: string; scene: string }) {
  await phone.goto(`${stack.origin}/?wxuser=${user}#/${scanned.page}?scene=${encodeURIComponent(scanned.scene)}`)
  await phone.getByText('登录北辰遴选运营后台').waitFor()
  // The app signs the reader in by itself at launch, and then 确认登录 shows; only if that did not
  // happen does the reader tap 微信一键登录.
  const confirm = phone.getByText('确认登录', { exact: true })
  try {
    await confirm.waitFor({ timeout: 10_000 })
  } catch {
    await phone.getByText('微信一键登录', { exact: true }).click()
    await confirm.waitFor()
  }
}

test('an editor scans the console code with WeChat, confirms on the phone and is signed in', async () => {
  const { stack, browser } = env
  await withPage(browser, 'console-scan-desk', async (desk) => {
    desk.setDefaultTimeout(30_000)
    const scanned = await openScanCode(desk, stack)
    expect(scanned.page).toBe('subpackages/admin/pages/confirm')

    await withPage(browser, 'console-scan-phone', async (phone) => {
      phone.setDefaultTimeout(30_000)
      await openConfirmPage(phone, stack, SCANNER, scanned)
      // Nothing happens before the reader confirms: the console still shows its code.
      await desk.getByText('请使用微信扫描小程序码，并在手机上确认登录').waitFor()
      await phone.getByText('确认登录', { exact: true }).click()
      await phone.getByText('已确认登录').waitFor()
    })

    // The console's poll gets the session: the editor's name in the header, 期刊 in the menu.
    await desk.getByTestId('operator-name').filter({ hasText: EDITOR.name }).waitFor()
    await desk.getByRole('menuitem', { name: '期刊' }).waitFor()
  })
})

test('a reader who is no operator is refused on the phone and on the console', async () => {
  const { stack, browser } = env
  await withPage(browser, 'console-scan-refused-desk', async (desk) => {
    desk.setDefaultTimeout(30_000)
    const scanned = await openScanCode(desk, stack)
    await withPage(browser, 'console-scan-refused-phone', async (phone) => {
      phone.setDefaultTimeout(30_000)
      await openConfirmPage(phone, stack, 'just-a-reader', scanned)
      await phone.getByText('确认登录', { exact: true }).click()
      await phone.getByText('无法登录运营后台').waitFor()
      await phone.getByText(/读者编号 #\d+/).waitFor()
    })
    await desk.getByText('扫码的微信账号不是后台操作员').waitFor()
    expect(await desk.getByTestId('operator-name').count()).toBe(0)
  })
})

test('a made-up code is refused with a way forward', async () => {
  const { stack, browser } = env
  await withPage(browser, 'console-scan-reuse', async (phone) => {
    phone.setDefaultTimeout(30_000)
    await openConfirmPage(phone, stack, SCANNER, { page: 'subpackages/admin/pages/confirm', scene: 'A'.repeat(32) })
    await phone.getByText('确认登录', { exact: true }).click()
    await phone.getByText('确认失败').waitFor()
    await phone.getByText('二维码无效，请在电脑上刷新二维码后重新扫码').waitFor()
  })
})
