import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { importContent } from '../../src/domain/content-import'
import { databaseForProcess, dialects, REPO_ROOT, SAMPLE_DIR } from '../helpers'

const run = promisify(execFile)

/** The publisher's view of 通知我下一期: opt-ins waiting per region and the outbox by status, no reader named. */
describe.each(dialects())('npm run admin -- subscriptions on %s', (dialect) => {
  it('prints waiting opt-ins per region, messages by status and the latest failures', async () => {
    const database = await databaseForProcess(dialect)
    const db = database.open()
    try {
      await importContent(db, [SAMPLE_DIR])
      const now = Date.now()
      const issue = await db.kysely.selectFrom('issues').select('id').executeTakeFirstOrThrow()
      const regions = await db.kysely.selectFrom('regions').select(['id', 'code']).execute()
      const regionId = (code: string) => regions.find((region) => region.code === code)?.id as number
      const readers: number[] = []
      for (const openid of ['o-reader-a', 'o-reader-b', 'o-reader-c']) {
        const user = await db.kysely
          .insertInto('users')
          .values({
            openid,
            name: null,
            unionid: null,
            session_key_enc: null,
            avatar: null,
            phone: null,
            last_login_at: null,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        readers.push(user.id)
      }
      const optIn = (userId: number, region: string, status: 'open' | 'used') =>
        db.kysely
          .insertInto('subscription_optins')
          .values({
            user_id: userId,
            region_id: regionId(region),
            template_id: 'tmpl',
            status,
            used_for_issue_id: status === 'used' ? issue.id : null,
            used_at: status === 'used' ? now : null,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      await optIn(readers[0], 'shanxi', 'open')
      await optIn(readers[0], 'shanxi', 'open')
      await optIn(readers[1], 'shanxi', 'open')
      await optIn(readers[2], 'jiangsu', 'open')
      for (const [userId, status, errcode] of [
        [readers[0], 'sent', null],
        [readers[1], 'failed', 43101],
      ] as const) {
        const used = await optIn(userId, 'shanxi', 'used')
        await db.kysely
          .insertInto('subscription_messages')
          .values({
            optin_id: used.id,
            user_id: userId,
            issue_id: issue.id,
            template_id: 'tmpl',
            status,
            attempts: 1,
            next_attempt_at: now,
            errcode,
            created_at: now,
            sent_at: status === 'sent' ? now : null,
          })
          .execute()
      }

      const { stdout } = await run(
        process.execPath,
        [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', 'subscriptions'],
        { cwd: REPO_ROOT, env: { ...process.env, ...database.env, LOG_LEVEL: 'warn' } },
      )
      expect(stdout).toMatch(/山西\s+3 opt-in\(s\), 2 reader\(s\)/)
      expect(stdout).toMatch(/江苏\s+1 opt-in\(s\), 1 reader\(s\)/)
      expect(stdout).toMatch(/failed\s+1\n/)
      expect(stdout).toMatch(/sent\s+1\n/)
      expect(stdout).toMatch(new RegExp(`issue ${issue.id}\\s+errcode 43101\\s+attempts 1`))
      expect(stdout).not.toContain('o-reader')
    } finally {
      await db.close()
      await database.drop()
    }
  }, 60000)
})
