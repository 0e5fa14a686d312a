/** 订单: the list with filters, a drawer with the order and its ledger, and 退款 (finance, admin). */
import { useState } from 'react'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Select,
  Space,
  Table,
  Tooltip,
  Typography,
} from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { api, errorText, queryString } from '../api'
import { CursorPager, LedgerTable, LoadError, OrderStatusTag, ReasonModal, useCursorPaging } from '../components'
import { addressLine, GOODS_STAGES, LEDGER_EVENTS, ORDER_STATUS, RAIL_LABELS, text, time, yuan } from '../format'
import { useCan } from '../session'
import type { GoodsDetail, OrderDetail, OrderPage, OrderRow } from '../types'
import { ShipmentStatusTag } from './Shipping'

interface Filters {
  status?: string
  rail?: string
  userId?: string
  planId?: string
  from?: string
  to?: string
}

type DayValue = { format(pattern: string): string }

/** What the form holds: the days as the RangePicker's dayjs values */
interface FormValues extends Omit<Filters, 'from' | 'to'> {
  days?: [DayValue | null, DayValue | null] | null
}

const PLANS: Record<string, string> = { month: '一个月', half_year: '半年', year: '一年', course: '视频课程' }

/** What an order bought: the plan's name, and the course's title for a course order */
function planText(order: OrderRow): string {
  const plan = text(order.planName || order.planId)
  return order.course ? `${plan}《${order.course.title}》` : plan
}

/** The most rows one export holds (the API's cap); narrower filters export the rest */
const EXPORT_MAX_ROWS = 100000

/** Orders a refund may start from: paid for and not refunded yet (the API has the last word). */
const REFUNDABLE = new Set(['paid', 'fulfilled'])

/** The orders table's columns; without `onOpen` (operators who may not open orders) no 详情. */
export function orderColumns(onOpen: ((id: number) => void) | null, withReader = true): ColumnsType<OrderRow> {
  const columns: ColumnsType<OrderRow> = [
    { title: '订单', dataIndex: 'id', width: 80, render: (id: number) => `#${id}` },
    { title: '读者', render: (_, row) => `#${row.userId}` },
    { title: '套餐', render: (_, row) => planText(row) },
    { title: '金额', align: 'right', render: (_, row) => yuan(row.amountFen) },
    { title: '通道', render: (_, row) => RAIL_LABELS[row.rail] ?? text(row.rail) },
    { title: '状态', render: (_, row) => <OrderStatusTag status={row.status} /> },
    { title: '下单时间', render: (_, row) => time(row.createdAt) },
    { title: '支付时间', render: (_, row) => time(row.paidAt) },
  ]
  if (onOpen) {
    columns.push({
      title: '操作',
      render: (_, row) => (
        <Button type='link' size='small' onClick={() => onOpen(row.id)}>
          详情
        </Button>
      ),
    })
  }
  return withReader ? columns : columns.filter((column) => column.title !== '读者')
}

