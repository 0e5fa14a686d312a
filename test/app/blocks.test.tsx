import { fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { BlockView, SectionView, SectionsView, blockExcerpt } from '@/subpackages/article/components/Blocks'
import type { Block } from '@/services/api'
import { blocks } from './fixtures'

describe('BlockView', () => {
  it('renders a paragraph as selectable text', () => {
    render(<BlockView block={blocks.paragraph} />)
    const text = screen.getByText(blocks.paragraph.text)
    expect(text.getAttribute('data-user-select')).toBe('true')
  })

  it('renders a ★ heading with its mark, and does not double a ★ written into the text', () => {
    const { container, rerender } = render(<BlockView block={blocks.star} />)
    expect(screen.getByText(blocks.star.text)).toBeTruthy()
    expect(screen.getByText('★')).toBeTruthy()
    rerender(<BlockView block={{ ...blocks.star, text: `★${blocks.star.text}` }} />)
    expect(container.textContent).toBe(`★${blocks.star.text}`)
  })

  it('renders a point with its label set apart, and the label only once', () => {
    const { container } = render(<BlockView block={blocks.point} />)
    expect(screen.getByText('一是').classList.contains('blk-point-label')).toBe(true)
    expect(container.textContent).toBe(blocks.point.text)
  })

  it('renders a point written without its label', () => {
    const { container } = render(<BlockView block={{ type: 'point', label: '1.', text: '在意见印发后指出' }} />)
    expect(container.textContent).toBe('1.在意见印发后指出')
  })

  it('renders a leader remark', () => {
    render(<BlockView block={blocks.remark} />)
    expect(screen.getByText(blocks.remark.text).classList.contains('blk-remark')).toBe(true)
  })

  it('renders a question with its label, prompt, requirements and word limit', () => {
    const { container } = render(<BlockView block={blocks.question} />)
    expect(screen.getByText('例题1')).toBeTruthy()
    expect(screen.getByText('请概括归纳给定材料中X市太忻经济一体化发展的做法。')).toBeTruthy()
    expect(screen.getByText('要求：准确全面,语言精练,条理清晰,400字左右。')).toBeTruthy()
    expect(screen.getByText('字数 400字左右')).toBeTruthy()
    expect(container.textContent?.match(/例题1/g)).toHaveLength(1)
    expect(container.textContent?.match(/要求/g)).toHaveLength(1)
  })

  it('renders a question written without its label and 要求 prefix', () => {
    render(<BlockView block={{ ...blocks.question, prompt: '请概括做法。', requirements: '条理清晰，500字左右。' }} />)
    expect(screen.getByText('请概括做法。')).toBeTruthy()
    expect(screen.getByText('要求：条理清晰，500字左右。')).toBeTruthy()
  })

  it('leaves out the word limit of a question that sets none', () => {
    const { container } = render(
      <BlockView block={{ ...blocks.question, requirements: '', wordLimitText: '', wordLimit: null }} />,
    )
    expect(container.textContent).not.toContain('字数')
    expect(container.textContent).not.toContain('要求')
  })

  it('renders a reference answer with its paragraphs and declared word count', () => {
    render(<BlockView block={blocks.answer} fold={{ shown: true, remember: null }} />)
    expect(screen.getByText('参考作答')).toBeTruthy()
    for (const paragraph of blocks.answer.paragraphs) expect(screen.getByText(paragraph)).toBeTruthy()
    expect(screen.getByText('共389字')).toBeTruthy()
  })

  it('shows an answer title and no count when none was declared', () => {
    const { container } = render(
      <BlockView
        block={{ ...blocks.answer, title: '解锁晋中的“任务书”', declaredWords: null }}
        fold={{ shown: true, remember: null }}
      />,
    )
    expect(screen.getByText('解锁晋中的“任务书”')).toBeTruthy()
    expect(container.textContent).not.toMatch(/共\d+字/)
  })

  it('renders markup in the text as text, never as HTML', () => {
    const { container } = render(<BlockView block={{ type: 'paragraph', text: '<b>加粗</b><img src=x>' }} />)
    expect(container.querySelector('b, img')).toBeNull()
    expect(container.textContent).toBe('<b>加粗</b><img src=x>')
  })

  it('skips a block type it does not know', () => {
    const unknown = { type: 'video', url: 'x' } as unknown as Block
    const { container } = render(<BlockView block={unknown} />)
    expect(container.innerHTML).toBe('')
  })
})

describe('SectionView', () => {
  it('renders the heading, every block, and an anchor for the table of contents', () => {
    const { container } = render(
      <SectionView
        section={{ id: 's3', heading: '三、实战应用', blocks: [blocks.question, blocks.answer] }}
        fold={{ shown: true, remember: null }}
      />,
    )
    expect(screen.getByText('三、实战应用')).toBeTruthy()
    expect(container.querySelector('#sec-s3')).not.toBeNull()
    expect(screen.getByText('例题1')).toBeTruthy()
    expect(screen.getByText('共389字')).toBeTruthy()
  })
})

describe('参考作答 folded behind 先作答 / 查看参考作答', () => {
  const section = { id: 's3', heading: '三、实战应用', blocks: [blocks.paragraph, blocks.question, blocks.answer] }

  beforeEach(() => jest.clearAllMocks())

  it('is folded by default: the answer’s text is not on the page until 查看参考作答', () => {
    const { container } = render(<SectionsView sections={[section]} practiceIssueId={32} />)
    for (const paragraph of blocks.answer.paragraphs) expect(container.textContent).not.toContain(paragraph)
    expect(screen.getByText('先作答')).toBeTruthy()
    fireEvent.click(screen.getByText('查看参考作答'))
    for (const paragraph of blocks.answer.paragraphs) expect(screen.getByText(paragraph)).toBeTruthy()
    expect(screen.queryByText('查看参考作答')).toBeNull()
    // 收起 folds it again.
    fireEvent.click(screen.getByText('收起'))
    expect(container.textContent).not.toContain(blocks.answer.paragraphs[0])
  })

  it('先作答 opens 练习作答 for the question the answer follows', () => {
    render(<SectionsView sections={[section, { ...section, id: 's4' }]} practiceIssueId={32} />)
    fireEvent.click(screen.getAllByText('先作答')[1])
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/practice/pages/index?id=32&q=q2' })
  })

  it('without practice (Moments, a preview) there is no 先作答, and the answer still unfolds', () => {
    render(<SectionsView sections={[section]} practiceIssueId={null} />)
    expect(screen.queryByText('先作答')).toBeNull()
    fireEvent.click(screen.getByText('查看参考作答'))
    expect(screen.getByText(blocks.answer.paragraphs[0])).toBeTruthy()
  })

  it('the reader’s choice shows every answer unfolded, and 总是展开 saves the choice', () => {
    const remember = jest.fn()
    const { rerender } = render(
      <SectionsView sections={[section]} practiceIssueId={32} fold={{ shown: false, remember }} />,
    )
    fireEvent.click(screen.getByText('查看参考作答'))
    fireEvent.click(screen.getByText('☐ 总是展开'))
    expect(remember).toHaveBeenCalledWith(true)
    rerender(
      <SectionsView
        sections={[section, { ...section, id: 's4' }]}
        practiceIssueId={32}
        fold={{ shown: true, remember }}
      />,
    )
    expect(screen.getAllByText(blocks.answer.paragraphs[0])).toHaveLength(2)
    fireEvent.click(screen.getAllByText('☑ 总是展开')[0])
    expect(remember).toHaveBeenLastCalledWith(false)
    rerender(
      <SectionsView
        sections={[section, { ...section, id: 's4' }]}
        practiceIssueId={32}
        fold={{ shown: false, remember }}
      />,
    )
    expect(screen.getAllByText('查看参考作答')).toHaveLength(2)
  })

  it('without a way to save (signed out) there is no 总是展开', () => {
    render(<SectionsView sections={[section]} practiceIssueId={32} fold={{ shown: false, remember: null }} />)
    fireEvent.click(screen.getByText('查看参考作答'))
    expect(screen.queryByText(/总是展开/)).toBeNull()
  })
})

describe('block anchors and excerpts', () => {
  it('numbers the blocks over every section, headings not counted, as the server does', () => {
    const { container } = render(
      <SectionsView
        sections={[
          { id: 's1', heading: '一、背景链接', blocks: [blocks.paragraph, blocks.star] },
          { id: 's2', heading: '二、深度解读', blocks: [blocks.point, blocks.remark] },
        ]}
        practiceIssueId={null}
      />,
    )
    expect(container.querySelector('#blk-0')?.textContent).toBe(blocks.paragraph.text)
    expect(container.querySelector('#blk-2')?.textContent).toContain('加强战略谋划')
    expect(container.querySelector('#blk-3')?.textContent).toBe(blocks.remark.text)
    expect(container.querySelector('#blk-4')).toBeNull()
  })

  it('an excerpt is the block’s first words', () => {
    expect(blockExcerpt(blocks.paragraph)).toBe('2022年3月30日，山西省十三…')
    expect(blockExcerpt(blocks.question)).toBe('例题1:请概括归纳给定材料中X市…')
    expect(blockExcerpt({ type: 'paragraph', text: '短句。' })).toBe('短句。')
  })
})
