import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { configOrExit, REPO_ROOT } from '../bootstrap'

/**
 * `npm run admin -- backup <file>`: a consistent copy of the SQLite database while the API keeps
 * running (SQLite's online backup API, through better-sqlite3's `backup`).
 *
 * The copy is written under a temporary name next to the target, checked, flushed to disk and then
 * hard-linked to the target name: link(2), unlike rename(2), fails when the name exists, so an
 * existing file is never overwritten (not even one that appears while the backup runs), and a crash
 * leaves at most a stray `*.partial-*` file, never a half-written backup under the real name.
 *
 * PostgreSQL is refused with the pg_dump command to run instead (exit 64): pg_dump must be at least
 * the server's major version, which only the operator's machine can promise, and it is not in the
 * API's container image. docs/deploy.md ("Backups") has the whole procedure.
 */
export async function backupCommand(args: string[]): Promise<number> {
  const [file] = args
  if (args.length !== 1 || !file) {
    process.stderr.write('backup needs one file to write, e.g. npm run admin -- backup backups/beichen-2025-01-01.db\n')
    return 64
  }
  const config = configOrExit({}, { devStack: true })
  if (config.DATABASE_URL) {
    process.stderr.write(
      'backup copies SQLite databases only; this server uses PostgreSQL (DATABASE_URL). Use pg_dump instead:\n' +
        `  pg_dump --format=custom --dbname="$DATABASE_URL" --file=${JSON.stringify(file.replace(/\.db$/, '') + '.dump')}\n` +
        'and restore with pg_restore (docs/deploy.md, "Backups").\n',
    )
    return 64
  }
  const source = path.resolve(REPO_ROOT, config.SQLITE_PATH)
  const target = path.resolve(file)
  if (!fs.existsSync(source)) {
    process.stderr.write(`${source}: no database there (SQLITE_PATH); nothing to back up\n`)
    return 1
  }
  if (fs.existsSync(target)) {
    process.stderr.write(`${target} exists: backup never overwrites a file; choose a new name\n`)
    return 1
  }
  const folder = path.dirname(target)
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`${folder}: no such folder; create it first\n`)
    return 1
  }
  const temporary = path.join(folder, `.${path.basename(target)}.partial-${crypto.randomBytes(4).toString('hex')}`)
  try {
    const database = new SqliteDatabase(source, { fileMustExist: true })
    let pages: number
    try {
      database.pragma('busy_timeout = 5000')
      pages = (await database.backup(temporary)).totalPages
    } finally {
      database.close()
    }
    const counts = checkCopy(temporary)
    flush(temporary)
    fs.linkSync(temporary, target)
    fs.unlinkSync(temporary)
    flush(folder)
    const bytes = fs.statSync(target).size
    process.stdout.write(
      `backed up ${source}\n      to ${target}\n${pages} page(s), ${bytes} bytes; ${counts.issues} issue(s), ${counts.orders} order(s), ${counts.users} user(s)\n`,
    )
    return 0
  } catch (error) {
    removeQuietly(temporary)
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      process.stderr.write(`${target} appeared while the backup ran: not overwritten; choose a new name\n`)
      return 1
    }
    throw error
  }
}

/** Opens the copy on its own and checks it before it gets the real name. */
function checkCopy(file: string): { issues: number; orders: number; users: number } {
  const copy = new SqliteDatabase(file, { fileMustExist: true })
  try {
    const check = copy.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`)
    // A single self-contained file: no -wal or -shm beside it once closed.
    copy.pragma('journal_mode = DELETE')
    const count = (table: string) => (copy.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
    return { issues: count('issues'), orders: count('orders'), users: count('users') }
  } finally {
    copy.close()
  }
}

function flush(file: string): void {
  const fd = fs.openSync(file, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

function removeQuietly(file: string): void {
  for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(name, { force: true })
}
