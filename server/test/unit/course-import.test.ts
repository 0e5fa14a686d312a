import fs from 'node:fs'
import path from 'node:path'
import { mp4DurationSeconds, parseVtt } from '../../src/domain/course-import'
import { SAMPLE_COURSES_DIR } from '../course-fixtures'

describe('reading course files', () => {
  it('reads an MP4 length from its movie header, rounded up, and refuses what has none', () => {
    const clip = fs.readFileSync(path.join(SAMPLE_COURSES_DIR, 'shenlun-gaofen-xiezuo', 'lesson-1.mp4'))
    expect(mp4DurationSeconds(clip)).toBe(12)
    expect(mp4DurationSeconds(Buffer.from('not a video at all'))).toBeNull()
    // A header claiming more bytes than the file holds is not read past the end.
    const truncated = clip.subarray(0, 40)
    expect(mp4DurationSeconds(truncated)).toBeNull()
  })

  it('parses WebVTT cues: hours or not, settings, tags, NOTE blocks, a byte-order mark', () => {
    const source = [
      '\uFEFFWEBVTT - 第1节',
      '',
      'NOTE written for the demo',
      '',
      'intro',
      '00:01.000 --> 00:04.500 align:start',
      '<v 李老师>同学们好，',
      '这一节讲审题。',
      '',
      '01:00:04.500 --> 01:00:08.000',
      '先读作答要求。',
      '',
    ].join('\r\n')
    expect(parseVtt(source)).toEqual([
      { start: 1, end: 4.5, text: '同学们好， 这一节讲审题。' },
      { start: 3604.5, end: 3608, text: '先读作答要求。' },
    ])
  })

  it('refuses a file that is not WebVTT or has a cue ending before it starts', () => {
    expect(() => parseVtt('1\n00:00:01,000 --> 00:00:02,000\nSRT\n')).toThrow('not a WebVTT file')
    expect(() => parseVtt('WEBVTT\n\n00:05.000 --> 00:04.000\nback\n')).toThrow('not valid')
    expect(() => parseVtt('WEBVTT\n\n00:99.000 --> 01:00.000\nbad\n')).toThrow('not valid')
  })

  it('reads the sample subtitles as three cues each', () => {
    for (const slug of fs.readdirSync(SAMPLE_COURSES_DIR)) {
      const folder = path.join(SAMPLE_COURSES_DIR, slug)
      for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.vtt'))) {
        const cues = parseVtt(fs.readFileSync(path.join(folder, file), 'utf8'))
        expect([file, cues.length]).toEqual([file, 3])
        expect(cues.at(-1)?.end).toBeLessThanOrEqual(12)
      }
    }
  })
})
