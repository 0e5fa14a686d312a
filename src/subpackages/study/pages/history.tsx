import Taro from '@tarojs/taro'
import { readLabel } from '../../../components/IssueCard'
import StudyList from '../components/StudyList'
import { clearHistory, listHistory, type HistoryItem } from '../../../services/api'
import { shanghaiDateTime } from '../../../utils/format'

const load = (cursor?: string) => listHistory({ cursor })
const note = (item: HistoryItem) => `上次阅读 ${shanghaiDateTime(item.readAt)} · ${readLabel(item.percent)}`

function clear(reload: () => void) {
  void Taro.showModal({ title: '清空阅读记录', content: '清空后将无法从上次读到的位置继续阅读', confirmText: '清空' })
    .then(({ confirm }) => {
      if (!confirm) return
      return clearHistory().then(reload, () => void Taro.showToast({ title: '清空失败，请稍后重试', icon: 'none' }))
    })
    .catch(() => undefined)
}

/** 阅读记录: issues read, most recent first; opening one resumes where the reader stopped. */
export default function HistoryPage() {
  return (
    <StudyList
      load={load}
      note={note}
      signedOutText='使用微信登录后，可在任意设备继续上次的阅读'
      emptyTitle='暂无阅读记录'
      emptyText='读过的文章会显示在这里，再次打开时从上次读到的位置继续'
      action={{ text: '清空', run: clear }}
    />
  )
}
