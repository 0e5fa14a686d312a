/**
 * 待发货 (finance, admin): paid goods orders, oldest payment first, with the 48 h mark, the
 * short-of-stock mark and WeChat's 提醒发货; 发货 one order (company and tracking number) or
 * 批量发货 from a CSV with a report per line; then each shipment's upload to WeChat's 发货信息管理
 * (待上传 / 已上传 / 上传失败 with WeChat's answer) and 重新上传 after a failure.
 */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd'
import { api, errorText } from '../api'
import { LoadError, ReasonModal } from '../components'
import { addressLine, SHIPMENT_STATUS, text, time, yuan } from '../format'
import type { AwaitingQueueData, AwaitingRow, ShipCsvReport, ShipmentPage, ShipmentRow } from '../types'

/** The API's limits (server/src/domain/shipping.ts) */
const CSV_MAX_BYTES = 1_000_000
const TRACKING = /^[A-Za-z0-9-]{4,64}$/

/** Every list this screen's changes touch */
const TOUCHED = ['awaiting', 'shipments', 'order', 'orders', 'products']

type Companies = AwaitingQueueData['companies']

export function ShipmentStatusTag({ status }: { status: string }) {
  const known = SHIPMENT_STATUS[status]
  return <Tag color={known?.color}>{known?.label ?? status}</Tag>
}

