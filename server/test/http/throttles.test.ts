import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateDemoIssues } from '../../src/domain/demo-content'
import { grantMembership } from '../../src/domain/membership'
import { dialects, errorOf, issueToken, startTestApp, type TestApp } from '../helpers'

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(200)])

function multipart(data: Buffer) {
  const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

type Response = Awaited<ReturnType<TestApp['app']['inject']>>

/** A 429 as the throttles answer it: a stable code, Retry-After, and a message saying what and when. */
function expectThrottled(response: Response, what: string): void {
  expect(errorOf(response)).toEqual([429, 'RATE_LIMITED'])
  const wait = Number(response.headers['retry-after'])
  expect(wait).toBeGreaterThan(0)
  expect(response.json().error.message).toBe(`too many ${what}: try again in ${wait} s`)
}

/** Throttles on what costs CPU or WeChat quota: 429 RATE_LIMITED with Retry-After. */
describe.each(dialects())('throttles on %s', (dialect) => {
  let t: TestApp
  let mediaDir: string
  let issueIds: number[]
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-throttle-media-'))
    t = await startTestApp(dialect, {
      config: {
        MEDIA_DIR: mediaDir,
        SHARE_CARD_RENDERS_PER_IP: 2,
        PDF_RENDERS_PER_READER: 2,
        ORDERS_PER_READER: 2,
        NICKNAME_CHANGES_PER_READER: 2,
        AVATAR_UPLOADS_PER_READER: 2,
      },
    })
    await generateDemoIssues(t.db.kysely, 4, { now: Date.now() - 3600000 })
    issueIds = (
      await t.db.kysely.selectFrom('issues').select('id').where('status', '=', 'published').orderBy('id').execute()
    ).map((row) => row.id)
    expect(issueIds.length).toBeGreaterThanOrEqual(4)
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(mediaDir, { recursive: true, force: true })
  })

  it('share cards: renders count per client address, cached cards are free', async () => {
    const card = (id: number, ip: string) =>
      t.app.inject({ url: `/api/issues/${id}/share-card.png`, remoteAddress: ip })
    expect((await card(issueIds[0], '10.3.0.1')).statusCode).toBe(200)
    expect((await card(issueIds[1], '10.3.0.1')).statusCode).toBe(200)
    // Cycling ids to defeat the cache: the third render from this address is refused.
    expectThrottled(await card(issueIds[2], '10.3.0.1'), 'share cards')
    // Cards already drawn are served to anyone, that address too.
    for (let i = 0; i < 5; i += 1) expect((await card(issueIds[i % 2], '10.3.0.1')).statusCode).toBe(200)
    // Another address has renders of its own.
    expect((await card(issueIds[2], '10.3.0.2')).statusCode).toBe(200)
  })

  it('PDFs: cold renders count per reader, PDFs on disk are free', async () => {
    const reader = await issueToken(t.db, 'pdf-reader')
    const other = await issueToken(t.db, 'pdf-other')
    for (const user of [reader, other]) {
      await grantMembership(t.db.kysely, user.userId, 30, 'test', 'admin', Date.now())
    }
    t.app.services.viewerCache.clear()
    const pdf = (id: number, token: string) => t.app.inject({ url: `/api/issues/${id}/pdf`, headers: bearer(token) })
    expect((await pdf(issueIds[0], reader.token)).statusCode).toBe(200)
    expect((await pdf(issueIds[1], reader.token)).statusCode).toBe(200)
    expectThrottled(await pdf(issueIds[2], reader.token), 'PDF downloads')
    expect((await pdf(issueIds[0], reader.token)).statusCode).toBe(200)
    expect((await pdf(issueIds[2], other.token)).statusCode).toBe(200)
  })

  it('orders: per reader, before anything is asked of the payment rail', async () => {
    const buyer = await issueToken(t.db, 'buyer')
    const order = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: bearer(buyer.token),
        payload: { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
      })
    // No rail is configured here, so the first two fail on their own (not 429); the third is not even tried.
    for (let i = 0; i < 2; i += 1) expect((await order()).statusCode).not.toBe(429)
    expectThrottled(await order(), 'orders')
  })

  it('nickname changes and avatar uploads: per reader', async () => {
    const reader = await issueToken(t.db, 'profile-reader')
    const other = await issueToken(t.db, 'profile-other')
    const nickname = (token: string, name: string) =>
      t.app.inject({ method: 'PATCH', url: '/api/me', headers: bearer(token), payload: { nickname: name } })
    expect((await nickname(reader.token, '读者一')).statusCode).toBe(200)
    expect((await nickname(reader.token, '读者二')).statusCode).toBe(200)
    expectThrottled(await nickname(reader.token, '读者三'), 'nickname changes')
    expect((await nickname(other.token, '读者四')).statusCode).toBe(200)

    const upload = (token: string) => {
      const body = multipart(PNG)
      return t.app.inject({
        method: 'PUT',
        url: '/api/me/avatar',
        headers: { ...body.headers, ...bearer(token) },
        payload: body.payload,
      })
    }
    expect((await upload(reader.token)).statusCode).toBe(200)
    expect((await upload(reader.token)).statusCode).toBe(200)
    expectThrottled(await upload(reader.token), 'avatar uploads')
    expect((await upload(other.token)).statusCode).toBe(200)
  })
})

