import { Text, View } from '@tarojs/components'
import type { ShippingAddress } from '../../services/api'
import './index.scss'

/** 收货人 电话 / 省 市 区 详细地址: as chosen, or as the server stored it (the phone masked by the server) */
export default function AddressCard({ address }: { address: ShippingAddress }) {
  return (
    <View className='address-card'>
      <Text className='address-card-name'>
        {address.userName} {address.telNumber}
      </Text>
      <Text className='address-card-detail'>
        {[address.provinceName, address.cityName, address.countyName, address.detailInfo].join(' ')}
      </Text>
    </View>
  )
}
