/**
 * npm run bench:console-queries — the operator console's two budgets (p99 ≤ 50 ms each):
 * the orders list under its filters among BENCH_ORDERS (100000) orders, and the reader search by
 * phone or nickname among BENCH_READERS (1000000) readers.
 *
 * Seeds a fresh, migrated SQLite database in bulk (prepared inserts in one transaction), and a
 * PostgreSQL database too when BENCH_DATABASE_URL is set (unnest() batches). Then starts the API
 * on it, signs a finance operator in by password, and calls GET /api/admin/orders and
 * GET /api/admin/readers over real HTTP, one request at a time, BENCH_REQUESTS (200) per query
 * kind with parameters drawn from the seeded data. Prints p50 and p99 per kind and the worst p99
 * against the budget.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { migrateToLatest, openDb } from '../server/src/db/database'
import { Operators } from '../server/src/domain/operators'
import { SHARE_CODE_ALPHABET } from '../server/src/schemas/sharing'
import { formatTable, startApi, tempDir } from './lib'
import { benchPostgres } from './lib/postgres'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100000)
const READERS = Number(process.env.BENCH_READERS ?? 1000000)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200)
const BUDGET_MS = 50
const DAY = 86400000
const NOW = Date.now()
const OPERATOR = { name: 'bench-finance', password: 'bench-console-password', role: 'finance' as const }

/** A deterministic stream of numbers, so both databases get the same data */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
]
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红玲春梅海燕晨阳光辉鹏飞宇轩浩然子涵欣怡梓萱雨彤思远嘉怡俊杰文博一诺梦琪',
]
const LATIN = ['reader', 'kaoshi', 'xuexi', 'linxuan', 'beichen', 'gongwu', 'shenlun']

interface Reader {
  id: number
  nickname: string
  phone: string | null
  createdAt: number
}
interface Order {
  id: number
  userId: number
  plan: string
  months: number
  fen: number
  rail: string
  status: string
  createdAt: number
}

function readers(): Reader[] {
  const next = random(7)
  const list: Reader[] = []
  for (let id = 1; id <= READERS; id++) {
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]
    const nickname =
      next() < 0.1
        ? `${pick(LATIN)}${Math.floor(next() * 10000)}`
        : `${pick(SURNAMES)}${pick(GIVEN)}${next() < 0.6 ? pick(GIVEN) : ''}`
    // 7919 is coprime with 10^8: every reader's eight digits differ.
    const phone = next() < 0.7 ? `861${3 + (id % 7)}${String((id * 7919) % 100000000).padStart(8, '0')}` : null
    list.push({ id, nickname, phone, createdAt: NOW - Math.floor(next() * 730 * DAY) })
  }
  return list
}

const PLANS: [string, number, number][] = [
  ['month', 1, 990],
  ['half_year', 6, 4900],
  ['year', 12, 8800],
]
const STATUSES = [
  'fulfilled',
  'fulfilled',
  'fulfilled',
  'fulfilled',
  'closed',
  'closed',
  'created',
  'refunded',
  'pending',
]

function orders(): Order[] {
  const next = random(11)
  const list: Order[] = []
  for (let id = 1; id <= ORDERS; id++) {
    const [plan, months, fen] = PLANS[Math.floor(next() * PLANS.length)]
    list.push({
      id,
      userId: 1 + Math.floor(next() * READERS),
      plan,
      months,
      fen,
      rail: next() < 0.5 ? 'xpay' : 'wechatpay',
      status: STATUSES[Math.floor(next() * STATUSES.length)],
      createdAt: NOW - Math.floor(next() * 365 * DAY),
    })
  }
  return list
}

/** Every 10th reader has a share code: the id times an odd number mod 32^12 (a bijection), in base 32 */
function shareCode(id: number): string {
  let n = (BigInt(id) * 0x9e3779b97f4a7c15n) % 2n ** 60n
  let code = ''
  for (let i = 0; i < 12; i++, n /= 32n) code += SHARE_CODE_ALPHABET[Number(n % 32n)]
  return code
}

async function migrated(options: { databaseUrl: string; sqlitePath: string }): Promise<void> {
  const db = openDb(options)
  try {
    await migrateToLatest(db)
    await new Operators(db.kysely).add(OPERATOR, NOW)
  } finally {
    await db.close()
  }
}

