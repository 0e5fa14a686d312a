import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { openDb } from '../../src/db/database'
import { importContent } from '../../src/domain/content-import'
import { demoIssueMarkdown } from '../../src/domain/demo-content'
import { dialects, freshDb, REPO_ROOT, SAMPLE_DIR, SAMPLE_ISSUES, startTestApp, type TestDb } from '../helpers'

const run = promisify(execFile)

function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-content-'))
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

const good = (number: number) => demoIssueMarkdown('jiangsu', '江苏', number, '2024-01-0' + ((number % 9) + 1))

describe.each(dialects())('content import on %s', (dialect) => {
  let t: TestDb
  beforeEach(async () => {
    t = await freshDb(dialect)
  })
  afterEach(() => t.drop())

  const count = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('issues')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('imports valid files, skips a file with problems and reports file:line for each', async () => {
    const broken = good(2)
      .replace('region: jiangsu', 'region: atlantis')
      .replace('date: 2024-01-03', 'date: 2024-13-01')
    const dir = folderWith({ 'a.md': good(1), 'b.md': broken, 'c.md': good(3) })
    const lines: string[] = []
    const report = await importContent(t.db, [dir], { progress: (line) => lines.push(line) })
    expect(report).toMatchObject({ files: 3, created: 2, failed: 1 })
    expect(report.problems).toEqual([
      `${path.join(dir, 'b.md')}:4: unknown region "atlantis": use a code such as shanxi or jiangsu`,
      `${path.join(dir, 'b.md')}:7: date "2024-13-01" must be a real date written YYYY-MM-DD`,
    ])
    expect(lines).toHaveLength(3)
    expect(await count()).toBe(2)
  })

  it('re-import updates by slug and never duplicates; unchanged files stay unchanged', async () => {
    const dir = folderWith({ 'a.md': good(1) })
    expect((await importContent(t.db, [dir])).created).toBe(1)
    expect((await importContent(t.db, [dir])).unchanged).toBe(1)
    fs.writeFileSync(path.join(dir, 'a.md'), good(1).replace('title: 示例·', 'title: 示例（修订）·'))
    expect((await importContent(t.db, [dir])).updated).toBe(1)
    expect(await count()).toBe(1)
    const row = await t.db.kysely.selectFrom('issues').select('title').executeTakeFirstOrThrow()
    expect(row.title.startsWith('示例（修订）')).toBe(true)
  })

  it('--dry-run validates and writes nothing', async () => {
    const report = await importContent(t.db, [SAMPLE_DIR], { dryRun: true })
    expect(report).toMatchObject({ files: SAMPLE_ISSUES, created: SAMPLE_ISSUES, failed: 0 })
    expect(await count()).toBe(0)
    await importContent(t.db, [SAMPLE_DIR])
    expect(await importContent(t.db, [SAMPLE_DIR], { dryRun: true })).toMatchObject({
      unchanged: SAMPLE_ISSUES,
      updated: 0,
    })
  })

  it('refuses a second slug for a number its series already has', async () => {
    const dir = folderWith({ 'a.md': good(1), 'b.md': good(1).replace('slug: demo-jiangsu-1', 'slug: another-slug') })
    const report = await importContent(t.db, [dir])
    expect(report.created).toBe(1)
    expect(report.problems).toEqual([
      expect.stringMatching(/b\.md:5: issue number 1 of region jiangsu .* already belongs to "demo-jiangsu-1"/),
    ])
    expect(await count()).toBe(1)
  })

  it('the same slug in two files of one run is a problem', async () => {
    const dir = folderWith({ 'a.md': good(1), 'b.md': good(1) })
    const report = await importContent(t.db, [dir])
    expect(report.problems).toEqual([expect.stringContaining('b.md:2: slug "demo-jiangsu-1" is also used by')])
  })
})

describe('npm run content:import', () => {
  it('prints a line per file, the problems as file:line and a summary, and exits 1 on problems', async () => {
    const dir = folderWith({ 'ok.md': good(1), 'bad.md': good(2).replace('access: vip', 'access: paid') })
    const db = path.join(dir, 'cli.db')
    const result = await run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/content-import.ts', dir], {
      cwd: REPO_ROOT,
      env: { ...process.env, SQLITE_PATH: db, DATABASE_URL: '' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error)
    expect('code' in result ? result.code : 0).toBe(1)
    expect(result.stdout).toContain(`✓ ${path.join(dir, 'ok.md')}: created demo-jiangsu-1`)
    expect(result.stdout).toContain('2 file(s): 1 created, 0 updated, 0 unchanged, 1 with problems')
    expect(result.stderr).toContain(`${path.join(dir, 'bad.md')}:9: access must be "free" or "vip", not "paid"`)
  }, 30000)

  it('without arguments prints how to use it', async () => {
    const result = await run(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/content-import.ts'], {
      cwd: REPO_ROOT,
    }).catch((error: { code: number; stderr: string }) => error)
    expect('code' in result ? result.code : 0).toBe(64)
    expect(result.stderr).toContain('usage: npm run content:import')
  }, 30000)
})

describe('a running server sees content imported by another process (SQLite)', () => {
  it('drops its caches when the database file changes', async () => {
    const t = await startTestApp('sqlite')
    try {
      const slugs = async (): Promise<string[]> =>
        (await t.app.inject({ url: '/api/issues?region=jiangsu&limit=50' }))
          .json()
          .items.map((item: { slug: string }) => item.slug)
      // 江苏 has sample issues of content/ already; the other process adds its 第1期.
      const before = await slugs()
      expect(before).not.toContain('demo-jiangsu-1')
      const other = openDb({ databaseUrl: '', sqlitePath: t.sqlitePath as string })
      await importContent(other, [folderWith({ 'a.md': good(1) })])
      await other.close()
      expect((await slugs()).sort()).toEqual([...before, 'demo-jiangsu-1'].sort())
    } finally {
      await t.close()
    }
  })
})
