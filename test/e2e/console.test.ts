import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { ROOT } from '../../scripts/lib/processes'
import { openDb } from '../../server/src/db/database'
import { Operators } from '../../server/src/domain/operators'
import type { LoginResultDto, MeDto } from '../../server/src/schemas/auth'
import type { CreateOrderResultDto } from '../../server/src/schemas/orders'
import { fetchJson as call, type Stack, signInToConsole, useStackAndBrowser, withPage } from './harness'

/**
 * The operator console (console/, built into console/dist by npm test) as finance uses it: the API
 * serves it under /admin/; a finance operator signs in with a password in Chromium, sees 概览,
 * finds a reader's paid order under 订单 and refunds it with a reason. The refund settles through
 * the WeChat simulator, the order ends 已退款, and the reader's VIP is gone again.
 */
jest.setTimeout(180_000)

const CONSOLE_INDEX = path.join(ROOT, 'console', 'dist', 'index.html')
const OPERATOR = { name: 'caiwu-e2e', password: 'correct-horse-battery', role: 'finance' as const }
const ADMIN = { name: 'guanli-e2e', password: 'staple-battery-horse', role: 'admin' as const }
const REASON = '读者误购，申请全额退款'

const env = useStackAndBrowser({ rail: 'wechatpay' }, async ({ stack }) => {
  if (!fs.existsSync(CONSOLE_INDEX)) {
    throw new Error('The console is not built (console/dist/index.html). Build it first: npm run build:console')
  }
  await addOperators(stack)
})

/** The operators, written with the API's own Operators service into the stack's database. */
async function addOperators(stack: Stack): Promise<void> {
  const db = openDb({ databaseUrl: '', sqlitePath: stack.sqlitePath })
  try {
    const operators = new Operators(db.kysely)
    for (const operator of [OPERATOR, ADMIN]) await operators.add(operator, Date.now())
  } finally {
    await db.close()
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** A reader signs in on the phone and buys a month of VIP; resolves once the API fulfilled it. */
async function buyMonth(stack: Stack, user: string): Promise<{ orderId: number; userId: number; token: string }> {
  const { code } = await call('POST', `${stack.simOrigin}/__phone/login`, { user })
  const login: LoginResultDto = await call('POST', `${stack.apiOrigin}/api/auth/login`, { code })
  const token = login.token
  const created: CreateOrderResultDto = await call(
    'POST',
    `${stack.apiOrigin}/api/orders`,
    { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
    token,
  )
  const payment = created.payment
  if (payment?.rail !== 'wechatpay') throw new Error(`expected a wechatpay payment, got ${JSON.stringify(payment)}`)
  await call('POST', `${stack.simOrigin}/__phone/pay/jsapi`, { user, ...payment.wechatpay, action: 'confirm' })
  const orderId = created.order.id
  await until('the order to be fulfilled', async () => {
    const order = await call('GET', `${stack.apiOrigin}/api/orders/${orderId}`, undefined, token)
    return order.status === 'fulfilled' ? order : undefined
  })
  return { orderId, userId: login.me.id, token }
}

async function membershipOf(stack: Stack, token: string): Promise<MeDto['membership']> {
  const me: MeDto = await call('GET', `${stack.apiOrigin}/api/me`, undefined, token)
  return me.membership
}

const visible = (page: Page, text: string) => page.getByText(text, { exact: true }).filter({ visible: true }).first()

test('finance signs in by password, sees 概览, and refunds a paid order from 订单', async () => {
  const { stack, browser } = env
  const bought = await buyMonth(stack, 'console-buyer')
  expect((await membershipOf(stack, bought.token)).active).toBe(true)

  await withPage(browser, 'console-refund', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, stack.apiOrigin, OPERATOR)

    // The shell: the operator in the header, 概览 with today's numbers and payment health.
    await page.getByTestId('operator-name').filter({ hasText: OPERATOR.name }).waitFor()
    await visible(page, '财务').waitFor()
    await visible(page, '今日').waitFor()
    await visible(page, '支付状态').waitFor()
    await visible(page, '微信支付').waitFor()
    // 操作日志 is for admins only.
    expect(await page.getByRole('menuitem', { name: '操作日志' }).count()).toBe(0)

    // 订单: the reader's order, filtered by reader id.
    await page.getByRole('menuitem', { name: '订单' }).click()
    await page.getByLabel('读者ID').fill(String(bought.userId))
    await page.getByRole('button', { name: /查\s*询/ }).click()
    const row = page.locator('tr', { hasText: `#${bought.orderId}` })
    await row.getByText('已开通').waitFor()
    await expect(row.innerText()).resolves.toContain('¥9.90')
    await row.getByRole('button', { name: /详\s*情/ }).click()

    // The drawer: the order and its ledger, then 退款 with a reason.
    const drawer = page.locator('.ant-drawer-content').filter({ hasText: `订单 #${bought.orderId}` })
    await drawer.getByText('资金流水').waitFor()
    await drawer.getByText('支付成功').first().waitFor()
    await drawer.getByRole('button', { name: /退\s*款/ }).click()
    const dialog = page.getByRole('dialog').filter({ hasText: '确认退款' })
    await dialog.getByText('将全额退款 ¥9.90').waitFor()
    await dialog.getByLabel('原因').fill(REASON)
    await dialog.getByRole('button', { name: /确认退款/ }).click()
    await visible(page, '退款已提交').waitFor()

    // The refund settles through the simulator's notification; the drawer follows it to 已退款.
    await drawer.getByTestId('order-status').getByText('已退款').waitFor({ timeout: 60_000 })
    await drawer.getByText('退款成功').first().waitFor()
    // And the list shows it too.
    await page.locator('.ant-drawer-close').first().click()
    await page.getByRole('button', { name: /查\s*询/ }).click()
    await row.getByText('已退款').waitFor()
  })

  // The month this order bought is taken back: the reader, new, has no VIP left.
  expect((await membershipOf(stack, bought.token)).active).toBe(false)

  // An admin finds the refund, by whom and why, in 操作日志.
  await withPage(browser, 'console-audit', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, stack.apiOrigin, ADMIN)
    await page.getByRole('menuitem', { name: '操作日志' }).click()
    const entry = page.locator('tr', { hasText: REASON })
    await entry.waitFor()
    // The action cell on its own: the reason itself contains 退款.
    await entry.getByRole('cell', { name: '退款', exact: true }).waitFor()
    expect(await entry.innerText()).toContain(OPERATOR.name)
  })
})

test('a wrong password is refused on the sign-in page', async () => {
  await withPage(env.browser, 'console-wrong-password', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, env.stack.apiOrigin, { name: OPERATOR.name, password: 'not-the-password' })
    await visible(page, '账号或密码不正确').waitFor()
  })
})
