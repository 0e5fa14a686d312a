import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import PdfDownload from '@/subpackages/article/components/PdfDownload'
import { getSession, resetSession, setMe, startSession } from '@/store/session'
import { resetTaroMock, storage } from './mocks/taro'
import { CONTACTS } from './fake-api'
import { issue, me } from './fixtures'

/** The mini-program APIs the download uses; the shared Taro mock has none of them. */
const taro = Taro as unknown as Record<string, jest.Mock>
const downloadFile = jest.fn()
const openDocument = jest.fn()
const readFileSync = jest.fn()
Object.assign(taro, {
  downloadFile,
  openDocument,
  getFileSystemManager: jest.fn(() => ({ readFileSync })),
})

const PDF_URL = 'http://localhost:3000/api/issues/32/pdf'
const pdfIssue = { id: 32, region: { code: 'shanxi', name: '山西' }, number: 32, title: '中部城市群高质量发展' }

/** downloadFile answers with this status; a refusal's JSON body is what the temporary file holds. */
function answer(statusCode: number, body: unknown = null) {
  downloadFile.mockImplementationOnce(() => Promise.resolve({ statusCode, tempFilePath: `wxfile://tmp/${statusCode}` }))
  if (body !== null) readFileSync.mockReturnValueOnce(JSON.stringify(body))
}
const refusal = (code: string) => ({ error: { code, message: code.toLowerCase() } })

function signInAs(token: string) {
  storage.set('token', token)
  act(() => setMe(me()))
}

async function tap() {
  fireEvent.click(screen.getByRole('button', { name: /下载PDF|下载中/ }))
  await act(async () => undefined)
  await act(async () => undefined)
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  delete (process.env as Record<string, string | undefined>).TARO_ENV
  openDocument.mockResolvedValue({ errMsg: 'openDocument:ok' })
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}, {}])
})

describe('下载PDF', () => {
  it('downloads with the reader’s token and opens the PDF, showing 下载中… meanwhile', async () => {
    signInAs('reader-token')
    let finish: (value: unknown) => void = () => undefined
    downloadFile.mockImplementationOnce(() => new Promise((resolve) => (finish = resolve)))
    render(<PdfDownload issue={pdfIssue} />)
    fireEvent.click(screen.getByRole('button', { name: '下载PDF' }))
    await act(async () => undefined)

    const busy = screen.getByRole('button', { name: '下载中…' })
    expect(busy.hasAttribute('disabled')).toBe(true)
    fireEvent.click(busy)
    expect(downloadFile).toHaveBeenCalledTimes(1)
    expect(downloadFile).toHaveBeenCalledWith({ url: PDF_URL, header: { Authorization: 'Bearer reader-token' } })

    await act(async () => finish({ statusCode: 200, tempFilePath: 'wxfile://tmp/issue.pdf' }))
    await act(async () => undefined)
    expect(openDocument).toHaveBeenCalledWith({ filePath: 'wxfile://tmp/issue.pdf', fileType: 'pdf', showMenu: true })
    expect(screen.getByRole('button', { name: '下载PDF' }).hasAttribute('disabled')).toBe(false)
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  it('a reader without VIP (403 VIP_REQUIRED) is told PDF下载为VIP专享, then goes to the paywall page, opening nothing', async () => {
    signInAs('reader-token')
    answer(403, refusal('VIP_REQUIRED'))
    render(<PdfDownload issue={pdfIssue} />)
    await tap()
    expect(readFileSync).toHaveBeenCalledWith('wxfile://tmp/403', 'utf8')
    expect(Taro.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'PDF下载为VIP专享', confirmText: '开通会员' }),
    )
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index' })
    expect(openDocument).not.toHaveBeenCalled()
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  it('a refused token signs the reader in again, then downloads with the new token', async () => {
    ;(Taro.request as jest.Mock).mockImplementation(({ url }: { url: string }) =>
      Object.assign(
        Promise.resolve({
          statusCode: 200,
          data: url.endsWith('/api/auth/login') ? { token: 'fresh', expiresAt: '', me: me() } : me(),
          header: {},
        }),
        { abort: jest.fn() },
      ),
    )
    signInAs('stale-token')
    // The app's launch: installs the HTTP client's way back in on a refused token.
    startSession()
    await act(async () => undefined)
    answer(401, refusal('INVALID_TOKEN'))
    answer(200)
    render(<PdfDownload issue={pdfIssue} />)
    await tap()
    await act(async () => undefined)
    expect(Taro.login).toHaveBeenCalled()
    expect(getSession().status).toBe('signed-in')
    expect(downloadFile.mock.calls.map(([options]) => options.header.Authorization)).toEqual([
      'Bearer stale-token',
      'Bearer fresh',
    ])
    expect(openDocument).toHaveBeenCalledTimes(1)
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  it('other refusals and failures become a toast in Chinese', async () => {
    signInAs('reader-token')
    answer(404, refusal('ISSUE_NOT_FOUND'))
    render(<PdfDownload issue={pdfIssue} />)
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '内容不存在或已下线', icon: 'none' })

    downloadFile.mockImplementationOnce(() => Promise.reject({ errMsg: 'downloadFile:fail timeout' }))
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '下载失败，请稍后重试', icon: 'none' })

    answer(500)
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '下载失败，请稍后重试', icon: 'none' })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(openDocument).not.toHaveBeenCalled()
  })
})

describe('下载PDF on the article page', () => {
  const serveIssue = () =>
    (Taro.request as jest.Mock).mockImplementation(({ url }: { url: string }) =>
      Object.assign(
        Promise.resolve({ statusCode: 200, data: url.endsWith('/api/contacts') ? CONTACTS : issue(), header: {} }),
        { abort: jest.fn() },
      ),
    )
  async function open() {
    ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
    const view = render(<ArticlePage />)
    await act(async () => undefined)
    await act(async () => undefined)
    return view
  }

  it('is offered under the article to a signed-in reader, and not to a signed-out one', async () => {
    serveIssue()
    const view = await open()
    expect(screen.queryByRole('button', { name: '下载PDF' })).toBeNull()
    view.unmount()
    signInAs('reader-token')
    await open()
    expect(screen.getByRole('button', { name: '下载PDF' })).toBeTruthy()
  })

  it('is not offered in Moments single-page mode', async () => {
    signInAs('reader-token')
    process.env.TARO_ENV = 'weapp'
    ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1154 })
    serveIssue()
    const { container } = await open()
    expect(container.querySelector('#sec-s1')).not.toBeNull()
    expect(screen.queryByRole('button', { name: '下载PDF' })).toBeNull()
  })
})
