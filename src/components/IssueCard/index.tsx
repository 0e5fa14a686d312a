import { memo } from 'react'
import { Text, View } from '@tarojs/components'
import type { IssueSummary } from '../../services/api'
import { formatCount, formatDate, issueLabel } from '../../utils/format'
import './index.scss'

export interface IssueCardProps {
  issue: IssueSummary
  onOpen: (issue: IssueSummary) => void
}

/** One issue in the list: 【山西·第32期】, title, summary of the free part, date, author, views. */
function IssueCard({ issue, onOpen }: IssueCardProps) {
  return (
    <View className='issue-card' hoverClass='issue-card-hover' onClick={() => onOpen(issue)}>
      <View className='issue-card-head'>
        <Text className='issue-card-label'>{issueLabel(issue)}</Text>
        {issue.vip ? <Text className='badge-vip'>VIP</Text> : null}
      </View>
      <Text className='issue-card-title'>{issue.title}</Text>
      {issue.summary ? <Text className='issue-card-summary'>{issue.summary}</Text> : null}
      <View className='issue-card-meta'>
        <Text>{formatDate(issue.date)}</Text>
        <Text className='issue-card-author'>{issue.author}</Text>
        <Text className='issue-card-views'>{formatCount(issue.views)} 阅读</Text>
      </View>
    </View>
  )
}

export default memo(IssueCard)
