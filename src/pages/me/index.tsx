import { useEffect, useRef, useState } from 'react'
import { Button, Form, Image, Input, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import LoginConsent from '../../components/LoginConsent'
import OfficialAccountFollow from '../../components/OfficialAccountFollow'
import PrivacyPopup from '../../components/PrivacyPopup'
import { callOrCopy, copyName, ServiceChat } from '../../components/ServiceContact'
import { BRAND, routes } from '../../constants'
import { useContacts } from '../../hooks/useContacts'
import { usePageTheme, useTabBarTheme } from '../../hooks/usePageTheme'
import type { Contacts } from '../../services/api/contacts'
import {
  avatarSource,
  bindPhone,
  readerMessage,
  toApiError,
  updateNickname,
  uploadAvatar,
  type ApiError,
  type Me,
  type Membership,
} from '../../services/api'
import { requirePrivacyConsent } from '../../services/privacy'
import { AvatarButton, PhoneNumberButton, type ChosenFile } from '../../services/wechat'
import { deleteAccount, getSession, refreshMe, setMe, signIn, signOut, useSession } from '../../store/session'
import { shanghaiDate } from '../../utils/format'
import { busyButton, buttonFlag } from '../../utils/button'
import './index.scss'

const NICKNAME_MAX = 20
const DEFAULT_NICKNAME = '微信用户'
const LINKED_MEMBER_NOTE = '已同步网站会员权益'

type Busy = '' | 'login' | 'logout' | 'delete'

const isWeapp = () => process.env.TARO_ENV === 'weapp'

const toast = (title: string) => void Taro.showToast({ title, icon: 'none', duration: 2500 }).catch(() => undefined)

const call = callOrCopy

/** The 视频号 itself where WeChat can open it (base library 2.21.2+ and an id configured), else its name. */
function openChannels(channels: Contacts['channels']) {
  const { finderUserName, name } = channels
  if (isWeapp() && finderUserName && typeof Taro.openChannelsUserProfile === 'function') {
    Taro.openChannelsUserProfile({ finderUserName }).catch(() => copyName(name, '微信视频号'))
  } else copyName(name, '微信视频号')
}

/** 联系我们: every way to reach the publisher, as the server lists them. */
function ContactMenu({ contacts }: { contacts: Contacts }) {
  return (
    <View className='me-menu'>
      <MenuItem
        label='客服电话'
        value={`${contacts.service.phone}（${contacts.service.hours}）`}
        valueClass='me-phone'
        onClick={() => call(contacts.service.phone)}
      />
      <MenuItem label='商务合作' value={contacts.business.phone} onClick={() => call(contacts.business.phone)} />
      <MenuItem
        label='微信公众号'
        value={contacts.officialAccount.name}
        onClick={() => copyName(contacts.officialAccount.name, '微信')}
      />
      <MenuItem label='视频号' value={contacts.channels.name} onClick={() => openChannels(contacts.channels)} />
      <MenuItem label='微博' value={contacts.weibo.name} onClick={() => copyName(contacts.weibo.name, '微博')} />
    </View>
  )
}

function go(url: string) {
  void Taro.navigateTo({ url }).catch(() => undefined)
}

/** 有效期至 2027-06-30 / 已于 2025-01-01 到期 / 未开通 */
function membershipText(membership: Membership): string {
  const date = membership.expiresAt ? shanghaiDate(membership.expiresAt) : ''
  if (membership.active) return date ? `有效期至 ${date}` : '有效'
  return date ? `已于 ${date} 到期` : '未开通'
}

/** Why WeChat gave no phone code: silence for the reader's own "no", a hint otherwise. */
function phoneCancelMessage(reason: string): string {
  if (/deny|cancel/i.test(reason)) return ''
  if (/1400001|quota/i.test(reason)) return '手机号验证服务暂不可用，请稍后再试'
  if (/privacy/i.test(reason)) return '需同意隐私保护指引后才能绑定手机号'
  return '未能获取手机号，请重试'
}

/** One row of a menu: a label, maybe a value, and the arrow. */
function MenuItem({
  label,
  value,
  valueClass = '',
  onClick,
}: {
  label: string
  value?: string
  valueClass?: string
  onClick: () => void
}) {
  return (
    <View className='me-item' hoverClass='me-item-hover' onClick={onClick}>
      <Text className='me-item-label'>{label}</Text>
      {value === undefined ? null : (
        <Text className={`me-item-value${valueClass ? ` ${valueClass}` : ''}`}>{value}</Text>
      )}
      <Text className='me-item-arrow'>›</Text>
    </View>
  )
}

/** The server's rules for avatars (routes/me.ts), checked before a doomed upload. */
const AVATAR_MAX_BYTES = 2 * 1024 * 1024
const AVATAR_TYPES = /^image\/(jpeg|png|webp)$/
const AVATAR_EXTENSIONS = /\.(jpe?g|png|webp)$/i

/** Why this file cannot be an avatar, in the server's words, or null when it may be tried. */
export function avatarProblem(filePath: string, file: ChosenFile): string | null {
  const wrongType = file.type
    ? !AVATAR_TYPES.test(file.type)
    : /\.\w+$/.test(filePath) && !AVATAR_EXTENSIONS.test(filePath)
  if (wrongType) return readerMessage('UNSUPPORTED_IMAGE', 400)
  if (file.size !== undefined && file.size > AVATAR_MAX_BYTES) return readerMessage('FILE_TOO_LARGE', 413)
  return null
}

function Head({ me }: { me: Me }) {
  const [busy, setBusy] = useState(false)
  const avatar = avatarSource(me.avatarUrl)
  const name = me.nickname || DEFAULT_NICKNAME

  const changeAvatar = (filePath: string, file: ChosenFile) => {
    const problem = avatarProblem(filePath, file)
    if (problem) return toast(problem)
    setBusy(true)
    uploadAvatar(filePath).then(
      (next) => {
        setBusy(false)
        setMe(next)
        toast('头像已更新')
      },
      (error: unknown) => {
        setBusy(false)
        toast(toApiError(error).message)
      },
    )
  }

  return (
    <View className='me-head'>
      <AvatarButton className='me-avatar-button' disabled={busy} onChoose={changeAvatar}>
        {avatar ? (
          <Image className='me-avatar me-avatar-image' src={avatar} mode='aspectFill' />
        ) : (
          <View className='me-avatar'>
            <Text>{name.slice(0, 1)}</Text>
          </View>
        )}
        <Text className='me-avatar-edit'>{busy ? '上传中' : '更换'}</Text>
      </AvatarButton>
      <View className='me-who'>
        <View className='me-name-row'>
          <Text className='me-name'>{name}</Text>
          {me.membership.active ? <Text className='badge-vip me-vip'>VIP</Text> : null}
        </View>
        <Text className='me-hint'>点击头像可更换，下方可设置昵称</Text>
      </View>
    </View>
  )
}

function NicknameForm({ me }: { me: Me }) {
  const [saving, setSaving] = useState(false)
  // What is typed (H5's input is controlled); WeChat's own value comes with the form on submit.
  const [draft, setDraft] = useState(me.nickname)
  useEffect(() => setDraft(me.nickname), [me.nickname])
  // In the mini-program WeChat may fill the field without an input event, so 保存 stays usable there.
  const unchanged = !isWeapp() && draft.trim() === me.nickname

  // WeChat checks a nickname on blur and may clear the input, so the form's value decides.
  const save = (event: { detail: { value?: Record<string, unknown> } }) => {
    const submitted = event.detail.value?.nickname
    const nickname = String(typeof submitted === 'string' ? submitted : draft).trim()
    if (!nickname) return toast('请输入昵称')
    if ([...nickname].length > NICKNAME_MAX) return toast(`昵称最多${NICKNAME_MAX}个字`)
    if (nickname === me.nickname) return toast('昵称未修改')
    setSaving(true)
    updateNickname(nickname).then(
      (next) => {
        setSaving(false)
        setMe(next)
        toast('昵称已保存')
      },
      (error: unknown) => {
        setSaving(false)
        toast(toApiError(error).message)
      },
    )
  }

  return (
    <Form onSubmit={save}>
      <View className='me-item'>
        <Text className='me-item-label'>昵称</Text>
        <Input
          className='me-nickname'
          type='nickname'
          name='nickname'
          value={draft}
          placeholder='设置昵称'
          maxlength={NICKNAME_MAX}
          onInput={(event) => setDraft(event.detail.value)}
          onBlur={(event) => setDraft(event.detail.value)}
          onFocus={requirePrivacyConsent}
          onNickNameReview={(event) => {
            const { pass, timeout } = event.detail as { pass?: boolean; timeout?: boolean }
            if (pass === false && !timeout) toast('该昵称未通过微信安全检测，请换一个')
          }}
        />
        {/* Taro's H5 button submits its form on touchend only (not a mouse click), and the H5 input
            is controlled, so there the draft is the value. */}
        <Button
          className='btn btn-primary me-save'
          formType={isWeapp() ? 'submit' : undefined}
          onClick={isWeapp() ? undefined : () => save({ detail: { value: { nickname: draft } } })}
          disabled={buttonFlag(saving || unchanged)}
          {...busyButton(saving)}
        >
          保存
        </Button>
      </View>
    </Form>
  )
}

function PhoneRow({ me }: { me: Me }) {
  const contacts = useContacts()
  const [binding, setBinding] = useState(false)
  const [linked, setLinked] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const bind = (code: string) => {
    setBinding(true)
    setError(null)
    bindPhone(code).then(
      (result) => {
        setBinding(false)
        setLinked(result.linkedMember)
        setMe(result.me)
        // A linked member reads 已同步网站会员权益 under the row; a toast would say it a second time.
        if (!result.linkedMember) toast('手机号已绑定')
      },
      (failure: unknown) => {
        setBinding(false)
        setError(toApiError(failure))
      },
    )
  }

  const cancel = (reason: string) => {
    const message = phoneCancelMessage(reason)
    if (message) toast(message)
  }

  return (
    <View>
      <View className='me-item'>
        <Text className='me-item-label'>{me.phone ? '手机号' : '完善用户信息'}</Text>
        {me.phone ? (
          <Text className='me-item-value me-phone-bound'>已绑定 {me.phone}</Text>
        ) : (
          <PhoneNumberButton className='btn btn-ghost me-bind' disabled={binding} onCode={bind} onCancel={cancel}>
            {binding ? '绑定中' : '绑定手机号'}
          </PhoneNumberButton>
        )}
      </View>
      {!me.phone && !error ? <Text className='me-note'>绑定手机号后，可同步{BRAND}网站的会员权益</Text> : null}
      {linked ? <Text className='me-note me-linked'>{LINKED_MEMBER_NOTE}</Text> : null}
      {error ? (
        <View className='me-note me-error' role='alert'>
          <Text>{error.message}</Text>
          {error.code === 'PHONE_LINKED_ELSEWHERE' ? (
            <Text className='me-error-action' onClick={() => contacts && call(contacts.service.phone)}>
              联系客服{contacts ? ` ${contacts.service.phone}` : ''}
            </Text>
          ) : null}
        </View>
      ) : null}
    </View>
  )
}

function SignedOutHead({ error, busy, onLogin }: { error: ApiError | null; busy: boolean; onLogin: () => void }) {
  return (
    <View>
      <View className='me-head'>
        <View className='me-avatar'>
          <Text>北</Text>
        </View>
        <View className='me-who'>
          <Text className='me-name'>未登录</Text>
          <Text className='me-hint'>{error ? error.message : '登录后可同步会员权益'}</Text>
        </View>
        <Button className='btn me-login' disabled={buttonFlag(busy)} {...busyButton(busy)} onClick={onLogin}>
          微信一键登录
        </Button>
      </View>
      <LoginConsent />
    </View>
  )
}

/** 我的: the reader's profile, VIP status, phone binding, service and legal links, sign-out. */
export default function MePage() {
  const theme = usePageTheme()
  useTabBarTheme()
  const session = useSession()
  const { me, status, error } = session
  const [busy, setBusy] = useState<Busy>('')
  const contacts = useContacts()
  const shown = useRef(false)

  // Membership may change elsewhere (the web site, a purchase): reload on every return to the tab.
  useDidShow(() => {
    if (shown.current && getSession().status === 'signed-in') refreshMe().catch(() => undefined)
    shown.current = true
  })

  usePullDownRefresh(() => {
    const done = () => void Taro.stopPullDownRefresh()
    refreshMe().then(done, done)
  })

  const login = () => {
    setBusy('login')
    signIn().then(
      () => setBusy(''),
      () => setBusy(''),
    )
  }

  const logout = () => {
    Taro.showModal({
      title: '退出登录',
      content: '退出后需重新登录才能阅读会员内容，确定退出吗？',
      confirmText: '退出',
    })
      .then(({ confirm }) => {
        if (!confirm) return
        setBusy('logout')
        return signOut().then(() => {
          setBusy('')
          // The signed-out page is short: the reader would otherwise be left scrolled past its end.
          void Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined)
          toast('已退出登录')
        })
      })
      .catch(() => setBusy(''))
  }

  const removeAccount = () => {
    Taro.showModal({
      title: '注销账号',
      content:
        '注销后将删除你的昵称、头像、手机号、收藏、阅读记录、作答和订阅，剩余的会员权益一并作废且无法恢复；订单记录依法保留。确定注销吗？',
      confirmText: '注销',
      confirmColor: '#c4161c',
    })
      .then(({ confirm }) => {
        if (!confirm) return
        setBusy('delete')
        return deleteAccount().then(
          () => {
            setBusy('')
            void Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined)
            toast('账号已注销')
          },
          (error: unknown) => {
            setBusy('')
            toast(toApiError(error).message)
          },
        )
      })
      .catch(() => setBusy(''))
  }

  if (status === 'preview') {
    return (
      <View className={`me ${theme}`}>
        <Text className='me-preview'>当前为预览内容，请前往小程序使用完整服务</Text>
      </View>
    )
  }

  let head
  if (me) head = <Head me={me} />
  else if (status === 'starting' || status === 'signing-in') {
    head = (
      <View className='me-head'>
        <View className='me-avatar'>
          <Text>北</Text>
        </View>
        <View className='me-who'>
          <Text className='me-name'>登录中…</Text>
        </View>
      </View>
    )
  } else head = <SignedOutHead error={error} busy={busy === 'login'} onLogin={login} />

  return (
    <View className={`me ${theme}`}>
      {head}

      {me ? (
        <View className='me-menu me-menu-lead'>
          <NicknameForm me={me} />
          <PhoneRow me={me} />
        </View>
      ) : null}

      <View className={`me-menu${me ? '' : ' me-menu-lead'}`}>
        <MenuItem
          label='VIP会员'
          value={me ? membershipText(me.membership) : '查看会员方案'}
          valueClass={me?.membership.active ? 'me-vip-active' : ''}
          onClick={() => Taro.switchTab({ url: routes.vip })}
        />
        <MenuItem label='我的订单' onClick={() => go(routes.orders)} />
        <MenuItem label='我的收藏' onClick={() => go(routes.favorites)} />
        <MenuItem label='阅读记录' onClick={() => go(routes.history)} />
        <MenuItem label='阅读设置' onClick={() => go(routes.readerSettings)} />
      </View>

      <View className='me-menu'>
        <ServiceChat className='me-item me-item-button'>
          <Text className='me-item-label'>在线客服</Text>
          <Text className='me-item-arrow'>›</Text>
        </ServiceChat>
        <MenuItem label='用户协议' onClick={() => go(routes.agreement)} />
        <MenuItem label='隐私政策' onClick={() => go(routes.privacy)} />
      </View>

      {contacts ? <ContactMenu contacts={contacts} /> : null}

      <View className='me-follow'>
        <OfficialAccountFollow />
      </View>

      {me ? (
        <View className='me-logout-wrap'>
          <Button className='btn me-logout' disabled={buttonFlag(busy === 'logout')} onClick={logout}>
            退出登录
          </Button>
          <Text className='me-delete' onClick={busy ? undefined : removeAccount}>
            {busy === 'delete' ? '正在注销…' : '注销账号'}
          </Text>
        </View>
      ) : null}

      <View className='me-about'>
        <Text className='me-about-brand'>{BRAND}</Text>
        <Text className='me-about-motto'>做中国遴选学习平台 · 专注于遴选考试培训</Text>
        <Text className='me-about-motto'>漫漫遴选路，北辰永相随</Text>
        {process.env.TARO_APP_VERSION ? (
          <Text className='me-about-version'>版本 {process.env.TARO_APP_VERSION}</Text>
        ) : null}
      </View>

      <PrivacyPopup />
    </View>
  )
}
