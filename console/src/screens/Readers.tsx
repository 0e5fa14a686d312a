/**
 * 读者: search, a drawer with VIP status, VIP history and orders, 调整会员 (± days with a reason)
 * and 解除手机绑定; 导出CSV; the tabs 导入网站会员 and 手机号冲突 (./Members.tsx).
 */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Input,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd'
import { api, errorText, queryString } from '../api'
import { LedgerTable, LoadError, ReasonModal } from '../components'
import { text, time } from '../format'
import { useCan } from '../session'
import type { ReaderDetail, ReaderPage, ReaderRow, VipResult } from '../types'
import { MemberImport, PhoneConflicts, useUnlinkPhone } from './Members'
import { OrderDrawer, orderColumns } from './Orders'

function VipTag({ vip }: { vip?: ReaderRow['vip'] }) {
  if (!vip?.expiresAt) return <Tag>非会员</Tag>
  if (!vip.active) return <Tag>已过期 {time(vip.expiresAt)}</Tag>
  return <Tag color='gold'>VIP 至 {time(vip.expiresAt)}</Tag>
}

export default function Readers() {
  const canExport = useCan('finance')
  const isAdmin = useCan()
  const items = [
    { key: 'search', label: '搜索读者', children: <ReaderSearch /> },
    ...(isAdmin ? [{ key: 'import', label: '导入网站会员', children: <MemberImport /> }] : []),
    ...(canExport ? [{ key: 'conflicts', label: '手机号冲突', children: <PhoneConflicts /> }] : []),
  ]
  return <Tabs items={items} destroyOnHidden />
}

function ReaderExport() {
  const [vip, setVip] = useState<string | undefined>(undefined)
  return (
    <Space>
      <Select
        allowClear
        placeholder='全部读者'
        style={{ width: 140 }}
        value={vip}
        onChange={setVip}
        options={[
          { value: 'active', label: '会员' },
          { value: 'expired', label: '会员已过期' },
          { value: 'never', label: '从未开通' },
        ]}
      />
      <Tooltip title='最新注册的在前，最多 100000 行；手机号仅管理员可见全号'>
        <Button href={`/api/admin/readers.csv${queryString({ vip })}`} download>
          导出CSV
        </Button>
      </Tooltip>
    </Space>
  )
}

