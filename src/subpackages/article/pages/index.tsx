import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter, useShareAppMessage, useShareTimeline } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import OfficialAccountFollow from '../../../components/OfficialAccountFollow'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { requestFeedFilter, type FeedFilter } from '../../../hooks/useIssueFeed'
import type { IssueDetail, IssueNeighbour } from '../../../services/api'
import { useMembershipReload } from '../../../hooks/useMembershipReload'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { loadReaderSettings, saveReaderSettings, useReaderSettings } from '../../../store/readerSettings'
import { useSession } from '../../../store/session'
import { formatCount, formatDate, issueLabel } from '../../../utils/format'
import { isSinglePageMode, previewMode, type PreviewPersona } from '../../../utils/launch'
import { SectionsView, sectionAnchor, type AnswerFold } from '../components/Blocks'
import ResumeBar from '../components/ResumeBar'
import SharePoster from '../components/SharePoster'
import PaywallCard from '../components/PaywallCard'
import NotifyNext from '../components/NotifyNext'
import PdfDownload from '../components/PdfDownload'
import Toc from '../components/Toc'
import { parseIssueId, useIssue } from '../useIssue'
import { useCapsuleFavorite, useFavorite, useReadingProgress, type ReadingProgressState } from '../useStudy'
import { shareAppMessageParts, shareTimelineParts, shareTitle, useShareCode, useShareOpenReport } from '../useShare'
import { useFunnelReport } from '../useFunnel'
import './index.scss'

const PERSONA_LABELS: Record<PreviewPersona, string> = {
  guest: '游客',
  reader: '未开通VIP',
  vip: 'VIP会员',
  moments: '朋友圈单页',
}

function goHome() {
  void Taro.switchTab({ url: routes.home })
}

/** The home list showing what a crumb names: everything (首页), a column, or a region in a column. */
function openList(filter: Partial<FeedFilter>) {
  requestFeedFilter(filter)
  goHome()
}

function Crumb({ name, onOpen }: { name: string; onOpen?: () => void }) {
  return (
    <Text className={onOpen ? 'art-crumb-link' : ''} onClick={onOpen}>
      {name}
    </Text>
  )
}

/**
 * 您现在的位置：首页 › 省市遴选 › 热点精讲 › 山西 › 第32期. Each crumb opens the list it names: a column
 * crumb the home list of that column, the region the column's list for the region. Not where
 * nothing may lead elsewhere (Moments single-page mode, a preview).
 */
function Crumbs({ issue, alone }: { issue: IssueDetail; alone: boolean }) {
  const columns = issue.breadcrumb.filter((crumb) => crumb.slug !== '')
  const deepest = columns[columns.length - 1]
  const to = (filter: Partial<FeedFilter>) => (alone ? undefined : () => openList(filter))
  return (
    <View className='art-crumbs'>
      <Text>您现在的位置：</Text>
      <Crumb name='首页' onOpen={to({})} />
      {columns.map((column) => (
        <Text key={column.slug}>
          {' › '}
          <Crumb name={column.name} onOpen={to({ column: column.slug, columnName: column.name })} />
        </Text>
      ))}
      <Text>{' › '}</Text>
      <Crumb
        name={issue.region.name}
        onOpen={to({ region: issue.region.code, column: deepest?.slug ?? '', columnName: deepest?.name ?? '' })}
      />
      <Text>{` › 第${issue.number}期`}</Text>
    </View>
  )
}

/** WeChat keeps at most ten pages on its stack; navigateTo fails beyond that. */
const PAGE_STACK_LIMIT = 10

function Neighbour({ label, issue }: { label: string; issue: IssueNeighbour | null }) {
  if (!issue) {
    return (
      <View className='art-nav-item art-nav-none'>
        <Text className='art-nav-dir'>{label}</Text>
        <Text className='art-nav-title'>没有了</Text>
      </View>
    )
  }
  // navigateTo, so Back returns to the issue read before. Near WeChat's ten-page limit the
  // neighbour replaces this page instead: a reader paging issue after issue must not get stuck.
  const open = () => {
    const url = routes.article(issue.id)
    if (Taro.getCurrentPages().length >= PAGE_STACK_LIMIT - 1) void Taro.redirectTo({ url })
    else void Taro.navigateTo({ url })
  }
  return (
    <View className='art-nav-item' hoverClass='art-nav-hover' onClick={open}>
      <Text className='art-nav-dir'>{label}</Text>
      <Text className='art-nav-title'>
        第{issue.number}期 {issue.title}
      </Text>
    </View>
  )
}

