import crypto from 'node:crypto'
import { decodeKey } from '../../src/config'
import { SecretBox } from '../../src/infra/secret-box'
import { hashToken } from '../../src/infra/tokens'
import { importMembers, parseMembersCsv } from '../../src/domain/members'
import { dialects, SIM_APPID, startWeChatTestApp, type WeChatTestApp } from '../helpers'

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(200)])

function multipart(field: string, filename: string, contentType: string, data: Buffer) {
  const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

describe.each(dialects())('WeChat sign-in and accounts on %s', (dialect) => {
  let t: WeChatTestApp
  const responses: string[] = []
  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, { config: { LOGIN_RATE_PER_IP: 1000, LOGIN_RATE_PER_USER: 1000 } })
  })
  afterAll(() => t.close())

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token?: string, payload?: unknown) => {
    const response = await t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
    responses.push(response.body)
    return response
  }

  describe('login', () => {
    it('a wx.login code signs the reader in; the same WeChat user is the same account', async () => {
      const first = await call('POST', '/api/auth/login', undefined, { code: await t.loginCode('alice') })
      expect(first.statusCode).toBe(200)
      const body = first.json()
      expect(body).toEqual({
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
        me: {
          id: expect.any(Number),
          nickname: '',
          avatarUrl: null,
          phone: null,
          membership: { active: false, expiresAt: null },
        },
      })
      expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86400000)
      const again = (await t.login('alice')).body
      expect(again.me.id).toBe(body.me.id)
      expect(again.token).not.toBe(body.token)
      expect((await call('GET', '/api/me', body.token)).json().id).toBe(body.me.id)
    })

    it('stores the session_key encrypted, replaced on every login, and only the token hash', async () => {
      const { token } = await t.login('bob')
      const sim = (await t.control('/users/bob')) as { openid: string; sessionKey: string }
      const row = await t.db.kysely
        .selectFrom('users')
        .select(['session_key_enc', 'id'])
        .where('openid', '=', sim.openid)
        .executeTakeFirstOrThrow()
      expect(row.session_key_enc).not.toContain(sim.sessionKey)
      const box = new SecretBox(decodeKey(t.secrets.encryptionKey) as Buffer)
      expect(box.open(row.session_key_enc as string)).toBe(sim.sessionKey)
      await t.login('bob')
      const rotated = (await t.control('/users/bob')) as { sessionKey: string }
      expect(rotated.sessionKey).not.toBe(sim.sessionKey)
      const after = await t.db.kysely
        .selectFrom('users')
        .select('session_key_enc')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow()
      expect(box.open(after.session_key_enc as string)).toBe(rotated.sessionKey)
      const stored = await t.db.kysely
        .selectFrom('sessions')
        .select('token_hash')
        .where('token_hash', '=', hashToken(token))
        .execute()
      expect(stored).toHaveLength(1)
      const plain = await t.db.kysely
        .selectFrom('sessions')
        .select('token_hash')
        .where('token_hash', '=', token)
        .execute()
      expect(plain).toHaveLength(0)
    })

    it('an unknown, a used and an expired code → 401 WECHAT_CODE_INVALID', async () => {
      const unknown = await call('POST', '/api/auth/login', undefined, { code: 'no-such-code' })
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'WECHAT_CODE_INVALID'])
      const code = await t.loginCode('carol')
      expect((await call('POST', '/api/auth/login', undefined, { code })).statusCode).toBe(200)
      const used = await call('POST', '/api/auth/login', undefined, { code })
      expect([used.statusCode, used.json().error.code]).toEqual([401, 'WECHAT_CODE_INVALID'])
      const stale = await t.loginCode('carol')
      await t.control('/clock', { advanceMs: 6 * 60 * 1000 })
      const expired = await call('POST', '/api/auth/login', undefined, { code: stale })
      expect([expired.statusCode, expired.json().error.code]).toEqual([401, 'WECHAT_CODE_INVALID'])
    })

    it('WeChat busy → 503 WECHAT_BUSY with Retry-After; WeChat quota → 429', async () => {
      await t.control('/faults', { path: '/sns/jscode2session', errcode: -1, count: 1 })
      const busy = await call('POST', '/api/auth/login', undefined, { code: await t.loginCode('dave') })
      expect([busy.statusCode, busy.json().error.code]).toEqual([503, 'WECHAT_BUSY'])
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0)
      await t.control('/faults', { path: '/sns/jscode2session', errcode: 45011, count: 1 })
      const quota = await call('POST', '/api/auth/login', undefined, { code: await t.loginCode('dave') })
      expect([quota.statusCode, quota.json().error.code]).toEqual([429, 'WECHAT_RATE_LIMITED'])
      expect((await call('POST', '/api/auth/login', undefined, { code: await t.loginCode('dave') })).statusCode).toBe(
        200,
      )
    })

    it('malformed bodies → 400 naming the field', async () => {
      for (const payload of [{}, { code: '' }, { code: 'x'.repeat(500) }, { code: 'a b' }, { code: 'ok', extra: 1 }]) {
        const response = await call('POST', '/api/auth/login', undefined, payload)
        expect(response.statusCode).toBe(400)
        expect(response.json().error.code).toBe('INVALID_BODY')
      }
    })
  })

  describe('sessions', () => {
    it('tampered, revoked and expired tokens → 401; logout and logout everywhere', async () => {
      const { token } = await t.login('erin')
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
      expect((await call('GET', '/api/me', tampered)).statusCode).toBe(401)
      expect((await call('GET', '/api/me')).json().error.code).toBe('LOGIN_REQUIRED')

      expect((await call('POST', '/api/auth/logout', token)).statusCode).toBe(204)
      const revoked = await call('GET', '/api/me', token)
      expect([revoked.statusCode, revoked.json().error.code]).toEqual([401, 'INVALID_TOKEN'])

      const phone = (await t.login('erin')).token
      const laptop = (await t.login('erin')).token
      expect((await call('POST', '/api/auth/logout-all', phone)).statusCode).toBe(204)
      expect((await call('GET', '/api/me', laptop)).statusCode).toBe(401)

      const stale = (await t.login('erin')).token
      await t.db.kysely
        .updateTable('sessions')
        .set({ expires_at: Date.now() - 1 })
        .where('token_hash', '=', hashToken(stale))
        .execute()
      t.app.services.viewerCache.clear()
      expect((await call('GET', '/api/me', stale)).statusCode).toBe(401)
    })

    it('a session in use slides forward', async () => {
      const { token } = await t.login('frank')
      const soon = Date.now() + 3 * 86400000
      await t.db.kysely
        .updateTable('sessions')
        .set({ expires_at: soon })
        .where('token_hash', '=', hashToken(token))
        .execute()
      t.app.services.viewerCache.clear()
      expect((await call('GET', '/api/me', token)).statusCode).toBe(200)
      const row = await t.db.kysely
        .selectFrom('sessions')
        .select('expires_at')
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirstOrThrow()
      expect(row.expires_at).toBeGreaterThan(Date.now() + 29 * 86400000)
    })
  })

  describe('phone', () => {
    it('binds the phone from a getPhoneNumber code, masked in every answer', async () => {
      const { token } = await t.login('grace')
      const bound = await call('POST', '/api/me/phone', token, { code: await t.phoneCode('grace', '13700137000') })
      expect(bound.statusCode).toBe(200)
      expect(bound.json()).toMatchObject({ linkedMember: false, me: { phone: '137****7000' } })
      expect(responses.join('\n')).not.toContain('13700137000')
    })

    it('refuses a code whose watermark names another appid', async () => {
      const { token } = await t.login('heidi')
      const response = await call('POST', '/api/me/phone', token, {
        code: await t.phoneCode('heidi', '13600136000', 'wx1111111111111111'),
      })
      expect([response.statusCode, response.json().error.code]).toEqual([400, 'PHONE_CODE_REJECTED'])
      expect((await call('GET', '/api/me', token)).json().phone).toBeNull()
    })

    it("binding an imported member's phone carries the VIP over exactly once; a phone linked elsewhere is refused", async () => {
      const { rows } = parseMembersCsv('phone,name,vip_expires_at\n13500135000,老会员,2099-12-31\n')
      await importMembers(t.db.kysely, rows, Date.now())
      const ivan = await t.login('ivan')
      const first = await call('POST', '/api/me/phone', ivan.token, { code: await t.phoneCode('ivan', '13500135000') })
      expect(first.json()).toMatchObject({
        linkedMember: true,
        me: { membership: { active: true, expiresAt: '2099-12-31T15:59:59.999Z' } },
      })
      const again = await call('POST', '/api/me/phone', ivan.token, { code: await t.phoneCode('ivan', '13500135000') })
      expect(again.json().linkedMember).toBe(false)
      const grants = await t.db.kysely
        .selectFrom('membership_grants')
        .select('id')
        .where('source', '=', 'member_import')
        .execute()
      expect(grants).toHaveLength(1)

      const judy = await t.login('judy')
      const refused = await call('POST', '/api/me/phone', judy.token, {
        code: await t.phoneCode('judy', '13500135000'),
      })
      expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'PHONE_LINKED_ELSEWHERE'])
      expect((await call('GET', '/api/me', judy.token)).json().membership.active).toBe(false)
      const links = await t.db.kysely
        .selectFrom('member_links')
        .select(['action', 'phone'])
        .where('phone', '=', '8613500135000')
        .orderBy('id')
        .execute()
      expect(links.map((link) => link.action)).toEqual(['linked', 'refused'])

      const vipIssue = await t.db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
        .executeTakeFirstOrThrow()
      expect((await call('GET', `/api/issues/${vipIssue.id}`, ivan.token)).json().access.granted).toBe(true)
      expect((await call('GET', `/api/issues/${vipIssue.id}`, judy.token)).json().access.granted).toBe(false)
    })
  })

  describe('profile', () => {
    it('sets a nickname through msg_sec_check and refuses a risky one', async () => {
      const { token } = await t.login('kate')
      const ok = await call('PATCH', '/api/me', token, { nickname: '  遴选考生小王 ' })
      expect([ok.statusCode, ok.json().nickname]).toEqual([200, '遴选考生小王'])
      const risky = await call('PATCH', '/api/me', token, { nickname: '赌博达人' })
      expect([risky.statusCode, risky.json().error.code]).toEqual([400, 'NICKNAME_REJECTED'])
      for (const nickname of ['', 'x'.repeat(21), 'a\u0000b']) {
        expect((await call('PATCH', '/api/me', token, { nickname })).statusCode).toBe(400)
      }
    })

    it('uploads an avatar judged by content; wrong type or too large → 4xx; served with cache headers', async () => {
      const { token } = await t.login('leo')
      const auth = { authorization: `Bearer ${token}` }
      const upload = (field: string, name: string, type: string, data: Buffer, method: 'PUT' | 'POST' = 'PUT') => {
        const body = multipart(field, name, type, data)
        return t.app.inject({
          method,
          url: '/api/me/avatar',
          payload: body.payload,
          headers: { ...body.headers, ...auth },
        })
      }
      const good = await upload('file', 'me.png', 'image/png', PNG)
      expect(good.statusCode).toBe(200)
      const url = good.json().avatarUrl as string
      expect(url).toMatch(/^\/api\/media\/avatars\/\d+-[0-9a-f]{16}\.png$/)
      const served = await t.app.inject({ url })
      expect(served.statusCode).toBe(200)
      expect(served.headers['content-type']).toBe('image/png')
      expect(served.headers['cache-control']).toContain('max-age=31536000')
      expect(served.rawPayload.equals(PNG)).toBe(true)

      const viaUploadFile = await upload('file', 'me.png', 'image/png', PNG, 'POST')
      expect(viaUploadFile.json().avatarUrl).not.toBe(url)
      expect((await t.app.inject({ url })).statusCode).toBe(404)
      const disguised = await upload('file', 'me.png', 'image/png', Buffer.from('<svg onload=alert(1)>'))
      expect([disguised.statusCode, disguised.json().error.code]).toEqual([415, 'UNSUPPORTED_IMAGE'])
      const huge = await upload('file', 'big.png', 'image/png', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]))
      expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'FILE_TOO_LARGE'])
      const json = await call('PUT', '/api/me/avatar', token, { file: 'x' })
      expect(json.statusCode).toBe(415)
      expect((await t.app.inject({ url: '/api/media/avatars/..%2F..%2Fetc%2Fpasswd' })).statusCode).toBe(400)
    })
  })

  describe('secrets', () => {
    it('session_key, AppSecret and the encryption key appear in no response and no log line', async () => {
      const keys = await Promise.all(
        ['alice', 'bob', 'carol', 'erin', 'ivan'].map((user) => t.control(`/users/${user}`)),
      )
      const secrets = [
        t.secrets.appSecret,
        t.secrets.encryptionKey,
        ...keys
          .map((key) => (key as { sessionKey: string | null }).sessionKey)
          .filter((key): key is string => Boolean(key)),
      ]
      expect(secrets.length).toBeGreaterThanOrEqual(6)
      const everything = `${responses.join('\n')}\n${t.logs.text()}`
      expect(t.logs.lines.length).toBeGreaterThan(10)
      for (const secret of secrets) expect(everything).not.toContain(secret)
      expect(t.logs.text()).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/)
    })
  })

  it('the access_token is fetched once for 50 concurrent callers', async () => {
    await t.control('/reset', {})
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => t.login(`crowd${i}`)))
    t.app.services.wechatClients().accessTokens.clear()
    const before =
      ((await t.control('/stats')) as { calls: Record<string, number> }).calls['/cgi-bin/stable_token'] ?? 0
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('PATCH', '/api/me', tokens[i % 5].token, { nickname: `读者${i}` })),
    )
    expect(results.every((response) => response.statusCode === 200)).toBe(true)
    const after = ((await t.control('/stats')) as { calls: Record<string, number> }).calls['/cgi-bin/stable_token'] ?? 0
    expect(after - before).toBe(1)
  })
})