function ReaderSearch() {
  const canExport = useCan('finance')
  const [q, setQ] = useState('')
  const [openId, setOpenId] = useState<number | null>(null)
  const list = useQuery({
    queryKey: ['readers', q],
    queryFn: () => api.get<ReaderPage>('/readers', { q }),
    enabled: q !== '',
  })
  return (
    <Card>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Space direction='vertical' size={4}>
          <Input.Search
            allowClear
            enterButton='搜索'
            placeholder='读者ID（#12）、昵称开头、手机号后4位及以上或分享码'
            style={{ width: 520, maxWidth: '100%' }}
            onSearch={(value) => setQ(value.trim())}
            loading={list.isFetching}
          />
          <Typography.Text type='secondary'>
            昵称按开头匹配（“王小”可找到“王小明”，“小明”不能）；最多显示 50 位，最新注册的在前。
          </Typography.Text>
        </Space>
        {canExport && <ReaderExport />}
      </Space>
      {list.isError && <LoadError title='搜索失败' error={list.error} />}
      <Table<ReaderRow>
        rowKey='id'
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: q ? '没有找到读者' : '输入关键词搜索读者' }}
        onRow={(row) => ({ onDoubleClick: () => setOpenId(row.id) })}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 80, render: (id: number) => `#${id}` },
          { title: '昵称', render: (_, row) => text(row.nickname) },
          { title: '手机号', render: (_, row) => text(row.phone) },
          { title: '会员', render: (_, row) => <VipTag vip={row.vip} /> },
          { title: '注册时间', render: (_, row) => time(row.createdAt) },
          { title: '最近登录', render: (_, row) => time(row.lastLoginAt) },
          {
            title: '操作',
            render: (_, row) => (
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
    mutationFn: (values: { days: number; reason: string }) => api.post<VipResult>(`/readers/${id}/vip`, values),
    onSuccess: (result, values) => {
      setAdjusting(false)
      const change = values.days > 0 ? `已延长 ${values.days} 天` : `已扣减 ${-values.days} 天`
      void message.success(`${change}，会员到期：${time(result?.after)}`)
      void queryClient.invalidateQueries({ queryKey: ['reader', id] })
      void queryClient.invalidateQueries({ queryKey: ['readers'] })
    },
    onError: (error) => void message.error(`调整失败：${errorText(error)}`),
  })
  const reader = detail.data?.reader
  const isAdmin = useCan()
  const [unlinking, setUnlinking] = useState(false)
  const unlink = useUnlinkPhone(() => {
    setUnlinking(false)
    void message.success('已解除手机号绑定')
    void queryClient.invalidateQueries({ queryKey: ['reader', id] })
    void queryClient.invalidateQueries({ queryKey: ['readers'] })
    void queryClient.invalidateQueries({ queryKey: ['member-conflicts'] })
  })

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={880}
      title={id !== null ? `读者 #${id}` : ''}
      destroyOnHidden
      extra={
        reader && (
          <Space>
            {isAdmin && reader.phone && (
              <Button danger onClick={() => setUnlinking(true)}>
                解除手机绑定
              </Button>
            )}
            {canAdjust && (
              <Button type='primary' onClick={() => setAdjusting(true)}>
                调整会员
              </Button>
            )}
          </Space>
        )
      }
    >
      {detail.isError && <Alert type='error' showIcon message='读者加载失败' description={errorText(detail.error)} />}
      {reader && (
        <Space direction='vertical' size='large' style={{ width: '100%' }}>
          <Descriptions bordered size='small' column={2}>
            <Descriptions.Item label='昵称'>{text(reader.nickname)}</Descriptions.Item>
            <Descriptions.Item label='手机号'>{text(reader.phone)}</Descriptions.Item>
            <Descriptions.Item label='会员'>
              <span data-testid='reader-vip'>
                <VipTag vip={reader.vip} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label='分享码'>{text(reader.shareCode)}</Descriptions.Item>
            <Descriptions.Item label='注册时间'>{time(reader.createdAt)}</Descriptions.Item>
            <Descriptions.Item label='最近登录'>{time(reader.lastLoginAt)}</Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>会员记录</Typography.Title>
            <LedgerTable rows={detail.data?.vipHistory ?? []} />
          </div>
          <div>
            <Typography.Title level={5}>订单</Typography.Title>
            <Table
              size='small'
              rowKey='id'
              pagination={false}
              dataSource={detail.data?.orders ?? []}
              columns={orderColumns(canAdjust ? setOrderId : null, false)}
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
            当前：
            <VipTag vip={reader?.vip} />
            扣减后的到期时间不会早于现在。
          </Typography.Paragraph>
        }
        onCancel={() => setAdjusting(false)}
        onSubmit={({ days, reason }) => adjust.mutate({ days: days ?? 0, reason })}
      />
      <ReasonModal
        open={unlinking}
        title={`解除读者 #${id ?? ''} 的手机号绑定`}
        okText='确认解除'
        danger
        loading={unlink.isPending}
        description={
          <Typography.Paragraph type='secondary'>
            解除后该手机号可由其他读者绑定；关联的网站会员同时解除关联（已转入的会员期不变）。
          </Typography.Paragraph>
        }
        onCancel={() => setUnlinking(false)}
        onSubmit={({ reason }) => id !== null && unlink.mutate({ readerId: id, reason })}
      />
      <OrderDrawer id={orderId} onClose={() => setOrderId(null)} />
    </Drawer>
  )
}
