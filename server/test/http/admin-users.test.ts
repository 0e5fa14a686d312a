import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { issueToken } from '../../src/domain/users'
import { databaseForProcess, dialects, REPO_ROOT } from '../helpers'

const run = promisify(execFile)

/**
 * Operators name users as `#7` (the id) or `alice` (the name). A bare number is refused where a
 * user is expected and as a new name: `token 7` once made a user named "7" while `grant-vip 7`
 * granted the user with id 7.
 */
describe.each(dialects())('npm run admin -- users by #id or name on %s', (dialect) => {
  it('tells ids from names and refuses the ambiguous ones', async () => {
    const database = await databaseForProcess(dialect)
    const db = database.open()
    try {
      const env = { ...process.env, ...database.env, LOG_LEVEL: 'warn' }
      const cli = (...args: string[]) =>
        run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', ...args], {
          cwd: REPO_ROOT,
          env,
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (error: { code: number; stdout: string; stderr: string }) => error,
        )
      // Users 1 and 2 exist, so a bare "1" could mean either the id or a new name.
      const bob = await issueToken(db.kysely, 'bob', Date.now())
      await issueToken(db.kysely, 'carol', Date.now())
      const vipUntil = async (userId: number) =>
        (
          await db.kysely
            .selectFrom('memberships')
            .select('expires_at')
            .where('user_id', '=', userId)
            .executeTakeFirst()
        )?.expires_at ?? null

      const made = await cli('token', 'alice')
      expect(made.code).toBe(0)
      const alice = Number(/^user (\d+) \(alice\)$/m.exec(made.stdout)?.[1])
      expect(made.stdout).toMatch(/\ntoken [A-Za-z0-9_-]+\n$/)

      const [digits, hash, bareGrant, bareRevoke, bareOrders] = await Promise.all([
        cli('token', String(bob.userId)),
        cli('token', `#${bob.userId}`),
        cli('grant-vip', String(bob.userId), '30'),
        cli('revoke-vip', String(bob.userId), '1', 'test'),
        cli('orders', '--user', String(bob.userId)),
      ])
      for (const refused of [digits, bareGrant, bareRevoke, bareOrders]) {
        expect(refused.code).toBe(64)
        expect(refused.stderr).toContain(`#${bob.userId}`)
      }
      expect(hash.code).toBe(64)
      const names = await db.kysely.selectFrom('users').select('name').execute()
      expect(names.map((row) => row.name).sort()).toEqual(['alice', 'bob', 'carol'])
      expect(await vipUntil(bob.userId)).toBeNull()

      const byId = await cli('grant-vip', `#${bob.userId}`, '30', 'by id')
      expect([byId.code, byId.stdout]).toEqual([
        0,
        expect.stringMatching(new RegExp(`^user ${bob.userId} is VIP until`)),
      ])
      expect(await vipUntil(bob.userId)).toBeGreaterThan(Date.now() + 29 * 86400000)
      const byName = await cli('grant-vip', 'alice', '30')
      expect([byName.code, byName.stdout]).toEqual([
        0,
        expect.stringMatching(new RegExp(`^user ${alice} is VIP until`)),
      ])

      const missing = await cli('grant-vip', '#99999', '30')
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no user "#99999"')])
      const ledger = await cli('ledger', '--user', `#${bob.userId}`)
      expect(ledger.code).toBe(0)
      expect(ledger.stdout).toContain('30 day(s): by id')
      expect(ledger.stdout).not.toContain(`user ${alice} `)
    } finally {
      await db.close()
      await database.drop()
    }
  }, 120000)
})
