import VipPurchase from '../../components/VipPurchase'

/** 会员 tab: the reader stays here after buying; the status at the top shows the new expiry. */
export default function VipPage() {
  return <VipPurchase />
}
