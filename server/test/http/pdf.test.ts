import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { importContent } from '../../src/domain/content-import'
import { demoIssueMarkdown } from '../../src/domain/demo-content'
import { maskReaderNumber, pdfRenderStats, readerNumber } from '../../src/domain/issue-pdf'
import { grantMembership } from '../../src/domain/membership'
import {
  dialects,
  errorOf,
  issueToken,
  REPO_ROOT,
  SEED_ISSUE_FILE,
  startTestApp,
  type TestApp,
  vipSentences,
} from '../helpers'

const DAY_MS = 86400000

/** Text items of each page, with where they sit; pdfjs ships ES modules only, so it runs in a child node. */
const EXTRACT = `
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs')
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const doc = await getDocument({ data: new Uint8Array(Buffer.concat(chunks)), verbosity: 0 }).promise
const pages = []
for (let number = 1; number <= doc.numPages; number += 1) {
  const page = await doc.getPage(number)
  const { items } = await page.getTextContent()
  pages.push({ height: page.view[3], items: items.map((item) => ({ text: item.str, transform: item.transform })) })
}
process.stdout.write(JSON.stringify(pages))
`

interface ExtractedPage {
  height: number
  items: { text: string; transform: number[] }[]
}

async function extractPages(pdf: Buffer): Promise<ExtractedPage[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', EXTRACT],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as ExtractedPage[])),
    )
    child.stdin?.end(pdf)
  })
}

/** Everything on the pages, and the body alone: upright text between header and footer, in reading order. */
async function pdfText(pdf: Buffer): Promise<{ all: string; body: string }> {
  const pages = await extractPages(pdf)
  const squeeze = (text: string) => text.replace(/\s+/g, '')
  const all = pages.map((page) => page.items.map((item) => item.text).join('')).join('')
  const body = pages
    .map((page) =>
      page.items
        .filter(({ transform: [, skew, , , , y] }) => skew === 0 && y > 60 && y < page.height - 60)
        .map((item) => item.text)
        .join(''),
    )
    .join('')
  return { all: squeeze(all), body: squeeze(body) }
}

function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-pdf-content-'))
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

