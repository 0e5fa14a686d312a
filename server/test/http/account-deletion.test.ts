import type { Db } from '../../src/db/database'
import type { OrderStatus } from '../../src/db/schema'
import { importMembers, parseMembersCsv } from '../../src/domain/members'
import { dialects, errorOf, startWeChatTestApp, type WeChatTestApp } from '../helpers'

/**
 * 注销账号 (DELETE /api/me): the reader's personal data goes and their WeChat account is let go;
 * orders and the ledger stay (the law keeps transaction records). Refused while an order is open.
 */

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

function avatarUpload() {
  const boundary = '----beichen-delete-test'
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    PNG,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** An order row as the payments code leaves it, with its ledger row */
async function order(db: Db, userId: number, status: OrderStatus, n: number): Promise<number> {
  const now = Date.now()
  const { id } = await db.kysely
    .insertInto('orders')
    .values({
      out_trade_no: `DEL${n}${now}`,
      user_id: userId,
      plan_id: 'month',
      months: 1,
      amount_fen: 990,
      rail: 'xpay',
      status,
      openid: `o-delete-${n}`,
      platform: 'android',
      request_key: `delete-${n}-${now}`,
      prepay_id: null,
      sign_data: null,
      transaction_id: null,
      created_at: now,
      expires_at: now + 900_000,
      paid_at: null,
      fulfilled_at: null,
      closed_at: null,
      refunded_at: null,
      last_queried_at: null,
      granted_from: null,
      granted_until: null,
      refund_no: null,
      next_query_at: null,
      refund_failure: null,
      refund_requested_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.kysely
    .insertInto('ledger')
    .values({
      order_id: id,
      user_id: userId,
      event: 'paid',
      amount_fen: 990,
      source: 'query',
      detail: '',
      created_at: now,
    })
    .execute()
  return id
}

describe.each(dialects())('注销账号 on %s', (dialect) => {
  let t: WeChatTestApp
  beforeAll(async () => {
    t = await startWeChatTestApp(dialect)
  })
  afterAll(() => t?.close())

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const count = async (
    table: 'favorites' | 'reading_progress' | 'share_codes' | 'sessions' | 'member_links',
    userId: number,
  ) =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('removes the profile, phone link, study data and sessions; keeps orders and the ledger; a new sign-in is a new account', async () => {
    const { rows } = parseMembersCsv('phone,name,vip_expires_at\n13900139000,老会员,2099-12-31\n')
    await importMembers(t.db.kysely, rows, Date.now())
    const { token, body } = await t.login('leaving')
    const userId = body.me.id
    const issueId = (await t.db.kysely.selectFrom('issues').select('id').executeTakeFirstOrThrow()).id

    expect((await call('PATCH', '/api/me', token, { nickname: '要走的人' })).statusCode).toBe(200)
    const upload = avatarUpload()
    const uploaded = await t.app.inject({
      method: 'POST',
      url: '/api/me/avatar',
      headers: { authorization: `Bearer ${token}`, ...upload.headers },
      payload: upload.payload,
    })
    expect(uploaded.statusCode).toBe(200)
    const avatarUrl = uploaded.json().avatarUrl as string
    const bound = await call('POST', '/api/me/phone', token, { code: await t.phoneCode('leaving', '13900139000') })
    expect([bound.statusCode, bound.json().linkedMember]).toEqual([200, true])
    expect((await call('PUT', `/api/favorites/${issueId}`, token)).statusCode).toBeLessThan(300)
    expect((await call('PUT', `/api/history/${issueId}`, token, { sectionId: 's1' })).statusCode).toBe(200)
    expect((await call('GET', '/api/share-code', token)).statusCode).toBe(200)
    const settled = await order(t.db, userId, 'fulfilled', 1)

    const deleted = await call('DELETE', '/api/me', token)
    expect(deleted.statusCode).toBe(204)

    // The token is gone with the account.
    expect(errorOf(await call('GET', '/api/me', token))[0]).toBe(401)
    const user = await t.db.kysely.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow()
    expect(user).toMatchObject({
      openid: null,
      unionid: null,
      session_key_enc: null,
      nickname: '',
      avatar: null,
      phone: null,
    })
    for (const table of ['favorites', 'reading_progress', 'share_codes', 'sessions', 'member_links'] as const) {
      expect([table, await count(table, userId)]).toEqual([table, 0])
    }
    expect((await t.app.inject({ method: 'GET', url: new URL(avatarUrl, 'http://x').pathname })).statusCode).toBe(404)
    // The web member's phone is free for its owner to link again.
    const member = await t.db.kysely.selectFrom('members').selectAll().executeTakeFirstOrThrow()
    expect(member.linked_user_id).toBeNull()
    // Transaction records stay.
    expect(
      await t.db.kysely.selectFrom('orders').select('id').where('id', '=', settled).executeTakeFirst(),
    ).toBeTruthy()
    expect(await t.db.kysely.selectFrom('ledger').select('id').where('order_id', '=', settled).execute()).toHaveLength(
      1,
    )

    // The same WeChat user signing in again starts afresh: no nickname, no phone, no VIP.
    const again = await t.login('leaving')
    expect(again.body.me.id).not.toBe(userId)
    expect(again.body.me).toMatchObject({ nickname: '', phone: null, membership: { active: false } })
  })

  it('is refused while an order is unpaid, being fulfilled or refunding, and changes nothing', async () => {
    const { token, body } = await t.login('paying')
    expect((await call('PATCH', '/api/me', token, { nickname: '付款中' })).statusCode).toBe(200)
    for (const [n, status] of (['pending', 'paid', 'refunding'] as const).entries()) {
      const open = await order(t.db, body.me.id, status, 10 + n)
      expect(errorOf(await call('DELETE', '/api/me', token))).toEqual([409, 'ORDER_IN_PROGRESS'])
      await t.db.kysely.updateTable('orders').set({ status: 'closed' }).where('id', '=', open).execute()
    }
    expect((await call('GET', '/api/me', token)).json().nickname).toBe('付款中')
    expect((await call('DELETE', '/api/me', token)).statusCode).toBe(204)
  })

  it('needs a signed-in reader', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/api/me' })).statusCode).toBe(401)
  })
})
