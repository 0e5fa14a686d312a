/**
 * 商品: the store's shelf with stock, 销售, 浏览 and revenue per product; editors (and admins) add and
 * edit products in a drawer and add or take off copies. Every change asks why and lands in 操作日志.
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
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { api, errorText } from '../api'
import { LoadError, PriceCell, PriceItems, ReasonItem, ReasonModal } from '../components'
import { PRODUCT_KINDS, yuan } from '../format'
import { useCan } from '../session'
import type { ProductRow } from '../types'

/** The API's limits (server/src/schemas/admin-store.ts, domain/store.ts) */
const MAX_STOCK = 1000000
const MAX_LIMIT = 99

type Kind = ProductRow['kind']

interface Values {
  slug: string
  title: string
  cover?: string
  price: number
  original?: number | null
  kind: Kind
  shipDate?: string
  issuesCount?: number
  stock?: number
  limitPerReader: number
  sortOrder: number
  onShelf: boolean
  reason: string
}

const fen = (value: number) => Math.round(value * 100)

function kindText(row: ProductRow): string {
  if (row.kind === 'preorder') return `预售 · ${row.shipDate ?? '—'} 发货`
  if (row.kind === 'subscription') return `预定 · ${row.issuesCount ?? '—'} 期`
  return PRODUCT_KINDS[row.kind] ?? row.kind
}

export default function Products() {
  const canEdit = useCan('editor')
  const [editing, setEditing] = useState<ProductRow | 'new' | null>(null)
  const [restocking, setRestocking] = useState<ProductRow | null>(null)
  const list = useQuery({
    queryKey: ['products'],
    queryFn: () => api.get<{ items: ProductRow[] }>('/store/products'),
  })

  const columns: ColumnsType<ProductRow> = [
    { title: 'ID', dataIndex: 'id', width: 64, render: (id: number) => `#${id}` },
    {
      title: '商品',
      render: (_, row) => (
        <Space direction='vertical' size={0}>
          <Typography.Text strong>{row.title}</Typography.Text>
          <Typography.Text type='secondary' style={{ fontSize: 12 }}>
            {row.slug}
          </Typography.Text>
        </Space>
      ),
    },
    { title: '类型', render: (_, row) => kindText(row) },
    {
      title: '价格',
      align: 'right',
      render: (_, row) => <PriceCell priceFen={row.priceFen} originalPriceFen={row.originalPriceFen} />,
    },
    {
      title: '库存',
      align: 'right',
      render: (_, row) => (row.stock === 0 ? <Tag color='red'>售罄</Tag> : row.stock),
    },
    { title: '限购', align: 'right', render: (_, row) => `${row.limitPerReader} 件` },
    { title: '销售', align: 'right', render: (_, row) => `${row.sold} 件` },
    { title: '浏览', align: 'right', render: (_, row) => `${row.views} 人` },
    { title: '销售额', align: 'right', render: (_, row) => yuan(row.revenueFen) },
    {
      title: '状态',
      render: (_, row) => (row.onShelf ? <Tag color='green'>上架</Tag> : <Tag>下架</Tag>),
    },
  ]
  if (canEdit) {
    columns.push({
      title: '操作',
      render: (_, row) => (
        <Space size={0}>
          <Button type='link' size='small' onClick={() => setEditing(row)}>
            编辑
          </Button>
          <Button type='link' size='small' onClick={() => setRestocking(row)}>
            库存
          </Button>
        </Space>
      ),
    })
  }

  return (
    <Card
      title='图书商品'
      extra={
        canEdit && (
          <Button type='primary' onClick={() => setEditing('new')}>
            新建商品
          </Button>
        )
      }
    >
      {list.isError && <LoadError title='商品加载失败' error={list.error} />}
      <Table
        rowKey='id'
        size='middle'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        columns={columns}
        pagination={false}
        locale={{ emptyText: '还没有商品' }}
      />
      <ProductDrawer product={editing} onClose={() => setEditing(null)} />
      <StockModal product={restocking} onClose={() => setRestocking(null)} />
    </Card>
  )
}

function initialValues(product: ProductRow | 'new'): Partial<Values> {
  if (product === 'new') return { kind: 'in_stock', limitPerReader: 5, sortOrder: 0, onShelf: false, stock: 0 }
  return {
    slug: product.slug,
    title: product.title,
    cover: product.cover ?? undefined,
    price: product.priceFen / 100,
    original: product.originalPriceFen === null ? null : product.originalPriceFen / 100,
    kind: product.kind,
    shipDate: product.shipDate ?? undefined,
    issuesCount: product.issuesCount ?? undefined,
    limitPerReader: product.limitPerReader,
    sortOrder: product.sortOrder,
    onShelf: product.onShelf,
  }
}

