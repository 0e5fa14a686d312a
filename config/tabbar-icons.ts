/**
 * Draws the tab bar icons (81×81 PNG, WeChat's recommended size) with node:zlib only.
 * Run `npx tsx config/tabbar-icons.ts` after changing a shape or a colour; the PNGs are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { deflateSync } from 'node:zlib'

const SIZE = 81
const SUPERSAMPLE = 4
const INACTIVE: Rgb = [0x8a, 0x91, 0x9f]
const ACTIVE: Rgb = [0x1b, 0x3a, 0x6b]

type Rgb = [number, number, number]
/** Returns true when the point (in a 0..1 square) is inside the shape. */
type Shape = (x: number, y: number) => boolean

const inPolygon =
  (points: Array<[number, number]>): Shape =>
  (x, y) => {
    let inside = false
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i]
      const [xj, yj] = points[j]
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
    }
    return inside
  }
const inCircle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const inRect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y))
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y)

const shapes: Record<string, Shape> = {
  // A house: roof and body, with a door cut out.
  home: minus(
    union(
      inPolygon([
        [0.5, 0.12],
        [0.9, 0.48],
        [0.1, 0.48],
      ]),
      inRect(0.2, 0.44, 0.8, 0.86),
    ),
    inRect(0.42, 0.6, 0.58, 0.86),
  ),
  // A crown for the VIP tab.
  vip: union(
    inPolygon([
      [0.12, 0.3],
      [0.32, 0.52],
      [0.5, 0.2],
      [0.68, 0.52],
      [0.88, 0.3],
      [0.8, 0.74],
      [0.2, 0.74],
    ]),
    inRect(0.2, 0.78, 0.8, 0.86),
  ),
  // A person: head and shoulders.
  me: union(
    inCircle(0.5, 0.33, 0.18),
    (x, y) => y >= 0.58 && y <= 0.88 && ((x - 0.5) / 0.36) ** 2 + ((y - 0.9) / 0.32) ** 2 <= 1,
  ),
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function png(shape: Shape, [r, g, b]: Rgb): Buffer {
  const rows: Buffer[] = []
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4) // filter byte 0, then RGBA
    for (let x = 0; x < SIZE; x++) {
      let hits = 0
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          if (shape((x + (sx + 0.5) / SUPERSAMPLE) / SIZE, (y + (sy + 0.5) / SUPERSAMPLE) / SIZE)) hits++
        }
      }
      row.set([r, g, b, Math.round((255 * hits) / SUPERSAMPLE ** 2)], 1 + x * 4)
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const outDir = path.resolve(__dirname, '..', 'src', 'assets', 'tabbar')
mkdirSync(outDir, { recursive: true })
for (const [name, shape] of Object.entries(shapes)) {
  writeFileSync(path.join(outDir, `${name}.png`), png(shape, INACTIVE))
  writeFileSync(path.join(outDir, `${name}-active.png`), png(shape, ACTIVE))
}
console.log(`tab bar icons written to ${path.relative(process.cwd(), outDir)}`)
