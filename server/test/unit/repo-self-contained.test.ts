import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/**
 * The repository explains itself: no tracked file may point at design notes or research kept
 * outside it (a folder beside the checkout), since a reader of the repository cannot
 * follow such a pointer. WeChat's facts are in docs/wechat.md, the rest in docs/.
 *
 * The patterns are written so that they do not match themselves (`\.` and `[-]`): a plain grep
 * for the same names over the repository finds nothing, this file included.
 */
const FORBIDDEN: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /DESIGN\.md/, what: 'the outside design notes' },
  { pattern: /\.\.\/share[d]\b/, what: 'a relative path out of the repository' },
  { pattern: /\/work\/share[d]\b/, what: 'an absolute path out of the repository' },
  { pattern: /share[d] folder/i, what: 'the folder beside the repository' },
  { pattern: /toolchain\.md/, what: 'an outside toolchain note' },
  { pattern: /publisher[-]side/, what: 'an outside publisher note' },
  { pattern: /features[-]and[-]anchors/, what: 'an outside features note' },
  { pattern: /style[-]and[-]performance/, what: 'an outside style note' },
  // docs/wechat.md has no numbered sections: "§" after it points at the outside research note.
  { pattern: /wechat\.md §/, what: 'a numbered section of an outside WeChat note' },
]

const REPO_ROOT = path.resolve(__dirname, '../../..')

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 })
  return out.toString('utf8').split('\0').filter(Boolean)
}

/** The text of a tracked file, or null for a binary file or one missing from the working tree. */
function readText(file: string): string | null {
  let data: Buffer
  try {
    data = fs.readFileSync(path.join(REPO_ROOT, file))
  } catch {
    return null
  }
  if (data.subarray(0, 8000).includes(0)) return null
  return data.toString('utf8')
}

describe('the repository is self-contained', () => {
  it('has tracked files to check', () => {
    expect(trackedFiles().length).toBeGreaterThan(100)
  })

  it('no tracked file refers to documents outside the repository', () => {
    const found: string[] = []
    for (const file of trackedFiles()) {
      const text = readText(file)
      if (text === null) continue
      text.split('\n').forEach((line, index) => {
        for (const { pattern, what } of FORBIDDEN) {
          if (pattern.test(line)) found.push(`${file}:${index + 1}: ${what}: ${line.trim().slice(0, 160)}`)
        }
      })
    }
    expect(found).toEqual([])
  })

  it('each pattern catches what it is meant to', () => {
    const samples = [
      'see DESIGN' + '.md §3',
      'in ../shar' + 'ed/docs',
      '/work/shar' + 'ed/docs/x.md',
      'the ' + 'shar' + 'ed folder',
      'docs/toolchain' + '.md',
      'publisher' + '-side.md',
      'features' + '-and-anchors.md',
      'style' + '-and-performance.md',
      'docs/wechat' + '.md §3',
    ]
    for (const sample of samples) expect(FORBIDDEN.some(({ pattern }) => pattern.test(sample))).toBe(true)
    expect(FORBIDDEN.some(({ pattern }) => pattern.test('docs/wechat.md, "Virtual payment"'))).toBe(false)
    expect(FORBIDDEN.some(({ pattern }) => pattern.test('server/src/infra/shared-rate-limiter.ts'))).toBe(false)
  })
})
