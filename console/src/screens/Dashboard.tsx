/** 概览: today's and this week's numbers, and whether payments are healthy. */
import { useQuery } from '@tanstack/react-query'
import { Alert, Card, Col, Descriptions, Row, Skeleton, Space, Statistic, Table, Tag } from 'antd'
import { api, errorText } from '../api'
import { RAIL_LABELS, text, time, yuan } from '../format'
import type { Dashboard as DashboardData, Period } from '../types'

const FIGURES: Array<{ key: keyof Period; label: string; money?: boolean }> = [
  { key: 'views', label: '阅读量' },
  { key: 'paywall', label: '到达付费墙' },
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

type Reconcile = DashboardData['payments']['lastReconcile']

function describeReconcile(value: Reconcile | undefined): string {
  if (!value) return '—'
  if (value.running) return `对账进行中（租约至 ${time(value.leaseExpiresAt)}）`
  return value.lastSweepEntryAt ? `最近一次对账记录：${time(value.lastSweepEntryAt)}` : '尚无对账记录'
}

const JOB_LABELS: Record<string, string> = {
  reconcile: '支付对账',
  'subscription-sweep': '新刊通知',
  'view-flush': '阅读量写入',
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

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      {payments && !payments.sells && (
        <Alert type='warning' showIcon message='支付通道未配置' description='读者目前无法购买会员。' />
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
          <Descriptions.Item label='消息推送'>
            {payments?.safeMode ? <Tag color='green'>安全模式（加密）</Tag> : <Tag color='orange'>明文模式</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label='近1小时支付通知'>{text(payments?.notificationsLastHour)}</Descriptions.Item>
          <Descriptions.Item label='最近对账'>{describeReconcile(payments?.lastReconcile)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title='后台任务' size='small'>
        <Table
          size='small'
          pagination={false}
          rowKey='name'
          dataSource={jobs ?? []}
          locale={{ emptyText: '暂无运行中的任务' }}
          columns={[
            { title: '任务', render: (_, row) => JOB_LABELS[row.name] ?? row.name },
            { title: '执行实例', render: (_, row) => text(row.holder) },
            {
              title: '租约到期',
              render: (_, row) => {
                const expired = Date.parse(row.expiresAt) < Date.now()
                return (
                  <Space>
                    {time(row.expiresAt)}
                    {expired ? <Tag>空闲</Tag> : <Tag color='processing'>运行中</Tag>}
                  </Space>
                )
              },
            },
          ]}
        />
      </Card>
    </div>
  )
}
