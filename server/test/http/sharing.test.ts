import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Catalog } from '../../src/domain/catalog'
import { importContent } from '../../src/domain/content-import'
import { generateDemoIssues } from '../../src/domain/demo-content'
import { Sharing } from '../../src/domain/sharing'
import { grantMembership } from '../../src/domain/membership'
import { issueToken as issueTokenIn } from '../../src/domain/users'
import {
  databaseForProcess,
  dialects,
  errorOf,
  issueToken,
  REPO_ROOT,
  SAMPLE_DIR,
  startTestApp,
  type TestApp,
} from '../helpers'

const run = promisify(execFile)

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Width and height from the IHDR chunk, the first chunk of every PNG. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

describe.each(dialects())('sharing on %s', (dialect) => {
  let t: TestApp
  let seedId: number
  let freeId: number
  let alice: { userId: number; token: string }
  let bob: { userId: number; token: string }
  let vip: { userId: number; token: string }

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await generateDemoIssues(t.db.kysely, 2, { now: Date.now() - 3600000 })
    const rows = await t.db.kysely.selectFrom('issues').select(['id', 'slug']).orderBy('id').execute()
    seedId = rows.find((row) => row.slug === 'shanxi-32-zhongbu-chengshiqun')?.id as number
    freeId = rows.find((row) => row.id !== seedId)?.id as number
    // A free issue: no paywall marker.
    await t.db.kysely
      .updateTable('issues')
      .set({ access: 'free', paywall_at: null, vip: 0 })
      .where('id', '=', freeId)
      .execute()
    alice = await issueToken(t.db, 'alice')
    bob = await issueToken(t.db, 'bob')
    vip = await issueToken(t.db, 'victor')
    await grantMembership(t.db.kysely, vip.userId, 30, 'test', 'admin', Date.now())
  })
  afterAll(() => t.close())

  const card = (id: number | string, headers: Record<string, string> = {}, query = '') =>
    t.app.inject({ url: `/api/issues/${id}/share-card.png${query}`, headers })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  describe('GET /api/issues/:id/share-card.png', () => {
    it('is a 5:4 PNG, public and cacheable, with an ETag', async () => {
      const response = await card(seedId)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('image/png')
      expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/)
      expect(response.headers.etag).toMatch(/^"card-[A-Za-z0-9_-]+"$/)
      const { width, height } = pngSize(response.rawPayload)
      expect(width * 4).toBe(height * 5)
      expect(width).toBeGreaterThanOrEqual(500)
    })

    it('is the same bytes for anonymous, non-VIP and VIP viewers', async () => {
      const anonymous = await card(seedId)
      const reader = await card(seedId, bearer(alice.token))
      const member = await card(seedId, bearer(vip.token))
      expect(reader.statusCode).toBe(200)
      expect(member.statusCode).toBe(200)
      expect(reader.rawPayload.equals(anonymous.rawPayload)).toBe(true)
      expect(member.rawPayload.equals(anonymous.rawPayload)).toBe(true)
      expect(member.headers.etag).toBe(anonymous.headers.etag)
    })

    it('shape=moments is a square card for Moments shares, the same for every viewer', async () => {
      const square = await card(seedId, {}, '?shape=moments')
      expect(square.statusCode).toBe(200)
      expect(pngSize(square.rawPayload)).toEqual({ width: 800, height: 800 })
      const member = await card(seedId, bearer(vip.token), '?shape=moments')
      expect(member.rawPayload.equals(square.rawPayload)).toBe(true)
      expect(square.headers.etag).not.toBe((await card(seedId)).headers.etag)
      expect(pngSize((await card(seedId, {}, '?shape=chat')).rawPayload)).toEqual({ width: 1000, height: 800 })
      expect(errorOf(await card(seedId, {}, '?shape=round'))).toEqual([400, 'INVALID_PARAMETER'])
      expect(errorOf(await card(seedId, {}, '?size=9000'))).toEqual([400, 'INVALID_PARAMETER'])
    })

    it('a free issue has a card of its own', async () => {
      const free = await card(freeId)
      expect(free.statusCode).toBe(200)
      expect(free.rawPayload.equals((await card(seedId)).rawPayload)).toBe(false)
    })

    it('draws nothing of the VIP part: rewriting it leaves the card byte for byte the same', async () => {
      const row = await t.db.kysely
        .selectFrom('issues')
        .select(['body_json', 'paywall_at'])
        .where('id', '=', seedId)
        .executeTakeFirstOrThrow()
      const body = JSON.parse(row.body_json) as { type: string; text?: string }[]
      // The paywall just before the first paragraph: a card that read past it would draw VIP text.
      const paywallAt = body.findIndex((node) => node.type === 'paragraph')
      expect(paywallAt).toBeGreaterThan(0)
      const rewritten = [
        ...body.slice(0, paywallAt),
        ...body.slice(paywallAt).map((node) => ('text' in node ? { ...node, text: `会员专享${node.text}` } : node)),
      ]
      const cardOf = async (nodes: unknown[]) => {
        await t.db.kysely
          .updateTable('issues')
          .set({ body_json: JSON.stringify(nodes), paywall_at: paywallAt })
          .where('id', '=', seedId)
          .execute()
        t.app.services.dropContentCaches()
        return card(seedId)
      }
      try {
        const original = await cardOf(body)
        const changed = await cardOf(rewritten)
        expect(changed.statusCode).toBe(200)
        expect(changed.rawPayload.equals(original.rawPayload)).toBe(true)
        expect(changed.headers.etag).toBe(original.headers.etag)
      } finally {
        await t.db.kysely
          .updateTable('issues')
          .set({ body_json: row.body_json, paywall_at: row.paywall_at })
          .where('id', '=', seedId)
          .execute()
        t.app.services.dropContentCaches()
      }
    })

    it('answers 304 to a matching If-None-Match, 200 to another', async () => {
      const first = await card(seedId)
      const etag = first.headers.etag as string
      const again = await card(seedId, { 'if-none-match': etag })
      expect(again.statusCode).toBe(304)
      expect(again.rawPayload.length).toBe(0)
      expect(again.headers.etag).toBe(etag)
      expect((await card(seedId, { 'if-none-match': `W/${etag}` })).statusCode).toBe(304)
      expect((await card(seedId, { 'if-none-match': '"card-other"' })).statusCode).toBe(200)
    })

    it('unknown, draft and future issues → 404 ISSUE_NOT_FOUND; a bad id → 400', async () => {
      expect(errorOf(await card(999999))).toEqual([404, 'ISSUE_NOT_FOUND'])
      await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', freeId).execute()
      expect(errorOf(await card(freeId))).toEqual([404, 'ISSUE_NOT_FOUND'])
      await t.db.kysely
        .updateTable('issues')
        .set({ status: 'published', published_at: Date.now() + 86400000 })
        .where('id', '=', freeId)
        .execute()
      expect(errorOf(await card(freeId))).toEqual([404, 'ISSUE_NOT_FOUND'])
      await t.db.kysely
        .updateTable('issues')
        .set({ published_at: Date.now() - 86400000 })
        .where('id', '=', freeId)
        .execute()
      expect((await card(freeId)).statusCode).toBe(200)
      expect(errorOf(await card('abc'))).toEqual([400, 'INVALID_PARAMETER'])
      expect(errorOf(await card(0))).toEqual([400, 'INVALID_PARAMETER'])
    })

    it('is drawn again after a content edit, and after the content caches are dropped', async () => {
      const before = await card(seedId)
      const row = await t.db.kysely
        .selectFrom('issues')
        .select(['title', 'content_hash'])
        .where('id', '=', seedId)
        .executeTakeFirstOrThrow()
      try {
        // A re-import changes the content hash: a new card at once.
        await t.db.kysely
          .updateTable('issues')
          .set({ title: '改过的标题', content_hash: `edited-${row.content_hash.slice(7)}` })
          .where('id', '=', seedId)
          .execute()
        const edited = await card(seedId)
        expect(edited.rawPayload.equals(before.rawPayload)).toBe(false)
        expect(edited.headers.etag).not.toBe(before.headers.etag)
        expect((await card(seedId, { 'if-none-match': before.headers.etag as string })).statusCode).toBe(200)

        // Same hash, other title: only dropping the caches (as every content change does) shows it.
        await t.db.kysely.updateTable('issues').set({ title: '再改一次' }).where('id', '=', seedId).execute()
        expect((await card(seedId)).rawPayload.equals(edited.rawPayload)).toBe(true)
        t.app.services.dropContentCaches()
        expect((await card(seedId)).rawPayload.equals(edited.rawPayload)).toBe(false)
      } finally {
        await t.db.kysely.updateTable('issues').set(row).where('id', '=', seedId).execute()
        t.app.services.dropContentCaches()
      }
      expect((await card(seedId)).rawPayload.equals(before.rawPayload)).toBe(true)
    })
  })

  describe('GET /api/share-code', () => {
    it('is stable per reader, distinct between readers, and never the user id', async () => {
      const first = await t.app.inject({ url: '/api/share-code', headers: bearer(alice.token) })
      expect(first.statusCode).toBe(200)
      expect(first.headers['cache-control']).toBe('private, no-store')
      const { code } = first.json()
      expect(code).toMatch(/^[a-z2-9]{12}$/)
      expect(code).not.toContain(String(alice.userId))
      expect((await t.app.inject({ url: '/api/share-code', headers: bearer(alice.token) })).json().code).toBe(code)
      const other = (await t.app.inject({ url: '/api/share-code', headers: bearer(bob.token) })).json().code
      expect(other).toMatch(/^[a-z2-9]{12}$/)
      expect(other).not.toBe(code)
    })

    it('two first requests at once agree on one code', async () => {
      const carol = await issueToken(t.db, 'carol')
      const answers = await Promise.all(
        [1, 2, 3].map(() => t.app.inject({ url: '/api/share-code', headers: bearer(carol.token) })),
      )
      expect(new Set(answers.map((answer) => answer.json().code)).size).toBe(1)
    })

    it('anonymous → 401 LOGIN_REQUIRED', async () => {
      expect(errorOf(await t.app.inject({ url: '/api/share-code' }))).toEqual([401, 'LOGIN_REQUIRED'])
    })
  })

  describe('POST /api/share-opens', () => {
    let aliceCode: string
    let address = 0
    // Each test reports from addresses of its own, so the per-address limit is not shared between tests.
    const nextAddress = () => `10.1.${Math.floor(++address / 250)}.${address % 250}`

    beforeAll(async () => {
      aliceCode = (await t.app.inject({ url: '/api/share-code', headers: bearer(alice.token) })).json().code
    })

    const open = (payload: unknown, options: { token?: string; ip?: string; ua?: string } = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/share-opens',
        remoteAddress: options.ip ?? '10.0.0.1',
        headers: { 'user-agent': options.ua ?? 'test', ...(options.token ? bearer(options.token) : {}) },
        payload: payload as Record<string, unknown>,
      })
    const opensOf = (issueId: number) =>
      t.db.kysely.selectFrom('share_opens').selectAll().where('issue_id', '=', issueId).execute()

    it('records one open per sharer, issue, viewer and day', async () => {
      const ip = nextAddress()
      const first = await open({ issueId: seedId, sharer: aliceCode, scene: 1007 }, { ip })
      expect(first.statusCode).toBe(204)
      expect((await open({ issueId: seedId, sharer: aliceCode, scene: 1008 }, { ip })).statusCode).toBe(204)
      let rows = await opensOf(seedId)
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ sharer_user_id: alice.userId, issue_id: seedId, scene: 1007 })
      expect(rows[0].viewer_hash).toMatch(/^[0-9a-f]{32}$/)

      // Another browser at that address, and a signed-in reader (twice), are other viewers.
      expect((await open({ issueId: seedId, sharer: aliceCode, scene: null }, { ip, ua: 'other' })).statusCode).toBe(
        204,
      )
      expect(
        (await open({ issueId: seedId, sharer: aliceCode, scene: 1154 }, { ip, token: bob.token })).statusCode,
      ).toBe(204)
      await open({ issueId: seedId, sharer: aliceCode, scene: 1154 }, { ip: nextAddress(), token: bob.token })
      rows = await opensOf(seedId)
      expect(rows).toHaveLength(3)
      expect(rows.map((row) => row.scene).sort()).toEqual([1007, 1154, null].sort())
    })

    it('a reader opening their own share, or an unknown sharer, records nothing (204)', async () => {
      const before = (await opensOf(freeId)).length
      const own = await open(
        { issueId: freeId, sharer: aliceCode, scene: 1007 },
        { token: alice.token, ip: nextAddress() },
      )
      expect(own.statusCode).toBe(204)
      const unknown = await open({ issueId: freeId, sharer: 'abcdefghijkm', scene: 1007 }, { ip: nextAddress() })
      expect(unknown.statusCode).toBe(204)
      expect(await opensOf(freeId)).toHaveLength(before)
    })

    it('bad input → 400 with the field named; unknown issue → 404', async () => {
      const ip = nextAddress()
      const bad = [
        {},
        { issueId: seedId, sharer: aliceCode },
        { issueId: seedId, sharer: 'ABC', scene: 1007 },
        { issueId: seedId, sharer: `${aliceCode}x`, scene: 1007 },
        { issueId: seedId, sharer: aliceCode, scene: 99 },
        { issueId: seedId, sharer: aliceCode, scene: 1.5 },
        { issueId: seedId, sharer: aliceCode, scene: 1007, extra: 1 },
        { issueId: 0, sharer: aliceCode, scene: 1007 },
      ]
      for (const payload of bad) {
        const response = await open(payload, { ip })
        expect(response.statusCode).toBe(400)
        expect(response.json().error.code).toBe('INVALID_BODY')
        expect(response.json().error.message).toMatch(/body field/)
      }
      expect(errorOf(await open({ issueId: 999999, sharer: aliceCode, scene: 1007 }, { ip }))).toEqual([
        404,
        'ISSUE_NOT_FOUND',
      ])
      const huge = await t.app.inject({
        method: 'POST',
        url: '/api/share-opens',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ issueId: seedId, sharer: aliceCode, scene: 1007, pad: 'x'.repeat(2000) }),
      })
      expect(errorOf(huge)).toEqual([413, 'BODY_TOO_LARGE'])
    })

    it('limits the opens one address may report', async () => {
      const ip = nextAddress()
      let limited: Awaited<ReturnType<typeof open>> | undefined
      for (let i = 0; i < 80 && !limited; i += 1) {
        const response = await open({ issueId: seedId, sharer: aliceCode, scene: 1007 }, { ip, ua: `ua${i}` })
        if (response.statusCode === 429) limited = response
        else expect(response.statusCode).toBe(204)
      }
      expect(limited && errorOf(limited)).toEqual([429, 'RATE_LIMITED'])
      expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0)
    })
  })

  it('the OpenAPI document lists the sharing routes', async () => {
    const paths = Object.keys((await t.app.inject({ url: '/docs/json' })).json().paths)
    expect(paths).toEqual(
      expect.arrayContaining(['/api/issues/{id}/share-card.png', '/api/share-code', '/api/share-opens']),
    )
  })
})

