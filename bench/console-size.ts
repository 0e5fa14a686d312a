/**
 * The operator console's first load: the JavaScript a browser fetches before the first screen
 * shows, gzipped: console/dist/index.html's module scripts and modulepreloads and, transitively,
 * their static imports (dynamic import() chunks, the lazily loaded screens, are left out).
 * Goal ≤ 500 KB gzipped; exits 1 above it. Run after `npm run build:console`:
 *   npx tsx bench/console-size.ts [--json]
 * Writes bench/results/console-size.json as well.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const ROOT = path.resolve(__dirname, '..')
const DIST = path.join(ROOT, 'console', 'dist')
const BASE = '/admin/'
const KB = 1024
const GOAL = 500 * KB

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`

/** A URL of the built page (/admin/assets/x.js, ./x.js relative to `from`) as a file in dist. */
function fileOf(url: string, from: string): string {
  if (url.startsWith(BASE)) return path.join(DIST, url.slice(BASE.length))
  if (url.startsWith('/')) return path.join(DIST, url.slice(1))
  return path.resolve(path.dirname(from), url)
}

/** Static imports of an ES module as Rollup writes them: `import … from "./x.js"` and `import "./x.js"`. */
function staticImports(code: string): string[] {
  const found = new Set<string>()
  const pattern = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*${},\s]+?\s*from\s*)?["']([^"']+\.js)["']/g
  for (const match of code.matchAll(pattern)) found.add(match[1])
  return [...found]
}

function main(): number {
  const indexFile = path.join(DIST, 'index.html')
  if (!fs.existsSync(indexFile)) {
    console.error('console/dist/index.html is missing: build the console first (npm run build:console)')
    return 1
  }
  const html = fs.readFileSync(indexFile, 'utf8')
  const entries = [
    ...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((match) => fileOf(match[1], indexFile))

  const seen = new Set<string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.shift()!
    if (seen.has(file) || !file.endsWith('.js')) continue
    if (!fs.existsSync(file)) {
      console.error(`index.html or a chunk names ${path.relative(DIST, file)}, which the build did not write`)
      return 1
    }
    seen.add(file)
    for (const url of staticImports(fs.readFileSync(file, 'utf8'))) queue.push(fileOf(url, file))
  }

  const files = [...seen].map((file) => {
    const code = fs.readFileSync(file)
    return { file: path.relative(DIST, file), bytes: code.length, gzip: zlib.gzipSync(code, { level: 9 }).length }
  })
  files.sort((a, b) => b.gzip - a.gzip)
  const total = files.reduce((sum, file) => sum + file.gzip, 0)
  const raw = files.reduce((sum, file) => sum + file.bytes, 0)
  const lazy = fs
    .readdirSync(path.join(DIST, 'assets'))
    .filter((name) => name.endsWith('.js') && !seen.has(path.join(DIST, 'assets', name))).length
  const result = { goalBytes: GOAL, firstLoadGzipBytes: total, firstLoadBytes: raw, lazyChunks: lazy, files }

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2))
  } else {
    console.log('Operator console, first load (JavaScript, gzip -9):')
    for (const file of files)
      console.log(`  ${file.file.padEnd(40)} ${kb(file.gzip).padStart(10)}  (${kb(file.bytes)} raw)`)
    console.log(`  ${'total'.padEnd(40)} ${kb(total).padStart(10)}  (${kb(raw)} raw); goal ≤ ${kb(GOAL)}`)
    console.log(`  ${lazy} more chunks load on demand (screens, dialogs)`)
  }
  const resultsDir = path.join(ROOT, 'bench', 'results')
  fs.mkdirSync(resultsDir, { recursive: true })
  fs.writeFileSync(path.join(resultsDir, 'console-size.json'), `${JSON.stringify(result, null, 2)}\n`)
  if (total > GOAL) {
    console.error(`The console's first load is ${kb(total)} gzipped, over the ${kb(GOAL)} goal`)
    return 1
  }
  return 0
}

process.exit(main())
