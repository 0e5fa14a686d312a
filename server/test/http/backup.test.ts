import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { openDb } from '../../src/db/database'
import { importContent } from '../../src/domain/content-import'
import { issueToken } from '../../src/domain/users'
import { databaseForProcess, REPO_ROOT, SAMPLE_DIR } from '../helpers'

const run = promisify(execFile)

function admin(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
}

/**
 * `npm run admin -- backup <file>` copies a live SQLite database (the writer still holds it open,
 * with recent commits only in its WAL), and the copy opens on its own with the content and the money.
 */
// Child processes on a loaded 2-core machine take seconds to start.
jest.setTimeout(60000)

describe('npm run admin -- backup', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-backup-'))
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }))

  it('writes a consistent copy of a running SQLite database, and never overwrites', async () => {
    const database = await databaseForProcess('sqlite')
    const db = database.open()
    try {
      await importContent(db, [SAMPLE_DIR])
      const issue = await db.kysely
        .selectFrom('issues')
        .select(['id', 'slug', 'title'])
        .orderBy('id')
        .executeTakeFirstOrThrow()
      const { userId } = await issueToken(db.kysely, 'payer', Date.now())
      const now = Date.now()
      const order = await db.kysely
        .insertInto('orders')
        .values({
          out_trade_no: 'BCBACKUP0000000001',
          user_id: userId,
          plan_id: 'month',
          months: 1,
          amount_fen: 990,
          rail: 'wechatpay',
          status: 'fulfilled',
          openid: 'o-backup-payer',
          platform: 'android',
          request_key: 'backup-test',
          prepay_id: 'wx-backup',
          transaction_id: '4200000000000000000001',
          created_at: now - 60000,
          expires_at: now + 840000,
          paid_at: now - 30000,
          fulfilled_at: now - 30000,
          granted_from: now - 30000,
          granted_until: now + 31 * 86400000,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      for (const event of ['order_created', 'paid', 'fulfilled'] as const) {
        await db.kysely
          .insertInto('ledger')
          .values({
            order_id: order.id,
            user_id: userId,
            event,
            amount_fen: event === 'order_created' ? 0 : 990,
            source: 'notification',
            detail: 'backup test',
            created_at: now,
          })
          .execute()
      }

      const target = path.join(folder, 'beichen.db')
      const made = await admin(database.env, 'backup', target)
      expect(made).toMatchObject({ code: 0, stdout: expect.stringContaining('1 order(s)') })
      // Only the backup is left: no temporary file, no -wal or -shm beside it.
      expect(fs.readdirSync(folder)).toEqual(['beichen.db'])

      const again = await admin(database.env, 'backup', target)
      expect(again.code).toBe(1)
      expect(again.stderr).toContain('never overwrites')
      expect(fs.readdirSync(folder)).toEqual(['beichen.db'])

      const copy = openDb({ databaseUrl: '', sqlitePath: target })
      try {
        const restored = await copy.kysely
          .selectFrom('issues')
          .select(['id', 'slug', 'title'])
          .where('id', '=', issue.id)
          .executeTakeFirst()
        expect(restored).toEqual(issue)
        const paid = await copy.kysely
          .selectFrom('orders')
          .selectAll()
          .where('out_trade_no', '=', 'BCBACKUP0000000001')
          .executeTakeFirstOrThrow()
        expect([paid.status, paid.amount_fen, paid.user_id, paid.transaction_id]).toEqual([
          'fulfilled',
          990,
          userId,
          '4200000000000000000001',
        ])
        const ledger = await copy.kysely
          .selectFrom('ledger')
          .select('event')
          .where('order_id', '=', paid.id)
          .orderBy('id')
          .execute()
        expect(ledger.map((row) => row.event)).toEqual(['order_created', 'paid', 'fulfilled'])
      } finally {
        await copy.close()
      }
    } finally {
      await db.close()
      await database.drop()
    }
  })

  it('refuses bad arguments, a missing database, and PostgreSQL (pointing to pg_dump)', async () => {
    const missingArgument = await admin({ SQLITE_PATH: path.join(folder, 'none.db') }, 'backup')
    expect(missingArgument.code).toBe(64)
    const noDatabase = await admin(
      { SQLITE_PATH: path.join(folder, 'none.db'), DATABASE_URL: '' },
      'backup',
      path.join(folder, 'x.db'),
    )
    expect([noDatabase.code, noDatabase.stderr]).toEqual([1, expect.stringContaining('nothing to back up')])
    expect(fs.existsSync(path.join(folder, 'none.db'))).toBe(false)
    const secret = 'postgres://beichen:s3cret-password@db.invalid:5432/beichen'
    const postgres = await admin({ DATABASE_URL: secret }, 'backup', path.join(folder, 'pg.db'))
    expect(postgres.code).toBe(64)
    expect(postgres.stderr).toContain('pg_dump --format=custom')
    expect(postgres.stderr).not.toContain('s3cret-password')
    expect(fs.existsSync(path.join(folder, 'pg.db'))).toBe(false)
  })
})
