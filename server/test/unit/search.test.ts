import { containsPattern, ftsMatch, parseQuery, snippetSegments } from '../../src/domain/search'

describe('search query', () => {
  it('splits on spaces (the ideographic one too), drops punctuation-only words and duplicates', () => {
    expect(parseQuery('  城市群　高质量 ， 城市群 ')).toEqual(['城市群', '高质量'])
  })
  it.each(['', '  ', '。，', 'a\tb', 'x'.repeat(51)])('refuses %j with INVALID_QUERY', (q) => {
    expect(() => parseQuery(q)).toThrow(expect.objectContaining({ statusCode: 400, code: 'INVALID_QUERY' }))
  })
  it('escapes LIKE wildcards and FTS5 quotes', () => {
    expect(containsPattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%')
    expect(ftsMatch(['城市群', 'say "hi"'])).toBe('"城市群" AND "say ""hi"""')
  })
})

describe('snippetSegments', () => {
  const text = '一二三四五六七八九十'.repeat(10) + '城市群高质量发展' + '甲乙丙丁戊己庚辛壬癸'.repeat(10)

  it('about 60 characters around the first match, every match in view marked', () => {
    const segments = snippetSegments(text, ['城市群', '发展'])
    const joined = segments.map((segment) => segment.text).join('')
    expect(joined.startsWith('…')).toBe(true)
    expect(joined.endsWith('…')).toBe(true)
    expect(joined.length).toBe(62)
    expect(segments.filter((segment) => segment.hit)).toEqual([
      { text: '城市群', hit: true },
      { text: '发展', hit: true },
    ])
  })

  it('ASCII case-insensitively, whitespace collapsed, short text whole', () => {
    expect(snippetSegments('Hello\n\nGDP  world', ['gdp'])).toEqual([
      { text: 'Hello ', hit: false },
      { text: 'GDP', hit: true },
      { text: ' world', hit: false },
    ])
  })

  it('no match: the start of the text, nothing marked', () => {
    expect(snippetSegments('短文', ['无'])).toEqual([{ text: '短文', hit: false }])
  })
})