export default function Shipping() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [shipping, setShipping] = useState<AwaitingRow | null>(null)
  const [batch, setBatch] = useState(false)
  const queue = useQuery({ queryKey: ['awaiting'], queryFn: () => api.get<AwaitingQueueData>('/store/awaiting') })
  const managed = queue.data?.tradeManaged
  const ask = useMutation({
    mutationFn: () => api.post('/store/trade-managed'),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['awaiting'] }),
    onError: (error) => void message.error(`查询失败：${errorText(error)}`),
  })

  return (
    <Space direction='vertical' size='large' style={{ width: '100%' }}>
      <Alert
        type={managed?.managed ? 'warning' : 'info'}
        showIcon
        message={
          managed
            ? managed.managed
              ? '本小程序已纳入微信「发货信息管理」：发货信息上传后，货款才会结算给商户'
              : '本小程序未纳入微信「发货信息管理」'
            : '尚未向微信查询是否纳入「发货信息管理」（is_trade_managed）'
        }
        description={managed && `查询时间 ${time(managed.checkedAt)}`}
        action={
          <Button size='small' loading={ask.isPending} onClick={() => ask.mutate()}>
            重新查询
          </Button>
        }
      />
      <Card
        title='待发货订单'
        extra={
          <Space>
            <Typography.Text type='secondary'>按支付时间，最早的在前；支付超过 48 小时标记为超时</Typography.Text>
            <Button onClick={() => setBatch(true)}>批量发货</Button>
          </Space>
        }
      >
        {queue.isError && <LoadError title='待发货订单加载失败' error={queue.error} />}
        <Table
          rowKey='orderId'
          size='middle'
          loading={queue.isFetching}
          dataSource={queue.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: '没有待发货的订单' }}
          columns={[
            { title: '订单', width: 80, render: (_, row) => `#${row.orderId}` },
            {
              title: '支付时间',
              render: (_, row) => (
                <Space direction='vertical' size={0}>
                  <span>{time(row.paidAt)}</span>
                  <Space size={4} wrap>
                    {row.overdue && <Tag color='red'>超时 48 小时</Tag>}
                    {row.short && <Tag color='volcano'>缺货：请补货或退款</Tag>}
                    {row.reminders > 0 && <Tag color='orange'>提醒发货 ×{row.reminders}</Tag>}
                  </Space>
                </Space>
              ),
            },
            {
              title: '商品',
              render: (_, row) => row.lines.map((line) => `${line.title} ×${line.quantity}`).join('；'),
            },
            { title: '金额', align: 'right', render: (_, row) => yuan(row.amountFen) },
            { title: '收货地址', render: (_, row) => addressLine(row.address) },
            {
              title: '操作',
              render: (_, row) => (
                <Button type='primary' size='small' onClick={() => setShipping(row)}>
                  发货
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Shipments />
      <ShipModal
        order={shipping}
        companies={queue.data?.companies ?? []}
        onClose={() => setShipping(null)}
        onShipped={() => {
          setShipping(null)
          for (const key of TOUCHED) void queryClient.invalidateQueries({ queryKey: [key] })
        }}
      />
      <CsvModal
        open={batch}
        onClose={() => setBatch(false)}
        onShipped={() => {
          for (const key of TOUCHED) void queryClient.invalidateQueries({ queryKey: [key] })
        }}
      />
    </Space>
  )
}

export function ShipModal({
  order,
  companies,
  onClose,
  onShipped,
}: {
  order: AwaitingRow | null
  companies: Companies
  onClose(): void
  onShipped(): void
}) {
  const { message } = App.useApp()
  const [form] = Form.useForm<{ company: string; trackingNo: string; reason?: string }>()
  const ship = useMutation({
    mutationFn: (values: { company: string; trackingNo: string; reason?: string }) =>
      api.post<ShipmentRow>(`/store/orders/${order?.orderId}/ship`, {
        company: values.company,
        trackingNo: values.trackingNo.trim(),
        reason: values.reason?.trim() ?? '',
      }),
    onSuccess: () => {
      void message.success('已发货，发货信息将自动上传微信')
      onShipped()
    },
    onError: (error) => void message.error(`发货失败：${errorText(error)}`),
  })
  return (
    <Modal
      open={order !== null}
      title={order ? `发货：订单 #${order.orderId}` : ''}
      okText='确认发货'
      cancelText='取消'
      okButtonProps={{ loading: ship.isPending }}
      onCancel={onClose}
      onOk={() =>
        void form
          .validateFields()
          .then((values) => ship.mutate(values))
          .catch(() => undefined)
      }
      destroyOnHidden
      afterClose={() => form.resetFields()}
    >
      {order && (
        <Typography.Paragraph type='secondary'>
          {order.lines.map((line) => `${line.title} ×${line.quantity}`).join('；')}
          <br />
          {addressLine(order.address)}
        </Typography.Paragraph>
      )}
      <Form form={form} layout='vertical' preserve={false}>
        <Form.Item label='快递公司' name='company' rules={[{ required: true, message: '请选择快递公司' }]}>
          <Select
            showSearch
            optionFilterProp='label'
            placeholder='选择快递公司'
            options={companies.map((company) => ({ value: company.code, label: `${company.name}（${company.code}）` }))}
          />
        </Form.Item>
        <Form.Item
          label='运单号'
          name='trackingNo'
          rules={[
            { required: true, whitespace: true, message: '请填写运单号' },
            { pattern: TRACKING, message: '运单号为 4–64 位字母、数字或 -' },
          ]}
        >
          <Input placeholder='例如 SF1234567890' maxLength={64} />
        </Form.Item>
        <Form.Item label='备注' name='reason' rules={[{ max: 200, message: '备注不超过 200 字' }]}>
          <Input placeholder='可不填；记录在操作日志中' maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

function CsvModal({ open, onClose, onShipped }: { open: boolean; onClose(): void; onShipped(): void }) {
  const { message } = App.useApp()
  const [csv, setCsv] = useState('')
  const [report, setReport] = useState<ShipCsvReport | null>(null)
  const send = useMutation({
    mutationFn: () => api.post<ShipCsvReport>('/store/ship-csv', { csv, reason: '批量发货' }),
    onSuccess: (answer) => {
      setReport(answer)
      onShipped()
      void message.info(`发货 ${answer.shipped} 单，失败 ${answer.refused} 行`)
    },
    onError: (error) => void message.error(`批量发货失败：${errorText(error)}`),
  })
  return (
    <Modal
      open={open}
      title='批量发货'
      width={760}
      okText='开始发货'
      cancelText='关闭'
      okButtonProps={{ loading: send.isPending, disabled: csv.trim() === '' }}
      onCancel={onClose}
      onOk={() => send.mutate()}
      destroyOnHidden
      afterClose={() => {
        setCsv('')
        setReport(null)
      }}
    >
      <Typography.Paragraph type='secondary'>
        每行一单：<Typography.Text code>订单号,快递公司代码,运单号</Typography.Text>，如{' '}
        <Typography.Text code>12,SF,SF1234567890</Typography.Text>；首行以 order
        开头的表头会跳过。出错的行不影响其他行。
      </Typography.Paragraph>
      <Space direction='vertical' style={{ width: '100%' }}>
        <Upload
          accept='.csv,text/csv,text/plain'
          maxCount={1}
          showUploadList={false}
          beforeUpload={(file) => {
            if (file.size > CSV_MAX_BYTES) {
              void message.error('文件超过 1 MB，请拆分后上传')
              return Upload.LIST_IGNORE
            }
            void file.text().then((content) => {
              setCsv(content)
              setReport(null)
            })
            return false
          }}
        >
          <Button>选择 CSV 文件</Button>
        </Upload>
        <Input.TextArea
          aria-label='发货 CSV'
          rows={6}
          value={csv}
          onChange={(event) => {
            setCsv(event.target.value)
            setReport(null)
          }}
          placeholder={'order,company,tracking\n12,SF,SF1234567890'}
        />
        {report && (
          <Table
            size='small'
            rowKey='line'
            pagination={false}
            scroll={{ y: 280 }}
            dataSource={report.lines}
            title={() => `发货 ${report.shipped} 单，失败 ${report.refused} 行`}
            columns={[
              { title: '行', dataIndex: 'line', width: 60 },
              { title: '订单', width: 80, render: (_, row) => (row.orderId ? `#${row.orderId}` : '—') },
              { title: '快递', render: (_, row) => `${text(row.company)} ${row.trackingNo ?? ''}` },
              {
                title: '结果',
                render: (_, row) =>
                  row.shipped ? (
                    <Tag color='green'>已发货</Tag>
                  ) : (
                    <Space direction='vertical' size={0}>
                      <Tag color='red'>{row.code ?? '失败'}</Tag>
                      <Typography.Text type='secondary'>{row.message}</Typography.Text>
                    </Space>
                  ),
              },
            ]}
          />
        )}
      </Space>
    </Modal>
  )
}

function Shipments() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [status, setStatus] = useState<string | undefined>(undefined)
  const [retrying, setRetrying] = useState<number | null>(null)
  const list = useQuery({
    queryKey: ['shipments', status],
    queryFn: () => api.get<ShipmentPage>('/store/shipments', { status, limit: 50 }),
    // The job uploads within seconds: watch pending ones until WeChat has them.
    refetchInterval: (query) => (query.state.data?.items.some((row) => row.status === 'pending') ? 3000 : false),
  })
  const retry = useMutation({
    mutationFn: (reason: string) => api.post<ShipmentRow>(`/store/orders/${retrying}/retry-upload`, { reason }),
    onSuccess: () => {
      setRetrying(null)
      void message.success('已重新加入上传队列')
      void queryClient.invalidateQueries({ queryKey: ['shipments'] })
    },
    onError: (error) => void message.error(`重新上传失败：${errorText(error)}`),
  })
  const delivered = useMutation({
    mutationFn: (orderId: number) => api.post<ShipmentRow>(`/store/orders/${orderId}/delivered`, {}),
    onSuccess: () => {
      void message.success('已标记签收，微信将提醒读者确认收货')
      void queryClient.invalidateQueries({ queryKey: ['shipments'] })
    },
    onError: (error) => void message.error(`标记签收失败：${errorText(error)}`),
  })
  return (
    <Card
      title='发货记录'
      extra={
        <Select
          allowClear
          placeholder='全部状态'
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={Object.entries(SHIPMENT_STATUS).map(([value, { label }]) => ({ value, label }))}
        />
      }
    >
      {list.isError && <LoadError title='发货记录加载失败' error={list.error} />}
      <Table
        rowKey='orderId'
        size='middle'
        loading={list.isFetching && !list.data}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '暂无发货记录' }}
        columns={[
          { title: '订单', width: 80, render: (_, row) => `#${row.orderId}` },
          { title: '快递', render: (_, row) => `${row.companyName} ${row.trackingNo}` },
          { title: '发货时间', render: (_, row) => time(row.shippedAt) },
          {
            title: '微信上传',
            render: (_, row) => (
              <span data-testid={`shipment-${row.orderId}`}>
                <ShipmentStatusTag status={row.status} />
              </span>
            ),
          },
          { title: '尝试', align: 'right', render: (_, row) => row.attempts },
          { title: '微信应答', render: (_, row) => text(row.wechatAnswer) },
          { title: '上传时间', render: (_, row) => time(row.uploadedAt) },
          {
            title: '收货',
            render: (_, row) =>
              row.receivedAt
                ? `已收货 ${time(row.receivedAt)}`
                : row.deliveredAt
                  ? `已签收 ${time(row.deliveredAt)}，待读者确认`
                  : '—',
          },
          {
            title: '操作',
            render: (_, row) =>
              row.status === 'failed' ? (
                <Button size='small' onClick={() => setRetrying(row.orderId)}>
                  重新上传
                </Button>
              ) : (
                row.status === 'uploaded' &&
                !row.receivedAt &&
                !row.deliveredAt && (
                  <Popconfirm
                    title='快递已签收？'
                    description='微信将提醒读者确认收货（每单一次）'
                    okText='已签收'
                    cancelText='取消'
                    onConfirm={() => delivered.mutateAsync(row.orderId)}
                  >
                    <Button size='small' data-testid={`delivered-${row.orderId}`}>
                      已签收
                    </Button>
                  </Popconfirm>
                )
              ),
          },
        ]}
      />
      <ReasonModal
        open={retrying !== null}
        title={`重新上传订单 #${retrying ?? ''} 的发货信息`}
        okText='重新上传'
        loading={retry.isPending}
        description={
          <Alert
            type='warning'
            showIcon
            style={{ marginBottom: 16 }}
            message='请先按微信应答修正问题。微信只允许修改一次发货信息。'
          />
        }
        onCancel={() => setRetrying(null)}
        onSubmit={({ reason }) => retry.mutate(reason)}
      />
    </Card>
  )
}
