/**
 * 登录: 微信扫码登录 (the 小程序码 of a ticket, polled every 2 s until confirmed, refused or
 * expired) and 密码登录, the break-glass way in when WeChat is unavailable.
 */
import { useEffect, useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { Alert, Button, Card, Form, Input, Result, Spin, Tabs, Typography } from 'antd'
import { api, errorText } from '../api'
import type { ScanStatus, ScanTicket, Session } from '../types'

interface Props {
  onSignedIn(session: Session): void
}

export default function Login({ onSignedIn }: Props) {
  const [tab, setTab] = useState('scan')
  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: '#f0f2f5',
      }}
    >
      <Card style={{ width: 400 }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          北辰遴选 · 运营后台
        </Typography.Title>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          centered
          destroyInactiveTabPane
          items={[
            { key: 'scan', label: '微信扫码登录', children: <ScanSignIn onSignedIn={onSignedIn} /> },
            { key: 'password', label: '密码登录', children: <PasswordSignIn onSignedIn={onSignedIn} /> },
          ]}
        />
      </Card>
    </div>
  )
}

function PasswordSignIn({ onSignedIn }: Props) {
  const signIn = useMutation({
    mutationFn: (values: { name: string; password: string }) =>
      api.post<Session>('/session/password', values, { expectUnauthorized: true }),
    onSuccess: onSignedIn,
  })
  const failure = signIn.error
    ? (signIn.error as { code?: string }).code === 'INVALID_CREDENTIALS'
      ? '账号或密码不正确'
      : (signIn.error as { code?: string }).code === 'RATE_LIMITED'
        ? '尝试次数过多，请稍后再试'
        : errorText(signIn.error)
    : null
  return (
    <Form layout='vertical' onFinish={(values: { name: string; password: string }) => signIn.mutate(values)}>
      <Alert
        type='info'
        showIcon
        style={{ marginBottom: 16 }}
        message='密码登录仅供微信无法使用时应急，请优先使用扫码登录。'
      />
      <Form.Item label='账号' name='name' rules={[{ required: true, message: '请输入账号' }]}>
        <Input autoComplete='username' autoFocus />
      </Form.Item>
      <Form.Item label='密码' name='password' rules={[{ required: true, message: '请输入密码' }]}>
        <Input.Password autoComplete='current-password' />
      </Form.Item>
      {failure && <Alert type='error' showIcon message={failure} style={{ marginBottom: 16 }} />}
      <Button type='primary' htmlType='submit' block loading={signIn.isPending}>
        登录
      </Button>
    </Form>
  )
}

function ScanSignIn({ onSignedIn }: Props) {
  const ticket = useQuery({
    queryKey: ['scan-ticket'],
    queryFn: () => api.post<ScanTicket>('/session/scan', {}, { expectUnauthorized: true }),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  })
  const id = ticket.data?.ticket
  const poll = useQuery({
    queryKey: ['scan-ticket', id],
    queryFn: () =>
      api.get<ScanStatus>(`/session/scan/${encodeURIComponent(id!)}`, undefined, { expectUnauthorized: true }),
    enabled: Boolean(id),
    gcTime: 0,
    refetchInterval: (query) => (!query.state.data || query.state.data.status === 'waiting' ? 2000 : false),
    refetchIntervalInBackground: true,
    retry: 3,
  })
  const status = poll.data?.status

  useEffect(() => {
    if (status === 'confirmed' && poll.data?.operator && poll.data.csrfToken) {
      onSignedIn({ operator: poll.data.operator, csrfToken: poll.data.csrfToken })
    }
  }, [status, poll.data, onSignedIn])

  const renew = () => void ticket.refetch()

  if (ticket.isPending) {
    return (
      <div style={{ textAlign: 'center', padding: 48 }}>
        <Spin />
      </div>
    )
  }
  if (ticket.isError) {
    return (
      <Result
        status='warning'
        title='无法获取登录码'
        subTitle={errorText(ticket.error)}
        extra={<Button onClick={renew}>重试</Button>}
      />
    )
  }
  if (status === 'refused') {
    return (
      <Result
        status='error'
        title='扫码的微信账号不是后台操作员'
        subTitle='请用已登记为操作员的微信扫码，或使用密码登录'
        extra={<Button onClick={renew}>重新获取</Button>}
      />
    )
  }
  if (status === 'expired') {
    return <Result status='info' title='登录码已过期' extra={<Button onClick={renew}>刷新登录码</Button>} />
  }
  return (
    <div style={{ textAlign: 'center' }}>
      <img
        src={ticket.data.codeUrl}
        alt='登录小程序码'
        width={220}
        height={220}
        style={{ display: 'block', margin: '8px auto 16px' }}
      />
      <Typography.Paragraph>
        {status === 'confirmed' ? '已确认，正在进入…' : '请使用微信扫描小程序码，并在手机上确认登录'}
      </Typography.Paragraph>
      {poll.isError && <Alert type='warning' message={`查询登录状态失败：${errorText(poll.error)}`} />}
    </div>
  )
}
