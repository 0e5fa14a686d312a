import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import PDFDocument from 'pdfkit'
import type { BlockDto, SectionDto } from '../schemas/content'
import { CJK_FONT } from '../infra/fonts'
import type { GatedIssue } from './gating'

/**
 * 文档PDF下载: the whole issue as a PDF for VIP readers, with the reader's masked id as a
 * watermark on every page, cached on disk per issue version and reader.
 */

/** Bump when the layout changes, so every cached PDF renders anew. */
const LAYOUT_VERSION = 1
const BRAND = '北辰遴选'

/** The PDF is a VIP benefit for every issue, free ones too: access to it is decided like a wholly VIP issue. */
export const PDF_BENEFIT: GatedIssue = { access: 'vip', bodyLength: 1, paywallAt: null }

/** What the PDF shows of an issue: the reader's cut of it (IssueReader.detail with a member's decision). */
export interface PdfIssue {
  id: number
  slug: string
  title: string
  fullTitle: string
  number: number
  region: { name: string }
  date: string
  author: string
  sections: SectionDto[]
}

/** The reader number printed (masked) on PDFs: derived from the user id, never the openid. */
export function readerNumber(userId: number): string {
  return String(10000000 + userId)
}

/** "10****42": enough for the publisher to narrow a leak down, nothing a stranger can use. */
export function maskReaderNumber(number: string): string {
  return `${number.slice(0, 2)}****${number.slice(-2)}`
}

export function watermarkText(userId: number): string {
  return `${BRAND} · 读者 ID ${maskReaderNumber(readerNumber(userId))}`
}

/** 山西第32期-中部城市群高质量发展.pdf, without characters file systems refuse. */
export function pdfFileName(issue: Pick<PdfIssue, 'region' | 'number' | 'title'>): string {
  const name = `${issue.region.name}第${issue.number}期-${issue.title}`.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '')
  return `${name.slice(0, 80) || 'issue'}.pdf`
}

