import {
  decideAccess,
  freeLength,
  groupSections,
  hasVipPart,
  lockedSummary,
  summarize,
  visibleSections,
  type Viewer,
} from '../../src/domain/gating'
import type { BodyNode } from '../../src/domain/issue-markdown'

const NOW = Date.UTC(2026, 10, 27)
const DAY = 86400000
const body: BodyNode[] = [
  { type: 'heading', text: '一、背景链接' },
  { type: 'paragraph', text: '免费段落。' },
  { type: 'heading', text: '三、实战应用' },
  { type: 'paragraph', text: '会员段落。' },
]
const member: Viewer = { userId: 1, membershipExpiresAt: NOW + DAY }
const expired: Viewer = { userId: 2, membershipExpiresAt: NOW - 1 }
const neverPaid: Viewer = { userId: 3, membershipExpiresAt: null }

describe('decideAccess', () => {
  const vip = { access: 'vip' as const, bodyLength: body.length, paywallAt: 2 }

  it('grants a free issue to everyone, marker or not', () => {
    for (const viewer of [null, neverPaid, expired, member]) {
      expect(decideAccess({ ...vip, access: 'free' }, viewer, NOW)).toEqual({ granted: true, reason: 'free' })
    }
  })

  it('grants a VIP issue to an active member only', () => {
    expect(decideAccess(vip, member, NOW)).toEqual({ granted: true, reason: 'member' })
    expect(decideAccess(vip, null, NOW)).toEqual({ granted: false, reason: 'login_required' })
    expect(decideAccess(vip, neverPaid, NOW)).toEqual({ granted: false, reason: 'membership_required' })
    expect(decideAccess(vip, expired, NOW)).toEqual({ granted: false, reason: 'membership_expired' })
  })

  it('treats expiry at exactly now as expired', () => {
    expect(decideAccess(vip, { userId: 4, membershipExpiresAt: NOW }, NOW).granted).toBe(false)
  })

  it('a VIP issue without a marker is VIP from the first block', () => {
    const whole = { ...vip, paywallAt: null }
    expect(freeLength(whole)).toBe(0)
    expect(hasVipPart(whole)).toBe(true)
    expect(visibleSections(body, whole, decideAccess(whole, neverPaid, NOW))).toEqual([])
  })

  it('marker first: nothing is free', () => {
    const first = { ...vip, paywallAt: 0 }
    expect(visibleSections(body, first, decideAccess(first, null, NOW))).toEqual([])
    expect(visibleSections(body, first, decideAccess(first, member, NOW))).toHaveLength(2)
  })

  it('marker last: nothing is VIP, so everyone may read it all', () => {
    const last = { ...vip, paywallAt: body.length }
    expect(hasVipPart(last)).toBe(false)
    expect(decideAccess(last, null, NOW)).toEqual({ granted: true, reason: 'free' })
  })
})

describe('visibleSections', () => {
  const vip = { access: 'vip' as const, bodyLength: body.length, paywallAt: 2 }

  it('cuts at the marker for a viewer without access', () => {
    const cut = visibleSections(body, vip, decideAccess(vip, null, NOW))
    expect(cut).toEqual([{ id: 's1', heading: '一、背景链接', blocks: [{ type: 'paragraph', text: '免费段落。' }] }])
    expect(JSON.stringify(cut)).not.toContain('会员段落')
    expect(JSON.stringify(cut)).not.toContain('三、实战应用')
  })

  it('gives everything to a member, with stable section ids', () => {
    const all = visibleSections(body, vip, decideAccess(vip, member, NOW))
    expect(all.map((section) => section.id)).toEqual(['s1', 's2'])
    expect(JSON.stringify(all)).toContain('会员段落')
  })

  it('keeps blocks before the first heading in a section without heading', () => {
    expect(groupSections([{ type: 'paragraph', text: '引言' }, ...body], 2)).toEqual([
      { id: 's0', heading: '', blocks: [{ type: 'paragraph', text: '引言' }] },
      { id: 's1', heading: '一、背景链接', blocks: [] },
    ])
  })
})

describe('summarize', () => {
  it('takes paragraph text only and stops at the limit', () => {
    const text = summarize(
      [
        { type: 'heading', text: '标题' },
        { type: 'paragraph', text: '甲'.repeat(200) },
      ],
      10,
    )
    expect(text).toBe(`${'甲'.repeat(9)}…`)
  })
})

describe('lockedSummary', () => {
  const question = (n: number): BodyNode => ({
    type: 'question',
    label: `例题${n}`,
    prompt: `例题${n}：请概括做法。`,
    requirements: '',
    wordLimitText: '',
    wordLimit: null,
  })
  const answer: BodyNode = { type: 'answer', title: '', paragraphs: ['参考作答正文'], declaredWords: null }
  const body: BodyNode[] = [
    { type: 'heading', text: '一、背景链接' },
    { type: 'paragraph', text: '背景' },
    { type: 'heading', text: '三、实战应用' },
    question(1),
    answer,
    question(2),
    answer,
    { type: 'heading', text: '四、拓展阅读' },
    { type: 'paragraph', text: '拓展内容正文' },
  ]

  it('names the locked sections from a heading on, and counts their 例题 and 参考作答', () => {
    expect(lockedSummary(body, 2)).toEqual({ sections: ['三、实战应用', '四、拓展阅读'], questions: 2, answers: 2 })
  })

  it('a cut inside a section names its rest as （续） and counts only the locked 例题', () => {
    expect(lockedSummary(body, 5)).toEqual({
      sections: ['三、实战应用（续）', '四、拓展阅读'],
      questions: 1,
      answers: 1,
    })
  })

  it('holds headings and counts only, never a locked sentence', () => {
    const text = JSON.stringify(lockedSummary(body, 5))
    for (const locked of ['例题2：请概括做法。', '参考作答正文', '拓展内容正文']) expect(text).not.toContain(locked)
  })

  it('nothing locked past the end', () => {
    expect(lockedSummary(body, body.length)).toEqual({ sections: [], questions: 0, answers: 0 })
  })
})
