import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { REPO_ROOT } from '../helpers'

const run = promisify(execFile)

/**
 * scripts/release-weapp.ts refuses to build or upload with a configuration that could not ship:
 * these runs never reach WeChat (they stop at the checks, or use --dry-run).
 */
describe('npm run release:weapp', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-release-'))
  const keyPath = path.join(folder, 'private.wx1234567890abcdef.key')
  fs.writeFileSync(
    keyPath,
    crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }),
  )
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }))

  const good = {
    WEAPP_APPID: 'wx1234567890abcdef',
    WEAPP_PRIVATE_KEY_PATH: keyPath,
    TARO_APP_API_BASE: 'https://api.example.com',
    WEAPP_DESC: 'test release',
  }

  function release(env: Record<string, string | undefined>, ...args: string[]) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('WEAPP_') && name !== 'TARO_APP_API_BASE'),
    )
    const merged = Object.fromEntries(
      Object.entries({ ...base, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    )
    return run(process.execPath, [require.resolve('tsx/cli'), 'scripts/release-weapp.ts', ...args], {
      cwd: REPO_ROOT,
      env: merged,
      timeout: 60000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
  }

  it('refuses without the upload key, naming WEAPP_PRIVATE_KEY_PATH, before building anything', async () => {
    const missing = await release({ ...good, WEAPP_PRIVATE_KEY_PATH: undefined })
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('WEAPP_PRIVATE_KEY_PATH')
    expect(missing.stdout).not.toContain('building')
    const absent = await release({ ...good, WEAPP_PRIVATE_KEY_PATH: path.join(folder, 'nope.key') })
    expect(absent.code).not.toBe(0)
    expect(absent.stderr).toMatch(/WEAPP_PRIVATE_KEY_PATH: .*nope\.key does not exist/)
  })

  it('refuses touristappid and an API base that is not https', async () => {
    const tourist = await release({ ...good, WEAPP_APPID: 'touristappid' })
    expect(tourist.code).not.toBe(0)
    expect(tourist.stderr).toMatch(/WEAPP_APPID: touristappid .* cannot be uploaded/)
    const plain = await release({ ...good, TARO_APP_API_BASE: 'http://api.example.com' }, '--dry-run')
    expect(plain.code).not.toBe(0)
    expect(plain.stderr).toMatch(/TARO_APP_API_BASE: .* must be https:\/\//)
    const local = await release({ ...good, TARO_APP_API_BASE: 'https://127.0.0.1:3000' }, '--dry-run')
    expect(local.code).not.toBe(0)
    expect(local.stderr).toContain('TARO_APP_API_BASE')
    // Every problem at once.
    const all = await release({ WEAPP_APPID: 'touristappid', TARO_APP_API_BASE: 'http://x.example.com' }, '--dry-run')
    expect(all.code).not.toBe(0)
    expect(all.stderr).toMatch(/WEAPP_APPID[\s\S]*WEAPP_PRIVATE_KEY_PATH[\s\S]*TARO_APP_API_BASE/)
  })

  it('--dry-run prints the plan (version from package.json) and leaves the project config alone', async () => {
    const projectConfig = fs.readFileSync(path.join(REPO_ROOT, 'project.config.json'), 'utf8')
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    const dry = await release(good, '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('wx1234567890abcdef')
    expect(dry.stdout).toContain('https://api.example.com')
    expect(dry.stdout).toMatch(new RegExp(`version\\s+${version.replace(/\./g, '\\.')}\\n`))
    expect(dry.stdout).toMatch(/description\s+test release/)
    expect(dry.stdout).toMatch(/robot\s+1/)
    expect(dry.stdout).toContain('dry run')
    expect(fs.readFileSync(path.join(REPO_ROOT, 'project.config.json'), 'utf8')).toBe(projectConfig)
    const unknown = await release(good, '--upload-now')
    expect(unknown.code).toBe(64)
  })
})
