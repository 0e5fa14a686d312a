import { parseDocument } from 'yaml'
import type { BlockDto } from '../schemas/content'
import type { IssueAccess, IssueStatus } from '../db/schema'
import { findColumnPath, findRegion } from './taxonomy'

/**
 * Parser for issue files: Markdown with YAML front matter and a small line-based
 * convention for the typed blocks (docs/content-format.md). One paragraph per line.
 */

export type BodyNode = { type: 'heading'; text: string } | BlockDto

export interface IssueMeta {
  slug: string
  column: string
  region: string
  number: number
  title: string
  date: string
  author: string
  access: IssueAccess
  status: IssueStatus
  cover: string | null
  topic: string
  tags: string[]
}

export interface ParsedIssue {
  meta: IssueMeta
  body: BodyNode[]
  /** Index in body where the VIP part starts; null when there is no marker */
  paywallAt: number | null
}

export interface ParseProblem {
  line: number
  message: string
}

export type ParseResult = { ok: true; issue: ParsedIssue } | { ok: false; problems: ParseProblem[] }

export const PAYWALL_MARKER = '<!-- vip -->'
export const LIMITS = {
  fileBytes: 512 * 1024,
  lineChars: 5000,
  blocks: 2000,
  title: 100,
  author: 50,
  tags: 20,
  tag: 20,
}

const FRONT_MATTER_KEYS = [
  'slug',
  'column',
  'region',
  'number',
  'title',
  'date',
  'author',
  'access',
  'status',
  'cover',
  'topic',
  'tags',
]
const REQUIRED_KEYS = ['slug', 'column', 'region', 'number', 'title', 'date', 'author', 'access']

const SECTION_HEADING = /^##\s+(.+)$/
const STAR_HEADING = /^(?:###\s*)?★\s*(.+)$/
const OTHER_HEADING = /^(#{1,6})\s/
const REMARK = /^>\s?(.*)$/
const NUMBERED_POINT = /^(\d{1,2}[.．、])\s*(.+)$/
const CHINESE_POINT = /^([一二三四五六七八九十]{1,3}是)(.+)$/
const QUESTION = /^(例题\s*\d{0,3})\s*[:：]\s*(.+)$/
const REQUIREMENTS = /要求\s*[:：]\s*.+$/
const WORD_LIMIT = /(\d{2,5})\s*字(?:左右|以内|以上)?/
const ANSWER = /^【参考作答】\s*(.*)$/
const DECLARED_WORDS = /[（(]\s*(\d{1,5})\s*字\s*[)）]\s*$/

export function parseIssueMarkdown(source: string): ParseResult {
  const problems: ParseProblem[] = []
  if (Buffer.byteLength(source, 'utf8') > LIMITS.fileBytes) {
    return {
      ok: false,
      problems: [{ line: 1, message: `file is larger than ${LIMITS.fileBytes / 1024} KB: split the issue` }],
    }
  }
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/)
  const front = splitFrontMatter(lines)
  if ('problem' in front) return { ok: false, problems: [front.problem] }

  const meta = parseMeta(front.yaml, front.startLine, problems)
  const { body, paywallAt } = parseBody(lines, front.bodyStartLine, problems)

  if (meta && meta.access === 'free' && paywallAt !== null) {
    problems.push({
      line: front.startLine,
      message: `access is "free" but the body has a paywall marker ${PAYWALL_MARKER}: set access: vip or remove the marker`,
    })
  }
  if (problems.length > 0 || !meta) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) }
  return { ok: true, issue: { meta, body, paywallAt } }
}

function splitFrontMatter(
  lines: string[],
): { yaml: string; startLine: number; bodyStartLine: number } | { problem: ParseProblem } {
  if (lines[0]?.trim() !== '---') {
    return {
      problem: {
        line: 1,
        message: 'the file must start with front matter: a line "---", the fields, and a closing "---"',
      },
    }
  }
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---')
  if (end < 0) return { problem: { line: 1, message: 'front matter is not closed: add a line "---" after the fields' } }
  return { yaml: lines.slice(1, end).join('\n'), startLine: 2, bodyStartLine: end + 2 }
}

