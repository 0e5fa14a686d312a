import fs from 'node:fs'
import path from 'node:path'

/** Where uploaded files live; a folder today, an object store behind the same interface later. */
export interface MediaStorage {
  put(name: string, data: Buffer): Promise<void>
  read(name: string): Promise<Buffer | null>
  /** How many bytes a file has, without reading it; null when there is none */
  size(name: string): Promise<number | null>
  /** Bytes `start` to `end` (inclusive) of a file, without reading the rest; null when there is none */
  readRange(name: string, start: number, end: number): Promise<Buffer | null>
  remove(name: string): Promise<void>
}

const SAFE_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/

export class FolderStorage implements MediaStorage {
  constructor(private readonly folder: string) {}

  async put(name: string, data: Buffer): Promise<void> {
    await fs.promises.mkdir(this.folder, { recursive: true })
    const target = this.pathOf(name)
    await fs.promises.writeFile(`${target}.part`, data)
    await fs.promises.rename(`${target}.part`, target)
  }

  async read(name: string): Promise<Buffer | null> {
    if (!SAFE_NAME.test(name)) return null
    try {
      return await fs.promises.readFile(this.pathOf(name))
    } catch {
      return null
    }
  }

  async size(name: string): Promise<number | null> {
    if (!SAFE_NAME.test(name)) return null
    try {
      return (await fs.promises.stat(this.pathOf(name))).size
    } catch {
      return null
    }
  }

  async readRange(name: string, start: number, end: number): Promise<Buffer | null> {
    if (!SAFE_NAME.test(name)) return null
    let file: fs.promises.FileHandle
    try {
      file = await fs.promises.open(this.pathOf(name), 'r')
    } catch {
      return null
    }
    try {
      const buffer = Buffer.alloc(end - start + 1)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, start)
      return buffer.subarray(0, bytesRead)
    } finally {
      await file.close()
    }
  }

  async remove(name: string): Promise<void> {
    if (SAFE_NAME.test(name)) await fs.promises.rm(this.pathOf(name), { force: true })
  }

  private pathOf(name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error('unsafe media name')
    return path.join(this.folder, name)
  }
}

export type ImageType = 'jpeg' | 'png' | 'webp'

/** The image type judged by the file's first bytes, never by its name or declared type. */
export function sniffImage(data: Buffer): ImageType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg'
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'png'
  }
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp'
  }
  return null
}

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
}
