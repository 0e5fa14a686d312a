import { startTestApp, type TestApp } from '../helpers'

/** GET /api/contacts: the one source of the publisher's contacts, from the server's settings. */
describe('GET /api/contacts', () => {
  let t: TestApp
  afterEach(() => t?.close())

  it('answers the settings, cacheable for a minute', async () => {
    t = await startTestApp('sqlite', { importSample: false })
    const response = await t.app.inject({ method: 'GET', url: '/api/contacts' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('public, max-age=60')
    expect(response.json()).toEqual({
      service: { phone: '400-1788-950', hours: '09:00—21:30' },
      business: { phone: '18674025063' },
      officialAccount: { name: '北辰遴选', qrUrl: null },
      channels: { name: '北辰遴选', finderUserName: null },
      weibo: { name: '北辰遴选' },
    })
  })

  it('changes with the settings, no release of the mini-program needed', async () => {
    t = await startTestApp('sqlite', {
      importSample: false,
      config: { SERVICE_PHONE: '400-000-0000', SERVICE_HOURS: '08:00—20:00', CHANNELS_FINDER_USER_NAME: 'sphABCdef' },
    })
    const body = (await t.app.inject({ method: 'GET', url: '/api/contacts' })).json()
    expect(body.service).toEqual({ phone: '400-000-0000', hours: '08:00—20:00' })
    expect(body.channels.finderUserName).toBe('sphABCdef')
  })
})
