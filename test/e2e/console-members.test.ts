import fs from 'node:fs'
import { openDb } from '../../server/src/db/database'
import { parseCsv } from '../../server/src/infra/csv'
import { setUpConsole, signInToConsole, useStackAndBrowser, withPage } from './harness'

/**
 * 读者 → 导入网站会员 in Chromium, as an admin: a members CSV with one bad row is checked, the
 * report names the row and why, the errors CSV downloads with that row and 原因, and confirming
 * with a reason imports the good rows only. 通知与分享 then shows its (empty) reports.
 */
jest.setTimeout(180_000)

const ADMIN = { name: 'guanli-members', password: 'members-import-password', role: 'admin' as const }
const FILE = [
  'phone,name,vip_expires_at',
  '13900001111,网站会员甲,2099-12-31',
  '1390000,网站会员乙,2099-12-31',
  '13900003333,网站会员丙,',
  '',
].join('\n')

const env = useStackAndBrowser({}, async ({ stack }) => setUpConsole(stack, ADMIN))

async function memberPhones(): Promise<string[]> {
  const db = openDb({ databaseUrl: '', sqlitePath: env.stack.sqlitePath })
  try {
    const rows = await db.kysely.selectFrom('members').select('phone').orderBy('phone').execute()
    return rows.map((row) => row.phone)
  } finally {
    await db.close()
  }
}

test('an admin imports web members: the bad row is reported and downloads as CSV, the good rows go in', async () => {
  await withPage(env.browser, 'console-members', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, env.stack.apiOrigin, ADMIN)
    await page.getByRole('menuitem', { name: '读者' }).click()
    await page.getByRole('tab', { name: '导入网站会员' }).click()

    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) })
    const report = page.getByTestId('import-report')
    await report.getByText('预检结果（尚未导入）').waitFor()
    await report.getByText('接受 2 行（新增 2，更新 0，无变化 0），拒绝 1 行').waitFor()
    const refused = report.locator('tr', { hasText: '网站会员乙' })
    await refused.getByText('“1390000”不是大陆手机号').waitFor()
    expect(await refused.innerText()).toMatch(/^3\s/)
    // A check saves nothing.
    expect(await memberPhones()).toEqual([])

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      report.getByRole('button', { name: '下载错误行CSV' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('members-errors.csv')
    const saved = fs.readFileSync((await download.path()) as string, 'utf8')
    expect(saved.startsWith('\uFEFF')).toBe(true)
    const rows = parseCsv(saved).records.map((record) => record.cells)
    expect(rows[0]).toEqual(['phone', 'name', 'vip_expires_at', '原因'])
    expect(rows.slice(1)).toEqual([['1390000', '网站会员乙', '2099-12-31', expect.stringContaining('不是大陆手机号')]])

    await page.getByRole('button', { name: '确认导入 2 行' }).click()
    const dialog = page.getByRole('dialog').filter({ hasText: '导入网站会员' })
    await dialog.getByLabel('原因').fill('网站会员迁移')
    await dialog.getByRole('button', { name: /确认导入/ }).click()
    await report.getByText('导入结果').waitFor()
    expect(await memberPhones()).toEqual(['8613900001111', '8613900003333'])

    // 通知与分享 answers for an admin too: nothing waiting, no share opens yet.
    await page.getByRole('menuitem', { name: '通知与分享' }).click()
    await page.getByText('等待下一期的订阅（按地区）').waitFor()
    await page.getByText('暂无等待中的订阅').waitFor()
    await page.getByText('分享打开', { exact: true }).waitFor()
    await page.getByText('近7天', { exact: true }).click()
    await page.getByText('暂无分享打开').waitFor()
  })
})
