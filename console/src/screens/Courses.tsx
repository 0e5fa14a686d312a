/**
 * 课程: the video courses with access, price, lessons and their length, 试看, 上架, 购买/收入 and 学习人数.
 * Editors put a course on or off the shelf and edit its title, subtitle and order; finance changes the
 * price of a course sold alone (with a reason) and sees who bought it. Every change lands in 操作日志.
 */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { api, errorText } from '../api'
import { LoadError, OrderStatusTag, PriceCell, PriceItems } from '../components'
import { RAIL_LABELS, time, yuan } from '../format'
import { useCan } from '../session'
import type { CourseGrant, CourseGrantList, CourseRow } from '../types'
import { OrderDrawer } from './Orders'

/** The API's limits (server/src/schemas/admin-courses.ts) */
const MAX_TITLE = 100
const MAX_SUBTITLE = 200
const MAX_SORT = 1000000
const MAX_REASON = 200

interface Values {
  title: string
  subtitle?: string
  sortOrder: number
  price?: number
  original?: number | null
  reason?: string
}

const fen = (value: number) => Math.round(value * 100)

/** 48 秒, 12 分 05 秒, 1 小时 05 分 */
function durationText(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h > 0) return `${h} 小时 ${String(m).padStart(2, '0')} 分`
  if (m > 0) return `${m} 分 ${String(s).padStart(2, '0')} 秒`
  return `${s} 秒`
}