/** Content-Disposition with an ASCII fallback and the Chinese name per RFC 5987. */
export function contentDisposition(issue: Pick<PdfIssue, 'slug' | 'region' | 'number' | 'title'>): string {
  const fallback = `${issue.slug.replace(/[^A-Za-z0-9._-]/g, '') || 'issue'}.pdf`
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(pdfFileName(issue))}`
}

const PAGE = { size: 'A4' as const, margins: { top: 72, bottom: 72, left: 64, right: 64 } }
const COLORS = { text: '#222222', muted: '#777777', accent: '#b8860b', rule: '#dddddd' }

type FontName = keyof typeof CJK_FONT
/** A parsed font as pdfkit keeps it: a fontkit font, which pdfkit's registerFont also accepts. */
type ParsedFont = { layout: (...args: never[]) => unknown }
const parsedFonts = new Map<FontName, ParsedFont>()

/**
 * Registers the fonts, parsed once per process: parsing a 10 MB CJK font and its first layout take tens
 * of milliseconds that would otherwise stall the event loop on every render. pdfkit subsets per
 * document, so sharing the parsed font shares no output between PDFs.
 */
function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const name of Object.keys(CJK_FONT) as FontName[]) {
    doc.registerFont(name, (parsedFonts.get(name) ?? CJK_FONT[name]) as string)
    if (parsedFonts.has(name)) continue
    doc.font(name)
    const parsed = (doc as unknown as { _font?: { font?: ParsedFont } })._font?.font
    if (typeof parsed?.layout === 'function') parsedFonts.set(name, parsed)
  }
}

/**
 * Renders the issue. pdfkit lays text out synchronously, so the work is cut into one
 * block at a time with a yield to the event loop in between: other requests go on.
 */
export async function renderIssuePdf(issue: PdfIssue, userId: number): Promise<Buffer> {
  const doc = new PDFDocument({
    ...PAGE,
    bufferPages: true,
    // The issue's own date (Asia/Shanghai midnight), not the render time: renders of one version stay byte-identical.
    info: {
      Title: issue.fullTitle,
      Author: BRAND,
      Creator: BRAND,
      CreationDate: new Date(`${issue.date}T00:00:00+08:00`),
    },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  registerFonts(doc)
  const width = doc.page.width - PAGE.margins.left - PAGE.margins.right

  doc.font('bold').fontSize(20).fillColor(COLORS.text).text(issue.fullTitle, { width, align: 'center' })
  doc.moveDown(0.6)
  doc
    .font('regular')
    .fontSize(10)
    .fillColor(COLORS.muted)
    .text([`地区：${issue.region.name}`, `日期：${issue.date}`, `来源：${issue.author}`].join('\u3000\u3000'), {
      width,
      align: 'center',
    })
  doc.moveDown(1.2)

  for (const section of issue.sections) {
    if (section.heading) {
      doc.moveDown(0.6)
      doc.font('bold').fontSize(15).fillColor(COLORS.text).text(section.heading, { width })
      doc.moveDown(0.4)
    }
    for (const block of section.blocks) {
      drawBlock(doc, block, width)
      await yieldToEventLoop()
    }
  }

  const pages = doc.bufferedPageRange()
  for (let index = 0; index < pages.count; index += 1) {
    doc.switchToPage(pages.start + index)
    drawPageFurniture(doc, issue, userId, index + 1, pages.count)
  }
  doc.end()
  await finished
  return Buffer.concat(chunks)
}

function drawBlock(doc: PDFKit.PDFDocument, block: BlockDto, width: number): void {
  const body = { width, lineGap: 4, paragraphGap: 6 }
  switch (block.type) {
    case 'paragraph':
      doc
        .font('regular')
        .fontSize(11)
        .fillColor(COLORS.text)
        .text(block.text, { ...body, indent: 22 })
      return
    case 'point':
      doc.font('regular').fontSize(11).fillColor(COLORS.text).text(block.text, body)
      return
    case 'star_heading':
      doc.moveDown(0.3)
      doc.font('bold').fontSize(12.5).fillColor(COLORS.accent).text(`★${block.text}`, body)
      return
    case 'remark':
      doc
        .font('regular')
        .fontSize(10.5)
        .fillColor(COLORS.muted)
        .text(block.text, { ...body, width: width - 20 })
      return
    case 'question':
      doc.moveDown(0.3)
      doc.font('bold').fontSize(11.5).fillColor(COLORS.text).text(block.prompt, body)
      if (block.requirements) doc.font('regular').fontSize(10.5).fillColor(COLORS.muted).text(block.requirements, body)
      return
    case 'answer':
      doc.moveDown(0.2)
      doc.font('bold').fontSize(11.5).fillColor(COLORS.accent).text('【参考作答】', body)
      if (block.title)
        doc
          .font('bold')
          .fontSize(11.5)
          .fillColor(COLORS.text)
          .text(block.title, { ...body, align: 'center' })
      for (const paragraph of block.paragraphs) {
        doc
          .font('regular')
          .fontSize(11)
          .fillColor(COLORS.text)
          .text(paragraph, { ...body, indent: 22 })
      }
      return
  }
}

/** Header, footer with the page number, and the watermark: drawn last, on every page. */
function drawPageFurniture(doc: PDFKit.PDFDocument, issue: PdfIssue, userId: number, page: number, pages: number) {
  const { width, height } = doc.page
  // Text below the bottom margin would otherwise start a new page.
  const bottomMargin = doc.page.margins.bottom
  doc.page.margins.bottom = 0
  const inner = width - PAGE.margins.left - PAGE.margins.right
  doc.font('regular').fontSize(8.5).fillColor(COLORS.muted)
  doc.text(`${BRAND} · ${issue.fullTitle}`, PAGE.margins.left, 36, { width: inner, lineBreak: false, ellipsis: true })
  doc
    .moveTo(PAGE.margins.left, 50)
    .lineTo(width - PAGE.margins.right, 50)
    .lineWidth(0.5)
    .strokeColor(COLORS.rule)
    .stroke()
  doc.text(BRAND, PAGE.margins.left, height - 48, { width: inner / 2, lineBreak: false })
  doc.text(`第 ${page} / ${pages} 页`, PAGE.margins.left + inner / 2, height - 48, {
    width: inner / 2,
    align: 'right',
    lineBreak: false,
  })

  const mark = watermarkText(userId)
  doc.save()
  doc.font('regular').fontSize(20).fillColor('#999999').fillOpacity(0.12)
  for (const [x, y] of [
    [width * 0.18, height * 0.3],
    [width * 0.18, height * 0.62],
    [width * 0.18, height * 0.94],
  ]) {
    doc.save()
    doc.rotate(-30, { origin: [x, y] })
    doc.text(mark, x, y, { lineBreak: false })
    doc.restore()
  }
  doc.restore()
  doc.fillOpacity(1)
  doc.page.margins.bottom = bottomMargin
}

export interface PdfCacheOptions {
  folder: string
  /** Most PDFs kept on disk; the least recently served go first */
  maxFiles?: number
  /** Most PDFs kept for one reader, so no reader can push everyone else's out; their own go first */
  maxFilesPerReader?: number
  render?: (issue: PdfIssue, userId: number) => Promise<Buffer>
}

/** Renders done in this process, by every cache: for tests and the bench. */
export const pdfRenderStats = { renders: 0 }

/**
 * PDFs on disk under MEDIA_DIR/pdf, one file per (issue, content version, reader): a file is only
 * ever served to the reader it was rendered for. A new version of an issue removes the old ones;
 * concurrent requests for one key share one render.
 */
export class IssuePdfCache {
  private readonly inFlight = new Map<string, Promise<Buffer>>()
  private readonly maxFiles: number
  private readonly maxFilesPerReader: number
  private readonly render: (issue: PdfIssue, userId: number) => Promise<Buffer>

  constructor(private readonly options: PdfCacheOptions) {
    this.maxFiles = options.maxFiles ?? 1000
    this.maxFilesPerReader = options.maxFilesPerReader ?? 20
    this.render = options.render ?? renderIssuePdf
  }

  /** Strong ETag of a reader's PDF of one issue version, known before rendering. */
  etag(issueId: number, contentHash: string, userId: number): string {
    return `"${this.digest(`${issueId}:${contentHash}:${userId}`)}"`
  }

  /** The cached PDF, or null when it was not rendered yet. */
  async cached(issueId: number, contentHash: string, userId: number): Promise<Buffer | null> {
    const file = this.fileOf(issueId, contentHash, userId)
    try {
      const data = await fs.promises.readFile(file)
      const at = new Date()
      // The modification time orders files for pruning: least recently served first.
      void fs.promises.utimes(file, at, at).catch(() => undefined)
      return data
    } catch {
      return null
    }
  }

  /** The cached PDF, or one rendered now (once, however many ask at the same moment). */
  async get(issue: PdfIssue, contentHash: string, userId: number): Promise<Buffer> {
    const cached = await this.cached(issue.id, contentHash, userId)
    if (cached) return cached
    const key = this.fileOf(issue.id, contentHash, userId)
    let pending = this.inFlight.get(key)
    if (!pending) {
      pending = this.renderAndStore(issue, contentHash, userId).finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, pending)
    }
    return pending
  }

  private async renderAndStore(issue: PdfIssue, contentHash: string, userId: number): Promise<Buffer> {
    pdfRenderStats.renders += 1
    const data = await this.render(issue, userId)
    const file = this.fileOf(issue.id, contentHash, userId)
    await fs.promises.mkdir(this.options.folder, { recursive: true })
    const partial = `${file}.${crypto.randomBytes(4).toString('hex')}.part`
    await fs.promises.writeFile(partial, data)
    await fs.promises.rename(partial, file)
    await this.prune(issue.id, this.versionTag(contentHash), userId, path.basename(file))
    return data
  }

  /**
   * Removes other versions of this issue, then the reader's least recently served files beyond
   * maxFilesPerReader, then anyone's beyond maxFiles. The file just written stays.
   */
  private async prune(issueId: number, currentVersion: string, userId: number, justWritten: string): Promise<void> {
    const names = (await fs.promises.readdir(this.options.folder)).filter((name) => name.endsWith('.pdf'))
    const prefix = `issue-${issueId}-`
    const stale = names.filter((name) => name.startsWith(prefix) && !name.startsWith(`${prefix}${currentVersion}-`))
    const kept = names.filter((name) => !stale.includes(name))
    const readerSuffix = `-r${userId}.pdf`
    const own = kept.filter((name) => name.endsWith(readerSuffix))
    const excess = await this.leastRecentlyServed(own, own.length - this.maxFilesPerReader, justWritten)
    const others = kept.filter((name) => !excess.includes(name))
    excess.push(...(await this.leastRecentlyServed(others, others.length - this.maxFiles, justWritten)))
    await Promise.all(
      [...stale, ...excess].map((name) => fs.promises.rm(path.join(this.options.folder, name), { force: true })),
    )
  }

  /** The `count` files of `names` served longest ago (their modification time), never `keep`. */
  private async leastRecentlyServed(names: string[], count: number, keep: string): Promise<string[]> {
    if (count <= 0) return []
    const withTimes = await Promise.all(
      names
        .filter((name) => name !== keep)
        .map(async (name) => {
          const stat = await fs.promises.stat(path.join(this.options.folder, name)).catch(() => null)
          return { name, at: stat?.mtimeMs ?? 0 }
        }),
    )
    withTimes.sort((a, b) => a.at - b.at)
    return withTimes.slice(0, count).map((entry) => entry.name)
  }

  private fileOf(issueId: number, contentHash: string, userId: number): string {
    return path.join(this.options.folder, `issue-${issueId}-${this.versionTag(contentHash)}-r${userId}.pdf`)
  }

  private versionTag(contentHash: string): string {
    return this.digest(contentHash).slice(0, 16)
  }

  private digest(value: string): string {
    return crypto.createHash('sha256').update(`pdf-v${LAYOUT_VERSION}:${value}`).digest('hex').slice(0, 32)
  }
}
