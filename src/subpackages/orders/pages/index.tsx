import StateView from '../../../components/StateView'

/** Placeholder until purchases open (the payment issue): the entry on 我的 already leads here. */
export default function OrdersPage() {
  return <StateView kind='empty' title='订单功能即将上线' description='开通会员后，订单记录将显示在这里' />
}
