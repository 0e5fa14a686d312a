import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ConfigError, loadConfig, trustProxyOption } from '../../src/config'
import { REPO_ROOT } from '../helpers'

describe('configuration', () => {
  it('has a default for every variable', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ PORT: 3000, SQLITE_PATH: 'data/beichen.db', DATABASE_URL: '', LOG_LEVEL: 'info' })
  })

  it('wants the CDN’s URL signing key with a CDN for course media, and never shows it', () => {
    const base = 'https://vod.example.com/courses'
    expect(() => loadConfig({ COURSE_MEDIA_BASE_URL: base })).toThrow(/COURSE_MEDIA_URL_KEY: must be the CDN/)
    const tooLong = 'a1'.repeat(25)
    expect(() => loadConfig({ COURSE_MEDIA_BASE_URL: base, COURSE_MEDIA_URL_KEY: tooLong })).toThrow(ConfigError)
    expect(() => loadConfig({ COURSE_MEDIA_BASE_URL: base, COURSE_MEDIA_URL_KEY: tooLong })).not.toThrow(
      new RegExp(tooLong),
    )
    const key = 'Vod0Key1Vod2Key3Vod4'
    expect(loadConfig({ COURSE_MEDIA_BASE_URL: base, COURSE_MEDIA_URL_KEY: key })).toMatchObject({
      COURSE_MEDIA_BASE_URL: base,
      COURSE_MEDIA_URL_TTL_SECONDS: 600,
    })
    // Without a CDN the API signs with a key of its own: none is needed.
    expect(loadConfig({}).COURSE_MEDIA_URL_KEY).toBe('')
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

  describe('TRUST_PROXY', () => {
    it('is off unless set, and gives Fastify false, a hop count or the proxies’ addresses', () => {
      expect(trustProxyOption(loadConfig({}))).toBe(false)
      expect(trustProxyOption(loadConfig({ TRUST_PROXY: 'false' }))).toBe(false)
      expect(trustProxyOption(loadConfig({ TRUST_PROXY: '0' }))).toBe(false)
      const hops = trustProxyOption(loadConfig({ TRUST_PROXY: '2' }))
      expect(typeof hops).toBe('function')
      const trusts = hops as (address: string, hop: number) => boolean
      expect([0, 1, 2].map((hop) => trusts('10.0.0.1', hop))).toEqual([true, true, false])
      expect(trustProxyOption(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }))).toBe(
        '10.0.0.0/8,192.168.1.7,::1,loopback',
      )
    })

    it.each(['true', 'proxy.internal', '10.0.0.0/40', '10.0.0.1,', '1.2.3'])('refuses %s, naming it', (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: /)
    })
  })

  describe('in production', () => {
    /** What a production deployment sets at least; each test breaks one thing. */
    const safe = {
      NODE_ENV: 'production',
      TRUST_PROXY: '1',
      MSG_PUSH_TOKEN: 'a-token-of-24-characters',
      MSG_PUSH_AES_KEY: 'A'.repeat(43),
      WECHATPAY_NOTIFY_BASE: 'https://api.example.com',
      ADMIN_SESSION_KEY: 'ab'.repeat(32),
    }

    it('starts with safe settings, and with http:// only to this host', () => {
      expect(loadConfig(safe).NODE_ENV).toBe('production')
      expect(() =>
        loadConfig({
          ...safe,
          WECHAT_API_BASE: 'http://127.0.0.1:4000',
          WECHATPAY_NOTIFY_BASE: 'http://localhost:3000',
        }),
      ).not.toThrow()
      expect(() => loadConfig({ ...safe, MSG_PUSH_TOKEN: '', MSG_PUSH_AES_KEY: '' })).not.toThrow()
    })

    it('wants a TRUST_PROXY decision, and says why', () => {
      const { TRUST_PROXY: _unset, ...rest } = safe
      expect(() => loadConfig(rest)).toThrow(/TRUST_PROXY: must be set in production.*client address/)
      expect(() => loadConfig({ ...rest, TRUST_PROXY: 'false' })).not.toThrow()
      // Development and tests go on without it.
      expect(() => loadConfig({ ...rest, NODE_ENV: 'development' })).not.toThrow()
    })

    it.each(['WECHAT_API_BASE', 'WECHATPAY_API_BASE', 'WECHATPAY_NOTIFY_BASE'])('refuses an http:// %s', (name) => {
      expect(() => loadConfig({ ...safe, [name]: 'http://pay.example.com' })).toThrow(
        new RegExp(`${name}: must be https:// in production`),
      )
      expect(() => loadConfig({ ...safe, NODE_ENV: 'development', [name]: 'http://pay.example.com' })).not.toThrow()
    })

    it('refuses a short MSG_PUSH_TOKEN without echoing it', () => {
      expect(() => loadConfig({ ...safe, MSG_PUSH_TOKEN: 'short-token' })).toThrow(/MSG_PUSH_TOKEN: .*at least 16/)
      expect(() => loadConfig({ ...safe, MSG_PUSH_TOKEN: 'short-token' })).not.toThrow(/short-token/)
    })

    it('refuses plain-mode 消息推送 unless MSG_PUSH_PLAIN_MODE=allow', () => {
      const plain = { ...safe, MSG_PUSH_AES_KEY: '' }
      expect(() => loadConfig(plain)).toThrow(/MSG_PUSH_AES_KEY: .*plain mode.*MSG_PUSH_PLAIN_MODE=allow/)
      expect(() => loadConfig({ ...plain, MSG_PUSH_PLAIN_MODE: 'allow' })).not.toThrow()
      expect(() => loadConfig({ ...plain, MSG_PUSH_PLAIN_MODE: 'yes' })).toThrow(/MSG_PUSH_PLAIN_MODE/)
    })

    it('wants an ADMIN_SESSION_KEY of 32 bytes in production, and a valid one anywhere', () => {
      expect(() => loadConfig({ ...safe, ADMIN_SESSION_KEY: '' })).toThrow(
        /ADMIN_SESSION_KEY: must be set in production/,
      )
      expect(() => loadConfig({ ...safe, ADMIN_SESSION_KEY: '', NODE_ENV: 'development' })).not.toThrow()
      expect(() => loadConfig({ ...safe, ADMIN_SESSION_KEY: 'ab'.repeat(16), NODE_ENV: 'development' })).toThrow(
        /ADMIN_SESSION_KEY: must be 32 bytes/,
      )
    })

    it('names every unsafe setting at once', () => {
      expect(() =>
        loadConfig({ NODE_ENV: 'production', MSG_PUSH_TOKEN: 'short', WECHAT_API_BASE: 'http://wx.example.com' }),
      ).toThrow(/TRUST_PROXY[\s\S]*WECHAT_API_BASE[\s\S]*MSG_PUSH_TOKEN[\s\S]*MSG_PUSH_AES_KEY/)
    })
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