function seedSqlite(file: string, people: Reader[], sales: Order[]): void {
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  const user = db.prepare(
    'insert into users (id, name, nickname, phone, created_at, last_login_at) values (?, null, ?, ?, ?, ?)',
  )
  const member = db.prepare('insert into memberships (user_id, expires_at, updated_at) values (?, ?, ?)')
  const code = db.prepare('insert into share_codes (user_id, code, created_at) values (?, ?, ?)')
  const order = db.prepare(
    `insert into orders (id, out_trade_no, user_id, plan_id, months, amount_fen, rail, status, openid, platform,
       request_key, created_at, expires_at, paid_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'bench-openid', 'android', ?, ?, ?, ?)`,
  )
  db.transaction(() => {
    for (const r of people) {
      user.run(r.id, r.nickname, r.phone, r.createdAt, r.createdAt)
      if (r.id % 5 === 0) member.run(r.id, NOW + ((r.id % 400) - 100) * DAY, NOW)
      if (r.id % 10 === 0) code.run(r.id, shareCode(r.id), NOW)
    }
    for (const o of sales) {
      const paid =
        o.status === 'created' || o.status === 'pending' || o.status === 'closed' ? null : o.createdAt + 60000
      order.run(
        o.id,
        `BCbench${o.id}`,
        o.userId,
        o.plan,
        o.months,
        o.fen,
        o.rail,
        o.status,
        `bench-${o.id}`,
        o.createdAt,
        o.createdAt + 7200000,
        paid,
      )
    }
  })()
  db.close()
}

async function seedPostgres(url: string, people: Reader[], sales: Order[]): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('begin')
    for (let i = 0; i < people.length; i += 20000) {
      const batch = people.slice(i, i + 20000)
      await client.query(
        `insert into users (id, nickname, phone, created_at, last_login_at)
         select id, n, p, c, c from unnest($1::int[], $2::text[], $3::text[], $4::bigint[]) as t(id, n, p, c)`,
        [
          batch.map((r) => r.id),
          batch.map((r) => r.nickname),
          batch.map((r) => r.phone),
          batch.map((r) => r.createdAt),
        ],
      )
    }
    await client.query(
      `insert into memberships (user_id, expires_at, updated_at)
       select id, $1::bigint + ((id % 400) - 100) * ${DAY}::bigint, $1 from users where id % 5 = 0`,
      [NOW],
    )
    const coded = people.filter((r) => r.id % 10 === 0)
    for (let i = 0; i < coded.length; i += 20000) {
      const batch = coded.slice(i, i + 20000)
      await client.query(
        `insert into share_codes (user_id, code, created_at) select *, ${NOW}::bigint from unnest($1::int[], $2::text[])`,
        [batch.map((r) => r.id), batch.map((r) => shareCode(r.id))],
      )
    }
    for (let i = 0; i < sales.length; i += 20000) {
      const batch = sales.slice(i, i + 20000)
      await client.query(
        `insert into orders (id, out_trade_no, user_id, plan_id, months, amount_fen, rail, status, openid, platform,
           request_key, created_at, expires_at)
         select id, 'BCbench' || id, u, p, m, f, r, s, 'bench-openid', 'android', 'bench-' || id, c, c + 7200000
         from unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::bigint[])
           as t(id, u, p, m, f, r, s, c)`,
        [
          batch.map((o) => o.id),
          batch.map((o) => o.userId),
          batch.map((o) => o.plan),
          batch.map((o) => o.months),
          batch.map((o) => o.fen),
          batch.map((o) => o.rail),
          batch.map((o) => o.status),
          batch.map((o) => o.createdAt),
        ],
      )
    }
    // Identity columns go on after the ids given here.
    await client.query(`select setval(pg_get_serial_sequence('users', 'id'), ${people.length})`)
    await client.query(`select setval(pg_get_serial_sequence('orders', 'id'), ${sales.length})`)
    await client.query('commit')
    await client.query('analyze')
  } finally {
    await client.end()
  }
}

const shanghaiDay = (ms: number) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10)