function parseMeta(yamlText: string, startLine: number, problems: ParseProblem[]): IssueMeta | null {
  const document = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: false })
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const yamlLines = yamlText.slice(0, error.pos[0]).split('\n').length
      const line = Math.min(yamlLines, yamlText.split('\n').length) + startLine - 1
      problems.push({ line, message: `front matter is not valid YAML: ${error.message.split('\n')[0]}` })
    }
    return null
  }
  const data: unknown = document.toJS()
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ line: startLine, message: 'front matter must be "key: value" lines' })
    return null
  }
  const fields = data as Record<string, unknown>
  const rawLines = yamlText.split('\n')
  const lineOf = (key: string) => {
    const index = rawLines.findIndex((line) => line.startsWith(`${key}:`))
    return index < 0 ? startLine : startLine + index
  }
  const problemCount = problems.length
  const fail = (key: string, message: string) => problems.push({ line: lineOf(key), message })

  for (const key of Object.keys(fields)) {
    if (!FRONT_MATTER_KEYS.includes(key))
      fail(key, `unknown field "${key}": allowed fields are ${FRONT_MATTER_KEYS.join(', ')}`)
  }
  for (const key of REQUIRED_KEYS) {
    if (fields[key] === undefined || fields[key] === null || fields[key] === '') fail(key, `missing field "${key}"`)
  }

  const text = (key: string, max: number): string => {
    const value = fields[key]
    if (value === undefined || value === null) return ''
    const asText = typeof value === 'number' ? String(value) : value
    if (typeof asText !== 'string') {
      fail(key, `"${key}" must be text`)
      return ''
    }
    const trimmed = asText.trim()
    if (trimmed.length > max) fail(key, `"${key}" is ${trimmed.length} characters long: keep it within ${max}`)
    return trimmed
  }

  const slug = text('slug', 100)
  if (slug && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) {
    fail('slug', `slug "${slug}" may only use lowercase letters, digits and single hyphens, e.g. shanxi-32-zhongbu`)
  }
  const column = text('column', 200)
  if (column && !findColumnPath(column)) {
    fail('column', `unknown column "${column}": use a leaf column path such as linxuan/shengshi/redian`)
  }
  const region = text('region', 64)
  if (region && !findRegion(region)) fail('region', `unknown region "${region}": use a code such as shanxi or jiangsu`)

  let number = 0
  if (fields.number !== undefined && fields.number !== null) {
    if (
      typeof fields.number !== 'number' ||
      !Number.isInteger(fields.number) ||
      fields.number < 1 ||
      fields.number > 9999
    ) {
      fail('number', `number must be a whole number from 1 to 9999 (the issue number, 第N期)`)
    } else number = fields.number
  }
  const title = text('title', LIMITS.title)
  if (/^【/.test(title))
    fail('title', 'write the title without the 【region·第N期】 prefix: it is added from region and number')

  let date = ''
  const rawDate = fields.date
  if (rawDate instanceof Date) date = rawDate.toISOString().slice(0, 10)
  else if (rawDate !== undefined && rawDate !== null) date = String(rawDate).trim()
  if (date && !isValidDate(date)) fail('date', `date "${date}" must be a real date written YYYY-MM-DD`)

  const author = text('author', LIMITS.author)
  const access = text('access', 8)
  if (access && access !== 'free' && access !== 'vip') fail('access', `access must be "free" or "vip", not "${access}"`)
  const status = text('status', 16) || 'published'
  if (!['draft', 'scheduled', 'published', 'archived'].includes(status)) {
    fail('status', `status must be draft, scheduled, published or archived, not "${status}"`)
  }
  const cover = text('cover', 500)
  if (cover && !/^(https:\/\/|\/)[^\s]+$/.test(cover))
    fail('cover', 'cover must be an https:// URL or a path starting with /')
  const topic = text('topic', 200)

  let tags: string[] = []
  if (fields.tags !== undefined && fields.tags !== null) {
    if (!Array.isArray(fields.tags) || fields.tags.some((tag) => typeof tag !== 'string' || tag.length > LIMITS.tag)) {
      fail('tags', `tags must be a list of short texts, e.g. [城市群, 山西], each within ${LIMITS.tag} characters`)
    } else if (fields.tags.length > LIMITS.tags) fail('tags', `at most ${LIMITS.tags} tags`)
    else tags = fields.tags as string[]
  }

  if (problems.length > problemCount) return null
  return {
    slug,
    column,
    region,
    number,
    title,
    date,
    author,
    access: access as IssueAccess,
    status: status as IssueStatus,
    cover: cover || null,
    topic: topic || title,
    tags,
  }
}

function isValidDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

