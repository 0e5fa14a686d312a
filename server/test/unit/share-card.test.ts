import fs from 'node:fs'
import { freeLength } from '../../src/domain/gating'
import { parseIssueMarkdown, type BodyNode, type ParsedIssue } from '../../src/domain/issue-markdown'
import { shareCardEtag, shareCardInput, wrapText, type ShareCardIssue } from '../../src/domain/share-card'
import { freeSentences, SEED_ISSUE_FILE, vipSentences } from '../helpers'

function seedIssue(): ParsedIssue {
  const parsed = parseIssueMarkdown(fs.readFileSync(SEED_ISSUE_FILE, 'utf8'))
  if (!parsed.ok) throw new Error('the seed issue does not parse')
  return parsed.issue
}

function cardIssue(issue: ParsedIssue, change: Partial<ShareCardIssue> = {}): ShareCardIssue {
  return {
    title: issue.meta.title,
    regionName: '山西',
    number: issue.meta.number,
    publishedAt: Date.parse(`${issue.meta.date}T08:00:00+08:00`),
    access: issue.meta.access,
    paywallAt: issue.paywallAt,
    body: issue.body,
    ...change,
  }
}

/** Every string the card draws, joined. */
const drawn = (input: ReturnType<typeof shareCardInput>) =>
  [input.brand, input.label, input.title, input.date, input.summary].join('\n')

describe('shareCardInput', () => {
  const seed = seedIssue()

  it('draws the brand, 【region·第N期】, the title, the date and the VIP badge of the seed issue', () => {
    const input = shareCardInput(cardIssue(seed))
    expect(input).toMatchObject({
      brand: '北辰遴选',
      label: '【山西·第32期】',
      title: '中部城市群高质量发展',
      date: seed.meta.date,
      vip: true,
    })
    expect(input.summary.length).toBeGreaterThan(10)
    expect(input.summary.length).toBeLessThanOrEqual(40)
  })

  it('contains no VIP sentence of the seed issue, however long the summary could be', () => {
    const vip = vipSentences()
    expect(vip.length).toBeGreaterThan(5)
    const text = drawn(shareCardInput(cardIssue(seed)))
    for (const sentence of vip) expect(text).not.toContain(sentence.slice(0, 12))
  })

  it('reads nothing past freeLength: a body whose VIP part is all there is gives no summary', () => {
    const vipNodes = seed.body.slice(seed.paywallAt ?? 0)
    const input = shareCardInput(cardIssue(seed, { body: vipNodes, paywallAt: 0 }))
    expect(input.summary).toBe('')
    expect(input.vip).toBe(true)
    const withoutMarker = shareCardInput(cardIssue(seed, { paywallAt: null }))
    expect(withoutMarker.summary).toBe('')
  })

  it('changing only VIP text changes nothing drawn; changing free text does', () => {
    const gated = { access: seed.meta.access, bodyLength: seed.body.length, paywallAt: seed.paywallAt }
    const free = freeLength(gated)
    const secret: BodyNode = { type: 'paragraph', text: '这是一段只给会员看的秘密文字，绝不能出现在分享卡片上。' }
    const vipChanged = [...seed.body.slice(0, free), secret, ...seed.body.slice(free)]
    const original = shareCardInput(cardIssue(seed))
    const changed = shareCardInput(cardIssue(seed, { body: vipChanged }))
    expect(changed).toEqual(original)
    expect(shareCardEtag(changed)).toBe(shareCardEtag(original))
    expect(drawn(changed)).not.toContain('秘密')

    const freeChanged = [{ type: 'paragraph', text: '开头新增的免费段落。' } as BodyNode, ...seed.body]
    const moved = shareCardInput(cardIssue(seed, { body: freeChanged, paywallAt: (seed.paywallAt ?? 0) + 1 }))
    expect(moved.summary.startsWith('开头新增的免费段落')).toBe(true)
    expect(shareCardEtag(moved)).not.toBe(shareCardEtag(original))
  })

  it('a free issue has no VIP badge and its summary comes from its text', () => {
    const input = shareCardInput(cardIssue(seed, { access: 'free', paywallAt: null }))
    expect(input.vip).toBe(false)
    expect(freeSentences().some((sentence) => input.summary.includes(sentence.slice(0, 8)))).toBe(true)
  })
})

describe('wrapText', () => {
  // One unit per character: easy widths to reason about.
  const measure = (text: string) => Array.from(text).length

  it('keeps short text on one line', () => {
    expect(wrapText(measure, '中部城市群', 10, 3)).toEqual(['中部城市群'])
  })

  it('breaks at the width and ends the last allowed line with an ellipsis', () => {
    expect(wrapText(measure, '一二三四五六七八九十', 4, 2)).toEqual(['一二三四', '五六七…'])
    expect(wrapText(measure, '一二三四五六七八', 4, 2)).toEqual(['一二三四', '五六七八'])
  })
})
