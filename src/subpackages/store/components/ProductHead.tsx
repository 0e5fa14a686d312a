import { Image, Text, View } from '@tarojs/components'
import type { Product } from '../../../services/api'
import { mediaUrl } from '../../../utils/media'
import { countsText, kindTag, priceTexts } from '../product'
import './ProductHead.scss'

interface ProductHeadProps {
  product: Product
  /** The list's row (small cover) or the detail page's head (large cover) */
  size: 'row' | 'page'
  onOpen?: (product: Product) => void
}

/** Cover, title, 现货/预售/预定 tag, price with 原价 struck, 销售 · 浏览, 已售罄 */
export default function ProductHead({ product, size, onOpen }: ProductHeadProps) {
  const { price, original } = priceTexts(product)
  const cover = mediaUrl(product.cover)
  return (
    <View className={`product product-head-${size}`} onClick={onOpen ? () => onOpen(product) : undefined}>
      <View className='product-cover'>
        {cover ? <Image className='product-cover-image' src={cover} mode='aspectFill' lazyLoad /> : null}
        {product.soldOut ? <Text className='product-sold-out'>已售罄</Text> : null}
      </View>
      <View className='product-body'>
        <Text className='product-title'>{product.title}</Text>
        <Text className={`product-tag product-tag-${product.kind}`}>{kindTag(product)}</Text>
        <View className='product-price-line'>
          <Text className='product-price'>{price}</Text>
          {original ? <Text className='product-original'>{original}</Text> : null}
        </View>
        <Text className='product-counts'>{countsText(product)}</Text>
      </View>
    </View>
  )
}
