import { generateDemoIssues } from '../../src/domain/demo-content'
import { grantMembership } from '../../src/domain/membership'
import { dialects, errorOf, signIn, startWeChatTestApp, type WeChatTestApp } from '../helpers'

type Method = 'GET' | 'PUT' | 'DELETE'

describe.each(dialects())('study tools (favorites, history, settings) on %s', (dialect) => {
  let t: WeChatTestApp
  // Every call moves the clock a second on, so "newest first" is well defined.
  let clock = Date.now()
  let seedId: number
  let demoIds: number[]
  let alice: { token: string; id: number }
  let bob: { token: string; id: number }
  let vip: { token: string; id: number }

  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, {
      now: () => (clock += 1000),
      config: { LOGIN_RATE_PER_IP: 1000, LOGIN_RATE_PER_USER: 1000 },
    })
    await generateDemoIssues(t.db.kysely, 12, { now: Date.now() })
    const rows = await t.db.kysely.selectFrom('issues').select(['id', 'slug']).orderBy('id').execute()
    seedId = rows.find((row) => row.slug === 'shanxi-32-zhongbu-chengshiqun')?.id as number
    demoIds = rows.filter((row) => row.id !== seedId).map((row) => row.id)
    alice = await signIn(t, 'alice')
    bob = await signIn(t, 'bob')
    vip = await signIn(t, 'victor')
    await grantMembership(t.db.kysely, vip.id, 30, 'test', 'admin', clock)
    t.app.services.viewerCache.clear()
  })
  afterAll(() => t.close())

  const call = (method: Method, url: string, token?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })

  describe('favorites', () => {
    it('adds, lists newest first with the issue card, and removes', async () => {
      expect((await call('GET', `/api/favorites/${seedId}`, alice.token)).json()).toEqual({
        issueId: seedId,
        favorited: false,
        favoritedAt: null,
      })
      const added = await call('PUT', `/api/favorites/${seedId}`, alice.token)
      expect(added.statusCode).toBe(200)
      expect(added.json()).toEqual({ issueId: seedId, favorited: true, favoritedAt: expect.any(String) })
      expect((await call('PUT', `/api/favorites/${demoIds[0]}`, alice.token)).statusCode).toBe(200)
      expect((await call('GET', `/api/favorites/${seedId}`, alice.token)).json()).toEqual(added.json())

      const list = await call('GET', '/api/favorites', alice.token)
      expect(list.statusCode).toBe(200)
      expect(list.headers['cache-control']).toBe('private, no-store')
      const page = list.json()
      expect(page.items.map((item: { id: number }) => item.id)).toEqual([demoIds[0], seedId])
      expect(page.nextCursor).toBeNull()
      const seed = page.items[1]
      expect(Object.keys(seed).sort()).toEqual(
        [
          'author',
          'cover',
          'date',
          'favoritedAt',
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
      expect(seed.fullTitle).toBe('【山西·第32期】中部城市群高质量发展')
      expect(seed.vip).toBe(true)
      expect(seed.favoritedAt).toBe(added.json().favoritedAt)

      const removed = await call('DELETE', `/api/favorites/${demoIds[0]}`, alice.token)
      expect(removed.statusCode).toBe(204)
      expect((await call('DELETE', `/api/favorites/${demoIds[0]}`, alice.token)).statusCode).toBe(204)
      expect((await call('GET', `/api/favorites/${demoIds[0]}`, alice.token)).json().favorited).toBe(false)
      const after = (await call('GET', '/api/favorites', alice.token)).json()
      expect(after.items.map((item: { id: number }) => item.id)).toEqual([seedId])
    })

    it('favoriting twice is one favorite that keeps its first time', async () => {
      const first = (await call('PUT', `/api/favorites/${seedId}`, alice.token)).json()
      const again = await call('PUT', `/api/favorites/${seedId}`, alice.token)
      expect(again.statusCode).toBe(200)
      expect(again.json()).toEqual(first)
      const rows = await t.db.kysely.selectFrom('favorites').selectAll().where('user_id', '=', alice.id).execute()
      expect(rows.filter((row) => row.issue_id === seedId)).toHaveLength(1)
    })

    it('an unknown or unpublished issue → 404 ISSUE_NOT_FOUND; a bad id → 400', async () => {
      expect(errorOf(await call('PUT', '/api/favorites/999999', alice.token))).toEqual([404, 'ISSUE_NOT_FOUND'])
      await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', demoIds[5]).execute()
      expect(errorOf(await call('PUT', `/api/favorites/${demoIds[5]}`, alice.token))).toEqual([404, 'ISSUE_NOT_FOUND'])
      await t.db.kysely.updateTable('issues').set({ status: 'published' }).where('id', '=', demoIds[5]).execute()
      expect(errorOf(await call('PUT', '/api/favorites/abc', alice.token))).toEqual([400, 'INVALID_PARAMETER'])
      expect(errorOf(await call('PUT', '/api/favorites/0', alice.token))).toEqual([400, 'INVALID_PARAMETER'])
    })

    it('pages with the cursor through every favorite exactly once, newest first', async () => {
      for (const id of demoIds) await call('PUT', `/api/favorites/${id}`, bob.token)
      const seen: number[] = []
      let cursor: string | null = null
      for (let pages = 0; pages < 10; pages++) {
        const response = await call('GET', `/api/favorites?limit=5${cursor ? `&cursor=${cursor}` : ''}`, bob.token)
        expect(response.statusCode).toBe(200)
        const page = response.json()
        seen.push(...page.items.map((item: { id: number }) => item.id))
        cursor = page.nextCursor
        if (!cursor) break
      }
      expect(seen).toEqual([...demoIds].reverse())
      expect(errorOf(await call('GET', '/api/favorites?limit=51', bob.token))).toEqual([400, 'INVALID_PARAMETER'])
      expect(errorOf(await call('GET', '/api/favorites?cursor=nonsense!', bob.token))).toEqual([400, 'INVALID_CURSOR'])
      expect(errorOf(await call('GET', '/api/favorites?other=1', bob.token))).toEqual([400, 'INVALID_PARAMETER'])
    })
  })

  describe('reading history', () => {
    it('records the last section, resumes from it, lists newest first, and clears', async () => {
      expect((await call('GET', `/api/history/${seedId}`, alice.token)).statusCode).toBe(204)
      const first = await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId: 's1' })
      expect(first.statusCode).toBe(200)
      expect(first.json()).toEqual({
        sectionId: 's1',
        block: null,
        percent: null,
        atPaywall: false,
        readAt: expect.any(String),
      })
      const moved = (await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId: 's2' })).json()
      const resume = await call('GET', `/api/history/${seedId}`, alice.token)
      expect(resume.statusCode).toBe(200)
      expect(resume.json()).toEqual(moved)
      expect(moved.sectionId).toBe('s2')

      await call('PUT', `/api/history/${demoIds[1]}`, alice.token, { sectionId: 's1' })
      const history = (await call('GET', '/api/history', alice.token)).json()
      expect(
        history.items.map((item: { id: number; sectionId: string; percent: number | null }) => [
          item.id,
          item.sectionId,
          item.percent,
        ]),
      ).toEqual([
        [demoIds[1], 's1', null],
        [seedId, 's2', null],
      ])
      expect(history.items[1].readAt).toBe(moved.readAt)
      expect(history.items[1].fullTitle).toBe('【山西·第32期】中部城市群高质量发展')
      expect(history.nextCursor).toBeNull()

      // Reading an issue again moves it to the top.
      await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId: 's1' })
      const reordered = (await call('GET', '/api/history?limit=1', alice.token)).json()
      expect(reordered.items.map((item: { id: number }) => item.id)).toEqual([seedId])
      const rest = (await call('GET', `/api/history?limit=1&cursor=${reordered.nextCursor}`, alice.token)).json()
      expect(rest.items.map((item: { id: number }) => item.id)).toEqual([demoIds[1]])
      expect(rest.nextCursor).toBeNull()

      expect((await call('DELETE', '/api/history', alice.token)).statusCode).toBe(204)
      expect((await call('GET', '/api/history', alice.token)).json()).toEqual({ items: [], nextCursor: null })
      expect((await call('GET', `/api/history/${seedId}`, alice.token)).statusCode).toBe(204)
    })

    it('a reader without VIP cannot record a VIP section; a VIP reader can', async () => {
      // 山西第33期 of content/ has its marker in 二、深度解读: 三、实战应用 (s3) is VIP as a whole.
      const { id } = await t.db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'shanxi-33-youji-hanzuo')
        .executeTakeFirstOrThrow()
      const refused = await call('PUT', `/api/history/${id}`, alice.token, { sectionId: 's3' })
      expect(errorOf(refused)).toEqual([400, 'UNKNOWN_SECTION'])
      expect(refused.body).not.toContain('实战应用')
      expect((await call('GET', `/api/history/${id}`, alice.token)).statusCode).toBe(204)
      const granted = await call('PUT', `/api/history/${id}`, vip.token, { sectionId: 's3' })
      expect(granted.statusCode).toBe(200)
      expect((await call('GET', `/api/history/${id}`, vip.token)).json().sectionId).toBe('s3')
    })

    it('rejects malformed and unknown sections and issues', async () => {
      for (const sectionId of ['s100', 'x1', 's01', '', 's1 ', 1]) {
        expect(errorOf(await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId }))).toEqual([
          400,
          'INVALID_BODY',
        ])
      }
      expect(errorOf(await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId: 's9' }))).toEqual([
        400,
        'UNKNOWN_SECTION',
      ])
      expect(
        errorOf(await call('PUT', `/api/history/${seedId}`, alice.token, { sectionId: 's1', extra: true })),
      ).toEqual([400, 'INVALID_BODY'])
      expect(errorOf(await call('PUT', `/api/history/${seedId}`, alice.token, {}))).toEqual([400, 'INVALID_BODY'])
      expect(errorOf(await call('PUT', '/api/history/999999', alice.token, { sectionId: 's1' }))).toEqual([
        404,
        'ISSUE_NOT_FOUND',
      ])
      const huge = await t.app.inject({
        method: 'PUT',
        url: `/api/history/${seedId}`,
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ sectionId: 's1', pad: 'x'.repeat(4000) }),
      })
      expect(errorOf(huge)).toEqual([413, 'BODY_TOO_LARGE'])
    })
  })

  describe('reading position (the block reached and how far)', () => {
    type Section = { id: string; blocks: unknown[] }
    /** The section of each block a reader gets, in order: what the app counts. */
    async function blocksOf(token: string): Promise<string[]> {
      const detail = (await call('GET', `/api/issues/${seedId}`, token)).json() as { sections: Section[] }
      return detail.sections.flatMap((section) => section.blocks.map(() => section.id))
    }

    it('records the block, works out the percent from the whole body, and resumes there', async () => {
      const dora = await signIn(t, 'dora')
      const free = await blocksOf(dora.token)
      const all = await blocksOf(vip.token)
      expect(free.length).toBeGreaterThan(3)
      expect(all.length).toBeGreaterThan(free.length)
      const block = 3
      const saved = await call('PUT', `/api/history/${seedId}`, dora.token, { sectionId: free[block], block })
      expect(saved.statusCode).toBe(200)
      const percent = Math.round((100 * (block + 1)) / all.length)
      expect(saved.json()).toEqual({
        sectionId: free[block],
        block,
        percent,
        atPaywall: false,
        readAt: expect.any(String),
      })
      expect((await call('GET', `/api/history/${seedId}`, dora.token)).json()).toEqual(saved.json())
      const history = (await call('GET', '/api/history', dora.token)).json()
      expect(history.items[0]).toMatchObject({ id: seedId, sectionId: free[block], percent })

      // The last block of the whole issue is 100%: 读完.
      const last = all.length - 1
      const end = await call('PUT', `/api/history/${seedId}`, vip.token, { sectionId: all[last], block: last })
      expect(end.json()).toMatchObject({ block: last, percent: 100 })
    })

    it('out-of-range or mismatched blocks → 400, and a reader without VIP cannot name a VIP block', async () => {
      const erin = await signIn(t, 'erin')
      const free = await blocksOf(erin.token)
      for (const block of [-1, 10000, 1.5, 'x']) {
        const answer = await call('PUT', `/api/history/${seedId}`, erin.token, { sectionId: 's1', block })
        expect([block, ...errorOf(answer)]).toEqual([block, 400, 'INVALID_BODY'])
      }
      for (const percent of [42, -1, 101]) {
        const answer = await call('PUT', `/api/history/${seedId}`, erin.token, { sectionId: 's1', block: 0, percent })
        expect(errorOf(answer)).toEqual([400, 'INVALID_BODY'])
      }
      // The first block past the paywall, named with the last free section: no block there to read.
      const behind = await call('PUT', `/api/history/${seedId}`, erin.token, {
        sectionId: free[free.length - 1],
        block: free.length,
      })
      expect(errorOf(behind)).toEqual([400, 'UNKNOWN_BLOCK'])
      // A block that is in another section than the one named.
      const other = free.findIndex((section) => section !== free[0])
      const mismatched = await call('PUT', `/api/history/${seedId}`, erin.token, { sectionId: free[0], block: other })
      expect(errorOf(mismatched)).toEqual([400, 'UNKNOWN_BLOCK'])
      expect((await call('GET', `/api/history/${seedId}`, erin.token)).statusCode).toBe(204)
    })

    it('a place behind the paywall comes back as the last free block once the membership has ended', async () => {
      const fay = await signIn(t, 'fay')
      await grantMembership(t.db.kysely, fay.id, 30, 'test', 'admin', clock)
      t.app.services.viewerCache.clear()
      const all = await blocksOf(fay.token)
      const deep = all.length - 2
      expect(
        (await call('PUT', `/api/history/${seedId}`, fay.token, { sectionId: all[deep], block: deep })).statusCode,
      ).toBe(200)
      expect((await call('GET', `/api/history/${seedId}`, fay.token)).json()).toMatchObject({
        block: deep,
        atPaywall: false,
      })

      await t.db.kysely
        .updateTable('memberships')
        .set({ expires_at: clock - 1 })
        .where('user_id', '=', fay.id)
        .execute()
      t.app.services.viewerCache.clear()
      const free = await blocksOf(fay.token)
      expect(free.length).toBeLessThan(all.length)
      const clamped = await call('GET', `/api/history/${seedId}`, fay.token)
      expect(clamped.json()).toEqual({
        sectionId: free[free.length - 1],
        block: free.length - 1,
        percent: Math.round((100 * free.length) / all.length),
        atPaywall: true,
        readAt: expect.any(String),
      })
      // The history keeps the reader's own figure: a number, no text.
      const history = (await call('GET', '/api/history', fay.token)).json()
      expect(history.items[0]).toMatchObject({ id: seedId, percent: Math.round((100 * (deep + 1)) / all.length) })
    })

    it('gives the percent of the named issues for the home list, only the reader’s own, only those read', async () => {
      const gus = await signIn(t, 'gus')
      const free = await blocksOf(gus.token)
      await call('PUT', `/api/history/${seedId}`, gus.token, { sectionId: free[1], block: 1 })
      await call('PUT', `/api/history/${demoIds[3]}`, gus.token, { sectionId: 's1' })
      const answer = await call(
        'GET',
        `/api/history/progress?ids=${seedId},${demoIds[3]},${demoIds[4]},2147483648`,
        gus.token,
      )
      expect(answer.statusCode).toBe(200)
      expect(answer.headers['cache-control']).toBe('private, no-store')
      const items = (answer.json() as { items: { issueId: number; percent: number | null }[] }).items
      expect(items.sort((a, b) => a.issueId - b.issueId)).toEqual(
        [
          { issueId: seedId, percent: expect.any(Number) },
          { issueId: demoIds[3], percent: null },
        ].sort((a, b) => a.issueId - b.issueId),
      )
      const other = (await call('GET', `/api/history/progress?ids=${seedId}`, alice.token)).json()
      expect(other.items.every((item: { percent: number | null }) => item.percent === null)).toBe(true)
      const many = Array.from({ length: 51 }, (_, index) => index + 1).join(',')
      for (const ids of ['', 'a', '0', '1,,2', '-1', many, '1,2,']) {
        const refused = await call('GET', `/api/history/progress?ids=${encodeURIComponent(ids)}`, gus.token)
        expect([ids, ...errorOf(refused)]).toEqual([ids, 400, 'INVALID_PARAMETER'])
      }
    })
  })

  describe('reader settings', () => {
    it('defaults to medium / system, saves partial changes, and keeps them', async () => {
      expect((await call('GET', '/api/settings', alice.token)).json()).toEqual({
        fontSize: 'medium',
        theme: 'system',
        answers: 'folded',
      })
      const dark = await call('PUT', '/api/settings', alice.token, { theme: 'dark' })
      expect(dark.statusCode).toBe(200)
      expect(dark.json()).toEqual({ fontSize: 'medium', theme: 'dark', answers: 'folded' })
      expect((await call('PUT', '/api/settings', alice.token, { fontSize: 'large' })).json()).toEqual({
        fontSize: 'large',
        theme: 'dark',
        answers: 'folded',
      })
      expect((await call('PUT', '/api/settings', alice.token, { fontSize: 'small', theme: 'light' })).json()).toEqual({
        fontSize: 'small',
        theme: 'light',
        answers: 'folded',
      })
      expect((await call('GET', '/api/settings', alice.token)).json()).toEqual({
        fontSize: 'small',
        theme: 'light',
        answers: 'folded',
      })
    })

    it('remembers 参考作答 shown or folded, on its own and with the other settings kept', async () => {
      expect((await call('PUT', '/api/settings', bob.token, { answers: 'shown' })).json()).toEqual({
        fontSize: 'medium',
        theme: 'system',
        answers: 'shown',
      })
      await call('PUT', '/api/settings', bob.token, { theme: 'dark' })
      expect((await call('GET', '/api/settings', bob.token)).json().answers).toBe('shown')
      expect((await call('PUT', '/api/settings', bob.token, { answers: 'folded' })).json()).toEqual({
        fontSize: 'medium',
        theme: 'dark',
        answers: 'folded',
      })
    })

    it('bad values → 400 and change nothing', async () => {
      for (const body of [
        { fontSize: 'huge' },
        { theme: 'sepia' },
        { answers: 'hidden' },
        { answers: true },
        {},
        { fontSize: 'small', color: 'red' },
      ]) {
        expect(errorOf(await call('PUT', '/api/settings', alice.token, body))).toEqual([400, 'INVALID_BODY'])
      }
      expect((await call('GET', '/api/settings', alice.token)).json()).toEqual({
        fontSize: 'small',
        theme: 'light',
        answers: 'folded',
      })
    })
  })

  describe('privacy', () => {
    it('reader B sees none of reader A’s favorites, history or settings', async () => {
      const carol = (await t.login('carol')).token
      await call('PUT', `/api/favorites/${demoIds[2]}`, alice.token)
      await call('PUT', `/api/history/${demoIds[2]}`, alice.token, { sectionId: 's1' })
      await call('PUT', '/api/settings', alice.token, { theme: 'dark' })

      expect((await call('GET', '/api/favorites', carol)).json()).toEqual({ items: [], nextCursor: null })
      expect((await call('GET', `/api/favorites/${demoIds[2]}`, carol)).json().favorited).toBe(false)
      expect((await call('GET', '/api/history', carol)).json()).toEqual({ items: [], nextCursor: null })
      expect((await call('GET', `/api/history/${demoIds[2]}`, carol)).statusCode).toBe(204)
      expect((await call('GET', '/api/settings', carol)).json()).toEqual({
        fontSize: 'medium',
        theme: 'system',
        answers: 'folded',
      })

      // B's writes touch only B's rows.
      await call('DELETE', `/api/favorites/${demoIds[2]}`, carol)
      await call('DELETE', '/api/history', carol)
      await call('PUT', '/api/settings', carol, { theme: 'light' })
      const aliceFavorites = (await call('GET', '/api/favorites', alice.token)).json()
      expect(aliceFavorites.items.map((item: { id: number }) => item.id)).toContain(demoIds[2])
      expect((await call('GET', `/api/history/${demoIds[2]}`, alice.token)).json().sectionId).toBe('s1')
      expect((await call('GET', '/api/settings', alice.token)).json().theme).toBe('dark')
      // Bob's favorites (every demo issue) do not show up in Alice's list, nor hers in his.
      const bobFavorites = (await call('GET', '/api/favorites?limit=50', bob.token)).json()
      expect(bobFavorites.items.map((item: { id: number }) => item.id)).not.toContain(seedId)
    })

    it('every route needs a sign-in: 401 LOGIN_REQUIRED without a token, INVALID_TOKEN with a bad one', async () => {
      const routes: [Method, string, unknown?][] = [
        ['PUT', `/api/favorites/${seedId}`],
        ['DELETE', `/api/favorites/${seedId}`],
        ['GET', `/api/favorites/${seedId}`],
        ['GET', '/api/favorites'],
        ['PUT', `/api/history/${seedId}`, { sectionId: 's1' }],
        ['GET', `/api/history/${seedId}`],
        ['GET', `/api/history/progress?ids=${seedId}`],
        ['GET', '/api/history'],
        ['DELETE', '/api/history'],
        ['GET', '/api/settings'],
        ['PUT', '/api/settings', { theme: 'dark' }],
      ]
      for (const [method, url, body] of routes) {
        const anonymous = await call(method, url, undefined, body)
        expect([method, url, ...errorOf(anonymous)]).toEqual([method, url, 401, 'LOGIN_REQUIRED'])
        expect(anonymous.headers['www-authenticate']).toBe('Bearer')
        const forged = await call(method, url, 'not-a-real-token', body)
        expect([method, url, ...errorOf(forged)]).toEqual([method, url, 401, 'INVALID_TOKEN'])
      }
    })
  })
})