function ProductDrawer({ product, onClose }: { product: ProductRow | 'new' | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<Values>()
  const kind = Form.useWatch('kind', form)
  const creating = product === 'new'
  const save = useMutation({
    mutationFn: (values: Values) => {
      const body = {
        slug: values.slug.trim(),
        title: values.title.trim(),
        cover: values.cover?.trim() || null,
        priceFen: fen(values.price),
        originalPriceFen: values.original ? fen(values.original) : null,
        kind: values.kind,
        shipDate: values.kind === 'preorder' ? (values.shipDate ?? null) : null,
        issuesCount: values.kind === 'subscription' ? (values.issuesCount ?? null) : null,
        limitPerReader: values.limitPerReader,
        sortOrder: values.sortOrder,
        onShelf: values.onShelf,
        reason: values.reason.trim(),
      }
      return creating || product === null
        ? api.post<ProductRow>('/store/products', { ...body, stock: values.stock ?? 0 })
        : api.put<ProductRow>(`/store/products/${product.id}`, body)
    },
    onSuccess: (saved) => {
      void message.success(creating ? `商品 #${saved.id} 已创建` : '商品已保存')
      void queryClient.invalidateQueries({ queryKey: ['products'] })
      onClose()
    },
    onError: (error) => void message.error(`保存失败：${errorText(error)}`),
  })

  return (
    <Drawer
      open={product !== null}
      onClose={onClose}
      width={560}
      title={creating ? '新建商品' : product ? `编辑商品 #${product.id}` : ''}
      destroyOnHidden
      extra={
        <Button type='primary' loading={save.isPending} onClick={() => form.submit()}>
          保存
        </Button>
      }
    >
      {product !== null && (
        <Form<Values>
          form={form}
          layout='vertical'
          preserve={false}
          initialValues={initialValues(product)}
          onFinish={(values) => save.mutate(values)}
        >
          <Form.Item
            label='标题'
            name='title'
            rules={[
              { required: true, whitespace: true, message: '请填写标题' },
              { max: 100, message: '标题最多 100 个字' },
            ]}
          >
            <Input placeholder='例如 【新品现货】2024年10月笔试考题解析+答题纸' />
          </Form.Item>
          <Form.Item
            label='标识（slug）'
            name='slug'
            extra='小写字母、数字和 -，用于链接'
            rules={[
              { required: true, message: '请填写标识' },
              { pattern: /^[a-z0-9][a-z0-9-]{0,63}$/, message: '1–64 个小写字母、数字或 -，不以 - 开头' },
            ]}
          >
            <Input placeholder='exam-2024-10' />
          </Form.Item>
          <Form.Item
            label='封面'
            name='cover'
            rules={[{ pattern: /^(https:\/\/|\/)\S{1,299}$/, message: 'https 地址或以 / 开头的路径，最多 300 字' }]}
          >
            <Input placeholder='https://…' />
          </Form.Item>
          <PriceItems />
          <Form.Item label='类型' name='kind' rules={[{ required: true }]}>
            <Select
              options={Object.entries(PRODUCT_KINDS).map(([value, label]) => ({ value, label }))}
              style={{ width: 200 }}
            />
          </Form.Item>
          {kind === 'preorder' && (
            <Form.Item
              label='预计发货日期'
              name='shipDate'
              rules={[
                { required: true, message: '预售商品需填写发货日期' },
                { pattern: /^\d{4}-\d{2}-\d{2}$/, message: '格式 YYYY-MM-DD' },
              ]}
            >
              <Input placeholder='2026-12-20' style={{ width: 200 }} />
            </Form.Item>
          )}
          {kind === 'subscription' && (
            <Form.Item label='期数' name='issuesCount' rules={[{ required: true, message: '预定商品需填写期数' }]}>
              <InputNumber min={1} max={120} precision={0} style={{ width: 200 }} addonAfter='期' />
            </Form.Item>
          )}
          <Space size='large' align='start'>
            {creating && (
              <Form.Item label='库存' name='stock' rules={[{ required: true, message: '请填写库存' }]}>
                <InputNumber min={0} max={MAX_STOCK} precision={0} style={{ width: 120 }} />
              </Form.Item>
            )}
            <Form.Item label='每人限购' name='limitPerReader' rules={[{ required: true, message: '请填写限购' }]}>
              <InputNumber min={1} max={MAX_LIMIT} precision={0} style={{ width: 120 }} addonAfter='件' />
            </Form.Item>
            <Form.Item label='排序' name='sortOrder' extra='小的在前' rules={[{ required: true }]}>
              <InputNumber min={-1000000} max={1000000} precision={0} style={{ width: 120 }} />
            </Form.Item>
          </Space>
          {!creating && (
            <Alert type='info' showIcon style={{ marginBottom: 16 }} message='库存请在列表中用「库存」调整' />
          )}
          <Form.Item label='上架' name='onShelf' valuePropName='checked'>
            <Switch checkedChildren='上架' unCheckedChildren='下架' />
          </Form.Item>
          <ReasonItem rows={2} />
        </Form>
      )}
    </Drawer>
  )
}

const STOCK_CHANGE = {
  label: '增减数量',
  unit: '数量',
  extra: '正数为补货，负数为减少；不会低于 0',
  max: MAX_STOCK,
  placeholder: '例如 20 或 -3',
}

function StockModal({ product, onClose }: { product: ProductRow | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const change = useMutation({
    mutationFn: (values: { change: number; reason: string }) =>
      api.post<ProductRow>(`/store/products/${product?.id}/stock`, values),
    onSuccess: (saved) => {
      void message.success(`库存已调整为 ${saved.stock}`)
      void queryClient.invalidateQueries({ queryKey: ['products'] })
      onClose()
    },
    onError: (error) => void message.error(`调整失败：${errorText(error)}`),
  })
  return (
    <ReasonModal
      open={product !== null}
      title={product ? `调整库存：${product.title}（当前 ${product.stock} 件）` : ''}
      okText='确认调整'
      change={STOCK_CHANGE}
      loading={change.isPending}
      onCancel={onClose}
      onSubmit={({ reason, days }) => change.mutate({ change: days ?? 0, reason })}
    />
  )
}