describe.each(dialects())('npm run admin -- shares on %s', (dialect) => {
  it('prints opens per issue, per masked sharer and by scene', async () => {
    const database = await databaseForProcess(dialect)
    const db = database.open()
    try {
      await importContent(db, [SAMPLE_DIR])
      const issue = await db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
        .executeTakeFirstOrThrow()
      const now = Date.now()
      const { userId } = await issueTokenIn(db.kysely, 'sharer', now)
      const sharing = new Sharing(db.kysely, new Catalog(db.kysely))
      const code = await sharing.codeFor(userId, now)
      const scenes = [1007, 1007, 1008, 1154, null]
      for (const [i, scene] of scenes.entries()) {
        await sharing.recordOpen(
          { issueId: issue.id, sharer: code, scene, viewerUserId: null, viewerKey: `a:viewer${i}` },
          now,
        )
      }
      const env = { ...process.env, ...database.env, LOG_LEVEL: 'warn' }
      const cli = (args: string[]) =>
        run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', ...args], {
          cwd: REPO_ROOT,
          env,
        }).catch((error: { code: number; stdout: string; stderr: string }) => error)

      const result = await cli(['shares', '--issue', String(issue.id), '--days', '7'])
      expect('code' in result ? result.code : 0).toBe(0)
      expect(result.stdout).toContain('5 share open(s)')
      expect(result.stdout).toMatch(new RegExp(`${issue.id}\\s+5\\s+【山西·第32期】中部城市群高质量发展`))
      expect(result.stdout).toMatch(new RegExp(`${code.slice(0, 3)}\\*+${code.slice(-2)}\\s+5`))
      expect(result.stdout).not.toContain(code)
      expect(result.stdout).toMatch(/1007 单聊\s+2/)
      expect(result.stdout).toMatch(/1008 群聊\s+1/)
      expect(result.stdout).toMatch(/1154 朋友圈\s+1/)
      expect(result.stdout).toMatch(/H5 \/ unknown\s+1/)

      const bad = await cli(['shares', '--days', 'x'])
      expect('code' in bad ? bad.code : 0).toBe(64)
      expect(bad.stderr).toContain('--days')
    } finally {
      await db.close()
      await database.drop()
    }
  }, 60000)
})
