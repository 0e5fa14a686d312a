/**
 * The console's shell: checks the session, shows 登录 without one, and otherwise the side menu,
 * the operator in the header and the current screen (each screen its own lazily loaded chunk).
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd'
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api'
import { ROLE_LABELS } from './format'
import { hrefOf, navigate, type Route, useRoute } from './router'
import { SessionContext } from './session'
import type { Operator, Role, Session } from './types'

const Login = lazy(() => import('./screens/Login'))
const Dashboard = lazy(() => import('./screens/Dashboard'))
const Issues = lazy(() => import('./screens/Issues'))
const Products = lazy(() => import('./screens/Products'))
const Courses = lazy(() => import('./screens/Courses'))
const Shipping = lazy(() => import('./screens/Shipping'))
const Orders = lazy(() => import('./screens/Orders'))
const Readers = lazy(() => import('./screens/Readers'))
const Audit = lazy(() => import('./screens/Audit'))
const Funnel = lazy(() => import('./screens/Funnel'))
const Reach = lazy(() => import('./screens/Reach'))
const Settings = lazy(() => import('./screens/Settings'))

const SCREENS: Record<Route, { label: string; roles?: Role[]; Component: React.ComponentType }> = {
  dashboard: { label: '概览', Component: Dashboard },
  issues: { label: '期刊', roles: ['editor', 'admin'], Component: Issues },
  products: { label: '商品', Component: Products },
  courses: { label: '课程', Component: Courses },
  shipping: { label: '待发货', roles: ['finance', 'admin'], Component: Shipping },
  orders: { label: '订单', roles: ['finance', 'admin'], Component: Orders },
  readers: { label: '读者', Component: Readers },
  audit: { label: '操作日志', roles: ['admin'], Component: Audit },
  funnel: { label: '漏斗', Component: Funnel },
  reach: { label: '通知与分享', Component: Reach },
  settings: { label: '设置', roles: ['admin'], Component: Settings },
}

const MENU_ORDER: Route[] = [
  'dashboard',
  'issues',
  'products',
  'courses',
  'shipping',
  'orders',
  'readers',
  'funnel',
  'reach',
  'audit',
  'settings',
]

const loading = (
  <div style={{ padding: 48, textAlign: 'center' }}>
    <Spin />
  </div>
)

type State = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; operator: Operator }

export function Console() {
  const queryClient = useQueryClient()
  const [state, setState] = useState<State>({ kind: 'checking' })
  const [checkError, setCheckError] = useState<string | null>(null)

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken)
    setState({ kind: 'signed-in', operator: session.operator })
  }, [])

  const signedOut = useCallback(() => {
    setCsrfToken(null)
    queryClient.clear()
    setState({ kind: 'signed-out' })
  }, [queryClient])

  const check = useCallback(() => {
    setCheckError(null)
    api
      .get<Session>('/session', undefined, { expectUnauthorized: true })
      .then(signedIn)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setState({ kind: 'signed-out' })
        else setCheckError(error instanceof Error ? error.message : '无法连接服务器')
      })
  }, [signedIn])

  useEffect(() => {
    setUnauthorizedHandler(signedOut)
    check()
    return () => setUnauthorizedHandler(null)
  }, [check, signedOut])

  if (checkError) {
    return (
      <Result
        status='warning'
        title='无法连接运营后台服务'
        subTitle={checkError}
        extra={
          <Button type='primary' onClick={check}>
            重试
          </Button>
        }
      />
    )
  }
  if (state.kind === 'checking') return loading
  if (state.kind === 'signed-out') {
    return (
      <Suspense fallback={loading}>
        <Login onSignedIn={signedIn} />
      </Suspense>
    )
  }
  return <Shell operator={state.operator} onSignedOut={signedOut} />
}

function Shell({ operator, onSignedOut }: { operator: Operator; onSignedOut(): void }) {
  const route = useRoute()
  const [leaving, setLeaving] = useState(false)
  const allowed = (name: Route) => {
    const roles = SCREENS[name].roles
    return !roles || roles.includes(operator.role)
  }
  const signOut = useCallback(() => {
    setLeaving(true)
    api
      .delete('/session')
      .catch(() => undefined)
      .finally(() => {
        setLeaving(false)
        onSignedOut()
      })
  }, [onSignedOut])
  const session = useMemo(() => ({ operator, signOut }), [operator, signOut])
  const screen = SCREENS[route]

  return (
    <SessionContext.Provider value={session}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Sider breakpoint='lg' collapsedWidth={64} theme='dark' width={200}>
          <div
            style={{ color: '#fff', fontWeight: 600, fontSize: 16, padding: '18px 20px', whiteSpace: 'nowrap' }}
            title='北辰遴选 · 运营后台'
          >
            北辰遴选
          </div>
          <Menu
            theme='dark'
            mode='inline'
            selectedKeys={[route]}
            onClick={({ key }) => navigate(key as Route)}
            items={MENU_ORDER.filter(allowed).map((name) => ({
              key: name,
              label: <a href={hrefOf(name)}>{SCREENS[name].label}</a>,
            }))}
          />
        </Layout.Sider>
        <Layout>
          <Layout.Header
            style={{
              background: '#fff',
              padding: '0 24px',
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'space-between',
              borderBottom: '1px solid #f0f0f0',
            }}
          >
            <Typography.Title level={4} style={{ margin: 0 }}>
              {screen.label}
            </Typography.Title>
            <Space>
              <span data-testid='operator-name'>{operator.name}</span>
              <Tag color={operator.role === 'admin' ? 'red' : operator.role === 'finance' ? 'gold' : 'blue'}>
                {ROLE_LABELS[operator.role] ?? operator.role}
              </Tag>
              <Button onClick={signOut} loading={leaving}>
                退出
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: 24 }}>
            <Suspense fallback={loading}>
              {allowed(route) ? (
                <screen.Component key={route} />
              ) : (
                <Result
                  status='403'
                  title='没有权限'
                  subTitle={`此页面仅对${(screen.roles ?? []).map((role) => ROLE_LABELS[role]).join('、')}开放`}
                />
              )}
            </Suspense>
          </Layout.Content>
        </Layout>
      </Layout>
    </SessionContext.Provider>
  )
}
