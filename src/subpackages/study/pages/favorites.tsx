import StudyList from '../components/StudyList'
import { listFavorites, type Favorite } from '../../../services/api'
import { shanghaiDateTime } from '../../../utils/format'

const load = (cursor?: string) => listFavorites({ cursor })
const note = (item: Favorite) => `收藏于 ${shanghaiDateTime(item.favoritedAt)}`

/** 我的收藏: the reader's favorites, most recently favorited first. */
export default function FavoritesPage() {
  return (
    <StudyList
      load={load}
      note={note}
      signedOutText='使用微信登录后，可在任意设备查看收藏的文章'
      emptyTitle='暂无收藏'
      emptyText='阅读文章时点击“☆ 收藏”，文章会保存在这里'
    />
  )
}
