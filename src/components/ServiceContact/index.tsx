import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { dialable, useContacts } from '../../hooks/useContacts'
import './index.scss'

const isWeapp = () => process.env.TARO_ENV === 'weapp'

/**
 * A phone line tapped: WeChat dials it; a browser cannot, so the H5 preview copies the number.
 */
export function callOrCopy(phone: string): void {
  if (isWeapp()) {
    Taro.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined)
    return
  }
  Taro.setClipboardData({ data: phone })
    .then(() => Taro.showToast({ title: `已复制 ${phone}`, icon: 'none' }))
    .catch(() => undefined)
}

/** A name to look up in WeChat (公众号, 视频号, 微博): copied, with where to paste it. */
export function copyName(name: string, where: string): void {
  Taro.setClipboardData({ data: name })
    .then(() => Taro.showToast({ title: `已复制“${name}”，请到${where}搜索`, icon: 'none', duration: 2500 }))
    .catch(() => undefined)
}

export interface ServiceChatProps {
  className?: string
  /** The card WeChat's customer-service chat opens with, e.g. 订单咨询 20261207… */
  topic?: string
  children: React.ReactNode
}

/** WeChat's own customer-service chat (`open-type="contact"`), with this page as a message card; weapp only. */
export function ServiceChat({ className, topic, children }: ServiceChatProps) {
  if (!isWeapp()) return null
  return (
    <Button className={className} openType='contact' showMessageCard={Boolean(topic)} sendMessageTitle={topic}>
      {children}
    </Button>
  )
}

export interface ServiceContactProps {
  /** What the question is about, for the chat's card: an order number, an issue's title */
  topic?: string
  /** Words before the service line, e.g. 订单如有疑问 */
  lead?: string
}

/**
 * Where questions arise (会员, the paywall, 我的订单): 在线客服 in WeChat, and the service line with its
 * hours from GET /api/contacts, a tap away (copied in a browser).
 */
export default function ServiceContact({ topic, lead = '如有疑问' }: ServiceContactProps) {
  const contacts = useContacts()
  return (
    <View className='service-contact'>
      <ServiceChat className='btn btn-ghost service-contact-chat' topic={topic}>
        在线客服
      </ServiceChat>
      {contacts ? (
        <Text className='service-contact-line' onClick={() => callOrCopy(contacts.service.phone)}>
          {`${lead}，请联系客服 ${contacts.service.phone}（${contacts.service.hours}）`}
        </Text>
      ) : null}
    </View>
  )
}