/** The query kinds and how each draws its parameters */
function queryKinds(people: Reader[]): { budget: string; name: string; url: (next: () => number) => string }[] {
  const pick = <T>(items: T[], next: () => number) => items[Math.floor(next() * items.length)]
  const phoned = people.filter((r) => r.phone)
  const chinese = people.filter((r) => !/^[a-z]/.test(r.nickname))
  const day = (next: () => number, back: number) => shanghaiDay(NOW - Math.floor(next() * back) * DAY)
  const orders = (query: string) => `/api/admin/orders?limit=20${query}`
  const search = (q: string) => `/api/admin/readers?q=${encodeURIComponent(q)}`
  return [
    { budget: 'orders', name: 'no filter', url: () => orders('') },
    { budget: 'orders', name: 'status=fulfilled', url: () => orders('&status=fulfilled') },
    { budget: 'orders', name: 'status=refunded&rail=xpay', url: () => orders('&status=refunded&rail=xpay') },
    { budget: 'orders', name: 'planId=year', url: () => orders('&planId=year') },
    {
      budget: 'orders',
      name: 'from/to (a week)',
      url: (next) => {
        const start = Date.parse(`${day(next, 300)}T00:00:00+08:00`)
        return orders(`&from=${shanghaiDay(start)}&to=${shanghaiDay(start + 6 * DAY)}`)
      },
    },
    {
      budget: 'orders',
      name: 'status+rail+plan+from (a month)',
      url: (next) => orders(`&status=fulfilled&rail=wechatpay&planId=month&from=${day(next, 300)}`),
    },
    { budget: 'orders', name: 'userId', url: (next) => orders(`&userId=${1 + Math.floor(next() * READERS)}`) },
    { budget: 'readers', name: 'phone, last 4 digits', url: (next) => search(pick(phoned, next).phone!.slice(-4)) },
    { budget: 'readers', name: 'phone, 11 digits', url: (next) => search(pick(phoned, next).phone!.slice(2)) },
    {
      budget: 'readers',
      name: 'nickname, first 2 characters',
      url: (next) => search(pick(chinese, next).nickname.slice(0, 2)),
    },
    { budget: 'readers', name: 'nickname, whole', url: (next) => search(pick(people, next).nickname) },
    { budget: 'readers', name: 'nickname, 1 character (a surname)', url: (next) => search(pick(SURNAMES, next)) },
    {
      budget: 'readers',
      name: 'share code',
      url: (next) => search(shareCode(10 * (1 + Math.floor(next() * (READERS / 10))))),
    },
  ]
}

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/admin/session/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: OPERATOR.name, password: OPERATOR.password }),
  })
  if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`)
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

async function measure(label: string, env: Record<string, string>, people: Reader[]): Promise<number> {
  const api = await startApi(env)
  const rows: Record<string, string | number>[] = []
  let worst = 0
  try {
    const cookie = await signIn(api.url)
    const next = random(3)
    for (const kind of queryKinds(people)) {
      const times: number[] = []
      let found = 0
      // A few unmeasured calls first: statement caches and the connection warm up.
      for (let i = -5; i < REQUESTS; i++) {
        const url = kind.url(next)
        const started = performance.now()
        const response = await fetch(`${api.url}${url}`, { headers: { cookie } })
        const body = (await response.json()) as { items?: unknown[] }
        const took = performance.now() - started
        if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`)
        if (i < 0) continue
        times.push(took)
        found += body.items?.length ?? 0
      }
      times.sort((a, b) => a - b)
      const p99 = percentile(times, 99)
      worst = Math.max(worst, p99)
      rows.push({
        budget: kind.budget,
        query: kind.name,
        'rows (mean)': (found / REQUESTS).toFixed(1),
        'p50 ms': percentile(times, 50).toFixed(1),
        'p99 ms': p99.toFixed(1),
        'p99 / budget': (p99 / BUDGET_MS).toFixed(2),
      })
    }
  } finally {
    await api.stop()
  }
  const load = os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(', ')
  process.stdout.write(
    `\n${label}: ${REQUESTS} requests per query, one at a time, over HTTP (load average ${load})\n\n${formatTable(rows)}\n`,
  )
  process.stdout.write(
    `\nworst p99 ${worst.toFixed(1)} ms = ${(worst / BUDGET_MS).toFixed(2)} × the budget (${BUDGET_MS} ms): ${worst <= BUDGET_MS ? 'met' : 'NOT met'}\n`,
  )
  return worst
}

async function main(): Promise<void> {
  const dir = tempDir('beichen-bench-console-')
  let started = Date.now()
  const people = readers()
  const sales = orders()
  const sqlitePath = path.join(dir, 'console.db')
  await migrated({ databaseUrl: '', sqlitePath })
  seedSqlite(sqlitePath, people, sales)
  process.stdout.write(
    `SQLite: seeded ${READERS} readers and ${ORDERS} orders in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  )
  let worst = await measure(`SQLite (${READERS} readers, ${ORDERS} orders)`, { SQLITE_PATH: sqlitePath }, people)

  if (process.env.BENCH_DATABASE_URL) {
    const postgres = await benchPostgres()
    try {
      started = Date.now()
      await migrated({ databaseUrl: postgres.url, sqlitePath: '' })
      await seedPostgres(postgres.url, people, sales)
      process.stdout.write(
        `\nPostgreSQL (${postgres.describe}): seeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      )
      worst = Math.max(
        worst,
        await measure(`PostgreSQL (${READERS} readers, ${ORDERS} orders)`, { DATABASE_URL: postgres.url }, people),
      )
    } finally {
      await postgres.stop()
    }
  } else {
    process.stdout.write('\nPostgreSQL: skipped (set BENCH_DATABASE_URL=postgres://… to run it too)\n')
  }
  fs.rmSync(dir, { recursive: true, force: true })
  process.stdout.write(
    `\nbench:console-queries: worst p99 of every database ${worst.toFixed(1)} ms (budget ${BUDGET_MS} ms): ${worst <= BUDGET_MS ? 'met' : 'NOT met'}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:console-queries failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
