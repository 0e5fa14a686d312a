import { Text, View } from '@tarojs/components'
import './QuantityStepper.scss'

interface QuantityStepperProps {
  value: number
  /** Most copies allowed (stock, 每人限购); 0 when none can be ordered */
  max: number
  onChange: (value: number) => void
}

/** − n + within 1..max */
export default function QuantityStepper({ value, max, onChange }: QuantityStepperProps) {
  const canLess = value > 1
  const canMore = value < max
  return (
    <View className='stepper'>
      <Text
        className={`stepper-button stepper-less ${canLess ? '' : 'stepper-off'}`}
        aria-label='减少'
        onClick={canLess ? () => onChange(value - 1) : undefined}
      >
        −
      </Text>
      <Text className='stepper-value'>{value}</Text>
      <Text
        className={`stepper-button stepper-more ${canMore ? '' : 'stepper-off'}`}
        aria-label='增加'
        onClick={canMore ? () => onChange(value + 1) : undefined}
      >
        +
      </Text>
    </View>
  )
}
