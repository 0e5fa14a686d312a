import { generateDemoIssues } from '../../src/domain/demo-content'
import { grantMembership } from '../../src/domain/membership'
import {
  dialects,
  freeSentences,
  issueToken,
  SAMPLE_ISSUES,
  startTestApp,
  vipSentences,
  type TestApp,
} from '../helpers'

const DAY = 86400000

describe.each(dialects())('issues API on %s', (dialect) => {
  let t: TestApp
  let seedId: number
  let vipToken: string
  let plainToken: string
  let expiredToken: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await generateDemoIssues(t.db.kysely, 75, { now: Date.now() })
    const seed = await t.db.kysely
      .selectFrom('issues')
      .select('id')
      .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
      .executeTakeFirstOrThrow()
    seedId = seed.id
    const vip = await issueToken(t.db, 'vip-reader')
    await grantMembership(t.db.kysely, vip.userId, 30, 'test', 'admin', Date.now())
    vipToken = vip.token
    plainToken = (await issueToken(t.db, 'plain-reader')).token
    const expired = await issueToken(t.db, 'expired-reader')
    await grantMembership(t.db.kysely, expired.userId, 1, 'test', 'admin', Date.now() - 3 * DAY)
    expiredToken = expired.token
  })
  afterAll(() => t.close())

  const get = (url: string, token?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })

  describe('list', () => {
    it('lists newest first with the fields a card needs, free-part summary only', async () => {
      const response = await get('/api/issues?limit=50')
      expect(response.statusCode).toBe(200)
      const page = response.json()
      expect(page.items).toHaveLength(50)
      const dates = page.items.map((item: { date: string }) => item.date)
      expect([...dates].sort().reverse()).toEqual(dates)
      expect(Object.keys(page.items[0]).sort()).toEqual(
        [
          'author',
          'cover',
          'date',
          'fullTitle',
          'id',
          'number',
          'region',
          'slug',
          'summary',
          'title',
          'views',
          'vip',
        ].sort(),
      )
      expect(page.items.every((item: { title: string }) => item.title.includes('示例'))).toBe(true)
    })

    it('pages with the cursor through every issue exactly once', async () => {
      const seen: number[] = []
      let cursor: string | null = null
      for (let pages = 0; pages < 20; pages++) {
        const response = await get(`/api/issues?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
        expect(response.statusCode).toBe(200)
        const page = response.json()
        seen.push(...page.items.map((item: { id: number }) => item.id))
        cursor = page.nextCursor
        if (!cursor) break
      }
      // The 75 demo issues and the sample issues of content/.
      expect(seen).toHaveLength(75 + SAMPLE_ISSUES)
      expect(new Set(seen).size).toBe(75 + SAMPLE_ISSUES)
      expect(cursor).toBeNull()
    })

    it('filters by region and by column (descendants included)', async () => {
      const shanxi = (await get('/api/issues?region=shanxi&limit=50')).json()
      expect(shanxi.items.length).toBeGreaterThan(1)
      expect(shanxi.items.every((item: { region: { code: string } }) => item.region.code === 'shanxi')).toBe(true)
      const seed = shanxi.items.find((item: { id: number }) => item.id === seedId)
      expect(seed).toMatchObject({
        fullTitle: '【山西·第32期】中部城市群高质量发展',
        number: 32,
        date: '2022-04-26',
        author: '北辰遴选·苏阳老师',
        vip: true,
        region: { code: 'shanxi', name: '山西' },
      })
      expect(seed.summary.startsWith('2022年3月30日')).toBe(true)

      const byParent = (await get('/api/issues?column=shengshi&limit=50')).json()
      const byLeaf = (await get('/api/issues?column=redian&limit=50')).json()
      expect(byParent.items.length).toBe(50)
      expect(byLeaf.items.map((i: { id: number }) => i.id)).toEqual(byParent.items.map((i: { id: number }) => i.id))
      expect((await get('/api/issues?column=zhenti')).json().items).toEqual([])
    })

    it.each([
      ['/api/issues?limit=51', 'INVALID_PARAMETER', 'limit'],
      ['/api/issues?limit=0', 'INVALID_PARAMETER', 'limit'],
      ['/api/issues?limit=abc', 'INVALID_PARAMETER', 'limit'],
      ['/api/issues?region=Shan%20xi', 'INVALID_PARAMETER', 'region'],
      ['/api/issues?region=atlantis', 'UNKNOWN_REGION', 'region'],
      ['/api/issues?column=nowhere', 'UNKNOWN_COLUMN', 'column'],
      ['/api/issues?cursor=not-a-cursor', 'INVALID_CURSOR', 'cursor'],
      [`/api/issues?cursor=${'x'.repeat(300)}`, 'INVALID_PARAMETER', 'cursor'],
      ['/api/issues?sort=oldest', 'INVALID_PARAMETER', 'sort'],
    ])('%s → 400 %s naming "%s"', async (url, code, name) => {
      const response = await get(url)
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({ error: { code, message: expect.stringContaining(`"${name}"`) } })
    })
  })

  describe('one issue', () => {
    it('anonymous: the free sections, the paywall and nothing after the marker', async () => {
      const response = await get(`/api/issues/${seedId}`)
      expect(response.statusCode).toBe(200)
      const issue = response.json()
      // The marker sits inside 三、实战应用: its heading, 例题1 and its 参考作答 are the free teaser.
      expect(issue.sections.map((s: { heading: string }) => s.heading)).toEqual([
        '一、背景链接',
        '二、深度解读',
        '三、实战应用',
      ])
      expect(issue.sections[2].blocks.map((b: { type: string }) => b.type)).toEqual(['question', 'answer'])
      expect(issue.access.paywall.locked).toEqual({ sections: ['三、实战应用（续）'], questions: 1, answers: 1 })
      expect(issue.access).toMatchObject({
        granted: false,
        reason: 'login_required',
        paywall: { title: '本篇为VIP章节', message: '抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~' },
      })
      expect(issue.access.paywall.plans.map((p: { priceFen: number }) => p.priceFen)).toEqual([990, 4800, 6800])
      expect(issue.breadcrumb.map((b: { name: string }) => b.name)).toEqual(['首页', '遴选网', '省市遴选', '热点精讲'])
      expect(response.headers['cache-control']).toBe('private, no-store')
      for (const sentence of vipSentences()) expect(response.body).not.toContain(sentence)
      for (const sentence of freeSentences()) expect(response.body).toContain(sentence)
    })

    it('a VIP member gets every section, both 例题 and their 参考作答', async () => {
      const response = await get(`/api/issues/${seedId}`, vipToken)
      expect(response.statusCode).toBe(200)
      const issue = response.json()
      expect(issue.access).toEqual({ granted: true, reason: 'member' })
      expect(issue.sections.map((s: { heading: string }) => s.heading)).toEqual([
        '一、背景链接',
        '二、深度解读',
        '三、实战应用',
      ])
      const practice = issue.sections[2].blocks
      expect(practice.filter((b: { type: string }) => b.type === 'question')).toHaveLength(2)
      expect(practice.filter((b: { type: string }) => b.type === 'answer')).toHaveLength(2)
      for (const sentence of vipSentences()) expect(response.body).toContain(sentence)
    })

    it('signed in without VIP, or with an expired VIP: the cut, with the reason', async () => {
      const plain = (await get(`/api/issues/${seedId}`, plainToken)).json()
      expect(plain.access.reason).toBe('membership_required')
      const expired = (await get(`/api/issues/${seedId}`, expiredToken)).json()
      expect(expired.access.reason).toBe('membership_expired')
      for (const body of [JSON.stringify(plain), JSON.stringify(expired)]) {
        for (const sentence of vipSentences()) expect(body).not.toContain(sentence)
      }
    })

    it('the per-level cache never hands a member’s body to an anonymous reader', async () => {
      await get(`/api/issues/${seedId}`, vipToken)
      const anonymous = await get(`/api/issues/${seedId}`)
      expect(anonymous.json().access.granted).toBe(false)
      expect(anonymous.body).not.toContain('例题2')
      const member = await get(`/api/issues/${seedId}`, vipToken)
      expect(member.body).toContain('例题2')
    })

    it('a free demo issue is granted to everyone and shows neighbours', async () => {
      const free = await t.db.kysely
        .selectFrom('issues')
        .select(['id', 'number'])
        .where('access', '=', 'free')
        .where('slug', 'like', 'demo-%')
        .orderBy('id')
        .executeTakeFirstOrThrow()
      const issue = (await get(`/api/issues/${free.id}`)).json()
      expect(issue.access).toEqual({ granted: true, reason: 'free' })
      expect(issue.vip).toBe(false)
      expect(issue.next === null || issue.next.number > free.number).toBe(true)
      expect(issue.previous === null || issue.previous.number < free.number).toBe(true)
    })

    it.each([
      ['/api/issues/999999', 404, 'ISSUE_NOT_FOUND'],
      ['/api/issues/abc', 400, 'INVALID_PARAMETER'],
      ['/api/issues/0', 400, 'INVALID_PARAMETER'],
      ['/api/issues/99999999999999', 400, 'INVALID_PARAMETER'],
      ['/api/nothing-here', 404, 'NOT_FOUND'],
    ])('%s → %i %s', async (url, status, code) => {
      const response = await get(url)
      expect(response.statusCode).toBe(status)
      expect(response.json()).toEqual({ error: { code, message: expect.any(String) } })
    })

    it('a draft or a future issue is not found', async () => {
      // A demo issue of 江苏 (numbered after the sample issues of content/).
      const draft = await t.db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', 'like', 'demo-jiangsu-%')
        .orderBy('id')
        .executeTakeFirstOrThrow()
      await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', draft.id).execute()
      expect((await get(`/api/issues/${draft.id}`)).statusCode).toBe(404)
      await t.db.kysely
        .updateTable('issues')
        .set({ status: 'published', published_at: Date.now() + DAY })
        .where('id', '=', draft.id)
        .execute()
      expect((await get(`/api/issues/${draft.id}`)).statusCode).toBe(404)
      const listed = (await get('/api/issues?region=jiangsu&limit=50')).json().items.map((i: { id: number }) => i.id)
      expect(listed).not.toContain(draft.id)
      const future = Buffer.from(`${Date.now() + 10 * DAY}.999999`).toString('base64url')
      const forged = (await get(`/api/issues?region=jiangsu&limit=50&cursor=${future}`))
        .json()
        .items.map((i: { id: number }) => i.id)
      expect(forged).not.toContain(draft.id)
    })

    it.each([['Bearer not-a-token'], ['Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], ['Basic dXNlcjpwYXNz']])(
      'Authorization "%s" → 401 INVALID_TOKEN',
      async (header) => {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/issues/${seedId}`,
          headers: { authorization: header },
        })
        expect(response.statusCode).toBe(401)
        expect(response.json().error.code).toBe('INVALID_TOKEN')
        expect(response.body).not.toContain('例题')
      },
    )
  })

  describe('views', () => {
    it('count at most one per viewer, issue and day, written in the background', async () => {
      const views = async () =>
        (await t.db.kysely.selectFrom('issues').select('view_count').where('id', '=', seedId).executeTakeFirstOrThrow())
          .view_count
      await t.app.services.views.flush()
      const before = await views()
      const first = (await issueToken(t.db, 'viewer-one')).token
      const second = (await issueToken(t.db, 'viewer-two')).token
      for (let i = 0; i < 5; i++) {
        await get(`/api/issues/${seedId}`, first)
        await get(`/api/issues/${seedId}`, second)
        await t.app.inject({ method: 'GET', url: `/api/issues/${seedId}`, headers: { 'user-agent': 'reader-a' } })
        await t.app.inject({ method: 'GET', url: `/api/issues/${seedId}`, headers: { 'user-agent': 'reader-b' } })
      }
      expect(await views()).toBe(before)
      await t.app.services.views.flush()
      expect(await views()).toBe(before + 4)
      await get(`/api/issues/${seedId}`, first)
      await t.app.services.views.flush()
      expect(await views()).toBe(before + 4)
      expect((await get(`/api/issues/${seedId}`, first)).json().views).toBeGreaterThanOrEqual(0)
    })
  })

  describe('catalog', () => {
    it('regions with issue counts, columns with paths, plans with server prices', async () => {
      const regions = (await get('/api/regions')).json().items
      expect(regions.find((r: { code: string }) => r.code === 'shanxi')).toEqual({
        code: 'shanxi',
        name: '山西',
        issueCount: expect.any(Number),
      })
      const columns = (await get('/api/columns')).json().items
      expect(columns.find((c: { slug: string }) => c.slug === 'redian')).toEqual({
        slug: 'redian',
        name: '热点精讲',
        parentSlug: 'shengshi',
        path: ['linxuan', 'shengshi', 'redian'],
      })
      const plans = (await get('/api/plans')).json().items
      expect(plans).toEqual([
        {
          id: 'month',
          name: '一个月',
          months: 1,
          priceFen: 990,
          originalPriceFen: null,
          benefits: ['全站栏目畅读', '文档PDF下载'],
        },
        {
          id: 'half_year',
          name: '半年',
          months: 6,
          priceFen: 4800,
          originalPriceFen: 5900,
          benefits: ['全站栏目畅读', '文档PDF下载'],
        },
        {
          id: 'year',
          name: '一年',
          months: 12,
          priceFen: 6800,
          originalPriceFen: 11800,
          benefits: ['全站栏目畅读', '文档PDF下载'],
        },
      ])
    })

    it('health checks the database; the OpenAPI document lists every route', async () => {
      expect((await get('/healthz')).json()).toEqual({ status: 'ok', database: dialect })
      const doc = (await get('/docs/json')).json()
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/healthz',
          '/readyz',
          '/api/columns',
          '/api/issues',
          '/api/issues/{id}',
          '/api/search',
          '/api/plans',
          '/api/regions',
          '/api/contacts',
          '/api/contacts/official-account-qr',
          '/api/events',
          '/api/auth/login',
          '/api/auth/logout',
          '/api/auth/logout-all',
          '/api/me',
          '/api/me/avatar',
          '/api/me/phone',
          '/api/media/avatars/{name}',
          '/api/orders',
          '/api/orders/{id}',
          '/api/orders/{id}/cancel',
          '/api/orders/{id}/pay',
          '/api/store/orders',
          '/api/store/orders/{id}/confirm-receipt',
          '/api/store/orders/{id}/refund',
          '/api/store/products',
          '/api/store/products/{id}',
          '/api/courses',
          '/api/courses/{id}',
          '/api/courses/{id}/orders',
          '/api/courses/lessons/{id}/play',
          '/api/courses/lessons/{id}/progress',
          '/api/media/course/{name}',
          '/api/media/course-covers/{name}',
          '/api/wechat/message-push',
          '/api/wechatpay/notify',
          '/api/wechatpay/refund-notify',
          '/api/favorites',
          '/api/favorites/{issueId}',
          '/api/history',
          '/api/history/{issueId}',
          '/api/history/progress',
          '/api/settings',
          '/api/navigator',
          '/api/navigator/{region}',
          '/api/subscriptions',
          '/api/issues/{id}/pdf',
          '/api/issues/{id}/share-card.png',
          '/api/issues/{issueId}/practice',
          '/api/issues/{issueId}/practice/{questionId}',
          '/api/issues/{issueId}/practice/{questionId}/draft',
          '/api/issues/{issueId}/practice/{questionId}/submit',
          '/api/practice/answers',
          '/api/share-code',
          '/api/share-opens',
          '/api/admin/audit',
          '/api/admin/dashboard',
          '/api/admin/funnel',
          '/api/admin/members/check',
          '/api/admin/members/conflicts',
          '/api/admin/members/import',
          '/api/admin/orders.csv',
          '/api/admin/readers.csv',
          '/api/admin/readers/{id}/unlink-phone',
          '/api/admin/issues',
          '/api/admin/issues/check',
          '/api/admin/issues/import',
          '/api/admin/issues/{id}/preview',
          '/api/admin/issues/{id}/preview/code.png',
          '/api/admin/issues/{id}/publish',
          '/api/admin/issues/{id}/schedule',
          '/api/admin/issues/{id}/unpublish',
          '/api/admin/orders',
          '/api/admin/orders/{id}',
          '/api/admin/orders/{id}/refund',
          '/api/admin/readers',
          '/api/admin/readers/{id}',
          '/api/admin/readers/{id}/vip',
          '/api/admin/reports/shares',
          '/api/admin/reports/subscriptions',
          '/api/admin/session',
          '/api/admin/session/password',
          '/api/admin/session/scan',
          '/api/admin/session/scan/{ticket}',
          '/api/admin/session/scan/{ticket}/code.png',
          '/api/admin/settings',
          '/api/admin/settings/official-account-qr',
          '/api/admin/store/awaiting',
          '/api/admin/store/orders/{id}/retry-upload',
          '/api/admin/store/orders/{id}/delivered',
          '/api/admin/courses',
          '/api/admin/courses/{id}',
          '/api/admin/courses/{id}/grants',
          '/api/admin/store/orders/{id}/ship',
          '/api/admin/store/products',
          '/api/admin/store/products/{id}',
          '/api/admin/store/products/{id}/stock',
          '/api/admin/store/ship-csv',
          '/api/admin/store/shipments',
          '/api/admin/store/trade-managed',
          '/api/scan-login/confirm',
        ].sort(),
      )
    })
  })

  describe('leak check', () => {
    it('no endpoint gives a viewer without VIP any sentence of the seed’s VIP part', async () => {
      const urls = [
        '/api/issues',
        '/api/issues?region=shanxi',
        `/api/search?q=${encodeURIComponent('城市群')}&limit=50`,
        '/api/issues?limit=50',
        '/api/regions',
        '/api/columns',
        '/api/navigator',
        '/api/navigator/shanxi',
        '/api/subscriptions?region=shanxi',
        '/api/plans',
        '/docs/json',
        '/healthz',
        `/api/issues/${seedId}`,
        '/api/issues/999999',
        '/api/issues?cursor=bad',
      ]
      const sentences = vipSentences()
      expect(sentences.length).toBeGreaterThanOrEqual(10)
      for (const token of [undefined, plainToken, expiredToken]) {
        for (const url of urls) {
          const body = (await get(url, token)).body
          for (const sentence of sentences) {
            if (body.includes(sentence))
              throw new Error(`${url} (${token ? 'signed in' : 'anonymous'}) leaks: ${sentence}`)
          }
        }
      }
      for (const sentence of sentences) expect(t.logs.text()).not.toContain(sentence)
      expect(t.logs.text()).not.toContain(vipToken)
    })
  })

  describe('bad input never crashes the server', () => {
    it('oversized and malformed bodies get a 4xx with the error shape', async () => {
      const big = await t.app.inject({
        method: 'POST',
        url: '/api/issues',
        payload: JSON.stringify({ x: 'y'.repeat(200000) }),
        headers: { 'content-type': 'application/json' },
      })
      expect(big.statusCode).toBeGreaterThanOrEqual(400)
      expect(big.statusCode).toBeLessThan(500)
      expect(big.json().error.code).toEqual(expect.any(String))
      for (const url of ['/api/issues/%E0%A4%A', `/api/issues/${'9'.repeat(300)}`, '/api/issues?region[]=x', '/%']) {
        const response = await get(url)
        expect(response.statusCode).toBeGreaterThanOrEqual(400)
        expect(response.statusCode).toBeLessThan(500)
        expect(response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } })
      }
      const header = await t.app.inject({
        method: 'GET',
        url: '/api/issues',
        headers: { authorization: `Bearer ${'a'.repeat(5000)}` },
      })
      expect(header.statusCode).toBe(401)
    })
  })
})

it('the PostgreSQL suite runs in CI', () => {
  if (process.env.CI) expect(process.env.TEST_DATABASE_URL).toBeTruthy()
})
