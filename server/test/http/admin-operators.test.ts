import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Operators } from '../../src/domain/operators'
import { databaseForProcess, dialects, REPO_ROOT } from '../helpers'

const run = promisify(execFile)

/**
 * `npm run admin -- operator add|list|disable`: the only way operators of the console are made
 * and disabled (docs/console.md). The password comes from ADMIN_PASSWORD when stdin is not a
 * terminal, never from an argument; a disabled operator can no longer sign in; both changes are
 * in the audit trail.
 */
describe.each(dialects())('npm run admin -- operator on %s', (dialect) => {
  it('adds, lists and disables operators, and audits it', async () => {
    const database = await databaseForProcess(dialect)
    const db = database.open()
    try {
      const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
        run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', 'operator', ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...database.env, LOG_LEVEL: 'warn', ...extraEnv },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (error: { code: number; stdout: string; stderr: string }) => error,
        )
      const password = 'correct horse battery'

      const added = await cli(['add', 'alice', '--role', 'finance', '--password'], { ADMIN_PASSWORD: password })
      expect([added.code, added.stdout]).toEqual([
        0,
        expect.stringMatching(/^operator \d+ \(alice, finance\) added\n$/),
      ])
      expect(added.stdout + added.stderr).not.toContain(password)

      const [short, badRole, noWay] = await Promise.all([
        cli(['add', 'bob', '--role', 'editor', '--password'], { ADMIN_PASSWORD: 'short' }),
        cli(['add', 'carol', '--role', 'superuser', '--password'], { ADMIN_PASSWORD: password }),
        cli(['add', 'dave', '--role', 'editor']),
      ])
      expect(short.code).not.toBe(0)
      expect(short.stderr).toContain('at least 10 characters')
      expect([badRole.code, badRole.stderr]).toEqual([64, expect.stringContaining('editor|finance|admin')])
      expect(noWay.code).toBe(64)
      const names = await db.kysely.selectFrom('operators').select('name').execute()
      expect(names.map((row) => row.name)).toEqual(['alice'])

      const taken = await cli(['add', 'alice', '--role', 'admin', '--password'], { ADMIN_PASSWORD: password })
      expect([taken.code, taken.stderr]).toEqual([1, expect.stringContaining('already belongs to an operator')])

      const operators = new Operators(db.kysely)
      expect(await operators.verifyPassword('alice', password)).toMatchObject({ name: 'alice', role: 'finance' })

      const listed = await cli(['list'])
      expect(listed.code).toBe(0)
      expect(listed.stdout).toMatch(/^\s+\d+ {2}alice\s+finance\s+enabled\s+password\n$/)

      const disabled = await cli(['disable', 'alice'])
      expect([disabled.code, disabled.stdout]).toEqual([0, expect.stringMatching(/\(alice\) is disabled\n$/)])
      expect(await operators.verifyPassword('alice', password)).toBeNull()
      const again = await cli(['disable', 'alice'])
      expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('no enabled operator named "alice"')])
      expect((await cli(['list'])).stdout).toMatch(/alice\s+finance\s+disabled \d{4}-\d\d-\d\dT/)

      const audit = await db.kysely.selectFrom('admin_audit').selectAll().orderBy('id').execute()
      expect(audit.map((row) => [row.action, row.operator_id])).toEqual([
        ['operator.add', null],
        ['operator.disable', null],
      ])
      const alice = /^operator (\d+)/.exec(added.stdout)?.[1]
      for (const row of audit) {
        expect(row.operator_name).toMatch(/^cli:/)
        expect(row.target).toBe(`operator:${alice}`)
      }
      expect(JSON.parse(audit[0].after_json ?? 'null')).toMatchObject({
        name: 'alice',
        role: 'finance',
        password: true,
      })
      expect(JSON.parse(audit[1].after_json ?? 'null')).toMatchObject({ disabled: true })
      expect(JSON.stringify(audit)).not.toContain(password)

      // --reader takes the WeChat account of a reader: the number a refused scan shows them.
      const wechatReader = await db.kysely
        .insertInto('users')
        .values({ openid: 'oReaderScanner0000000000000', name: null, created_at: Date.now() })
        .returning('id')
        .executeTakeFirstOrThrow()
      const webReader = await db.kysely
        .insertInto('users')
        .values({ openid: null, name: 'web-only', created_at: Date.now() })
        .returning('id')
        .executeTakeFirstOrThrow()
      const byReader = await cli(['add', 'erin', '--role', 'editor', '--reader', `#${wechatReader.id}`])
      expect([byReader.code, byReader.stdout]).toEqual([0, expect.stringContaining('(erin, editor) added')])
      expect((await operators.list()).find((operator) => operator.name === 'erin')?.openid).toBe(
        'oReaderScanner0000000000000',
      )
      const [noWeChat, malformed, both] = await Promise.all([
        cli(['add', 'frank', '--role', 'editor', '--reader', `#${webReader.id}`]),
        cli(['add', 'grace', '--role', 'editor', '--reader', 'someone']),
        cli(['add', 'heidi', '--role', 'editor', '--reader', `#${wechatReader.id}`, '--openid', 'oOther000000']),
      ])
      expect([noWeChat.code, noWeChat.stderr]).toEqual([1, expect.stringContaining('signed in with WeChat')])
      expect(malformed.code).toBe(64)
      expect([both.code, both.stderr]).toEqual([64, expect.stringContaining('not both')])
      expect((await operators.list()).map((operator) => operator.name).sort()).toEqual(['alice', 'erin'])
    } finally {
      await db.close()
      await database.drop()
    }
  }, 120000)
})