/**
 * 分享给好友 (WeChat's share button: the page's onShareAppMessage) and 生成分享海报 (the square card,
 * for Moments). A browser has no share sheet: there 分享给好友 copies the article's link.
 */
function ShareActions({ onPoster }: { onPoster: () => void }) {
  const copyLink = () =>
    void Taro.setClipboardData({ data: window.location.href }).then(
      () => Taro.showToast({ title: '链接已复制，粘贴发给好友', icon: 'none' }),
      () => undefined,
    )
  return (
    <View className='art-share'>
      {process.env.TARO_ENV === 'h5' ? (
        <View className='art-share-btn' hoverClass='art-share-hover' onClick={copyLink}>
          <Text>复制链接分享</Text>
        </View>
      ) : (
        <Button className='art-share-btn' openType='share' hoverClass='art-share-hover'>
          分享给好友
        </Button>
      )}
      <View className='art-share-btn' hoverClass='art-share-hover' onClick={onPoster}>
        <Text>生成分享海报</Text>
      </View>
    </View>
  )
}

interface FavoriteToggle {
  favorited: boolean | null
  toggle: () => void
}

function Article({
  issue,
  singlePage,
  preview,
  favorite,
  fold,
  reading,
}: {
  issue: IssueDetail
  singlePage: boolean
  /** The console's preview: one issue, no way elsewhere, nothing written */
  preview: boolean
  favorite: FavoriteToggle
  fold: AnswerFold
  reading: ReadingProgressState
}) {
  // Where nothing may lead elsewhere: Moments single-page mode, and a preview (its ticket reads this issue only).
  const alone = singlePage || preview
  const { access } = issue
  const [poster, setPoster] = useState(false)

  const jump = useCallback((sectionId: string | null) => {
    const selector = sectionId === null ? '#paywall' : `#${sectionAnchor(sectionId)}`
    void Taro.pageScrollTo({ selector, duration: 300 })
  }, [])

  return (
    <View className='art'>
      <Crumbs issue={issue} alone={alone} />
      <Text className='art-title' userSelect>
        <Text className='art-label'>{issueLabel(issue)}</Text>
        {issue.title}
      </Text>
      <View className='art-meta'>
        <Text>
          {formatDate(issue.date)} | 来源：{issue.author} | 阅读 {formatCount(issue.views)}
        </Text>
        {issue.vip ? <Text className='badge-vip art-vip'>VIP</Text> : null}
        {favorite.favorited === null ? null : (
          <View
            className={favorite.favorited ? 'art-fav art-fav-on' : 'art-fav'}
            hoverClass='art-fav-hover'
            onClick={favorite.toggle}
          >
            <Text>{favorite.favorited ? '★ 已收藏' : '☆ 收藏'}</Text>
          </View>
        )}
      </View>
      <Toc sections={issue.sections} locked={access.granted ? null : access.paywall.locked.sections} onJump={jump} />
      <SectionsView sections={issue.sections} practiceIssueId={alone ? null : issue.id} fold={fold} />
      {access.granted ? null : <PaywallCard access={access} singlePage={singlePage} preview={preview} />}
      {alone ? null : <PdfDownload issue={issue} />}
      {alone ? null : <NotifyNext region={issue.region} />}
      {alone ? null : <OfficialAccountFollow />}
      {alone ? null : <ShareActions onPoster={() => setPoster(true)} />}
      {alone ? null : (
        <View className='art-nav'>
          <Neighbour label='上一期' issue={issue.previous} />
          <Neighbour label='下一期' issue={issue.next} />
        </View>
      )}
      {reading.resume ? (
        <ResumeBar place={reading.resume} onContinue={reading.continueReading} onRestart={reading.restart} />
      ) : null}
      {poster ? <SharePoster issueId={issue.id} onClose={() => setPoster(false)} /> : null}
    </View>
  )
}

