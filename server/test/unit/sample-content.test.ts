import fs from 'node:fs'
import path from 'node:path'
import { countAnswerCharacters, limitRange } from '../../../src/subpackages/practice/count'
import type { BlockDto } from '../../src/schemas/content'
import { parseIssueMarkdown, type BodyNode, type ParsedIssue } from '../../src/domain/issue-markdown'

/**
 * The sample issues of content/ are what a newcomer judges the product by on its first start:
 * the list, the region chips, 往期导航, search, 上一期/下一期 and the paywall. These are the
 * promises they keep, so that an edit cannot quietly leave the demo with one region or a broken issue.
 */
const CONTENT_DIR = path.resolve(__dirname, '../../../content')
const SEED_SLUG = 'shanxi-32-zhongbu-chengshiqun'
const SECTIONS = ['一、背景链接', '二、深度解读', '三、实战应用']

type Question = Extract<BlockDto, { type: 'question' }>
type Answer = Extract<BlockDto, { type: 'answer' }>

const files = fs
  .readdirSync(CONTENT_DIR)
  .filter((name) => name.endsWith('.md'))
  .sort()

const issues: { file: string; issue: ParsedIssue }[] = files.map((file) => {
  const parsed = parseIssueMarkdown(fs.readFileSync(path.join(CONTENT_DIR, file), 'utf8'))
  if (!parsed.ok) throw new Error(`content/${file} does not import: ${JSON.stringify(parsed.problems)}`)
  return { file, issue: parsed.issue }
})

const seed = issues.find(({ issue }) => issue.meta.slug === SEED_SLUG)?.issue

/** The 例题 of a body, each with the 参考作答 blocks right after it */
function questionsOf(body: BodyNode[]): { at: number; question: Question; answers: Answer[] }[] {
  const found: { at: number; question: Question; answers: Answer[] }[] = []
  body.forEach((node, at) => {
    if (node.type === 'question') found.push({ at, question: node, answers: [] })
    else if (node.type === 'answer' && ['question', 'answer'].includes(body[at - 1]?.type ?? '')) {
      found[found.length - 1].answers.push(node)
    }
  })
  return found
}

/** The answer's text as a candidate would write it: its paragraphs without the trailing (N字) note */
const answerText = (answer: Answer) => answer.paragraphs.join('').replace(/[（(]\s*\d{1,5}\s*字\s*[)）]\s*$/, '')

describe('the sample content (content/)', () => {
  it('holds the seed issue and at least 8 more, published and dated in the past, one file per slug', () => {
    expect(seed).toBeDefined()
    expect(issues.length).toBeGreaterThanOrEqual(9)
    const today = new Date().toISOString().slice(0, 10)
    for (const { file, issue } of issues) {
      expect([file, issue.meta.status]).toEqual([`${issue.meta.slug}.md`, 'published'])
      expect(issue.meta.date <= today).toBe(true)
      expect(issue.meta.author).toMatch(/^北辰遴选·.+老师$/)
      expect(issue.meta.tags.length).toBeGreaterThan(0)
    }
  })

  it('spans at least 4 regions, each with consecutive issue numbers dated in the same order', () => {
    const byRegion = new Map<string, ParsedIssue[]>()
    for (const { issue } of issues) byRegion.set(issue.meta.region, [...(byRegion.get(issue.meta.region) ?? []), issue])
    expect(byRegion.size).toBeGreaterThanOrEqual(4)
    for (const [region, list] of byRegion) {
      const sorted = [...list].sort((a, b) => a.meta.number - b.meta.number)
      const numbers = sorted.map((issue) => issue.meta.number)
      expect([region, numbers]).toEqual([region, numbers.map((_, index) => numbers[0] + index)])
      const dates = sorted.map((issue) => issue.meta.date)
      expect([region, dates]).toEqual([region, [...dates].sort()])
      expect(new Set(dates).size).toBe(dates.length)
    }
  })

  it('gives every issue the three sections, ★ headings (none twice) and 例题 with a full 参考作答', () => {
    for (const { file, issue } of issues) {
      const headings = issue.body.filter((node) => node.type === 'heading').map((node) => node.text)
      expect([file, headings]).toEqual([file, SECTIONS])
      const stars = issue.body.flatMap((node) => (node.type === 'star_heading' ? [node.text] : []))
      expect([file, stars.length >= 2]).toEqual([file, true])
      expect([file, stars.filter((text, index) => stars.indexOf(text) !== index)]).toEqual([file, []])

      const questions = questionsOf(issue.body)
      expect([file, questions.length]).toEqual([file, 2])
      for (const { question, answers } of questions) {
        const label = `${file} ${question.label}`
        expect([label, answers.length]).toEqual([label, 1])
        expect([label, question.wordLimit !== null && question.requirements.startsWith('要求')]).toEqual([label, true])
        const [answer] = answers
        expect([label, answer.paragraphs.length >= 3]).toEqual([label, true])
        // The (N字) a reader sees is the count the practice page would show for the same text.
        const count = countAnswerCharacters(answerText(answer))
        expect([label, answer.declaredWords]).toEqual([label, count])
        const limit = question.wordLimit ?? 0
        const { min, max } = limitRange(limit)
        const fits = question.wordLimitText.endsWith('左右') ? count >= min && count <= max : count <= limit
        expect([label, count, question.wordLimitText, fits]).toEqual([label, count, question.wordLimitText, true])
      }
    }
  })

  it('has a VIP part in every VIP issue, after a free part, and one or two free issues', () => {
    const free = issues.filter(({ issue }) => issue.meta.access === 'free')
    expect(free.length).toBeGreaterThanOrEqual(1)
    expect(free.length).toBeLessThanOrEqual(2)
    for (const { file, issue } of issues) {
      if (issue.meta.access === 'free') continue
      const cut = issue.paywallAt ?? 0
      expect([file, cut > 0 && cut < issue.body.length]).toEqual([file, true])
      // The VIP part holds at least 例题2 and its 参考作答.
      const locked = issue.body.slice(cut)
      expect([file, locked.some((node) => node.type === 'question' && node.label === '例题2')]).toEqual([file, true])
    }
  })

  it('keeps the seed issue as on its page: 例题1 and its 参考作答 free, the VIP part from 例题2 on', () => {
    if (!seed) throw new Error(`no ${SEED_SLUG}.md in content/`)
    const cut = seed.paywallAt ?? -1
    const next = seed.body[cut]
    expect(next).toMatchObject({ type: 'question', label: '例题2' })
    const free = seed.body.slice(0, cut)
    expect(free.filter((node) => node.type === 'heading').map((node) => node.text)).toEqual(SECTIONS)
    expect(free.filter((node) => node.type === 'question').map((node) => (node as Question).label)).toEqual(['例题1'])
    expect(free[free.length - 1]).toMatchObject({ type: 'answer', declaredWords: 389 })
    // 例题2's 参考作答 goes on past its 一、 to the end.
    const [, second] = questionsOf(seed.body)
    expect(second.answers[0].paragraphs.map((paragraph) => paragraph.slice(0, 2))).toEqual([
      '晋中',
      '一、',
      '二、',
      '三、',
      '四、',
    ])
  })
})
