import { ScrollView, Text, View } from '@tarojs/components'
import type { Region } from '../../services/api'
import './index.scss'

export interface RegionChipsProps {
  regions: Region[]
  /** Region code; '' is 全部 */
  active: string
  onChange: (code: string) => void
}

/** Horizontal filter: 全部 / 山西 / 江苏 … */
export default function RegionChips({ regions, active, onChange }: RegionChipsProps) {
  const chips = [{ code: '', name: '全部' }, ...regions]
  return (
    <View className='region-chips'>
      <ScrollView className='region-chips-scroll' scrollX enableFlex showScrollbar={false}>
        {chips.map((chip) => (
          <Text
            key={chip.code || 'all'}
            className={`region-chip${chip.code === active ? ' region-chip-active' : ''}`}
            onClick={() => chip.code !== active && onChange(chip.code)}
          >
            {chip.name}
          </Text>
        ))}
      </ScrollView>
    </View>
  )
}
