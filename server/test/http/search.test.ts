import { generateDemoIssues } from '../../src/domain/demo-content'
import { IssueSearch, parseQuery } from '../../src/domain/search'
import { grantMembership } from '../../src/domain/membership'
import { dialects, issueToken, startTestApp, vipSentences, type TestApp } from '../helpers'

interface Hit {
  id: number
  fullTitle: string
  region: { code: string }
  snippet: { text: string; hit: boolean }[]
}

const snippetText = (hit: Hit) => hit.snippet.map((segment) => segment.text).join('')
const collapse = (text: string) => text.replace(/\s+/g, ' ')

describe.each(dialects())('search API on %s', (dialect) => {
  let t: TestApp
  let seedId: number
  let vipToken: string
  /** Everything a viewer without VIP may read of the seed: its title and free part */
  let seedFree: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await generateDemoIssues(t.db.kysely, 62, { now: Date.now() })
    const seed = await t.db.kysely
      .selectFrom('issues')
      .select(['id', 'title', 'free_text'])
      .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
      .executeTakeFirstOrThrow()
    seedId = seed.id
    seedFree = `${seed.title}\n${seed.free_text}`
    const vip = await issueToken(t.db, 'vip-reader')
    await grantMembership(t.db.kysely, vip.userId, 30, 'test', 'admin', Date.now())
    vipToken = vip.token
  })
  afterAll(() => t.close())

  const search = (q: string, extra = '', token?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/search?q=${encodeURIComponent(q)}${extra}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    })

  /** Every snippet must be text of that issue's title or free part. */
  async function expectSnippetsFromFreeText(hits: Hit[]) {
    for (const hit of hits) {
      const row = await t.db.kysely
        .selectFrom('issues')
        .select(['title', 'free_text'])
        .where('id', '=', hit.id)
        .executeTakeFirstOrThrow()
      const quoted = snippetText(hit).replace(/^…|…$/g, '')
      expect([collapse(row.title), collapse(row.free_text)].some((text) => text.includes(quoted))).toBe(true)
    }
  }

  it('a 3+ character Chinese word finds the seed, with the match marked in the snippet', async () => {
    const response = await search('城市群')
    expect(response.statusCode).toBe(200)
    const page = response.json()
    const seed = page.items.find((item: Hit) => item.id === seedId)
    expect(seed).toMatchObject({
      fullTitle: '【山西·第32期】中部城市群高质量发展',
      vip: true,
      region: { code: 'shanxi' },
    })
    expect(seed.snippet).toContainEqual({ text: '城市群', hit: true })
    expect(
      seed.snippet.filter((segment: { hit: boolean }) => segment.hit).map((s: { text: string }) => s.text),
    ).toEqual(expect.arrayContaining(['城市群']))
    expect(snippetText(seed).replace(/…/g, '').length).toBeLessThanOrEqual(62)
    await expectSnippetsFromFreeText(page.items)
  })

  it('a 2-character word (no trigram) falls back to a scan and still finds it, region filter included', async () => {
    const response = await search('山西', '&region=shanxi&limit=50')
    expect(response.statusCode).toBe(200)
    const items: Hit[] = response.json().items
    expect(items.map((item) => item.id)).toContain(seedId)
    expect(items.every((item) => item.region.code === 'shanxi')).toBe(true)
    for (const item of items) expect(item.snippet.some((s) => s.hit && s.text === '山西')).toBe(true)
    await expectSnippetsFromFreeText(items)
    const elsewhere = (await search('山西', '&region=jiangsu')).json().items as Hit[]
    expect(elsewhere.map((item) => item.id)).not.toContain(seedId)
  })

  it('all words must occur; a title-only match quotes the title', async () => {
    const both = (await search('城市群 高质量')).json().items as Hit[]
    expect(both.map((item) => item.id)).toContain(seedId)
    expect((await search('城市群 乡村振兴与共同富裕')).json().items).toEqual([])
    const demo = (await search('乡村振兴与共同富裕')).json().items as Hit[]
    expect(demo.length).toBeGreaterThan(0)
    expect(demo.every((item) => item.snippet.some((s) => s.hit && s.text === '乡村振兴与共同富裕'))).toBe(true)
  })

  it('no match → an empty list; % and _ are taken literally', async () => {
    for (const q of ['量子纠缠计算机', '不存在', '100%', 'a_b']) {
      const response = await search(q)
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ items: [], nextCursor: null })
    }
  })

  it('pages newest first with the cursor, every hit once', async () => {
    const all = (await search('示例', '&limit=50')).json()
    expect(all.items).toHaveLength(50)
    const seen: number[] = []
    let cursor: string | null = null
    for (let pages = 0; pages < 30; pages++) {
      const response = await search('示例', `&limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      expect(response.statusCode).toBe(200)
      const page = response.json()
      seen.push(...page.items.map((item: Hit) => item.id))
      cursor = page.nextCursor
      if (!cursor) break
    }
    expect(seen).toHaveLength(62)
    expect(new Set(seen).size).toBe(62)
    expect(seen.slice(0, 50)).toEqual(all.items.map((item: Hit) => item.id))
  })

  it('only published issues whose date has come; the index follows edits', async () => {
    const demo = await t.db.kysely
      .selectFrom('issues')
      .select(['id', 'free_text'])
      .where('slug', 'like', 'demo-%')
      .orderBy('id')
      .limit(2)
      .execute()
    const [draft, edited] = demo
    const marker = (text: string) => /[^\s：，]+第\d+期示例/u.exec(text)?.[0] ?? 'none' // 江苏第3期示例, one per issue
    expect((await search(marker(draft.free_text))).json().items.map((i: Hit) => i.id)).toEqual([draft.id])
    await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', draft.id).execute()
    t.app.services.dropContentCaches()
    expect((await search(marker(draft.free_text))).json().items).toEqual([])
    await t.db.kysely
      .updateTable('issues')
      .set({ status: 'published', published_at: Date.now() + 86400000 })
      .where('id', '=', draft.id)
      .execute()
    t.app.services.dropContentCaches()
    expect((await search(marker(draft.free_text))).json().items).toEqual([])

    await t.db.kysely
      .updateTable('issues')
      .set({ free_text: `${edited.free_text}\n新增一句独特的检索测试文字。` })
      .where('id', '=', edited.id)
      .execute()
    t.app.services.dropContentCaches()
    const found = (await search('独特的检索测试')).json().items as Hit[]
    expect(found.map((item) => item.id)).toEqual([edited.id])
    expect(found[0].snippet).toContainEqual({ text: '独特的检索测试', hit: true })
  })

  it('every way to a result (index-driven, recent window, two-character trigrams, scan) gives the same pages', async () => {
    const strategies = [
      { indexDrivenMax: 2000, scanWindow: 1000, maxWordTrigrams: 300 },
      { indexDrivenMax: 2, scanWindow: 3, maxWordTrigrams: 300 },
      { indexDrivenMax: 1, scanWindow: 0, maxWordTrigrams: 300 },
      { indexDrivenMax: 1, scanWindow: 0, maxWordTrigrams: 0 },
    ].map((tuning) => new IssueSearch(t.db.kysely, dialect, t.app.services.catalog, t.app.services.issues, tuning))
    const queries = [
      '城市群',
      '山西',
      '示例',
      '发展',
      '高质量 山西',
      '乡村振兴 共同富裕',
      '第3期',
      '不存在',
      '量子纠缠',
      '群 城市',
    ]
    for (const q of queries) {
      for (const extra of [{}, { region: 'shanxi' }, { limit: 3 }]) {
        const pages = []
        for (const strategy of strategies) {
          const ids: number[][] = []
          let cursor: string | undefined
          for (let n = 0; n < 40; n++) {
            const page = await strategy.search({ q, ...extra, cursor }, parseQuery(q), Date.now())
            ids.push(page.items.map((item) => item.id))
            if (!page.nextCursor) break
            cursor = page.nextCursor
          }
          pages.push(ids)
        }
        for (const other of pages.slice(1)) expect({ q, extra, pages: other }).toEqual({ q, extra, pages: pages[0] })
      }
    }
    // A two-character word at the very end of a title is found through the trigrams too.
    const last = await t.db.kysely
      .selectFrom('issues')
      .select(['id', 'title'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    await t.db.kysely
      .updateTable('issues')
      .set({ title: `${last.title}鑫淼` })
      .where('id', '=', last.id)
      .execute()
    const found = await strategies[2].search({ q: '鑫淼' }, ['鑫淼'], Date.now())
    expect(found.items.map((item) => item.id)).toEqual([last.id])
    expect(found.items[0].snippet).toContainEqual({ text: '鑫淼', hit: true })
    await t.db.kysely.updateTable('issues').set({ title: last.title }).where('id', '=', last.id).execute()
  })

  it.each([
    ['', 'INVALID_PARAMETER'],
    ['   ', 'INVALID_QUERY'],
    ['城'.repeat(51), 'INVALID_QUERY'],
    ['x'.repeat(501), 'INVALID_PARAMETER'],
    ['城市\u0001群', 'INVALID_QUERY'],
    ['城市\n群', 'INVALID_QUERY'],
    ['，。！……', 'INVALID_QUERY'],
    ['% _ -', 'INVALID_QUERY'],
    ['a b c d e f g h i', 'INVALID_QUERY'],
  ])('q=%j → 400 %s naming "q"', async (q, code) => {
    const response = await search(q)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: { code, message: expect.stringContaining('"q"') } })
  })

  it.each([
    ['/api/search', 'INVALID_PARAMETER', 'q'],
    ['/api/search?q=%E5%B1%B1%E8%A5%BF&region=atlantis', 'UNKNOWN_REGION', 'region'],
    ['/api/search?q=%E5%B1%B1%E8%A5%BF&cursor=nope', 'INVALID_CURSOR', 'cursor'],
    ['/api/search?q=%E5%B1%B1%E8%A5%BF&limit=51', 'INVALID_PARAMETER', 'limit'],
    ['/api/search?q=%E5%B1%B1%E8%A5%BF&sort=old', 'INVALID_PARAMETER', 'sort'],
  ])('%s → 400 %s naming "%s"', async (url, code, name) => {
    const response = await t.app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: { code, message: expect.stringContaining(`"${name}"`) } })
  })

  // Search serves the free text to everyone, members included: a member reads the VIP part
  // in the article, never in a result list, so one rule (and one cache) covers every viewer.
  it.each([
    ['anonymous', undefined],
    ['a VIP member', 'vip'],
  ])('%s: searching for words of the VIP part finds no VIP text', async (_who, as) => {
    const token = as ? vipToken : undefined
    let searched = 0
    for (const sentence of vipSentences()) {
      const probe = distinctiveSubstring(sentence, seedFree)
      if (!probe) continue
      searched++
      const response = await search(probe, '&limit=50', token)
      expect(response.statusCode).toBe(200)
      for (const vip of vipSentences()) expect(response.body).not.toContain(vip)
      const items: Hit[] = response.json().items
      expect(items.map((item) => item.id)).not.toContain(seedId)
      for (const item of items) expect(snippetText(item)).not.toContain(probe)
      await expectSnippetsFromFreeText(items)
    }
    expect(searched).toBeGreaterThan(vipSentences().length / 2)
  })
})

/** A 6–10 character piece of `sentence` that does not occur in `free`, or undefined. */
function distinctiveSubstring(sentence: string, free: string): string | undefined {
  const chars = [...sentence]
  for (const size of [8, 10, 6]) {
    for (let start = 0; start + size <= chars.length; start++) {
      const piece = chars.slice(start, start + size).join('')
      if (/^[\p{L}\p{N}]/u.test(piece) && !/\s/.test(piece) && !free.includes(piece)) return piece
    }
  }
  return undefined
}
