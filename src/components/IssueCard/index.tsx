import { memo } from 'react'
import { Text, View } from '@tarojs/components'
import type { IssueSummary } from '../../services/api'
import { formatCount, formatDate, issueLabel } from '../../utils/format'
import './index.scss'

export interface IssueCardProps {
  issue: IssueSummary
  onOpen: (issue: IssueSummary) => void
  /**
   * How far the signed-in reader has read it: a percent, null when read without a figure (recorded
   * before figures were kept), undefined when not read or not known.
   */
  percent?: number | null
}

/** 读完 / 已读42% / 已读, or nothing for an issue not read. */
export function readLabel(percent: number | null | undefined): string | null {
  if (percent === undefined) return null
  if (percent === null) return '已读'
  return percent >= 100 ? '读完' : `已读${percent}%`
}

/**
 * One issue in the list: 【山西·第32期】title, a summary of the free part, date, author and
 * views. Five or six WXML elements per card, so a long list stays far from the node budget.
 */
function IssueCard({ issue, onOpen, percent }: IssueCardProps) {
  const meta = `${formatDate(issue.date)} · ${issue.author} · ${formatCount(issue.views)} 阅读`
  const read = readLabel(percent)
  return (
    <View
      className={`issue-card${issue.vip ? ' issue-card-vip' : ''}`}
      hoverClass='issue-card-hover'
      onClick={() => onOpen(issue)}
    >
      {issue.vip ? <Text className='badge-vip issue-card-badge'>VIP</Text> : null}
      <Text className='issue-card-title'>
        <Text className='issue-card-label'>{issueLabel(issue)}</Text>
        {issue.title}
      </Text>
      {issue.summary ? <Text className='issue-card-summary'>{issue.summary}</Text> : null}
      <Text className='issue-card-meta'>
        {meta}
        {read ? <Text className='issue-card-read'>{read}</Text> : null}
      </Text>
    </View>
  )
}

export default memo(IssueCard)
