import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../db/database'
import {
  contentHash,
  ensureTaxonomy,
  issuePlace,
  IssueConflictError,
  numberConflict,
  upsertIssue,
  type UpsertOutcome,
} from './content-store'
import { parseIssueMarkdown, type ParsedIssue } from './issue-markdown'

export interface ImportReport {
  files: number
  created: number
  updated: number
  unchanged: number
  failed: number
  /** "file:line: what to fix" */
  problems: string[]
}

export interface ImportOptions {
  dryRun?: boolean
  now?: number
  /** One line per file as it goes */
  progress?: (line: string) => void
}

export const MAX_IMPORT_FILES = 10000

/** Expands files and folders (recursively) into the .md files they name, sorted for a stable order. */
export function collectMarkdownFiles(inputs: string[]): { files: string[]; problems: string[] } {
  const files: string[] = []
  const problems: string[] = []
  const visit = (target: string) => {
    let stat: fs.Stats
    try {
      stat = fs.statSync(target)
    } catch {
      problems.push(`${target}: no such file or folder`)
      return
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(target).sort()) {
        if (entry.startsWith('.')) continue
        const child = path.join(target, entry)
        if (entry.endsWith('.md') || fs.statSync(child).isDirectory()) visit(child)
      }
    } else if (target.endsWith('.md')) files.push(target)
    else problems.push(`${target}: not a Markdown file (.md)`)
  }
  inputs.forEach(visit)
  if (files.length > MAX_IMPORT_FILES)
    problems.push(`more than ${MAX_IMPORT_FILES} files: import them in smaller batches`)
  return { files, problems }
}

/** One file's text checked as content:import checks it: problems as "file:line: what to fix". */
export function checkIssueSource(
  source: string,
  file: string,
): { ok: true; issue: ParsedIssue; slugLine: number; numberLine: number } | { ok: false; problems: string[] } {
  const result = parseIssueMarkdown(source)
  if (!result.ok)
    return { ok: false, problems: result.problems.map((problem) => `${file}:${problem.line}: ${problem.message}`) }
  const lines = source.split(/\r?\n/)
  const slugLine = lines.findIndex((line) => line.startsWith('slug:')) + 1
  const numberLine = lines.findIndex((line) => line.startsWith('number:')) + 1
  return { ok: true, issue: result.issue, slugLine, numberLine }
}

/** Saves one checked issue in its own transaction; IssueConflictError when its number belongs to another slug. */
export function saveIssue(db: Db, issue: ParsedIssue, now: number): Promise<UpsertOutcome> {
  return db.kysely.transaction().execute((trx) => upsertIssue(trx, issue, now))
}

/** What saving the issue would do, without writing. */
async function dryRunOutcome(db: Db, issue: ParsedIssue): Promise<UpsertOutcome> {
  const existing = await db.kysely
    .selectFrom('issues')
    .select('content_hash')
    .where('slug', '=', issue.meta.slug)
    .executeTakeFirst()
  return !existing ? 'created' : existing.content_hash === contentHash(issue) ? 'unchanged' : 'updated'
}

export interface SourceImport {
  /** "file:line: what to fix"; nothing was saved when there is any */
  problems: string[]
  issue: ParsedIssue | null
  /** What happened (or, for a dry run, would happen) to the issue; null when it has problems */
  outcome: UpsertOutcome | null
}

/**
 * One issue file given as text (the console's upload), checked and imported exactly as
 * content:import does a file, including the number check a save would make. A dry run saves nothing.
 */
export async function importIssueSource(
  db: Db,
  source: string,
  file: string,
  options: { dryRun?: boolean; now?: number } = {},
): Promise<SourceImport> {
  const checked = checkIssueSource(source, file)
  if (!checked.ok) return { problems: checked.problems, issue: null, outcome: null }
  const { issue, numberLine } = checked
  try {
    if (options.dryRun) {
      const place = await issuePlace(db.kysely, issue)
      const conflict = place && (await numberConflict(db.kysely, issue, place))
      if (conflict) throw new IssueConflictError(conflict)
      return { problems: [], issue, outcome: await dryRunOutcome(db, issue) }
    }
    await ensureTaxonomy(db.kysely)
    return { problems: [], issue, outcome: await saveIssue(db, issue, options.now ?? Date.now()) }
  } catch (error) {
    if (!(error instanceof IssueConflictError)) throw error
    return { problems: [`${file}:${numberLine}: ${error.message}`], issue, outcome: null }
  }
}

/**
 * Validates every file first, then imports each valid one in its own transaction.
 * A file with any problem imports nothing; re-importing a file updates its issue by slug.
 */
export async function importContent(db: Db, inputs: string[], options: ImportOptions = {}): Promise<ImportReport> {
  const progress = options.progress ?? (() => {})
  const now = options.now ?? Date.now()
  const { files, problems } = collectMarkdownFiles(inputs)
  const report: ImportReport = { files: files.length, created: 0, updated: 0, unchanged: 0, failed: 0, problems }
  if (problems.length > 0 && files.length === 0) return report

  const valid: { file: string; issue: ParsedIssue; slugLine: number; numberLine: number }[] = []
  const slugs = new Map<string, string>()
  for (const file of files) {
    const result = checkIssueSource(fs.readFileSync(file, 'utf8'), file)
    if (!result.ok) {
      report.failed += 1
      report.problems.push(...result.problems)
      progress(`✗ ${file}: ${result.problems.length} problem(s)`)
      continue
    }
    const { slugLine, numberLine } = result
    const other = slugs.get(result.issue.meta.slug)
    if (other) {
      report.failed += 1
      report.problems.push(
        `${file}:${slugLine}: slug "${result.issue.meta.slug}" is also used by ${other}: give each issue its own slug`,
      )
      progress(`✗ ${file}: duplicate slug`)
      continue
    }
    slugs.set(result.issue.meta.slug, file)
    valid.push({ file, issue: result.issue, slugLine, numberLine })
  }

  if (!options.dryRun) await ensureTaxonomy(db.kysely)
  for (const { file, issue, numberLine } of valid) {
    try {
      const outcome = options.dryRun ? await dryRunOutcome(db, issue) : await saveIssue(db, issue, now)
      report[outcome] += 1
      progress(`${options.dryRun ? '(dry run) ' : ''}✓ ${file}: ${outcome} ${issue.meta.slug}`)
    } catch (error) {
      if (!(error instanceof IssueConflictError)) throw error
      report.failed += 1
      report.problems.push(`${file}:${numberLine}: ${error.message}`)
      progress(`✗ ${file}: ${error.message}`)
    }
  }
  return report
}

export function formatImportSummary(report: ImportReport, dryRun = false): string {
  const verb = dryRun ? 'would be' : ''
  const counts = [
    `${report.created} ${verb} created`,
    `${report.updated} ${verb} updated`,
    `${report.unchanged} unchanged`,
    `${report.failed} with problems`,
  ].map((part) => part.replace(/\s+/g, ' '))
  return `${report.files} file(s): ${counts.join(', ')}`
}
