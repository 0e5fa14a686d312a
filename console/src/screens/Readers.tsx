/** 读者: search, a drawer with membership, VIP history and orders, and 调整会员 (± days with a reason). */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Descriptions, Drawer, Input, Space, Table, Tag, Typography } from 'antd'
import { api, errorText } from '../api'
import { ReasonModal } from '../components'
import { pick, text, time } from '../format'
import { useCan } from '../session'
import type { Loose, Page, ReaderDetail, ReaderRow } from '../types'
import { OrderDrawer, orderColumns } from './Orders'

const VIP_UNTIL = ['vipExpiresAt', 'vipUntil', 'membershipExpiresAt', 'expiresAt']

function vipTag(until: unknown) {
  if (!until) return <Tag>非会员</Tag>
  const ms = typeof until === 'number' ? until : Date.parse(String(until))
  if (Number.isFinite(ms) && ms <= Date.now()) return <Tag>已过期 {time(until)}</Tag>
  return <Tag color='gold'>VIP 至 {time(until)}</Tag>
}

export default function Readers() {
  const [q, setQ] = useState('')
  const [openId, setOpenId] = useState<number | null>(null)
  const list = useQuery({
    queryKey: ['readers', q],
    queryFn: () => api.get<Page<ReaderRow>>('/readers', { q }),
    enabled: q !== '',
  })
  return (
    <Card>
      <Input.Search
        allowClear
        enterButton='搜索'
        placeholder='昵称、手机号或读者ID（#12）'
        style={{ maxWidth: 480, marginBottom: 16 }}
        onSearch={(value) => setQ(value.trim())}
        loading={list.isFetching}
      />
      {list.isError && (
        <Alert
          type='error'
          showIcon
          message='搜索失败'
          description={errorText(list.error)}
          style={{ marginBottom: 16 }}
        />
      )}
      <Table
        rowKey='id'
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: q ? '没有找到读者' : '输入关键词搜索读者' }}
        onRow={(row) => ({ onDoubleClick: () => setOpenId(row.id) })}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 80, render: (id: number) => `#${id}` },
          { title: '昵称', render: (_, row: ReaderRow) => text(pick(row, 'nickname', 'name')) },
          { title: '手机号', render: (_, row: ReaderRow) => text(pick(row, 'phone', 'phoneMasked')) },
          { title: '会员', render: (_, row: ReaderRow) => vipTag(pick(row, ...VIP_UNTIL)) },
          { title: '注册时间', render: (_, row: ReaderRow) => time(pick(row, 'createdAt')) },
          {
            title: '操作',
            render: (_, row: ReaderRow) => (
              <Button type='link' size='small' onClick={() => setOpenId(row.id)}>
                详情
              </Button>
            ),
          },
        ]}
      />
      <ReaderDrawer id={openId} onClose={() => setOpenId(null)} />
    </Card>
  )
}

function ReaderDrawer({ id, onClose }: { id: number | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canAdjust = useCan('finance')
  const [adjusting, setAdjusting] = useState(false)
  const [orderId, setOrderId] = useState<number | null>(null)
  const detail = useQuery({
    queryKey: ['reader', id],
    queryFn: () => api.get<ReaderDetail>(`/readers/${id}`),
    enabled: id !== null,
  })
  const adjust = useMutation({
    mutationFn: (values: { days: number; reason: string }) => api.post(`/readers/${id}/vip`, values),
    onSuccess: (_, values) => {
      setAdjusting(false)
      void message.success(values.days > 0 ? `已延长 ${values.days} 天` : `已扣减 ${-values.days} 天`)
      void queryClient.invalidateQueries({ queryKey: ['reader', id] })
      void queryClient.invalidateQueries({ queryKey: ['readers'] })
    },
    onError: (error) => void message.error(`调整失败：${errorText(error)}`),
  })
  const data = detail.data
  const reader = data?.reader
  const membership = data?.membership ?? null
  const until = pick(membership as Loose | null, ...VIP_UNTIL) ?? pick(reader, ...VIP_UNTIL)

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={820}
      title={id !== null ? `读者 #${id}` : ''}
      destroyOnHidden
      extra={
        canAdjust &&
        reader && (
          <Button type='primary' onClick={() => setAdjusting(true)}>
            调整会员
          </Button>
        )
      }
    >
      {detail.isError && <Alert type='error' showIcon message='读者加载失败' description={errorText(detail.error)} />}
      {reader && (
        <Space direction='vertical' size='large' style={{ width: '100%' }}>
          <Descriptions bordered size='small' column={2}>
            <Descriptions.Item label='昵称'>{text(pick(reader, 'nickname', 'name'))}</Descriptions.Item>
            <Descriptions.Item label='手机号'>{text(pick(reader, 'phone', 'phoneMasked'))}</Descriptions.Item>
            <Descriptions.Item label='会员'>
              <span data-testid='vip-until'>{vipTag(until)}</span>
            </Descriptions.Item>
            <Descriptions.Item label='注册时间'>{time(pick(reader, 'createdAt'))}</Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>会员记录</Typography.Title>
            <Table
              size='small'
              pagination={false}
              rowKey={(row, index) => String(pick(row, 'id') ?? index)}
              dataSource={data?.history ?? []}
              locale={{ emptyText: '暂无会员记录' }}
              columns={[
                { title: '时间', width: 170, render: (_, row: Loose) => time(pick(row, 'createdAt', 'at')) },
                {
                  title: '天数',
                  render: (_, row: Loose) => {
                    const days = pick(row, 'days')
                    return typeof days === 'number' ? (days > 0 ? `+${days}` : String(days)) : text(days)
                  },
                },
                { title: '来源', render: (_, row: Loose) => text(pick(row, 'source', 'kind')) },
                { title: '原因', render: (_, row: Loose) => text(pick(row, 'reason')) },
                {
                  title: '到期变化',
                  render: (_, row: Loose) =>
                    `${time(pick(row, 'expiresAtBefore', 'before'))} → ${time(pick(row, 'expiresAtAfter', 'after'))}`,
                },
              ]}
            />
          </div>
          <div>
            <Typography.Title level={5}>订单</Typography.Title>
            <Table
              size='small'
              rowKey='id'
              pagination={false}
              dataSource={data?.orders ?? []}
              columns={orderColumns(setOrderId).filter((column) => column.title !== '读者')}
              locale={{ emptyText: '暂无订单' }}
            />
          </div>
        </Space>
      )}
      <ReasonModal
        open={adjusting}
        title='调整会员'
        okText='确认调整'
        withDays
        loading={adjust.isPending}
        description={
          <Typography.Paragraph type='secondary'>
            当前：{vipTag(until)}。扣减后的到期时间不会早于现在。
          </Typography.Paragraph>
        }
        onCancel={() => setAdjusting(false)}
        onSubmit={({ days, reason }) => adjust.mutate({ days: days ?? 0, reason })}
      />
      <OrderDrawer id={orderId} onClose={() => setOrderId(null)} />
    </Drawer>
  )
}
