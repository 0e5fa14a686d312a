import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ConfigError, loadConfig } from '../../src/config'
import { REPO_ROOT } from '../helpers'

describe('configuration', () => {
  it('has a default for every variable', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ PORT: 3000, SQLITE_PATH: 'data/beichen.db', DATABASE_URL: '', LOG_LEVEL: 'info' })
  })

  it('converts numbers and booleans from the environment', () => {
    expect(loadConfig({ PORT: '8080', IMPORT_SAMPLE_CONTENT: 'false' })).toMatchObject({
      PORT: 8080,
      IMPORT_SAMPLE_CONTENT: false,
    })
  })

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT', '10'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: .*${value.replace(/[/:]/g, '.')}`))
  })

  it.each([
    ['DATABASE_URL', 'mysql://admin:hunter2@db/x'],
    ['WECHAT_APPSECRET', 'x'.repeat(200)],
  ])('names %s without echoing its secret value', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `))
    expect(() => loadConfig({ [name]: value })).not.toThrow(new RegExp(value.slice(0, 20)))
  })

  it('wants a 32-byte session-key encryption key once WeChat is configured', () => {
    expect(() => loadConfig({ WECHAT_APPSECRET: 'secret', SESSION_KEY_ENCRYPTION_KEY: 'short' })).toThrow(
      /SESSION_KEY_ENCRYPTION_KEY/,
    )
    expect(
      loadConfig({ WECHAT_APPSECRET: 'secret', SESSION_KEY_ENCRYPTION_KEY: 'a'.repeat(64) }).WECHAT_APPSECRET,
    ).toBe('secret')
  })

  it('the server stops at start with a message naming a bad variable', async () => {
    const result = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: 'not-a-port' },
    }).catch((error: { code: number; stderr: string }) => error)
    expect('code' in result && result.code).toBe(78)
    expect(result.stderr).toContain('PORT')
  }, 30000)
})
