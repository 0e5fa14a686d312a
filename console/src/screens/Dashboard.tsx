/** 概览: today's and this week's numbers, and whether payments are healthy. */
import { useQuery } from '@tanstack/react-query'
import { Alert, Card, Col, Descriptions, Row, Skeleton, Statistic, Table, Tag } from 'antd'
import { api, errorText } from '../api'
import { pick, RAIL_LABELS, text, time, yuan } from '../format'
import type { Dashboard as DashboardData, Loose, Period } from '../types'

const FIGURES: Array<{ key: keyof Period; label: string; money?: boolean }> = [
  { key: 'views', label: '阅读量' },
  { key: 'orders', label: '下单数' },
  { key: 'paid', label: '支付订单' },
  { key: 'revenueFen', label: '收入', money: true },
  { key: 'refundedFen', label: '退款', money: true },
  { key: 'newVips', label: '新增会员' },
]

function PeriodCard({ title, period }: { title: string; period?: Period }) {
  return (
    <Card title={title} size='small'>
      <Row gutter={[16, 16]}>
        {FIGURES.map(({ key, label, money }) => (
          <Col key={key} xs={12} md={8} xl={4}>
            <Statistic
              title={label}
              value={money ? yuan(period?.[key]) : (period?.[key] ?? '—')}
              valueStyle={key === 'refundedFen' && (period?.[key] ?? 0) > 0 ? { color: '#cf1322' } : undefined}
            />
          </Col>
        ))}
      </Row>
    </Card>
  )
}

function describeReconcile(value: unknown): string {
  if (value === null || value === undefined) return '尚未运行'
  if (typeof value === 'string' || typeof value === 'number') return time(value)
  const row = value as Loose
  const at = pick(row, 'at', 'finishedAt', 'ranAt', 'startedAt', 'time')
  const rest = Object.entries(row)
    .filter(([key]) => !['at', 'finishedAt', 'ranAt', 'startedAt', 'time'].includes(key))
    .map(([key, v]) => `${key}: ${text(v)}`)
    .join('，')
  return [at ? time(at) : null, rest || null].filter(Boolean).join('　')
}

export default function Dashboard() {
  const query = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => api.get<DashboardData>('/dashboard'),
    refetchInterval: 60_000,
  })
  if (query.isPending) return <Skeleton active />
  if (query.isError) return <Alert type='error' showIcon message='概览加载失败' description={errorText(query.error)} />
  const { today, week, payments, jobs } = query.data
  const jobRows = (jobs ?? []).map((job, index) => ({ ...job, key: String(pick(job, 'name', 'id') ?? index) }))

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      {payments?.safeMode && (
        <Alert
          type='warning'
          showIcon
          message='支付处于安全模式'
          description='新订单暂停，已有订单仍会通过通知和对账结算。'
        />
      )}
      <PeriodCard title='今日' period={today} />
      <PeriodCard title='近7天' period={week} />
      <Card title='支付状态' size='small'>
        <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size='small'>
          <Descriptions.Item label='支付通道'>
            {payments?.rail ? (RAIL_LABELS[payments.rail] ?? payments.rail) : '未配置'}
          </Descriptions.Item>
          <Descriptions.Item label='售卖'>
            {payments?.sells ? <Tag color='green'>正常售卖</Tag> : <Tag color='red'>未售卖</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label='安全模式'>
            {payments?.safeMode ? <Tag color='orange'>开启</Tag> : <Tag>关闭</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label='近1小时支付通知'>{text(payments?.notificationsLastHour)}</Descriptions.Item>
          <Descriptions.Item label='最近对账'>{describeReconcile(payments?.lastReconcile)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title='后台任务' size='small'>
        <Table
          size='small'
          pagination={false}
          dataSource={jobRows}
          locale={{ emptyText: '暂无任务信息' }}
          columns={[
            { title: '任务', render: (_, row: Loose) => text(pick(row, 'label', 'name', 'id')) },
            {
              title: '状态',
              render: (_, row: Loose) => {
                const status = pick(row, 'status', 'state')
                const ok = pick(row, 'ok', 'healthy')
                if (ok === false || status === 'failed' || status === 'error')
                  return <Tag color='red'>{text(status ?? '异常')}</Tag>
                return <Tag color='green'>{text(status ?? '正常')}</Tag>
              },
            },
            { title: '上次运行', render: (_, row: Loose) => time(pick(row, 'lastRunAt', 'lastRun', 'at', 'ranAt')) },
            { title: '下次运行', render: (_, row: Loose) => time(pick(row, 'nextRunAt', 'nextRun')) },
            { title: '说明', render: (_, row: Loose) => text(pick(row, 'detail', 'message', 'error', 'holder')) },
          ]}
        />
      </Card>
    </div>
  )
}