describe.each(dialects())('PDFs on disk on %s', (dialect) => {
  let t: TestApp
  let mediaDir: string
  let issueIds: number[]

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-pdf-cap-media-'))
    t = await startTestApp(dialect, { config: { MEDIA_DIR: mediaDir, PDF_FILES_PER_READER: 2 } })
    await generateDemoIssues(t.db.kysely, 4, { now: Date.now() - 3600000 })
    issueIds = (
      await t.db.kysely.selectFrom('issues').select('id').where('status', '=', 'published').orderBy('id').execute()
    ).map((row) => row.id)
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(mediaDir, { recursive: true, force: true })
  })

  it('one reader’s downloads push out only their own least recently served files', async () => {
    const hoarder = await issueToken(t.db, 'pdf-hoarder')
    const bystander = await issueToken(t.db, 'pdf-bystander')
    for (const user of [hoarder, bystander]) {
      await grantMembership(t.db.kysely, user.userId, 30, 'test', 'admin', Date.now())
    }
    t.app.services.viewerCache.clear()
    const folder = path.join(mediaDir, 'pdf')
    const pdf = (id: number, token: string) =>
      t.app.inject({ url: `/api/issues/${id}/pdf`, headers: { authorization: `Bearer ${token}` } })
    const filesOf = (userId: number) => fs.readdirSync(folder).filter((name) => name.endsWith(`-r${userId}.pdf`))
    const issueOf = (name: string) => Number(/^issue-([0-9]+)-/.exec(name)?.[1])

    expect((await pdf(issueIds[3], bystander.token)).statusCode).toBe(200)
    expect((await pdf(issueIds[0], hoarder.token)).statusCode).toBe(200)
    expect((await pdf(issueIds[1], hoarder.token)).statusCode).toBe(200)
    // The bystander's file is the oldest of all; of the hoarder's, issue 1 was served last.
    const served = (name: string, secondsAgo: number) => {
      const at = new Date(Date.now() - secondsAgo * 1000)
      fs.utimesSync(path.join(folder, name), at, at)
    }
    served(filesOf(bystander.userId)[0], 300)
    for (const name of filesOf(hoarder.userId)) served(name, issueOf(name) === issueIds[0] ? 200 : 100)

    // Past PDF_FILES_PER_READER (2): the hoarder's own least recently served file goes, nobody else's.
    expect((await pdf(issueIds[2], hoarder.token)).statusCode).toBe(200)
    expect(
      filesOf(hoarder.userId)
        .map(issueOf)
        .sort((a, b) => a - b),
    ).toEqual([issueIds[1], issueIds[2]])
    expect(filesOf(bystander.userId).map(issueOf)).toEqual([issueIds[3]])
  })
})
