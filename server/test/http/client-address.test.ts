import { dialects, errorOf, issueToken, startTestApp, startWeChatTestApp, type TestApp } from '../helpers'

/**
 * Who the client is: X-Forwarded-For is written by the client, so it names the client only when a
 * configured proxy appended it (TRUST_PROXY). Limits and counts keyed on the address must hold.
 */
describe.each(dialects())('client addresses on %s', (dialect) => {
  describe('without TRUST_PROXY', () => {
    let t: TestApp
    let seedId: number
    let sharerCode: string

    beforeAll(async () => {
      t = await startTestApp(dialect)
      seedId = (
        await t.db.kysely
          .selectFrom('issues')
          .select('id')
          .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
          .executeTakeFirstOrThrow()
      ).id
      const alice = await issueToken(t.db, 'alice')
      sharerCode = (
        await t.app.inject({ url: '/api/share-code', headers: { authorization: `Bearer ${alice.token}` } })
      ).json().code
    })
    afterAll(() => t.close())

    it('counts an anonymous reader’s views once however X-Forwarded-For is forged', async () => {
      for (let i = 0; i < 5; i += 1) {
        const response = await t.app.inject({
          url: `/api/issues/${seedId}`,
          remoteAddress: '10.9.0.1',
          headers: { 'user-agent': 'reader', 'x-forwarded-for': `198.51.100.${i}` },
        })
        expect(response.statusCode).toBe(200)
      }
      await t.app.services.views.flush()
      const views = await t.db.kysely.selectFrom('issue_views').selectAll().where('issue_id', '=', seedId).execute()
      expect(views).toHaveLength(1)
    })

    it('records one share open per viewer however X-Forwarded-For is forged', async () => {
      for (let i = 0; i < 5; i += 1) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/share-opens',
          remoteAddress: '10.9.0.2',
          headers: { 'user-agent': 'reader', 'x-forwarded-for': `198.51.100.${i}` },
          payload: { issueId: seedId, sharer: sharerCode, scene: 1007 },
        })
        expect(response.statusCode).toBe(204)
      }
      const opens = await t.db.kysely.selectFrom('share_opens').selectAll().where('issue_id', '=', seedId).execute()
      expect(opens).toHaveLength(1)
    })

    it('the share-open limit holds against rotated X-Forwarded-For', async () => {
      let limited = false
      for (let i = 0; i < 70 && !limited; i += 1) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/share-opens',
          remoteAddress: '10.9.0.3',
          headers: { 'user-agent': `ua${i}`, 'x-forwarded-for': `198.51.${i}.1` },
          payload: { issueId: seedId, sharer: sharerCode, scene: 1007 },
        })
        limited = response.statusCode === 429
      }
      expect(limited).toBe(true)
    })

    it('says once in the log that X-Forwarded-For is ignored', async () => {
      const warnings = () => t.logs.lines.filter((line) => line.includes('X-Forwarded-For is ignored'))
      // Earlier tests sent the header already: one warning in all.
      await t.app.inject({ url: '/healthz', headers: { 'x-forwarded-for': '198.51.100.9' } })
      expect(warnings()).toHaveLength(1)
      expect(warnings()[0]).toContain('TRUST_PROXY')
    })
  })
})

describe.each(dialects())('login limit per client address on %s', (dialect) => {
  const forged = (i: number) => `198.51.100.${i}`

  it('cannot be bypassed by rotating X-Forwarded-For when no proxy is trusted', async () => {
    const t = await startWeChatTestApp(dialect, { config: { LOGIN_RATE_PER_IP: 3 } })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i += 1) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '10.0.0.1',
          headers: { 'x-forwarded-for': forged(i) },
          payload: { code: await t.loginCode(`user${i}`) },
        })
        statuses.push(response.statusCode)
        if (response.statusCode === 429) expect(errorOf(response)).toEqual([429, 'RATE_LIMITED'])
      }
      expect(statuses).toEqual([200, 200, 200, 429])
    } finally {
      await t.close()
    }
  })

  it('behind one proxy (TRUST_PROXY=1) counts the right-most entry, whatever the client put before it', async () => {
    const t = await startWeChatTestApp(dialect, { config: { LOGIN_RATE_PER_IP: 3, TRUST_PROXY: '1' } })
    try {
      const login = async (user: string, xff: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '10.0.0.254',
          headers: { 'x-forwarded-for': xff },
          payload: { code: await t.loginCode(user) },
        })
      const statuses: number[] = []
      for (let i = 0; i < 4; i += 1) statuses.push((await login(`a${i}`, `${forged(i)}, 203.0.113.7`)).statusCode)
      expect(statuses).toEqual([200, 200, 200, 429])
      // Another client behind the same proxy has a count of its own.
      expect((await login('b0', `${forged(0)}, 203.0.113.8`)).statusCode).toBe(200)
      // The address the proxy saw is what the request log names.
      expect(t.logs.text()).toContain('"remoteAddress":"203.0.113.8"')
      expect(t.logs.text()).not.toContain(`"remoteAddress":"${forged(0)}"`)
      // No warning: the header is trusted as configured.
      expect(t.logs.text()).not.toContain('X-Forwarded-For is ignored')
    } finally {
      await t.close()
    }
  })

  it('with the proxy’s addresses (TRUST_PROXY=10.0.0.0/24) trusts only those peers', async () => {
    const t = await startWeChatTestApp(dialect, { config: { LOGIN_RATE_PER_IP: 3, TRUST_PROXY: '10.0.0.0/24' } })
    try {
      const login = async (user: string, peer: string, xff: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: peer,
          headers: { 'x-forwarded-for': xff },
          payload: { code: await t.loginCode(user) },
        })
      // From the proxy: the client it names.
      expect((await login('c0', '10.0.0.254', '203.0.113.9')).statusCode).toBe(200)
      expect(t.logs.text()).toContain('"remoteAddress":"203.0.113.9"')
      // From elsewhere: the header is the client's own words, the peer is the client.
      const statuses: number[] = []
      for (let i = 0; i < 4; i += 1) statuses.push((await login(`d${i}`, '192.0.2.50', forged(i))).statusCode)
      expect(statuses).toEqual([200, 200, 200, 429])
    } finally {
      await t.close()
    }
  })
})