function parseBody(
  lines: string[],
  firstLine: number,
  problems: ParseProblem[],
): { body: BodyNode[]; paywallAt: number | null } {
  const body: BodyNode[] = []
  let paywallAt: number | null = null
  let paywallLine = 0
  let lastQuestionAt = -1
  let openAnswer: { block: Extract<BlockDto, { type: 'answer' }>; line: number } | null = null

  const closeAnswer = () => {
    if (!openAnswer) return
    const { block, line } = openAnswer
    if (block.paragraphs.length === 0) {
      problems.push({ line, message: '【参考作答】 has no text: write the answer on the lines after it' })
    } else {
      const last = block.paragraphs[block.paragraphs.length - 1]
      const declared = DECLARED_WORDS.exec(last)
      if (declared) block.declaredWords = Number(declared[1])
    }
    openAnswer = null
  }

  for (let index = firstLine - 1; index < lines.length; index++) {
    const lineNumber = index + 1
    const line = lines[index].trim()
    if (!line) continue
    if (line.length > LIMITS.lineChars) {
      problems.push({
        line: lineNumber,
        message: `line is ${line.length} characters long: split it (at most ${LIMITS.lineChars})`,
      })
      continue
    }

    if (line === PAYWALL_MARKER) {
      closeAnswer()
      if (paywallAt !== null) {
        problems.push({
          line: lineNumber,
          message: `second paywall marker: an issue has one (the first is on line ${paywallLine})`,
        })
      } else {
        paywallAt = body.length
        paywallLine = lineNumber
      }
      continue
    }
    if (/^<!--/.test(line)) {
      if (/^<!--\s*vip\s*-->$/i.test(line)) {
        problems.push({ line: lineNumber, message: `write the paywall marker exactly as ${PAYWALL_MARKER}` })
      }
      continue
    }

    const section = SECTION_HEADING.exec(line)
    if (section) {
      closeAnswer()
      body.push({ type: 'heading', text: section[1].trim() })
      continue
    }
    const star = STAR_HEADING.exec(line)
    if (star) {
      closeAnswer()
      body.push({ type: 'star_heading', text: star[1].trim() })
      continue
    }
    const other = OTHER_HEADING.exec(line)
    if (other) {
      problems.push({
        line: lineNumber,
        message: `heading level ${other[1].length} is not used: write sections as "## 一、背景链接" and sub-headings as "★ 标题"`,
      })
      continue
    }

    const question = QUESTION.exec(line)
    if (question) {
      closeAnswer()
      const requirementsMatch = REQUIREMENTS.exec(line)
      const requirements = requirementsMatch ? requirementsMatch[0].trim() : ''
      const prompt = requirementsMatch ? line.slice(0, requirementsMatch.index).trim() : line
      const limit = WORD_LIMIT.exec(requirements)
      body.push({
        type: 'question',
        label: question[1].replace(/\s+/g, ''),
        prompt,
        requirements,
        wordLimitText: limit ? limit[0] : '',
        wordLimit: limit ? Number(limit[1]) : null,
      })
      lastQuestionAt = body.length - 1
      continue
    }

    const answer = ANSWER.exec(line)
    if (answer) {
      closeAnswer()
      if (lastQuestionAt < 0) {
        problems.push({
          line: lineNumber,
          message: '【参考作答】 must follow a 例题 line ("例题1：…要求：…400字左右。")',
        })
      }
      const block: Extract<BlockDto, { type: 'answer' }> = {
        type: 'answer',
        title: answer[1].trim(),
        paragraphs: [],
        declaredWords: null,
      }
      body.push(block)
      openAnswer = { block, line: lineNumber }
      continue
    }

    if (openAnswer) {
      openAnswer.block.paragraphs.push(line)
      continue
    }

    const remark = REMARK.exec(line)
    if (remark) {
      if (remark[1].trim()) body.push({ type: 'remark', text: remark[1].trim() })
      continue
    }
    const numbered = NUMBERED_POINT.exec(line) ?? CHINESE_POINT.exec(line)
    if (numbered) {
      body.push({ type: 'point', label: numbered[1], text: line })
      continue
    }
    body.push({ type: 'paragraph', text: line })
  }
  closeAnswer()

  if (body.length === 0) problems.push({ line: firstLine, message: 'the issue has no text after the front matter' })
  if (body.length > LIMITS.blocks)
    problems.push({ line: firstLine, message: `more than ${LIMITS.blocks} blocks: split the issue` })
  return { body, paywallAt }
}