export default function Orders() {
  const [filters, setFilters] = useState<Filters>({})
  const [openId, setOpenId] = useState<number | null>(null)
  const paging = useCursorPaging()
  const list = useQuery({
    queryKey: ['orders', filters, paging.cursor],
    queryFn: () => api.get<OrderPage>('/orders', { ...filters, cursor: paging.cursor, limit: 20 }),
    placeholderData: keepPreviousData,
  })

  return (
    <Card>
      <Form
        layout='inline'
        style={{ marginBottom: 16, rowGap: 8 }}
        onFinish={({ days, ...values }: FormValues) => {
          setFilters({
            ...values,
            userId: values.userId?.trim().replace(/^#/, '') || undefined,
            from: days?.[0]?.format('YYYY-MM-DD'),
            to: days?.[1]?.format('YYYY-MM-DD'),
          })
          paging.reset()
        }}
      >
        <Form.Item label='状态' name='status'>
          <Select
            allowClear
            placeholder='全部'
            style={{ width: 120 }}
            options={Object.entries(ORDER_STATUS).map(([value, { label }]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item label='通道' name='rail'>
          <Select
            allowClear
            placeholder='全部'
            style={{ width: 120 }}
            options={Object.entries(RAIL_LABELS).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item label='套餐' name='planId'>
          <Select
            allowClear
            placeholder='全部'
            style={{ width: 120 }}
            options={Object.entries(PLANS).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item label='下单日期' name='days'>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item label='读者ID' name='userId' rules={[{ pattern: /^#?\d*$/, message: '请输入数字ID' }]}>
          <Input allowClear placeholder='例如 12' style={{ width: 120 }} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type='primary' htmlType='submit'>
              查询
            </Button>
            <Tooltip title={`按当前条件导出，最新的在前，最多 ${EXPORT_MAX_ROWS} 行（北京时间）`}>
              <Button href={`/api/admin/orders.csv${queryString({ ...filters })}`} download>
                导出CSV
              </Button>
            </Tooltip>
          </Space>
        </Form.Item>
      </Form>
      {list.isError && <LoadError title='订单加载失败' error={list.error} />}
      <Table
        rowKey='id'
        size='middle'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        columns={orderColumns(setOpenId)}
        pagination={false}
        onRow={(row) => ({ onDoubleClick: () => setOpenId(row.id) })}
        locale={{ emptyText: '没有符合条件的订单' }}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
      <OrderDrawer id={openId} onClose={() => setOpenId(null)} />
    </Card>
  )
}

export function OrderDrawer({ id, onClose }: { id: number | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canRefund = useCan('finance')
  const [refunding, setRefunding] = useState(false)
  const detail = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.get<OrderDetail>(`/orders/${id}`),
    enabled: id !== null,
    // A refund settles when the rail says so: watch it until then.
    refetchInterval: (query) => (query.state.data?.order.status === 'refunding' ? 2000 : false),
  })
  const refund = useMutation({
    mutationFn: ({ reason, amountFen }: { reason: string; amountFen?: number }) =>
      api.post(`/orders/${id}/refund`, { reason, amountFen }),
    onSuccess: () => {
      setRefunding(false)
      void message.success('退款已提交')
      for (const key of [
        'order',
        'orders',
        'dashboard',
        'reader',
        'readers',
        'awaiting',
        'products',
        'courses',
        'course-grants',
      ]) {
        void queryClient.invalidateQueries({ queryKey: [key] })
      }
    },
    onError: (error) => void message.error(`退款失败：${errorText(error)}`),
  })
  const order = detail.data?.order
  const goods = detail.data?.goods

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={800}
      title={id !== null ? `订单 #${id}` : ''}
      destroyOnHidden
      extra={
        canRefund &&
        order &&
        REFUNDABLE.has(order.status) && (
          <Button danger onClick={() => setRefunding(true)}>
            退款
          </Button>
        )
      }
    >
      {detail.isError && <Alert type='error' showIcon message='订单加载失败' description={errorText(detail.error)} />}
      {detail.isPending && id !== null && <Typography.Text type='secondary'>加载中…</Typography.Text>}
      {order && (
        <Space direction='vertical' size='large' style={{ width: '100%' }}>
          <Descriptions bordered size='small' column={2}>
            <Descriptions.Item label='状态'>
              <span data-testid='order-status'>
                <OrderStatusTag status={order.status} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label='金额'>{yuan(order.amountFen)}</Descriptions.Item>
            <Descriptions.Item label='商户订单号' span={2}>
              <Typography.Text copyable>{order.outTradeNo}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label='读者'>#{order.userId}</Descriptions.Item>
            <Descriptions.Item label={order.course ? '课程' : '套餐'}>
              {order.course ? `${planText(order)}（课程 #${order.course.id}）` : planText(order)}
            </Descriptions.Item>
            <Descriptions.Item label='通道'>{RAIL_LABELS[order.rail] ?? text(order.rail)}</Descriptions.Item>
            <Descriptions.Item label='微信交易号'>{text(order.transactionId)}</Descriptions.Item>
            <Descriptions.Item label='下单时间'>{time(order.createdAt)}</Descriptions.Item>
            <Descriptions.Item label='支付时间'>{time(order.paidAt)}</Descriptions.Item>
            <Descriptions.Item label={goods ? '发货时间' : '开通时间'}>{time(order.fulfilledAt)}</Descriptions.Item>
            <Descriptions.Item label='已退款'>
              {yuan(order.refundedFen ?? 0)} {order.refundedAt ? time(order.refundedAt) : ''}
            </Descriptions.Item>
            {order.refundFailure && (
              <Descriptions.Item label='退款失败原因' span={2}>
                <Typography.Text type='danger'>{order.refundFailure}</Typography.Text>
              </Descriptions.Item>
            )}
          </Descriptions>
          {goods && <GoodsPart goods={goods} />}
          <div>
            <Typography.Title level={5}>资金流水</Typography.Title>
            <LedgerTable rows={detail.data?.ledger ?? []} />
          </div>
          <div>
            <Typography.Title level={5}>微信通知</Typography.Title>
            <Table
              size='small'
              rowKey='key'
              pagination={false}
              dataSource={detail.data?.notifications ?? []}
              locale={{ emptyText: '暂无微信通知（主动查询的结果见资金流水）' }}
              columns={[
                { title: '收到时间', width: 170, render: (_, row) => time(row.receivedAt) },
                { title: '事件', render: (_, row) => LEDGER_EVENTS[row.event] ?? text(row.event) },
                { title: '通道', render: (_, row) => RAIL_LABELS[row.rail] ?? text(row.rail) },
                { title: '通知编号', render: (_, row) => <Typography.Text copyable>{row.key}</Typography.Text> },
              ]}
            />
          </div>
        </Space>
      )}
      <ReasonModal
        open={refunding}
        title={`退款订单 #${id ?? ''}`}
        okText='确认退款'
        danger
        maxReason={80}
        loading={refund.isPending}
        amount={goods?.partialRefund ? { label: '退款金额', maxFen: goods.refundableFen } : undefined}
        description={
          order && (
            <Alert
              type='warning'
              showIcon
              style={{ marginBottom: 16 }}
              message={
                goods
                  ? goods.partialRefund
                    ? `已发货：可部分退款，最多 ${yuan(goods.refundableFen)}（已付 ${yuan(order.amountFen)}，已退 ${yuan(order.refundedFen)}）。此操作不可撤销。`
                    : `未发货：将全额退款 ${yuan(goods.refundableFen)}，库存自动退回。此操作不可撤销。`
                  : order.course
                    ? `将全额退款 ${yuan(order.amountFen)}，读者将不能再观看《${order.course.title}》的付费课时。此操作不可撤销。`
                    : `将全额退款 ${yuan(order.amountFen)}，并相应缩短该读者的会员期。此操作不可撤销。`
              }
            />
          )
        }
        onCancel={() => setRefunding(false)}
        onSubmit={({ reason, amountYuan }) =>
          refund.mutate({
            reason,
            amountFen: goods?.partialRefund && amountYuan !== undefined ? Math.round(amountYuan * 100) : undefined,
          })
        }
      />
    </Drawer>
  )
}

/** A goods order's parcel: its lines, where it ships to, and its shipment as WeChat took it */
function GoodsPart({ goods }: { goods: GoodsDetail }) {
  const shipment = goods.shipment
  return (
    <div>
      <Typography.Title level={5}>商品与发货</Typography.Title>
      <Descriptions bordered size='small' column={2}>
        <Descriptions.Item label='进度'>
          <span data-testid='goods-stage'>{GOODS_STAGES[goods.stage] ?? goods.stage}</span>
        </Descriptions.Item>
        <Descriptions.Item label='可退金额'>{yuan(goods.refundableFen)}</Descriptions.Item>
        <Descriptions.Item label='商品' span={2}>
          {goods.lines.map((line) => `${line.title} ×${line.quantity}（单价 ${yuan(line.unitPriceFen)}）`).join('；')}
        </Descriptions.Item>
        <Descriptions.Item label='收货地址' span={2}>
          {addressLine(goods.address)}
        </Descriptions.Item>
        {shipment && (
          <>
            <Descriptions.Item label='快递'>
              {shipment.companyName} <Typography.Text copyable>{shipment.trackingNo}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label='微信上传'>
              <ShipmentStatusTag status={shipment.status} /> {text(shipment.wechatAnswer)}
            </Descriptions.Item>
            <Descriptions.Item label='上传时间'>{time(shipment.uploadedAt)}</Descriptions.Item>
            <Descriptions.Item label='收货时间'>{time(shipment.receivedAt)}</Descriptions.Item>
          </>
        )}
      </Descriptions>
    </div>
  )
}
