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
    ['DATABASE_URL', 'mysql://db/x'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT', '10'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: .*${value.replace(/[/:]/g, '.')}`))
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