/**
 * One issue. Opened from the list, from a chat share (cold or warm, maybe as the only
 * page) or from Moments in single-page mode, where it must not navigate or show
 * open-type buttons: it shows the free part and points to the full mini-program.
 */
export default function ArticlePage() {
  const { params } = useRouter()
  const [preview] = useState(previewMode)
  // A preview from a 小程序码 has only the ticket (its scene), which names the issue.
  const id = preview ? preview.issueId : parseIssueId(params.id)
  const [singlePage] = useState(isSinglePageMode)
  const { state, retry, refresh } = useIssue(id)
  const issue = state.status === 'ready' ? state.issue : null
  const session = useSession()
  // Favorites and reading progress are the signed-in reader's, kept on the server.
  const studying = session.status === 'signed-in' && !singlePage
  const favorite = useFavorite(issue ? issue.id : null, studying)
  const reading = useReadingProgress(issue, studying)
  useCapsuleFavorite(issue, id)
  const { fontSize, answers } = useReaderSettings()
  // 参考作答 folded unless the reader chose to see them all; the choice is saved only for a signed-in reader.
  const canRemember = studying && !preview
  const fold = useMemo<AnswerFold>(
    () => ({
      shown: answers === 'shown',
      remember: canRemember
        ? (shown) =>
            void saveReaderSettings({ answers: shown ? 'shown' : 'folded' }).catch(
              () => void Taro.showToast({ title: '设置未保存，请稍后重试', icon: 'none' }),
            )
        : null,
    }),
    [answers, canRemember],
  )
  const theme = usePageTheme()
  useEffect(() => {
    if (studying) void loadReaderSettings()
  }, [studying])

  // Back on this page after buying VIP (or after any change to it), the issue is loaded again.
  useMembershipReload(state, refresh)

  // Pull-down refresh reloads the issue in place (new views, an edit, a membership bought elsewhere).
  const pulling = useRef(false)
  usePullDownRefresh(() => {
    if (state.status === 'ready') {
      pulling.current = true
      refresh()
    } else {
      retry()
      Taro.stopPullDownRefresh()
    }
  })
  useEffect(() => {
    if (!pulling.current || state.status === 'loading') return
    pulling.current = false
    Taro.stopPullDownRefresh()
  }, [state])

  useEffect(() => {
    if (issue)
      void Taro.setNavigationBarTitle({ title: `${issue.region.name}·第${issue.number}期` }).catch(() => undefined)
  }, [issue])

  // Shares carry the sharer's code (signed in) and the server's card image; opens from a share are reported.
  const shareCode = useShareCode(studying ? (session.me?.id ?? null) : null)
  useShareOpenReport(id, preview ? undefined : params.sharer)
  // The paywall funnel: this issue opened, and its paywall shown, with the share and scene it came from.
  useFunnelReport(issue, params.sharer)
  // Share texts come from the free fields only: region, number, title.
  useShareAppMessage(() => ({
    title: shareTitle(issue),
    ...shareAppMessageParts(id, shareCode),
  }))
  useShareTimeline(() => ({
    title: shareTitle(issue),
    ...shareTimelineParts(id, shareCode),
  }))

  let body
  if (state.status === 'loading') {
    body = (
      <View className='art'>
        <TextSkeleton lines={3} />
        <TextSkeleton lines={10} />
      </View>
    )
  } else if (state.status === 'not-found') {
    body = (
      <StateView
        kind='not-found'
        title='内容不存在或已下线'
        description='这一期可能已被移除，去首页看看其他期刊吧'
        actionText={singlePage || preview ? undefined : '返回首页'}
        onAction={singlePage || preview ? undefined : goHome}
      />
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} onRetry={retry} />
  } else {
    body = (
      <Article
        issue={state.issue}
        singlePage={singlePage}
        preview={preview !== null}
        favorite={favorite}
        fold={fold}
        reading={reading}
      />
    )
  }

  return (
    <View className={`art-page art-font-${fontSize} ${theme}`}>
      {preview ? <Text className='art-preview'>预览模式 · {PERSONA_LABELS[preview.persona]}</Text> : null}
      {singlePage ? <Text className='art-moments'>当前为预览内容，请前往小程序使用完整服务</Text> : null}
      {body}
    </View>
  )
}
