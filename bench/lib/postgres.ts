import { execFileSync, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { freePort, tempDir } from '../lib'

/**
 * A PostgreSQL database of a bench's own, dropped again by stop().
 *
 * With BENCH_DATABASE_URL (postgres://… of a server you run) a fresh database is created in that
 * server. Without it a throwaway server is started like scripts/test.sh does: initdb and pg_ctl
 * from the newest /usr/lib/postgresql/<version>/bin, as the postgres user when run as root,
 * listening on 127.0.0.1 only, durability off (the data lives for one run).
 */
export interface BenchPostgres {
  url: string
  /** Where it came from, for the printed header */
  describe: string
  stop(): Promise<void>
}

function pgBin(): string {
  const root = '/usr/lib/postgresql'
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((version) => fs.existsSync(path.join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : []
  const newest = versions.at(-1)
  if (!newest)
    throw new Error(
      'no /usr/lib/postgresql/*/bin/initdb: install PostgreSQL (apt-get install postgresql) or set BENCH_DATABASE_URL',
    )
  return path.join(root, newest, 'bin')
}

const isRoot = () => process.getuid?.() === 0

/** Runs a PostgreSQL binary, as the postgres user when this process is root (PostgreSQL refuses root). */
function asPostgres(command: string, args: string[]): void {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 90000 })
  if (result.status !== 0)
    throw new Error(`${path.basename(command)} failed (${result.status}): ${result.stderr || result.stdout}`)
}

async function throwaway(): Promise<BenchPostgres> {
  const bin = pgBin()
  const dir = tempDir('beichen-bench-pg-')
  if (isRoot()) execFileSync('chown', ['postgres:', dir])
  fs.chmodSync(dir, 0o700)
  const port = await freePort()
  const data = path.join(dir, 'data')
  asPostgres(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ])
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    options,
    'start',
  ])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    describe: `throwaway PostgreSQL ${path.basename(path.dirname(bin))} on 127.0.0.1:${port} (fsync off)`,
    stop: async () => {
      try {
        asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

async function inServer(serverUrl: string): Promise<BenchPostgres> {
  const name = `beichen_bench_${crypto.randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    describe: `database ${name} in BENCH_DATABASE_URL's server (${url.host})`,
    stop: async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** BENCH_DATABASE_URL's server when set, a throwaway server otherwise. */
export async function benchPostgres(): Promise<BenchPostgres> {
  const given = process.env.BENCH_DATABASE_URL
  return given ? inServer(given) : throwaway()
}
