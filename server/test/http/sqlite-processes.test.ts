import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { openDb } from '../../src/db/database'
import { REPO_ROOT, SAMPLE_DIR } from '../helpers'

jest.setTimeout(120000)

/**
 * Several processes on one new SQLite file at once (two `npm start` runs, an import beside a
 * running API): each waits for the others' writes instead of failing with "database is locked".
 */
describe('processes sharing one new SQLite file', () => {
  let dir: string
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-sqlite-processes-'))))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  // The processes collide only now and then, so the race is run on three new files.
  it.each([1, 2, 3])('eight content imports started together all succeed (file %i)', async (round) => {
    const sqlitePath = path.join(dir, `shared-${round}.db`)
    const env = { ...process.env, SQLITE_PATH: sqlitePath, DATABASE_URL: '', LOG_LEVEL: 'warn' }
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/src/cli/content-import.ts', SAMPLE_DIR], {
          cwd: REPO_ROOT,
          env,
        }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
        ),
      ),
    )
    expect(runs.filter((run) => run.code !== 0)).toEqual([])

    const sampleFiles = fs.readdirSync(SAMPLE_DIR).filter((name) => name.endsWith('.md')).length
    const db = openDb({ databaseUrl: '', sqlitePath })
    try {
      const issues = await db.kysely.selectFrom('issues').select(['slug']).execute()
      expect(issues).toHaveLength(sampleFiles)
    } finally {
      await db.close()
    }
  })
})
