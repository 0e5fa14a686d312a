import type { OperatorRole } from '../../src/domain/operators'
import { parseCsv } from '../../src/infra/csv'
import { expectGuarded, useAdminTestApp } from '../admin-callers'
import { dialects, errorOf, issueToken, type TestApp } from '../helpers'

/**
 * The console's CSV exports, web-member import and phone links (/api/admin/orders.csv,
 * /readers.csv, /members/*, /readers/:id/unlink-phone): who may call them, what the files hold,
 * the import report, and the audit rows.
 */

jest.setTimeout(60000)

const HEADER = 'phone,name,vip_expires_at'
const BOM = '\uFEFF'

describe.each(dialects())('console exports, member import and phone links on %s', (dialect) => {
  const env = useAdminTestApp(dialect)
  const { call, auditRows } = env
  let t: TestApp
  beforeAll(() => {
    t = env.t
  })
  const csvOf = (body: string) => parseCsv(body).records.map((record) => record.cells)

  it('every route needs the session, the role, and on POST the CSRF token', async () => {
    const reader = await issueToken(t.db, 'exports-outsider')
    await expectGuarded(
      call,
      [
        ['GET', '/api/admin/orders.csv', 'finance', 'editor'],
        ['GET', '/api/admin/readers.csv', 'finance', 'editor'],
        ['GET', '/api/admin/members/conflicts', 'finance', 'editor'],
        ['POST', '/api/admin/members/check', 'admin', 'finance', { csv: `${HEADER}\n` }],
        ['POST', '/api/admin/members/import', 'admin', 'finance', { csv: `${HEADER}\n`, reason: 'test' }],
        ['POST', '/api/admin/readers/1/unlink-phone', 'admin', 'finance', { reason: 'test' }],
      ],
      reader.token,
    )
    // Only the GETs by the allowed role got through: an export each audited, no import.
    expect((await auditRows('order.export')).map((row) => row.operator_name)).toEqual(['op-finance'])
    expect((await auditRows('reader.export')).map((row) => row.operator_name)).toEqual(['op-finance'])
    expect(await auditRows('member.import')).toHaveLength(0)
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    for (const path of ['/api/admin/orders.csv', '/api/admin/readers.csv', '/api/admin/members/conflicts'])
      expect(doc.paths[path].get.tags).toEqual(['admin'])
    for (const path of [
      '/api/admin/members/check',
      '/api/admin/members/import',
      '/api/admin/readers/{id}/unlink-phone',
    ])
      expect(doc.paths[path].post.tags).toEqual(['admin'])
  })

  it('orders: the list and its CSV honour status, rail, plan, reader and days; the CSV is Excel-safe and audited', async () => {
    const buyer = await issueToken(t.db, 'csv-buyer')
    const other = await issueToken(t.db, 'csv-other')
    // 2026-03-01 10:00 and 2026-03-02 23:30 Asia/Shanghai
    const march1 = Date.parse('2026-03-01T10:00:00+08:00')
    const march2 = Date.parse('2026-03-02T23:30:00+08:00')
    const order = (n: number, userId: number, values: { status: 'fulfilled' | 'closed'; plan: string; at: number }) =>
      t.db.kysely
        .insertInto('orders')
        .values({
          out_trade_no: `BCcsv${dialect}${n}`,
          user_id: userId,
          plan_id: values.plan,
          months: 1,
          amount_fen: 990,
          rail: 'wechatpay',
          status: values.status,
          openid: 'openid-csv',
          platform: 'android',
          request_key: `csv-${n}`,
          created_at: values.at,
          expires_at: values.at + 3600000,
          // A refusal text as WeChat might send it, and a formula someone might slip in.
          refund_failure: n === 1 ? '=HYPERLINK("http://x","点我"),ok' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    const first = await order(1, buyer.userId, { status: 'fulfilled', plan: 'month', at: march1 })
    const second = await order(2, buyer.userId, { status: 'closed', plan: 'month', at: march2 })
    const third = await order(3, other.userId, { status: 'fulfilled', plan: 'year', at: march2 + 1000 })

    const ids = async (query: string) =>
      (await call('GET', `/api/admin/orders?${query}`, { as: 'finance' })).json().items.map((o: { id: number }) => o.id)
    expect(await ids('from=2026-03-01&to=2026-03-02')).toEqual([third.id, second.id, first.id])
    expect(await ids('from=2026-03-02&to=2026-03-02')).toEqual([third.id, second.id])
    expect(await ids('from=2026-03-01&to=2026-03-01&rail=wechatpay')).toEqual([first.id])
    expect(await ids('from=2026-03-01&to=2026-03-02&planId=year')).toEqual([third.id])
    expect(await ids(`userId=${buyer.userId}&status=fulfilled`)).toEqual([first.id])
    expect(errorOf(await call('GET', '/api/admin/orders?from=2026-3-1', { as: 'finance' }))[0]).toBe(400)

    const response = await call('GET', '/api/admin/orders.csv?from=2026-03-01&to=2026-03-02&planId=month', {
      as: 'finance',
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect(response.body.startsWith(BOM)).toBe(true)
    const rows = csvOf(response.body)
    expect(rows[0].slice(0, 3)).toEqual(['订单ID', '商户订单号', '读者ID'])
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual([second.id, first.id])
    const firstRow = rows.find((row) => Number(row[0]) === first.id) as string[]
    expect(firstRow[5]).toBe('9.90')
    expect(firstRow[11]).toBe('2026-03-01 10:00:00')
    // The formula is shown as text; its quotes and comma survive the quoting.
    expect(firstRow[15]).toBe(`'=HYPERLINK("http://x","点我"),ok`)
    expect(response.body).toContain(`"'=HYPERLINK(""http://x"",""点我""),ok"`)

    const [audit] = await auditRows('order.export')
    expect(audit).toMatchObject({ operator_name: 'op-finance', target: 'orders' })
    expect(JSON.parse(audit.after_json as string)).toEqual({
      filters: { from: '2026-03-01', to: '2026-03-02', planId: 'month' },
      rows: 2,
      complete: true,
      truncated: false,
    })
    expect(errorOf(await call('GET', '/api/admin/orders.csv?status=nonsense', { as: 'finance' }))[0]).toBe(400)
    // No HEAD: it would run the export to throw it away.
    const head = await call('HEAD', '/api/admin/orders.csv', { as: 'finance' })
    expect(head.statusCode).toBe(404)
    expect(await auditRows('order.export')).toHaveLength(2)
  })

  it('readers: the CSV masks phones but for admin, filters by VIP, guards formulas, and is audited', async () => {
    const vip = await issueToken(t.db, 'csv-vip-reader')
    await t.db.kysely
      .updateTable('users')
      .set({ phone: '8613911112222', nickname: '@SUM(A1) "读者", 甲' })
      .where('id', '=', vip.userId)
      .execute()
    await t.app.services.readers.grantVip(vip.userId, 30, 'csv test', Date.now())
    const plain = await issueToken(t.db, 'csv-plain-reader')

    const asFinance = await call('GET', '/api/admin/readers.csv?vip=active', { as: 'finance' })
    expect(asFinance.statusCode).toBe(200)
    expect(asFinance.body.startsWith(BOM)).toBe(true)
    const rows = csvOf(asFinance.body)
    expect(rows[0]).toEqual(['读者ID', '昵称', '手机号', '会员', '会员到期', '注册时间', '最近登录'])
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual([vip.userId])
    expect(rows[1].slice(1, 4)).toEqual([`'@SUM(A1) "读者", 甲`, '139****2222', '会员'])
    expect(asFinance.body).not.toContain('13911112222')

    const asAdmin = csvOf((await call('GET', '/api/admin/readers.csv?vip=active', { as: 'admin' })).body)
    expect(asAdmin[1][2]).toBe('13911112222')
    const never = csvOf((await call('GET', '/api/admin/readers.csv?vip=never', { as: 'admin' })).body)
    expect(never.map((row) => Number(row[0]))).toContain(plain.userId)
    expect(never.map((row) => Number(row[0]))).not.toContain(vip.userId)

    const audits = (await auditRows('reader.export')).slice(0, 3)
    expect(audits.map((row) => [row.operator_name, JSON.parse(row.after_json as string).rows])).toEqual([
      ['op-admin', never.length - 1],
      ['op-admin', 1],
      ['op-finance', 1],
    ])
  })

  it('member import: a check saves nothing; the import takes the good rows, reports the bad ones and their CSV re-uploads', async () => {
    const count = async () =>
      Number(
        (
          await t.db.kysely
            .selectFrom('members')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const file = [
      HEADER,
      '13800001111,张三,2099-12-31',
      '12345,李四,2099-12-31',
      '"13800002222","王五, 网站",',
      '13800003333,赵六,明年',
      '13800001111,张三重复,',
      '',
    ].join('\r\n')
    const checked = await call('POST', '/api/admin/members/check', { as: 'admin', payload: { csv: file } })
    expect(checked.statusCode).toBe(200)
    const report = checked.json()
    expect(report).toMatchObject({
      imported: false,
      fileProblem: null,
      accepted: 2,
      result: { created: 2, updated: 0, unchanged: 0 },
    })
    expect(
      report.refused.map((row: { line: number; problems: { code: string }[] }) => [
        row.line,
        row.problems.map((p) => p.code),
      ]),
    ).toEqual([
      [3, ['PHONE_INVALID']],
      [5, ['EXPIRY_INVALID']],
      [6, ['DUPLICATE_PHONE']],
    ])
    expect(await count()).toBe(0)

    const imported = await call('POST', '/api/admin/members/import', {
      as: 'admin',
      payload: { csv: file, reason: '网站会员迁移第一批' },
    })
    expect(imported.json()).toMatchObject({ imported: true, accepted: 2, result: { created: 2 } })
    expect(await count()).toBe(2)
    const member = await t.db.kysely
      .selectFrom('members')
      .select(['name', 'vip_expires_at'])
      .where('phone', '=', '8613800002222')
      .executeTakeFirstOrThrow()
    expect(member).toEqual({ name: '王五, 网站', vip_expires_at: null })
    const [audit] = await auditRows('member.import')
    expect(audit).toMatchObject({ operator_name: 'op-admin', reason: '网站会员迁移第一批' })
    expect(audit.target).toMatch(/^file:[0-9a-f]{16}$/)
    expect(JSON.parse(audit.after_json as string)).toEqual({
      accepted: 2,
      refused: 3,
      fileProblem: null,
      created: 2,
      updated: 0,
      unchanged: 0,
    })

    // The errors CSV: the refused rows as written, with 原因, in Excel's UTF-8.
    const errorsCsv = imported.json().errorsCsv as string
    expect(errorsCsv.startsWith(BOM)).toBe(true)
    const errorRows = csvOf(errorsCsv)
    expect(errorRows[0]).toEqual(['phone', 'name', 'vip_expires_at', '原因'])
    expect(errorRows.slice(1).map((row) => row.slice(0, 3))).toEqual([
      ['12345', '李四', '2099-12-31'],
      ['13800003333', '赵六', '明年'],
      ['13800001111', '张三重复', ''],
    ])
    expect(errorRows[1][3]).toContain('不是大陆手机号')
    expect(errorRows[2][3]).toContain('YYYY-MM-DD')

    // Uploaded again as it is, the bad rows are refused again (the duplicate is alone now); fixed, they go in.
    const again = await call('POST', '/api/admin/members/check', { as: 'admin', payload: { csv: errorsCsv } })
    expect(again.json()).toMatchObject({ fileProblem: null, accepted: 1 })
    expect(again.json().refused).toHaveLength(2)
    expect(again.json().refused[0].problems[0].code).toBe('PHONE_INVALID')
    const fixed = errorsCsv.replace('12345', '13800004444').replace('明年', '2099-01-01')
    const fixedImport = await call('POST', '/api/admin/members/import', {
      as: 'admin',
      payload: { csv: fixed, reason: '修正后重新导入' },
    })
    // The duplicate of a member already imported is no longer a duplicate within the file: it updates the name.
    expect(fixedImport.json()).toMatchObject({ accepted: 3, refused: [], result: { created: 2, updated: 1 } })
    expect(await count()).toBe(4)

    const wrongHeader = await call('POST', '/api/admin/members/import', {
      as: 'admin',
      payload: { csv: 'mobile,name\n13800005555,x\n', reason: 'x' },
    })
    expect(wrongHeader.json()).toMatchObject({ imported: false, accepted: 0, fileProblem: { code: 'HEADER', line: 1 } })
    expect(csvOf(wrongHeader.json().errorsCsv)[1][3]).toContain('第一行须为表头')
  })

  it('member import: limits answer with stable codes', async () => {
    const big = `${HEADER}\n${`13800001111,${'北'.repeat(60)},\n`.repeat(5500)}`
    expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024)
    expect(errorOf(await call('POST', '/api/admin/members/check', { as: 'admin', payload: { csv: big } }))).toEqual([
      413,
      'IMPORT_TOO_LARGE',
    ])
    const huge = `${HEADER}\n${'x'.repeat(1200 * 1024)}`
    expect(errorOf(await call('POST', '/api/admin/members/check', { as: 'admin', payload: { csv: huge } }))).toEqual([
      413,
      'BODY_TOO_LARGE',
    ])
    const many = `${HEADER}\n${'13800001111,甲,\n'.repeat(5001)}`
    expect(errorOf(await call('POST', '/api/admin/members/check', { as: 'admin', payload: { csv: many } }))).toEqual([
      400,
      'IMPORT_TOO_MANY_ROWS',
    ])
    expect(
      errorOf(await call('POST', '/api/admin/members/import', { as: 'admin', payload: { csv: `${HEADER}\n` } })),
    ).toEqual([400, 'INVALID_BODY'])
    expect(
      errorOf(
        await call('POST', '/api/admin/members/import', { as: 'admin', payload: { csv: '', reason: 'empty file' } }),
      ),
    ).toEqual([400, 'INVALID_BODY'])
  })

  it('phone-link conflicts are listed until an admin unlinks the holder, audited before and after', async () => {
    const phone = '8613700007777'
    const holder = await issueToken(t.db, 'phone-holder')
    const latecomer = await issueToken(t.db, 'phone-latecomer')
    const { members } = t.app.services
    await members.import([{ line: 2, phone, name: '老会员', vipExpiresAt: null }], Date.now())
    await members.bindPhone(holder.userId, phone, Date.now())
    await expect(members.bindPhone(latecomer.userId, phone, Date.now())).rejects.toMatchObject({
      code: 'PHONE_LINKED_ELSEWHERE',
    })

    const conflicts = async (as: OperatorRole) =>
      (await call('GET', '/api/admin/members/conflicts', { as })).json().items as {
        phone: string
        triedBy: number
        holderId: number
        member: { name: string } | null
      }[]
    const listed = (await conflicts('finance')).find((row) => row.triedBy === latecomer.userId)
    expect(listed).toMatchObject({ phone: '137****7777', holderId: holder.userId, member: { name: '老会员' } })
    expect((await conflicts('admin')).find((row) => row.triedBy === latecomer.userId)?.phone).toBe('13700007777')

    expect(
      errorOf(await call('POST', `/api/admin/readers/${holder.userId}/unlink-phone`, { as: 'admin', payload: {} })),
    ).toEqual([400, 'INVALID_BODY'])
    const unlinked = await call('POST', `/api/admin/readers/${holder.userId}/unlink-phone`, {
      as: 'admin',
      payload: { reason: '号码已转给新用户' },
    })
    expect(unlinked.statusCode).toBe(200)
    expect(unlinked.json()).toMatchObject({ readerId: holder.userId, phone: '13700007777' })
    const [audit] = await auditRows('reader.unlink_phone')
    expect(audit).toMatchObject({
      operator_name: 'op-admin',
      target: `reader:${holder.userId}`,
      reason: '号码已转给新用户',
    })
    expect(JSON.parse(audit.before_json as string)).toEqual({ phone: '137****7777', memberId: expect.any(Number) })
    expect(JSON.parse(audit.after_json as string)).toEqual({ phone: null, memberId: null })
    const phoneOf = async (id: number) =>
      (await t.db.kysely.selectFrom('users').select('phone').where('id', '=', id).executeTakeFirstOrThrow()).phone
    expect(await phoneOf(holder.userId)).toBeNull()
    expect((await conflicts('admin')).find((row) => row.triedBy === latecomer.userId)).toBeUndefined()

    // The phone is free: the latecomer binds it now, and is linked to the member.
    expect(await members.bindPhone(latecomer.userId, phone, Date.now())).toEqual({ linkedMember: true })
    expect(
      errorOf(
        await call('POST', `/api/admin/readers/${holder.userId}/unlink-phone`, {
          as: 'admin',
          payload: { reason: 'x' },
        }),
      ),
    ).toEqual([409, 'NO_PHONE_BOUND'])
    expect(
      errorOf(
        await call('POST', '/api/admin/readers/2147483647/unlink-phone', { as: 'admin', payload: { reason: 'x' } }),
      ),
    ).toEqual([404, 'READER_NOT_FOUND'])
  })
})
