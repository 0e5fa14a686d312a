import { upsertIssue } from '../../src/domain/content-store'
import { demoIssueMarkdown } from '../../src/domain/demo-content'
import { parseIssueMarkdown } from '../../src/domain/issue-markdown'
import { grantMembership } from '../../src/domain/membership'
import { dialects, errorOf, signIn, startWeChatTestApp, vipSentences, type WeChatTestApp } from '../helpers'

interface Cell {
  id: number
  number: number
  title: string
  date: string
  vip: boolean
  readState: 'read' | 'unread' | null
  lastSectionId: string | null
}

const DAY_MS = 86400000

describe.each(dialects())('region × issue navigator on %s', (dialect) => {
  let t: WeChatTestApp
  let clock = Date.now()
  // Shanxi: the sample issues of content/, 30 (free), 31, 32 (the seed) and 33 (VIP), and demo issue
  // 35 (free); demo issue 34 is a draft and 36 is dated in the future: neither is ever listed.
  const ids = new Map<number, number>()
  let alice: { token: string; id: number }
  let bob: { token: string; id: number }
  let vip: { token: string; id: number }

  const addShanxi = async (number: number, date: string) => {
    const parsed = parseIssueMarkdown(demoIssueMarkdown('shanxi', '山西', number, date))
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems))
    await upsertIssue(t.db.kysely, parsed.issue, clock)
  }

  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, {
      now: () => (clock += 1000),
      config: { LOGIN_RATE_PER_IP: 1000, LOGIN_RATE_PER_USER: 1000 },
    })
    for (const number of [35, 34]) await addShanxi(number, `2022-0${(number % 9) + 1}-10`)
    const future = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10)
    await addShanxi(36, future)
    await addShanxi(1, '2022-01-03')
    // The demo issue of another region, which never shows under Shanxi.
    const henan = parseIssueMarkdown(demoIssueMarkdown('henan', '河南', 7, '2022-05-01'))
    if (!henan.ok) throw new Error('henan demo issue is invalid')
    await upsertIssue(t.db.kysely, henan.issue, clock)
    const rows = await t.db.kysely
      .selectFrom('issues')
      .innerJoin('regions', 'regions.id', 'issues.region_id')
      .select(['issues.id', 'issues.number'])
      .where('regions.code', '=', 'shanxi')
      .execute()
    for (const row of rows) ids.set(row.number, row.id)
    await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', ids.get(34)!).execute()
    await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', ids.get(1)!).execute()
    alice = await signIn(t, 'alice')
    bob = await signIn(t, 'bob')
    vip = await signIn(t, 'victor')
    await grantMembership(t.db.kysely, vip.id, 30, 'test', 'admin', clock)
    t.app.services.viewerCache.clear()
    t.app.services.dropContentCaches()
  })
  afterAll(() => t.close())

  const get = (url: string, token?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })
  const put = (url: string, token: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${token}` }, payload })
  const cells = async (token?: string, query = ''): Promise<Cell[]> => {
    const response = await get(`/api/navigator/shanxi${query}`, token)
    expect(response.statusCode).toBe(200)
    return response.json().items as Cell[]
  }

  it('lists regions with their published issue count and latest number', async () => {
    const response = await get('/api/navigator')
    expect(response.statusCode).toBe(200)
    const regions = response.json().items as { code: string; name: string; issueCount: number; latestNumber: number }[]
    expect(regions.find((region) => region.code === 'shanxi')).toEqual({
      code: 'shanxi',
      name: '山西',
      issueCount: 5,
      latestNumber: 35,
    })
    expect(regions.find((region) => region.code === 'henan')).toMatchObject({ issueCount: 1, latestNumber: 7 })
    expect(regions.find((region) => region.code === 'beijing')).toMatchObject({ issueCount: 0, latestNumber: null })
  })

  it('lists a region’s published issues by number with the VIP flag; drafts and future issues never', async () => {
    const response = await get('/api/navigator/shanxi')
    expect(response.statusCode).toBe(200)
    const page = response.json()
    expect(page.region).toEqual({ code: 'shanxi', name: '山西' })
    expect(page.nextCursor).toBeNull()
    const items = page.items as Cell[]
    expect(items.map((item) => item.number)).toEqual([30, 31, 32, 33, 35])
    expect(items.map((item) => item.vip)).toEqual([false, true, true, true, false])
    expect(items[2]).toEqual({
      id: ids.get(32),
      number: 32,
      title: '中部城市群高质量发展',
      date: '2022-04-26',
      vip: true,
      readState: null,
      lastSectionId: null,
    })
    // Summary fields only: no summary text, no body.
    expect(Object.keys(items[0]).sort()).toEqual(
      ['date', 'id', 'lastSectionId', 'number', 'readState', 'title', 'vip'].sort(),
    )
  })

  it('shows each signed-in reader only their own read state', async () => {
    expect((await cells(alice.token)).map((cell) => cell.readState)).toEqual(Array(5).fill('unread'))
    expect((await put(`/api/history/${ids.get(32)}`, alice.token, { sectionId: 's2' })).statusCode).toBe(200)
    expect((await put(`/api/history/${ids.get(30)}`, bob.token, { sectionId: 's1' })).statusCode).toBe(200)

    const aliceCells = await cells(alice.token)
    expect(aliceCells.map((cell) => [cell.number, cell.readState, cell.lastSectionId])).toEqual([
      [30, 'unread', null],
      [31, 'unread', null],
      [32, 'read', 's2'],
      [33, 'unread', null],
      [35, 'unread', null],
    ])
    const bobCells = await cells(bob.token)
    expect(bobCells.filter((cell) => cell.readState === 'read').map((cell) => cell.number)).toEqual([30])
    // The anonymous viewer, right after both, still gets no read state at all.
    expect((await cells()).every((cell) => cell.readState === null && cell.lastSectionId === null)).toBe(true)
    const fresh = (await t.login('carol')).token
    expect((await cells(fresh)).every((cell) => cell.readState === 'unread')).toBe(true)
  })

  it('is private to the viewer: never stored by a shared cache', async () => {
    for (const token of [alice.token, undefined]) {
      const response = await get('/api/navigator/shanxi', token)
      expect(response.headers['cache-control']).toBe('private, no-store')
      expect(response.headers.vary).toContain('Authorization')
    }
  })

  it('never carries VIP text, whoever asks', async () => {
    const sentences = vipSentences()
    expect(sentences.length).toBeGreaterThan(3)
    for (const token of [undefined, alice.token, vip.token]) {
      for (const url of ['/api/navigator', '/api/navigator/shanxi']) {
        const body = (await get(url, token)).body
        for (const sentence of sentences) expect(body).not.toContain(sentence)
        expect(body).not.toContain('参考作答')
      }
    }
  })

  it('pages with the cursor through every issue exactly once', async () => {
    const seen: number[] = []
    let cursor: string | null = null
    for (let pages = 0; pages < 10; pages++) {
      const response = await get(`/api/navigator/shanxi?limit=2${cursor ? `&cursor=${cursor}` : ''}`, alice.token)
      expect(response.statusCode).toBe(200)
      const page = response.json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((item: Cell) => item.number))
      cursor = page.nextCursor
      if (!cursor) break
    }
    expect(seen).toEqual([30, 31, 32, 33, 35])
  })

  it('an issue published later or taken down shows up or goes once the caches renew', async () => {
    await t.db.kysely.updateTable('issues').set({ status: 'published' }).where('id', '=', ids.get(34)!).execute()
    await t.db.kysely.updateTable('issues').set({ status: 'archived' }).where('id', '=', ids.get(31)!).execute()
    t.app.services.dropContentCaches()
    expect((await cells()).map((cell) => cell.number)).toEqual([30, 32, 33, 34, 35])
    const shanxi = (await get('/api/navigator'))
      .json()
      .items.find((region: { code: string }) => region.code === 'shanxi')
    expect(shanxi).toMatchObject({ issueCount: 5, latestNumber: 35 })
    await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', ids.get(34)!).execute()
    await t.db.kysely.updateTable('issues').set({ status: 'published' }).where('id', '=', ids.get(31)!).execute()
    t.app.services.dropContentCaches()
  })

  it('the article’s 上一期 / 下一期 follow the same published issues (drafts and future issues skipped)', async () => {
    const neighbours = async (number: number) => {
      const issue = (await get(`/api/issues/${ids.get(number)}`)).json()
      return [issue.previous?.number ?? null, issue.next?.number ?? null]
    }
    expect(await neighbours(30)).toEqual([null, 31])
    expect(await neighbours(32)).toEqual([31, 33])
    expect(await neighbours(33)).toEqual([32, 35])
    expect(await neighbours(35)).toEqual([33, null])
    const seed = (await get(`/api/issues/${ids.get(32)}`)).json()
    expect(seed.next).toEqual({ id: ids.get(33), number: 33, title: '有机旱作农业助力乡村振兴' })
  })

  it('an unknown region → 404 REGION_NOT_FOUND; malformed input → 400', async () => {
    const unknown = await get('/api/navigator/atlantis')
    expect(errorOf(unknown)).toEqual([404, 'REGION_NOT_FOUND'])
    expect(unknown.json().error.message).toContain('atlantis')
    for (const url of [
      '/api/navigator/Shanxi',
      '/api/navigator/shan%20xi',
      `/api/navigator/${'a'.repeat(65)}`,
      '/api/navigator/shanxi?limit=0',
      '/api/navigator/shanxi?limit=201',
      '/api/navigator/shanxi?limit=abc',
      '/api/navigator/shanxi?other=1',
      `/api/navigator/shanxi?cursor=${'a'.repeat(129)}`,
    ]) {
      expect(errorOf(await get(url))).toEqual([400, 'INVALID_PARAMETER'])
    }
    expect(errorOf(await get('/api/navigator/shanxi?cursor=nonsense!'))).toEqual([400, 'INVALID_CURSOR'])
    expect(errorOf(await get('/api/navigator/shanxi', 'not-a-token'))).toEqual([401, 'INVALID_TOKEN'])
  })

  it('is in the OpenAPI document', async () => {
    const paths = (await get('/docs/json')).json().paths as Record<string, unknown>
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/navigator', '/api/navigator/{region}']))
  })
})
