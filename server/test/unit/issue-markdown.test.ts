import fs from 'node:fs'
import { parseIssueMarkdown, PAYWALL_MARKER, type ParsedIssue } from '../../src/domain/issue-markdown'
import { SEED_ISSUE_FILE } from '../helpers'

const FRONT = `---
slug: test-issue
column: linxuan/shengshi/redian
region: jiangsu
number: 7
title: 测试专题
date: 2023-05-06
author: 北辰遴选·测试老师
access: vip
---
`

function parse(body: string, front = FRONT): ParsedIssue {
  const result = parseIssueMarkdown(front + body)
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.issue
}

function problems(source: string) {
  const result = parseIssueMarkdown(source)
  if (result.ok) throw new Error('expected problems')
  return result.problems
}

describe('issue Markdown: block types', () => {
  it('reads front matter into typed fields', () => {
    const issue = parse('## 一、背景链接\n\n正文。\n')
    expect(issue.meta).toEqual({
      slug: 'test-issue',
      column: 'linxuan/shengshi/redian',
      region: 'jiangsu',
      number: 7,
      title: '测试专题',
      date: '2023-05-06',
      author: '北辰遴选·测试老师',
      access: 'vip',
      status: 'published',
      cover: null,
      topic: '测试专题',
      tags: [],
    })
  })

  it('turns each convention into its block', () => {
    const issue = parse(
      [
        '## 一、背景链接',
        '第一段。',
        '★ 要点',
        '1.领导指出:',
        '> 要做大做强中心区域。',
        '一是加强战略谋划。要抓住机遇。',
        PAYWALL_MARKER,
        '## 三、实战应用',
        '例题1:请概括做法。要求:准确全面,条理清晰,400字左右。',
        '【参考作答】',
        '一是完善政策体系。',
        '二是发力项目建设。(389字)',
        '例题2：写一篇工作信息。要求：格式正确，500字左右。',
        '【参考作答】解锁晋中的“任务书”',
        '晋中位于山西中部。',
        '一、提级提速抢先机。',
      ].join('\n'),
    )
    expect(issue.body).toEqual([
      { type: 'heading', text: '一、背景链接' },
      { type: 'paragraph', text: '第一段。' },
      { type: 'star_heading', text: '要点' },
      { type: 'point', label: '1.', text: '1.领导指出:' },
      { type: 'remark', text: '要做大做强中心区域。' },
      { type: 'point', label: '一是', text: '一是加强战略谋划。要抓住机遇。' },
      { type: 'heading', text: '三、实战应用' },
      {
        type: 'question',
        label: '例题1',
        prompt: '例题1:请概括做法。',
        requirements: '要求:准确全面,条理清晰,400字左右。',
        wordLimitText: '400字左右',
        wordLimit: 400,
      },
      {
        type: 'answer',
        title: '',
        paragraphs: ['一是完善政策体系。', '二是发力项目建设。(389字)'],
        declaredWords: 389,
      },
      {
        type: 'question',
        label: '例题2',
        prompt: '例题2：写一篇工作信息。',
        requirements: '要求：格式正确，500字左右。',
        wordLimitText: '500字左右',
        wordLimit: 500,
      },
      {
        type: 'answer',
        title: '解锁晋中的“任务书”',
        paragraphs: ['晋中位于山西中部。', '一、提级提速抢先机。'],
        declaredWords: null,
      },
    ])
    expect(issue.paywallAt).toBe(6)
  })

  it('parses the seed issue: free 背景链接, 深度解读 and 例题1 with its 参考作答, VIP from 例题2 on', () => {
    const result = parseIssueMarkdown(fs.readFileSync(SEED_ISSUE_FILE, 'utf8'))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const { body, paywallAt, meta } = result.issue
    expect(meta).toMatchObject({
      region: 'shanxi',
      number: 32,
      title: '中部城市群高质量发展',
      date: '2022-04-26',
      access: 'vip',
    })
    const headings = body.filter((node) => node.type === 'heading').map((node) => node.type === 'heading' && node.text)
    expect(headings).toEqual(['一、背景链接', '二、深度解读', '三、实战应用'])
    // The marker sits inside 三、实战应用, right before 例题2.
    expect(paywallAt).toBe(body.findIndex((node) => node.type === 'question' && node.label === '例题2'))
    const free = body.slice(0, paywallAt ?? 0)
    const vip = body.slice(paywallAt ?? 0)
    expect(free.filter((node) => node.type === 'question')).toHaveLength(1)
    expect(free.filter((node) => node.type === 'answer')).toEqual([
      expect.objectContaining({ declaredWords: 389, title: '' }),
    ])
    expect(vip.filter((node) => node.type === 'question')).toHaveLength(1)
    expect(vip.filter((node) => node.type === 'answer')).toEqual([
      expect.objectContaining({ declaredWords: 481, title: '解锁晋中推动山西中部城市群高质量发展的“任务书”' }),
    ])
    expect(body.filter((node) => node.type === 'star_heading').length).toBeGreaterThanOrEqual(6)
    expect(body.some((node) => node.type === 'remark')).toBe(true)
  })
})