describe('login rate limits', () => {
  it('per client address and per WeChat user: 429 with Retry-After', async () => {
    const t = await startWeChatTestApp('sqlite', { config: { LOGIN_RATE_PER_IP: 3, LOGIN_RATE_PER_USER: 2 } })
    try {
      const login = async (user: string, ip: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: ip,
          payload: { code: await t.loginCode(user) },
        })
      expect((await login('mia', '10.0.0.1')).statusCode).toBe(200)
      expect((await login('mia', '10.0.0.2')).statusCode).toBe(200)
      const perUser = await login('mia', '10.0.0.3')
      expect([perUser.statusCode, perUser.json().error.code]).toEqual([429, 'RATE_LIMITED'])
      expect(Number(perUser.headers['retry-after'])).toBeGreaterThan(0)
      for (const user of ['nick', 'olga']) expect((await login(user, '10.0.0.9')).statusCode).toBe(200)
      await login('pete', '10.0.0.9')
      const perAddress = await login('quinn', '10.0.0.9')
      expect(perAddress.statusCode).toBe(429)
      expect(perAddress.headers['retry-after']).toBeDefined()
    } finally {
      await t.close()
    }
  })
})

it('SIM_APPID matches the simulator default', () => expect(SIM_APPID).toMatch(/^wx[0-9a-f]{16}$/))
