/**
 * 练习作答 (subpackages/practice/pages/index) of the real weapp build, on miniprogram-simulate,
 * against the real API server with the seed issue, whose 例题1 is free and 例题2 in its VIP part: the
 * question without its 参考作答, the live count against 400字左右, the draft saved on the server, and
 * the VIP wall for a reader without membership. Build first: npm run build:weapp.
 */
import {
  assertWeappBuilt,
  bootWeapp,
  httpCall,
  seedIssueId,
  startApiServer,
  type ApiServer,
  type PageHandle,
  type Weapp,
} from './harness'

jest.setTimeout(60_000)

const PRACTICE_PAGE = 'subpackages/practice/pages/index'
const Q1_PROMPT = '请概括归纳给定材料中X市太忻经济一体化发展的做法'
const Q1_REFERENCE = '一是完善政策体系' // the start of q1's 参考作答
const Q2_PROMPT = '结合给定材料中晋中市融入山西中部城市群高质量发展的做法'
const Q2_REFERENCE = '提级提速抢先机' // in q2's 参考作答

let api: ApiServer | undefined
let weapp: Weapp
let seedId: number
let vipToken: string

interface PracticeIssue {
  questions: Array<{ id: string; draft: { text: string; elapsedSeconds: number } | null }>
  lockedQuestions: number
}

/** What the server keeps for this reader: GET /api/issues/:id/practice. */
async function practiceOnServer(token: string): Promise<PracticeIssue> {
  const answer = await httpCall(`${api!.origin}/api/issues/${seedId}/practice`, {
    headers: { authorization: `Bearer ${token}` },
  })
  expect(answer.status).toBe(200)
  return JSON.parse(answer.body) as PracticeIssue
}

/** Pages still open: closed after each test, so a failed test leaves no practice timer running. */
const openPages = new Set<PageHandle>()

async function open(query: Record<string, string>): Promise<PageHandle> {
  const page = await weapp.open(PRACTICE_PAGE, query)
  const unload = page.unload
  page.unload = () => {
    if (openPages.delete(page)) unload()
  }
  openPages.add(page)
  return page
}

const draftOf = async (questionId: string) =>
  (await practiceOnServer(vipToken)).questions.find((question) => question.id === questionId)?.draft ?? null

/**
 * Types into the answer box as WeChat reports it: an input event whose detail carries the whole
 * text (miniprogram-simulate's dispatchEvent takes the event's options, the detail among them).
 */
function type(page: PageHandle, value: string): void {
  const box = page.component.querySelector('.pp-input')
  if (!box) throw new Error(`no answer box; the page shows:\n${page.text().slice(0, 800)}`)
  box.dispatchEvent('input', { detail: { value, cursor: value.length, keyCode: 0 } })
}

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  seedId = await seedIssueId(api)
  vipToken = await api.vipToken()
  // Signed in at launch with a stored token (the API here has no WeChat for a fresh sign-in).
  weapp = bootWeapp({ apiOrigin: api.origin, storage: { token: vipToken } })
})

afterAll(async () => {
  await api?.stop()
})

beforeEach(() => {
  weapp.clearLogs()
  weapp.storage.set('token', vipToken)
})

afterEach(() => {
  for (const page of [...openPages]) page.unload()
})

describe('练习作答 (weapp runtime)', () => {
  it('shows a VIP member the question without its 参考作答; typing updates the count and the range; the draft autosaves', async () => {
    const page = await open({ id: String(seedId), q: 'q1' })
    await page.waitFor([Q1_PROMPT, '例题1', '字数 400字左右', '已写 0 字', '目标 360–440 字 · 字数不足'])
    expect(page.text()).toContain('【山西·第32期】中部城市群高质量发展')
    expect(page.text()).not.toContain(Q1_REFERENCE)
    expect(page.text()).not.toContain('参考作答')
    expect(page.has('.pr')).toBe(false)
    expect(weapp.requests).toContain(`GET /api/issues/${seedId}/practice/q1`)

    // Whitespace does not count; punctuation does.
    type(page, '一是完善 政策，\n二是')
    await page.waitFor(['已写 9 字', '字数不足', '未保存'])

    const within = '政'.repeat(380) + ' '.repeat(50)
    type(page, within)
    await page.waitFor(['已写 380 字', '目标 360–440 字 · 字数合适'])
    type(page, '策'.repeat(441))
    await page.waitFor(['已写 441 字', '字数超出'])

    // Nothing is saved while the reader types; 2 s after they stop, the draft reaches the server.
    expect(weapp.requests.filter((request) => request.startsWith('PUT '))).toEqual([])
    type(page, within)
    await page.waitFor(() => weapp.requests.includes(`PUT /api/issues/${seedId}/practice/q1/draft`), 5000)
    await page.waitFor('已保存')
    expect(weapp.requests.filter((request) => request.startsWith('PUT '))).toHaveLength(1)
    expect((await draftOf('q1'))?.text).toBe(within)
    page.unload()
  })

  it('saves the draft at once when the page closes, and shows it again on the next open', async () => {
    const page = await open({ id: String(seedId), q: 'q2' })
    await page.waitFor(['例题2', '已写 0 字', '目标 450–550 字'])
    type(page, '晋中融入中部城市群')
    await page.waitFor('已写 9 字')
    page.unload() // hide + unload, well before the 2 s autosave
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(weapp.requests).toContain(`PUT /api/issues/${seedId}/practice/q2/draft`)
    expect((await draftOf('q2'))?.text).toBe('晋中融入中部城市群')

    const again = await open({ id: String(seedId), q: 'q2' })
    await again.waitFor(['已写 9 字', '已保存'])
    again.unload()
  })

  it('shows 本题为VIP内容 and nothing of the question to a reader without VIP', async () => {
    const issued = await api!.admin('token', 'weapp-reader')
    const token = /^token (\S+)$/m.exec(issued)?.[1]
    if (!token) throw new Error(`admin token printed no token:\n${issued}`)
    weapp.storage.set('token', token)

    const page = await open({ id: String(seedId), q: 'q2' })
    await page.waitFor(['本题为VIP内容', '开通VIP会员'])
    expect(page.text()).not.toContain(Q2_PROMPT)
    expect(page.text()).not.toContain('晋中')
    expect(page.text()).not.toContain(Q2_REFERENCE)
    expect(page.has('.pp-input')).toBe(false)
    // The server gives this reader the free 例题1 only and keeps the VIP 例题2.
    const onServer = await practiceOnServer(token)
    expect(onServer.questions.map((question) => question.id)).toEqual(['q1'])
    expect(onServer.lockedQuestions).toBe(1)
    page.unload()
  })
})
