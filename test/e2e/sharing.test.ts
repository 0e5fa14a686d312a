import { isApi, seedIssueId, withPage, useStackAndBrowser } from './harness'

/**
 * Sharing on the H5 build and the real API: an article opened from a share path (sharer=<a real
 * code>) reports the open, the publisher's admin command counts it once per viewer and day, and the
 * share card the path's imageUrl points at is a PNG.
 */
const TITLE = '中部城市群高质量发展'
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

jest.setTimeout(180_000)

const env = useStackAndBrowser()

const isShareOpen = isApi('POST', '/api/share-opens')

async function shareCodeOf(name: string): Promise<string> {
  const issued = await env.stack.admin('token', name)
  const token = /^token (\S+)$/m.exec(issued)?.[1]
  if (!token) throw new Error(`admin token printed no token:\n${issued}`)
  const answer = await fetch(`${env.stack.apiOrigin}/api/share-code`, { headers: { authorization: `Bearer ${token}` } })
  expect(answer.status).toBe(200)
  return ((await answer.json()) as { code: string }).code
}

test('an article opened from a share path reports the open once per viewer and day; the card is a PNG', async () => {
  const issueId = await seedIssueId(env.stack)
  const code = await shareCodeOf('e2e-sharer')

  await withPage(env.browser, 'sharing-open', async (page) => {
    const reported = page.waitForResponse(isShareOpen, { timeout: 30_000 })
    await page.goto(`${env.stack.origin}/#/subpackages/article/pages/index?id=${issueId}&sharer=${code}`)
    const response = await reported
    expect(response.status()).toBe(204)
    // H5 has no WeChat scene.
    expect(response.request().postDataJSON()).toEqual({ issueId, sharer: code, scene: null })
    await page.locator('.art-title', { hasText: TITLE }).first().waitFor({ state: 'visible', timeout: 30_000 })

    const first = await env.stack.admin('shares', '--issue', String(issueId))
    expect(first).toContain('1 share open(s)')
    expect(first).toContain('H5 / unknown')
    expect(first).not.toContain(code)

    // The same viewer opening it again the same day is not another open.
    const again = page.waitForResponse(isShareOpen, { timeout: 30_000 })
    await page.reload()
    expect((await again).status()).toBe(204)
    expect(await env.stack.admin('shares', '--issue', String(issueId))).toContain('1 share open(s)')

    // The card, from the page's origin as WeChat would fetch it from imageUrl.
    const card = await page.request.get(`${env.stack.origin}/api/issues/${issueId}/share-card.png`)
    expect(card.status()).toBe(200)
    expect(card.headers()['content-type']).toBe('image/png')
    const png = await card.body()
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
    expect(png.readUInt32BE(16) * 4).toBe(png.readUInt32BE(20) * 5)
  })
})
