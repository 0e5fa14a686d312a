import type { AccessDenied, Block, IssueDetail, IssueSummary, Me, Plan } from '@/services/api'

export const plans: Plan[] = [
  {
    id: 'month',
    name: '一个月',
    months: 1,
    priceFen: 990,
    originalPriceFen: null,
    benefits: ['全站栏目畅读', '文档PDF下载'],
  },
  {
    id: 'half_year',
    name: '半年',
    months: 6,
    priceFen: 4800,
    originalPriceFen: 5900,
    benefits: ['全站栏目畅读', '文档PDF下载'],
  },
  {
    id: 'year',
    name: '一年',
    months: 12,
    priceFen: 6800,
    originalPriceFen: 11800,
    benefits: ['全站栏目畅读', '文档PDF下载'],
  },
]

export const denied = (reason: AccessDenied['reason'] = 'membership_required'): AccessDenied => ({
  granted: false,
  reason,
  paywall: {
    title: '本篇为VIP章节',
    message: '抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~',
    button: '开通VIP会员',
    plans,
    preselectedPlan: 'half_year',
    locked: { sections: ['三、实战应用（续）', '四、拓展阅读'], questions: 2, answers: 2 },
  },
})

export const blocks = {
  paragraph: { type: 'paragraph', text: '2022年3月30日，山西省十三届人大常委会第三十四次会议表决通过《决定》。' },
  star: { type: 'star_heading', text: '山西中部城市群高质量发展的重要意义' },
  // As the server sends them: the author's wording, label included (server/src/schemas/content.ts).
  point: { type: 'point', label: '一是', text: '一是加强战略谋划。要抓住构建新发展格局的重大机遇。' },
  remark: { type: 'remark', text: '构建山西中部城市群一体化发展新格局，要做大做强中心区域。' },
  question: {
    type: 'question',
    label: '例题1',
    prompt: '例题1:请概括归纳给定材料中X市太忻经济一体化发展的做法。',
    requirements: '要求:准确全面,语言精练,条理清晰,400字左右。',
    wordLimitText: '400字左右',
    wordLimit: 400,
  },
  answer: {
    type: 'answer',
    title: '',
    paragraphs: [
      '一是完善政策体系。用足用活国家和省里的政策。',
      '二是发力项目建设。统筹推进落地的基础设施类项目。(389字)',
    ],
    declaredWords: 389,
  },
} satisfies Record<string, Block>

export function summary(id: number, overrides: Partial<IssueSummary> = {}): IssueSummary {
  return {
    id,
    slug: `issue-${id}`,
    title: `第${id}期标题`,
    fullTitle: `【山西·第${id}期】第${id}期标题`,
    region: { code: 'shanxi', name: '山西' },
    number: id,
    date: '2022-04-26',
    author: '北辰遴选·苏阳老师',
    summary: '摘要',
    cover: null,
    views: 12345,
    vip: true,
    ...overrides,
  }
}

export function issue(overrides: Partial<IssueDetail> = {}): IssueDetail {
  return {
    ...summary(32, { title: '中部城市群高质量发展', fullTitle: '【山西·第32期】中部城市群高质量发展' }),
    breadcrumb: [
      { slug: '', name: '首页' },
      { slug: 'linxuan', name: '遴选网' },
      { slug: 'shengshi', name: '省市遴选' },
      { slug: 'redian', name: '热点精讲' },
    ],
    sections: [
      { id: 's1', heading: '一、背景链接', blocks: [blocks.paragraph] },
      { id: 's2', heading: '二、深度解读', blocks: [blocks.star, blocks.point, blocks.remark] },
    ],
    access: denied('login_required'),
    previous: { id: 31, number: 31, title: '上一期的标题' },
    next: null,
    ...overrides,
  }
}

export function me(overrides: Partial<Me> = {}): Me {
  return {
    id: 7,
    nickname: '',
    avatarUrl: null,
    phone: null,
    membership: { active: false, expiresAt: null },
    ...overrides,
  }
}