export default function Courses() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canEdit = useCan('editor')
  const canPrice = useCan('finance')
  const [editing, setEditing] = useState<CourseRow | null>(null)
  const [buyersOf, setBuyersOf] = useState<CourseRow | null>(null)
  const list = useQuery({
    queryKey: ['courses'],
    queryFn: () => api.get<{ items: CourseRow[] }>('/courses'),
  })
  const shelf = useMutation({
    mutationFn: ({ id, onShelf }: { id: number; onShelf: boolean }) =>
      api.patch<CourseRow>(`/courses/${id}`, { onShelf }),
    onSuccess: (saved) => {
      void message.success(`《${saved.title}》已${saved.onShelf ? '上架' : '下架'}`)
      void queryClient.invalidateQueries({ queryKey: ['courses'] })
    },
    onError: (error) => void message.error(`操作失败：${errorText(error)}`),
  })

  const columns: ColumnsType<CourseRow> = [
    { title: 'ID', dataIndex: 'id', width: 64, render: (id: number) => `#${id}` },
    {
      title: '封面',
      width: 96,
      render: (_, row) =>
        row.cover ? (
          <img
            src={row.cover}
            alt={`${row.title} 封面`}
            width={80}
            height={45}
            style={{ objectFit: 'cover', borderRadius: 4, display: 'block' }}
          />
        ) : (
          <Typography.Text type='secondary'>无封面</Typography.Text>
        ),
    },
    {
      title: '课程',
      render: (_, row) => (
        <Space direction='vertical' size={0}>
          <Typography.Text strong>{row.title}</Typography.Text>
          {row.subtitle && (
            <Typography.Text type='secondary' style={{ fontSize: 12 }}>
              {row.subtitle}
            </Typography.Text>
          )}
          <Typography.Text type='secondary' style={{ fontSize: 12 }}>
            {row.slug}
            {row.teacher ? ` · ${row.teacher}` : ''}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '权限',
      render: (_, row) => (row.access === 'vip' ? <Tag color='gold'>VIP免费</Tag> : <Tag color='blue'>单独购买</Tag>),
    },
    {
      title: '价格',
      align: 'right',
      render: (_, row) =>
        row.priceFen === null ? '—' : <PriceCell priceFen={row.priceFen} originalPriceFen={row.originalPriceFen} />,
    },
    {
      title: '课时',
      render: (_, row) => (
        <Space direction='vertical' size={0}>
          <span>{row.lessonCount} 节</span>
          <Typography.Text type='secondary' style={{ fontSize: 12 }}>
            共 {durationText(row.durationSeconds)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: '试看', align: 'right', render: (_, row) => `${row.previewCount} 节` },
    {
      title: '上架',
      render: (_, row) => (
        <Popconfirm
          title={row.onShelf ? `下架《${row.title}》？` : `上架《${row.title}》？`}
          description={
            row.onShelf ? '下架后不再出售，课程列表不再显示；已购买的读者仍可观看' : '上架后读者即可在课程列表看到它'
          }
          okText={row.onShelf ? '下架' : '上架'}
          cancelText='取消'
          disabled={!canEdit}
          onConfirm={() => shelf.mutate({ id: row.id, onShelf: !row.onShelf })}
        >
          <Switch
            checked={row.onShelf}
            checkedChildren='上架'
            unCheckedChildren='下架'
            disabled={!canEdit}
            loading={shelf.isPending && shelf.variables?.id === row.id}
            aria-label={`《${row.title}》上架`}
          />
        </Popconfirm>
      ),
    },
    {
      title: '购买 / 收入',
      align: 'right',
      render: (_, row) =>
        row.access === 'vip' ? (
          <Typography.Text type='secondary'>含在VIP</Typography.Text>
        ) : (
          <Space direction='vertical' size={0} style={{ textAlign: 'right' }}>
            <span>{row.purchases} 单</span>
            <Typography.Text type='secondary' style={{ fontSize: 12 }}>
              {yuan(row.revenueFen)}
            </Typography.Text>
          </Space>
        ),
    },
    { title: '学习人数', align: 'right', render: (_, row) => `${row.learners} 人` },
  ]
  if (canEdit || canPrice) {
    columns.push({
      title: '操作',
      render: (_, row) => (
        <Space size={0}>
          <Button type='link' size='small' onClick={() => setEditing(row)}>
            编辑
          </Button>
          {canPrice && row.access === 'sale' && (
            <Button type='link' size='small' onClick={() => setBuyersOf(row)}>
              购买记录
            </Button>
          )}
        </Space>
      ),
    })
  }

  return (
    <Card
      title='视频课程'
      extra={
        <Typography.Text type='secondary'>导入课程：npm run admin -- course import &lt;课程目录&gt;</Typography.Text>
      }
    >
      {list.isError && <LoadError title='课程加载失败' error={list.error} />}
      <Table
        rowKey='id'
        size='middle'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        columns={columns}
        pagination={false}
        locale={{ emptyText: '还没有课程（用 npm run admin -- course import 导入）' }}
      />
      <CourseDrawer course={editing} onClose={() => setEditing(null)} />
      <GrantsDrawer course={buyersOf} onClose={() => setBuyersOf(null)} />
    </Card>
  )
}

function initialValues(course: CourseRow): Values {
  return {
    title: course.title,
    subtitle: course.subtitle,
    sortOrder: course.sortOrder,
    price: course.priceFen === null ? undefined : course.priceFen / 100,
    original: course.originalPriceFen === null ? null : course.originalPriceFen / 100,
  }
}

/** The fields of the form that differ from the course, as the API takes them */
function changesOf(course: CourseRow, values: Values, canEdit: boolean, canPrice: boolean): Record<string, unknown> {
  const change: Record<string, unknown> = {}
  if (canEdit) {
    if (values.title.trim() !== course.title) change.title = values.title.trim()
    if ((values.subtitle ?? '').trim() !== course.subtitle) change.subtitle = (values.subtitle ?? '').trim()
    if (values.sortOrder !== course.sortOrder) change.sortOrder = values.sortOrder
  }
  if (canPrice && course.access === 'sale' && values.price !== undefined) {
    if (fen(values.price) !== course.priceFen) change.priceFen = fen(values.price)
    const original = values.original ? fen(values.original) : null
    if (original !== course.originalPriceFen) change.originalPriceFen = original
  }
  return change
}

function CourseDrawer({ course, onClose }: { course: CourseRow | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canEdit = useCan('editor')
  const canPrice = useCan('finance')
  const [form] = Form.useForm<Values>()
  const price = Form.useWatch('price', form)
  const original = Form.useWatch('original', form)
  const sale = course?.access === 'sale'
  const priceChanged =
    course !== null &&
    sale &&
    ((price !== undefined && price !== null && fen(price) !== course.priceFen) ||
      (original ? fen(original) : null) !== course.originalPriceFen)
  const save = useMutation({
    mutationFn: (change: Record<string, unknown>) => api.patch<CourseRow>(`/courses/${course?.id}`, change),
    onSuccess: (saved) => {
      void message.success(
        priceChanged
          ? `已保存。请在小程序虚拟支付后台把道具 ${saved.productId ?? ''} 的价格改为 ${yuan(saved.priceFen)}`
          : '课程已保存',
        priceChanged ? 8 : undefined,
      )
      void queryClient.invalidateQueries({ queryKey: ['courses'] })
      onClose()
    },
    onError: (error) => void message.error(`保存失败：${errorText(error)}`),
  })
  const submit = (values: Values) => {
    if (!course) return
    const change = changesOf(course, values, canEdit, canPrice)
    if (Object.keys(change).length === 0) {
      void message.info('没有修改')
      onClose()
      return
    }
    const reason = values.reason?.trim()
    save.mutate(reason ? { ...change, reason } : change)
  }

  return (
    <Drawer
      open={course !== null}
      onClose={onClose}
      width={560}
      title={course ? `编辑课程 #${course.id}` : ''}
      destroyOnHidden
      extra={
        <Button type='primary' loading={save.isPending} onClick={() => form.submit()}>
          保存
        </Button>
      }
    >
      {course !== null && (
        <Form<Values>
          form={form}
          layout='vertical'
          preserve={false}
          initialValues={initialValues(course)}
          onFinish={submit}
        >
          <Alert
            type='info'
            showIcon
            style={{ marginBottom: 16 }}
            message='用 npm run admin -- course import 重新导入这门课程时，course.yaml 会覆盖这里的标题、副标题、排序和价格（上架状态不变）'
          />
          <Form.Item
            label='标题'
            name='title'
            extra={canEdit ? undefined : '标题、副标题和排序由编辑修改'}
            rules={[
              { required: true, whitespace: true, message: '请填写标题' },
              { max: MAX_TITLE, message: `标题最多 ${MAX_TITLE} 个字` },
            ]}
          >
            <Input disabled={!canEdit} />
          </Form.Item>
          <Form.Item
            label='副标题'
            name='subtitle'
            rules={[{ max: MAX_SUBTITLE, message: `副标题最多 ${MAX_SUBTITLE} 个字` }]}
          >
            <Input disabled={!canEdit} placeholder='可不填' />
          </Form.Item>
          <Form.Item label='排序' name='sortOrder' extra='小的在前' rules={[{ required: true, message: '请填写排序' }]}>
            <InputNumber min={-MAX_SORT} max={MAX_SORT} precision={0} style={{ width: 160 }} disabled={!canEdit} />
          </Form.Item>
          {sale ? (
            <>
              <PriceItems disabled={!canPrice} />
              <Alert
                type={priceChanged ? 'warning' : 'info'}
                showIcon
                style={{ marginBottom: 16 }}
                message={
                  canPrice
                    ? `单独购买的课程在小程序虚拟支付中以道具 ${course.productId ?? ''} 出售：修改售价后，请在微信后台（虚拟支付 → 道具管理）把它改为同样的价格。已下单的订单仍按下单时的价格。`
                    : '修改价格需要财务或管理员'
                }
              />
            </>
          ) : (
            <Alert
              type='info'
              showIcon
              style={{ marginBottom: 16 }}
              message='本课程包含在VIP会员中，没有单独售价（由 course.yaml 的 access 决定）'
            />
          )}
          <Form.Item
            label='原因'
            name='reason'
            dependencies={['price', 'original']}
            required={priceChanged}
            extra={priceChanged ? undefined : '修改标题、排序可不填；修改价格必须填写'}
            rules={[
              { max: MAX_REASON, message: `原因不超过 ${MAX_REASON} 字` },
              {
                validator: (_, value: string | undefined) =>
                  priceChanged && !value?.trim() ? Promise.reject(new Error('修改价格请填写原因')) : Promise.resolve(),
              },
            ]}
          >
            <Input.TextArea rows={2} showCount maxLength={MAX_REASON} placeholder='将记录在操作日志中' />
          </Form.Item>
        </Form>
      )}
    </Drawer>
  )
}

function GrantsDrawer({ course, onClose }: { course: CourseRow | null; onClose(): void }) {
  const [orderId, setOrderId] = useState<number | null>(null)
  const grants = useQuery({
    queryKey: ['course-grants', course?.id],
    queryFn: () => api.get<CourseGrantList>(`/courses/${course?.id}/grants`),
    enabled: course !== null,
  })
  const items = grants.data?.items ?? []
  const active = items.filter((grant) => grant.revokedAt === null).length
  const columns: ColumnsType<CourseGrant> = [
    {
      title: '订单',
      render: (_, row) => (
        <Space direction='vertical' size={0}>
          <Button type='link' size='small' style={{ padding: 0 }} onClick={() => setOrderId(row.orderId)}>
            #{row.orderId}
          </Button>
          <Typography.Text type='secondary' copyable style={{ fontSize: 12 }}>
            {row.outTradeNo}
          </Typography.Text>
        </Space>
      ),
    },
    { title: '读者', render: (_, row) => `#${row.userId}${row.reader ? ` ${row.reader}` : ''}` },
    { title: '金额', align: 'right', render: (_, row) => yuan(row.amountFen) },
    { title: '通道', render: (_, row) => RAIL_LABELS[row.rail] ?? row.rail },
    { title: '订单状态', render: (_, row) => <OrderStatusTag status={row.status} /> },
    { title: '购买时间', render: (_, row) => time(row.grantedAt) },
    {
      title: '观看权限',
      render: (_, row) =>
        row.revokedAt ? (
          <Space direction='vertical' size={0}>
            <Tag color='red'>已退款收回</Tag>
            <Typography.Text type='secondary' style={{ fontSize: 12 }}>
              {time(row.revokedAt)}
            </Typography.Text>
          </Space>
        ) : (
          <Tag color='green'>有效</Tag>
        ),
    },
  ]
  return (
    <Drawer
      open={course !== null}
      onClose={onClose}
      width={900}
      title={course ? `购买记录：${course.title}` : ''}
      destroyOnHidden
    >
      {grants.isError && <LoadError title='购买记录加载失败' error={grants.error} />}
      <Typography.Paragraph type='secondary'>
        共 {items.length} 笔，有效 {active} 笔（最新的在前，最多 500 笔）。退款请打开订单详情。
      </Typography.Paragraph>
      <Table
        rowKey='orderId'
        size='small'
        loading={grants.isFetching}
        dataSource={items}
        columns={columns}
        pagination={false}
        locale={{ emptyText: '还没有读者购买' }}
      />
      <OrderDrawer id={orderId} onClose={() => setOrderId(null)} />
    </Drawer>
  )
}
