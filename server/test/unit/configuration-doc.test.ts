import fs from 'node:fs'
import path from 'node:path'
import { ConfigSchema } from '../../src/config'

/**
 * docs/configuration.md documents the API server's variables; this keeps its table and the schema
 * in server/src/config.ts in step, so neither can change alone.
 */

const DOC = path.resolve(__dirname, '../../../docs/configuration.md')
const SECTION_HEADING = '## API server (`server/src/config.ts`)'

interface DocRow {
  name: string
  /** The default as written: `*(empty)*` is the empty string, `` `x` `` is x */
  defaultText: string
  line: number
}

/** The rows of the API server table: `| \`NAME\` | default | meaning |`. */
function documentedVariables(): DocRow[] {
  const lines = fs.readFileSync(DOC, 'utf8').split('\n')
  const start = lines.indexOf(SECTION_HEADING)
  if (start < 0) throw new Error(`docs/configuration.md has no "${SECTION_HEADING}" section`)
  const rows: DocRow[] = []
  for (let i = start + 1; i < lines.length && !lines[i].startsWith('## '); i++) {
    const cells = lines[i].split('|').map((cell) => cell.trim())
    // A table row starts and ends with a pipe: ['', name, default, meaning…, '']
    if (cells.length < 4 || cells[0] !== '' || !/^`[A-Z][A-Z0-9_]*`$/.test(cells[1])) continue
    rows.push({ name: cells[1].slice(1, -1), defaultText: cells[2], line: i + 1 })
  }
  return rows
}

function parseDefault(text: string): string {
  if (text === '*(empty)*') return ''
  const code = /^`([^`]*)`$/.exec(text)
  if (!code) throw new Error(`a default is written \`value\` or *(empty)*, got ${text}`)
  return code[1]
}

const schemaDefaults = new Map(
  Object.entries(ConfigSchema.properties).map(([name, schema]) => [
    name,
    String((schema as { default?: unknown }).default ?? ''),
  ]),
)

describe('docs/configuration.md and the config schema', () => {
  const rows = documentedVariables()

  it('finds the table', () => {
    expect(rows.length).toBeGreaterThan(10)
  })

  it('documents every variable of the schema once, with its exact default', () => {
    const problems: string[] = []
    for (const [name, expected] of schemaDefaults) {
      const documented = rows.filter((row) => row.name === name)
      if (documented.length === 0) {
        problems.push(`${name}: not documented (default ${JSON.stringify(expected)})`)
        continue
      }
      if (documented.length > 1) problems.push(`${name}: documented ${documented.length} times`)
      for (const row of documented) {
        const written = parseDefault(row.defaultText)
        if (written !== expected) {
          problems.push(
            `${name} (line ${row.line}): the doc says ${JSON.stringify(written)}, the schema ${JSON.stringify(expected)}`,
          )
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('documents no variable the schema lacks', () => {
    const unknown = rows.filter((row) => !schemaDefaults.has(row.name)).map((row) => `${row.name} (line ${row.line})`)
    expect(unknown).toEqual([])
  })

  it('every schema variable has a default, so the doc can state it', () => {
    const withoutDefault = Object.entries(ConfigSchema.properties)
      .filter(([, schema]) => !('default' in (schema as object)))
      .map(([name]) => name)
    expect(withoutDefault).toEqual([])
  })
})
