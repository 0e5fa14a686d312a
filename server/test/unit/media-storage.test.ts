import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FolderStorage } from '../../src/infra/media-storage'

describe('media in a folder', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-media-'))
  const storage = new FolderStorage(folder)
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }))

  it('tells a file’s size and reads a part of it without the rest', async () => {
    const data = crypto.randomBytes(5000)
    await storage.put('clip.mp4', data)
    expect(await storage.size('clip.mp4')).toBe(5000)
    expect((await storage.readRange('clip.mp4', 0, 0))?.equals(data.subarray(0, 1))).toBe(true)
    expect((await storage.readRange('clip.mp4', 1000, 1999))?.equals(data.subarray(1000, 2000))).toBe(true)
    // Past the end: what there is.
    expect((await storage.readRange('clip.mp4', 4990, 5999))?.equals(data.subarray(4990))).toBe(true)
  })

  it('has nothing for a missing file or an unsafe name', async () => {
    expect(await storage.size('missing.mp4')).toBeNull()
    expect(await storage.readRange('missing.mp4', 0, 9)).toBeNull()
    expect(await storage.size('../etc/passwd')).toBeNull()
    expect(await storage.readRange('../etc/passwd', 0, 9)).toBeNull()
  })
})
