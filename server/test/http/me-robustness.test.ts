import crypto from 'node:crypto'
import { dialects, errorOf, startWeChatTestApp, type WeChatTestApp } from '../helpers'

/** Malformed avatar uploads and racing phone bindings: the client's 4xx, never a 500. */
describe.each(dialects())('/api/me under malformed and racing requests on %s', (dialect) => {
  let t: WeChatTestApp
  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, { config: { LOGIN_RATE_PER_IP: 1000, LOGIN_RATE_PER_USER: 1000 } })
  })
  afterAll(() => t.close())

  describe('avatar upload', () => {
    const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(64)])
    const malformed: [string, string, Buffer][] = [
      ['no boundary in the content type', 'multipart/form-data', Buffer.from(`${part}x\r\n--${boundary}--\r\n`)],
      [
        'a body cut off inside the file',
        `multipart/form-data; boundary=${boundary}`,
        Buffer.concat([Buffer.from(part), png]),
      ],
    ]

    it.each(malformed)('answers %s with 400 INVALID_UPLOAD, both methods', async (_name, contentType, payload) => {
      const { token } = await t.login('uploader')
      for (const method of ['PUT', 'POST'] as const) {
        const response = await t.app.inject({
          method,
          url: '/api/me/avatar',
          headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
          payload,
        })
        expect(errorOf(response)).toEqual([400, 'INVALID_UPLOAD'])
        expect(response.json().error.message).toContain('multipart/form-data')
      }
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).json()
          .avatarUrl,
      ).toBeNull()
    })

    it('still takes a well-formed upload', async () => {
      const { token } = await t.login('uploader-ok')
      const response = await t.app.inject({
        method: 'PUT',
        url: '/api/me/avatar',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat([Buffer.from(part), png, Buffer.from(`\r\n--${boundary}--\r\n`)]),
      })
      expect(response.statusCode).toBe(200)
      expect(response.json().avatarUrl).toMatch(/\.png$/)
    })
  })

  describe('phone binding', () => {
    it('readers binding one phone at the same moment: one 200, the others the sequential 409, each refusal recorded', async () => {
      const readers = ['race-a', 'race-b', 'race-c', 'race-d', 'race-e', 'race-f']
      // Several rounds, each on a phone of its own, so the bindings really overlap at least once.
      for (let round = 0; round < 4; round++) {
        const national = `1390000${String(round).padStart(4, '0')}`
        const prepared = await Promise.all(
          readers.map(async (name) => {
            const user = `${name}-${round}`
            const { token } = await t.login(user)
            return { token, code: await t.phoneCode(user, national) }
          }),
        )
        const responses = await Promise.all(
          prepared.map(({ token, code }) =>
            t.app.inject({
              method: 'POST',
              url: '/api/me/phone',
              headers: { authorization: `Bearer ${token}` },
              payload: { code },
            }),
          ),
        )
        const statuses = responses.map((response) => response.statusCode).sort()
        expect([national, ...statuses]).toEqual([national, 200, 409, 409, 409, 409, 409])
        for (const response of responses.filter((r) => r.statusCode === 409)) {
          expect(response.json().error.code).toBe('PHONE_LINKED_ELSEWHERE')
        }
        const holders = await t.db.kysely
          .selectFrom('users')
          .select('id')
          .where('phone', '=', `86${national}`)
          .execute()
        expect(holders).toHaveLength(1)
        const refusals = await t.db.kysely
          .selectFrom('member_links')
          .select(['action', 'user_id', 'detail'])
          .where('phone', '=', `86${national}`)
          .execute()
        expect(refusals).toHaveLength(5)
        for (const refusal of refusals) {
          expect(refusal.action).toBe('refused')
          expect(refusal.detail).toBe(`phone is bound to user ${holders[0].id}`)
        }
      }
    })
  })
})
