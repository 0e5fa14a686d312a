import { countAnswerCharacters, formatElapsed, limitRange, rangeStatus } from '../../../src/subpackages/practice/count'

// The count rule lives in the app (it counts live as the reader types); the server stores text only.
describe('practice: the character count of an answer', () => {
  it('counts every character but whitespace, punctuation included', () => {
    expect(countAnswerCharacters('')).toBe(0)
    expect(countAnswerCharacters('一是完善政策体系。')).toBe(9)
    expect(countAnswerCharacters('一是 完善\n\n政策\t体系\u3000。 ')).toBe(9)
    expect(countAnswerCharacters(' \n\t\u3000')).toBe(0)
    expect(countAnswerCharacters('GDP增长5.2%,“五有套餐”')).toBe(16)
  })

  it('counts a character outside the BMP once, not as two UTF-16 units', () => {
    expect('𠀀'.length).toBe(2)
    expect(countAnswerCharacters('𠀀𠀁')).toBe(2)
  })

  it('reads 左右 as ±10%: 400 → 360…440, rounded for other limits', () => {
    expect(limitRange(400)).toEqual({ min: 360, max: 440 })
    expect(limitRange(500)).toEqual({ min: 450, max: 550 })
    expect(limitRange(300)).toEqual({ min: 270, max: 330 })
    expect(limitRange(250)).toEqual({ min: 225, max: 275 })
    expect(limitRange(15)).toEqual({ min: 14, max: 17 })
  })

  it('says below / within / above, inclusive at both ends; nothing without a limit', () => {
    expect(rangeStatus(0, 400)).toBe('below')
    expect(rangeStatus(359, 400)).toBe('below')
    expect(rangeStatus(360, 400)).toBe('within')
    expect(rangeStatus(440, 400)).toBe('within')
    expect(rangeStatus(441, 400)).toBe('above')
    expect(rangeStatus(400, null)).toBeNull()
  })

  it('formats the timer as mm:ss, with hours past an hour', () => {
    expect(formatElapsed(0)).toBe('00:00')
    expect(formatElapsed(75)).toBe('01:15')
    expect(formatElapsed(3599)).toBe('59:59')
    expect(formatElapsed(3725)).toBe('1:02:05')
    expect(formatElapsed(86400)).toBe('24:00:00')
    expect(formatElapsed(-3)).toBe('00:00')
  })
})