describe.each(dialects())('GET /api/issues/:id/pdf on %s', (dialect) => {
  let t: TestApp
  let mediaDir: string
  let seedId: number
  let freeId: number
  let draftId: number
  let reader: { userId: number; token: string }
  let vip: { userId: number; token: string }
  let lapsed: { userId: number; token: string }
  const contentDirs: string[] = []

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-pdf-media-'))
    t = await startTestApp(dialect, { config: { MEDIA_DIR: mediaDir } })
    const extra = folderWith({
      // Every fifth demo issue is free.
      'free.md': demoIssueMarkdown('jiangsu', '江苏', 10, '2024-01-02'),
      'draft.md': demoIssueMarkdown('jiangsu', '江苏', 8, '2024-01-03').replace(/^---\n/, '---\nstatus: draft\n'),
    })
    contentDirs.push(extra)
    const report = await importContent(t.db, [extra])
    expect(report.problems).toEqual([])
    const rows = await t.db.kysely.selectFrom('issues').select(['id', 'slug', 'access', 'status']).execute()
    seedId = rows.find((row) => row.slug === 'shanxi-32-zhongbu-chengshiqun')?.id as number
    freeId = rows.find((row) => row.access === 'free' && row.status === 'published')?.id as number
    draftId = rows.find((row) => row.status === 'draft')?.id as number
    expect([seedId, freeId, draftId].every(Number.isInteger)).toBe(true)

    reader = await issueToken(t.db, 'reader')
    vip = await issueToken(t.db, 'vip')
    lapsed = await issueToken(t.db, 'lapsed')
    await grantMembership(t.db.kysely, vip.userId, 30, 'test', 'admin', Date.now())
    await grantMembership(t.db.kysely, lapsed.userId, 1, 'test', 'admin', Date.now() - 10 * DAY_MS)
    t.app.services.viewerCache.clear()
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(mediaDir, { recursive: true, force: true })
    for (const dir of contentDirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  const get = (id: number, token?: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: `/api/issues/${id}/pdf`,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    })
  const cachedFiles = () => fs.readdirSync(path.join(mediaDir, 'pdf')).filter((name) => name.endsWith('.pdf'))

  it('asks an anonymous reader to sign in', async () => {
    const response = await get(seedId)
    expect(errorOf(response)).toEqual([401, 'LOGIN_REQUIRED'])
    expect(response.headers['content-type']).toMatch(/^application\/json/)
  })

  it('refuses a reader without a membership with VIP_REQUIRED, for free issues too, and sends no PDF', async () => {
    for (const id of [seedId, freeId]) {
      const response = await get(id, reader.token)
      expect(errorOf(response)).toEqual([403, 'VIP_REQUIRED'])
      expect(response.json().error.message).toMatch(/VIP/)
      expect(response.body).not.toContain('%PDF')
    }
  })

  it('refuses a reader whose membership expired', async () => {
    expect(errorOf(await get(seedId, lapsed.token))).toEqual([403, 'VIP_REQUIRED'])
  })

  it('answers 404 ISSUE_NOT_FOUND for an unknown or unpublished issue, and 400 for a bad id', async () => {
    expect(errorOf(await get(999999, vip.token))).toEqual([404, 'ISSUE_NOT_FOUND'])
    expect(errorOf(await get(draftId, vip.token))).toEqual([404, 'ISSUE_NOT_FOUND'])
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/issues/abc/pdf',
      headers: { authorization: `Bearer ${vip.token}` },
    })
    expect(errorOf(bad)).toEqual([400, 'INVALID_PARAMETER'])
  })

  it('gives a VIP reader the whole issue as a PDF with the masked reader id on every page', async () => {
    const before = pdfRenderStats.renders
    const response = await get(seedId, vip.token)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/pdf')
    expect(response.headers['cache-control']).toBe('private, no-cache')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="shanxi-32-zhongbu-chengshiqun.pdf"; filename*=UTF-8''${encodeURIComponent('山西第32期-中部城市群高质量发展.pdf')}`,
    )
    expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length)
    expect(response.headers.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(pdfRenderStats.renders).toBe(before + 1)

    const pages = await extractPages(response.rawPayload)
    const { all, body } = await pdfText(response.rawPayload)
    expect(all).toContain('【山西·第32期】中部城市群高质量发展')
    expect(all).toContain('北辰遴选·苏阳老师')
    expect(all).toContain('2022-04-26')
    const sentences = vipSentences().map((sentence) => sentence.replace(/\s+/g, ''))
    expect(sentences.length).toBeGreaterThan(10)
    expect(sentences.filter((sentence) => !body.includes(sentence))).toEqual([])
    expect(all).toContain(`第${pages.length}/${pages.length}页`)

    const masked = maskReaderNumber(readerNumber(vip.userId))
    expect(masked).toMatch(/^\d{2}\*{4}\d{2}$/)
    for (const page of pages) {
      const text = page.items.map((item) => item.text).join('')
      expect(text).toContain(`北辰遴选 · 读者 ID ${masked}`)
    }
    expect(all).not.toContain(readerNumber(vip.userId))
    expect(t.logs.text()).not.toContain(sentences[0])
  })

  it('serves the same bytes from the cache the second time, and 304 on a matching If-None-Match', async () => {
    const first = await get(seedId, vip.token)
    const renders = pdfRenderStats.renders
    const second = await get(seedId, vip.token)
    expect(second.statusCode).toBe(200)
    expect(pdfRenderStats.renders).toBe(renders)
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true)
    expect(second.headers.etag).toBe(first.headers.etag)

    const notModified = await get(seedId, vip.token, { 'if-none-match': first.headers.etag as string })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.rawPayload.length).toBe(0)
    expect(notModified.headers.etag).toBe(first.headers.etag)
    const stale = await get(seedId, vip.token, { 'if-none-match': '"0123456789abcdef0123456789abcdef"' })
    expect(stale.statusCode).toBe(200)
  })

  it('renders concurrent requests for one PDF once', async () => {
    const before = pdfRenderStats.renders
    const responses = await Promise.all([get(freeId, vip.token), get(freeId, vip.token), get(freeId, vip.token)])
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200])
    expect(pdfRenderStats.renders).toBe(before + 1)
    expect(responses[1].rawPayload.equals(responses[0].rawPayload)).toBe(true)
  })

  it('never serves one reader’s PDF to another: each gets their own watermark and ETag', async () => {
    const other = await issueToken(t.db, 'other-vip')
    await grantMembership(t.db.kysely, other.userId, 30, 'test', 'admin', Date.now())
    t.app.services.viewerCache.clear()
    const mine = await get(seedId, vip.token)
    const theirs = await get(seedId, other.token)
    expect(theirs.statusCode).toBe(200)
    expect(theirs.headers.etag).not.toBe(mine.headers.etag)
    const crossed = await get(seedId, other.token, { 'if-none-match': mine.headers.etag as string })
    expect(crossed.statusCode).toBe(200)
    const { all } = await pdfText(theirs.rawPayload)
    expect(all).toContain(maskReaderNumber(readerNumber(other.userId)).replace(/\s+/g, ''))
    expect(all).not.toContain(maskReaderNumber(readerNumber(vip.userId)))
  })

  it('renders an edited issue anew and removes the old version from the cache', async () => {
    const first = await get(seedId, vip.token)
    const dir = folderWith({
      'seed.md': fs
        .readFileSync(SEED_ISSUE_FILE, 'utf8')
        .replace('## 一、背景链接', '## 一、背景链接\n\n本期修订：新增一段说明文字用于测试。'),
    })
    contentDirs.push(dir)
    expect((await importContent(t.db, [dir])).updated).toBe(1)
    t.app.services.dropContentCaches()

    const renders = pdfRenderStats.renders
    const edited = await get(seedId, vip.token)
    expect(edited.statusCode).toBe(200)
    expect(pdfRenderStats.renders).toBe(renders + 1)
    expect(edited.headers.etag).not.toBe(first.headers.etag)
    expect((await get(seedId, vip.token, { 'if-none-match': first.headers.etag as string })).statusCode).toBe(200)
    expect((await pdfText(edited.rawPayload)).body).toContain('本期修订：新增一段说明文字用于测试。')
    const seedFiles = cachedFiles().filter((name) => name.startsWith(`issue-${seedId}-`))
    expect(seedFiles.length).toBe(1)
    expect(seedFiles[0]).toMatch(new RegExp(`-r${vip.userId}\\.pdf$`))
  })

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    const operation = doc.paths['/api/issues/{id}/pdf'].get
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '304', '401', '403', '404']))
    expect(operation.responses['200'].content['application/pdf']).toBeDefined()
  })
})