describe('issue Markdown: malformed input is reported with its line', () => {
  it('missing front matter', () => {
    expect(problems('## 一、背景链接\n正文\n')).toEqual([{ line: 1, message: expect.stringContaining('front matter') }])
  })

  it('unclosed front matter', () => {
    expect(problems('---\nslug: a\n')[0]).toMatchObject({ line: 1, message: expect.stringContaining('not closed') })
  })

  it('invalid YAML names its line', () => {
    const [problem] = problems('---\nslug: a\ntitle: [unclosed\n---\n正文\n')
    expect(problem.line).toBeGreaterThanOrEqual(3)
    expect(problem.message).toContain('YAML')
  })

  it('each bad field on its own line', () => {
    const source = `---
slug: Bad Slug
column: linxuan/nowhere
region: atlantis
number: 0
title: 标题
date: 2023-02-30
author: 作者
access: paid
extra: 1
---
正文。
`
    const found = problems(source)
    expect(found.map((p) => p.line)).toEqual([2, 3, 4, 5, 7, 9, 10])
    expect(found.map((p) => p.message).join('\n')).toMatch(
      /slug[\s\S]*column[\s\S]*region[\s\S]*number[\s\S]*date[\s\S]*access[\s\S]*unknown field "extra"/,
    )
  })

  it('missing required fields', () => {
    const found = problems('---\nslug: a\n---\n正文\n')
    expect(found.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('missing field "title"'),
        expect.stringContaining('missing field "region"'),
      ]),
    )
  })

  it('a second paywall marker', () => {
    const found = problems(`${FRONT}## 一、背景\n正文。\n${PAYWALL_MARKER}\n更多。\n${PAYWALL_MARKER}\n`)
    expect(found).toEqual([{ line: 15, message: expect.stringContaining('second paywall marker') }])
  })

  it('a misspelt marker', () => {
    expect(problems(`${FRONT}正文。\n<!--VIP-->\n`)).toEqual([
      { line: 12, message: expect.stringContaining(PAYWALL_MARKER) },
    ])
  })

  it('a marker in a free issue', () => {
    const front = FRONT.replace('access: vip', 'access: free')
    expect(problems(`${front}正文。\n${PAYWALL_MARKER}\n更多。\n`)[0].message).toContain('access is "free"')
  })

  it('an answer without a question, and an answer without text', () => {
    const found = problems(`${FRONT}【参考作答】\n回答。\n例题1:题目。\n【参考作答】\n## 二、下一节\n`)
    expect(found).toEqual([
      { line: 11, message: expect.stringContaining('must follow a 例题') },
      { line: 14, message: expect.stringContaining('has no text') },
    ])
  })

  it('unsupported heading levels and an empty body', () => {
    expect(problems(`${FRONT}# 大标题\n`)).toEqual([
      { line: 11, message: expect.stringContaining('heading level 1') },
      { line: 11, message: expect.stringContaining('no text') },
    ])
  })

  it('over-long lines', () => {
    expect(problems(`${FRONT}${'长'.repeat(5001)}\n`)[0]).toMatchObject({
      line: 11,
      message: expect.stringContaining('5001'),
    })
  })
})
