import { useState } from 'react'
import { Image, OfficialAccount, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useContacts } from '../../hooks/useContacts'
import { copyName } from '../ServiceContact'
import { officialAccountQr } from '../../services/api/contacts'
import './index.scss'

/**
 * Cold-start scenes after which WeChat shows <official-account> (base library 2.18.1+); a hot start
 * (最近使用, back from another mini-program …) keeps what the cold start allowed.
 */
const FOLLOW_SCENES: ReadonlySet<number> = new Set([1011, 1017, 1025, 1047, 1124])

/** True when WeChat will show the follow bar in this run of the mini-program. */
export function wechatShowsFollow(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false
  try {
    return FOLLOW_SCENES.has(Number(Taro.getLaunchOptionsSync().scene))
  } catch {
    return false
  }
}

/**
 * 关注公众号 where most readers see it: WeChat's own follow bar after a scanned code, else (most
 * launches: chats, search, 最近使用) a card with the 公众号's name to copy and its QR image from the
 * API. The bar's onError (banned, not configured) falls back to the card too.
 */
export default function OfficialAccountFollow() {
  const contacts = useContacts()
  const [barFailed, setBarFailed] = useState(false)
  if (wechatShowsFollow() && !barFailed) {
    return (
      <View className='follow follow-bar'>
        <OfficialAccount onError={() => setBarFailed(true)} />
      </View>
    )
  }
  if (!contacts) return null
  const { name } = contacts.officialAccount
  const preview = (url: string) => void Taro.previewImage({ urls: [url], current: url }).catch(() => undefined)
  const qr = officialAccountQr(contacts)
  return (
    <View className='follow follow-card' role='region' aria-label='关注公众号'>
      <View className='follow-text'>
        <Text className='follow-title'>关注公众号</Text>
        <Text className='follow-name'>{name}</Text>
        <Text className='follow-hint'>每周热点精讲更新提醒、备考资料，第一时间送达</Text>
        <Text className='follow-copy' onClick={() => copyName(name, '微信')}>
          复制公众号名称
        </Text>
      </View>
      {qr ? (
        <Image
          className='follow-qr'
          src={qr}
          mode='aspectFit'
          showMenuByLongpress
          onClick={() => preview(qr)}
          aria-label={`${name}二维码`}
        />
      ) : null}
    </View>
  )
}
