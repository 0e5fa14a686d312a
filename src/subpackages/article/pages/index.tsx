import { useCallback, useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter, useShareAppMessage, useShareTimeline } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import type { IssueDetail, IssueNeighbour } from '../../../services/api'
import { loadReaderSettings, useEffectiveTheme, useReaderSettings } from '../../../store/readerSettings'
import { getSession, useSession } from '../../../store/session'
import { formatCount, formatDate, issueLabel } from '../../../utils/format'
import { isOnlyPage, isSinglePageMode, previewMode, type PreviewPersona } from '../../../utils/launch'
import { SectionsView, sectionAnchor } from '../components/Blocks'
import PaywallCard from '../components/PaywallCard'
import NotifyNext from '../components/NotifyNext'
import PdfDownload from '../components/PdfDownload'
import Toc from '../components/Toc'
import { parseIssueId, useIssue } from '../useIssue'
import { useCapsuleFavorite, useFavorite, useReadingProgress } from '../useStudy'
import { shareAppMessageParts, shareTimelineParts, shareTitle, useShareCode, useShareOpenReport } from '../useShare'
import { useFunnelReport } from '../useFunnel'
import './index.scss'

const HOME_CRUMB = '首页'

const PERSONA_LABELS: Record<PreviewPersona, string> = {
  guest: '游客',
  reader: '未开通VIP',
  vip: 'VIP会员',
  moments: '朋友圈单页',
}

function goHome() {
  void Taro.switchTab({ url: routes.home })
}

/** The region in the crumbs opens 往期导航 at that region. */
function RegionCrumb({ region }: { region: IssueDetail['region'] }) {
  const open = () => void Taro.navigateTo({ url: `${routes.navigator}?region=${encodeURIComponent(region.code)}` })
  return (
    <Text className='art-crumb-home' onClick={open}>
      {` › ${region.name}`}
    </Text>
  )
}

function Neighbour({ label, issue }: { label: string; issue: IssueNeighbour | null }) {
  if (!issue) {
    return (
      <View className='art-nav-item art-nav-none'>
        <Text className='art-nav-dir'>{label}</Text>
        <Text className='art-nav-title'>没有了</Text>
      </View>
    )
  }
  // redirectTo keeps the page stack flat while reading issue after issue.
  const open = () => void Taro.redirectTo({ url: routes.article(issue.id) })
  return (
    <View className='art-nav-item' hoverClass='art-nav-hover' onClick={open}>
      <Text className='art-nav-dir'>{label}</Text>
      <Text className='art-nav-title'>
        第{issue.number}期 {issue.title}
      </Text>
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
}: {
  issue: IssueDetail
  singlePage: boolean
  /** The console's preview: one issue, no way elsewhere, nothing written */
  preview: boolean
  favorite: FavoriteToggle
}) {
  // Where nothing may lead elsewhere: Moments single-page mode, and a preview (its ticket reads this issue only).
  const alone = singlePage || preview
  const { access } = issue
  const crumbs = issue.breadcrumb.map((crumb) => crumb.name).filter((name) => name !== HOME_CRUMB)

  const jump = useCallback((sectionId: string | null) => {
    const selector = sectionId === null ? '#paywall' : `#${sectionAnchor(sectionId)}`
    void Taro.pageScrollTo({ selector, duration: 300 })
  }, [])

  return (
    <View className='art'>
      <View className='art-crumbs'>
        <Text className={alone ? '' : 'art-crumb-home'} onClick={alone ? undefined : goHome}>
          {HOME_CRUMB}
        </Text>
        <Text>{crumbs.map((name) => ` › ${name}`).join('')}</Text>
        {alone ? null : <RegionCrumb region={issue.region} />}
      </View>
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
      <Toc sections={issue.sections} locked={!access.granted} onJump={jump} />
      <SectionsView sections={issue.sections} practiceIssueId={alone ? null : issue.id} />
      {access.granted ? null : <PaywallCard access={access} singlePage={singlePage} preview={preview} />}
      {alone ? null : <PdfDownload issue={issue} />}
      {alone ? null : <NotifyNext region={issue.region} />}
      {alone ? null : (
        <View className='art-nav'>
          <Neighbour label='上一期' issue={issue.previous} />
          <Neighbour label='下一期' issue={issue.next} />
        </View>
      )}
    </View>
  )
}

/** What decides the reader's access: the session's membership expiry (null: none, or not signed in). */
function membershipKey(): string | null {
  return getSession().me?.membership.expiresAt ?? null
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
  const [onlyPage] = useState(isOnlyPage)
  const { state, retry, refresh } = useIssue(id)
  const issue = state.status === 'ready' ? state.issue : null
  const session = useSession()
  // Favorites and reading progress are the signed-in reader's, kept on the server.
  const studying = session.status === 'signed-in' && !singlePage
  const favorite = useFavorite(issue ? issue.id : null, studying)
  useReadingProgress(issue, studying)
  useCapsuleFavorite(issue, id)
  const { fontSize } = useReaderSettings()
  const theme = useEffectiveTheme()
  useEffect(() => {
    if (studying) void loadReaderSettings()
  }, [studying])

  // The reader's membership when the issue was loaded. Back on this page after buying VIP (or after
  // any change to it), the issue is loaded again and unlocks in place: no restart, no new page.
  const loadedFor = useRef<string | null | undefined>(undefined)
  useEffect(() => {
    loadedFor.current = state.status === 'ready' ? membershipKey() : undefined
  }, [state])
  useDidShow(() => {
    const current = membershipKey()
    if (loadedFor.current === undefined || loadedFor.current === current) return
    loadedFor.current = current
    refresh()
  })

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
    body = <Article issue={state.issue} singlePage={singlePage} preview={preview !== null} favorite={favorite} />
  }

  return (
    <View className={`art-page art-font-${fontSize}${theme === 'dark' ? ' art-dark' : ''}`}>
      {preview ? <Text className='art-preview'>预览模式 · {PERSONA_LABELS[preview.persona]}</Text> : null}
      {singlePage ? <Text className='art-moments'>当前为预览内容，请前往小程序使用完整服务</Text> : null}
      {body}
      {onlyPage && !singlePage && !preview && state.status !== 'not-found' ? (
        <View className='art-home' hoverClass='art-home-hover' onClick={goHome}>
          <Text>首页</Text>
        </View>
      ) : null}
    </View>
  )
}
