/**
 * CSV as operators open it in Excel (RFC 4180: comma, CRLF, fields quoted when they must be), and
 * the reading of their files back (quoted fields, CRLF or LF, a BOM).
 */

/** Excel reads UTF-8 (and so Chinese) only when the file starts with this */
export const UTF8_BOM = '\uFEFF'

/**
 * One cell. A text starting with = + - @ (or a tab or carriage return) would run as a formula in
 * Excel or WPS, so it gets a leading apostrophe, shown as text; a cell with a comma, a quote or a
 * line break is quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvLine(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

/** A record of a CSV file, with the line it starts on (1-based) */
export interface CsvRecord {
  line: number
  cells: string[]
}

/**
 * Splits a CSV text into records. Quoted fields may hold commas, quotes ("") and line breaks;
 * a quote left open runs to the end of the file and is reported as `unclosedQuoteAt`. Blank lines
 * are skipped; a leading BOM is dropped.
 */
export function parseCsv(text: string): { records: CsvRecord[]; unclosedQuoteAt: number | null } {
  const source = text.startsWith(UTF8_BOM) ? text.slice(1) : text
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let recordLine = 1
  let quoted = false
  let quoteLine = 0
  const endRecord = () => {
    cells.push(cell)
    if (cells.length > 1 || cells[0].trim() !== '') records.push({ line: recordLine, cells })
    cells = []
    cell = ''
  }
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else {
        if (char === '\n') line++
        cell += char
      }
      continue
    }
    if (char === '"' && cell.trim() === '') {
      cell = ''
      quoted = true
      quoteLine = line
    } else if (char === ',') {
      cells.push(cell)
      cell = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++
      endRecord()
      line++
      recordLine = line
    } else cell += char
  }
  if (quoted) return { records, unclosedQuoteAt: quoteLine }
  endRecord()
  return { records, unclosedQuoteAt: null }
}
