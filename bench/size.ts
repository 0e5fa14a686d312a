/**
 * Package sizes of the weapp build (dist/), as WeChat counts them: the main package is every
 * file outside a subpackage root. Fails when a package exceeds WeChat's 2 MB cap; reports
 * the main-package goal (≤ 450 KB, docs/benchmarks.md). Run after `npm run build:weapp`:
 *   npx tsx bench/size.ts [--json]
 * Writes bench/results/size.json as well.
 */
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const DIST = path.join(ROOT, 'dist')
const KB = 1024
const PACKAGE_CAP = 2 * KB * KB
const TOTAL_CAP = 20 * KB * KB
const MAIN_GOAL = 450 * KB
/** Files DevTools keeps out of the code package */
const NOT_PACKAGED = [/^project(\.private)?\.config\.json$/, /\.map$/]

interface PackageSize {
  name: string
  root: string
  bytes: number
  files: number
  largest: Array<{ file: string; bytes: number }>
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? listFiles(full) : [full]
  })
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`

function main(): number {
  const appJson = path.join(DIST, 'app.json')
  if (!fs.existsSync(appJson)) {
    console.error('dist/app.json is missing: build the weapp first (npm run build:weapp)')
    return 1
  }
  const app = JSON.parse(fs.readFileSync(appJson, 'utf8')) as {
    subPackages?: Array<{ root: string }>
    subpackages?: Array<{ root: string }>
  }
  const roots = (app.subPackages ?? app.subpackages ?? []).map((sub) => sub.root.replace(/^\/+|\/+$/g, ''))

  const packages = new Map<string, PackageSize>()
  const packageFor = (root: string) => {
    let entry = packages.get(root)
    if (!entry) {
      entry = { name: root ? `subpackage ${root}` : 'main package', root, bytes: 0, files: 0, largest: [] }
      packages.set(root, entry)
    }
    return entry
  }
  packageFor('')
  roots.forEach(packageFor)

  for (const file of listFiles(DIST)) {
    const relative = path.relative(DIST, file).split(path.sep).join('/')
    if (NOT_PACKAGED.some((pattern) => pattern.test(relative))) continue
    const root = roots.find((candidate) => relative === candidate || relative.startsWith(`${candidate}/`)) ?? ''
    const bytes = fs.statSync(file).size
    const entry = packageFor(root)
    entry.bytes += bytes
    entry.files += 1
    entry.largest.push({ file: relative, bytes })
  }

  const all = [...packages.values()]
  for (const entry of all) entry.largest = entry.largest.sort((a, b) => b.bytes - a.bytes).slice(0, 5)
  const total = all.reduce((sum, entry) => sum + entry.bytes, 0)
  const main = packages.get('')!
  const over = all.filter((entry) => entry.bytes > PACKAGE_CAP)

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ packages: all, total }, null, 2))
  } else {
    console.log('weapp package sizes (dist/)')
    for (const entry of all) {
      console.log(
        `  ${entry.name.padEnd(36)} ${kb(entry.bytes).padStart(10)}  ${String(entry.files).padStart(3)} files`,
      )
      for (const file of entry.largest.slice(0, 3))
        console.log(`      ${file.file.padEnd(40)} ${kb(file.bytes).padStart(10)}`)
    }
    console.log(`  ${'total'.padEnd(36)} ${kb(total).padStart(10)}`)
    console.log('')
    console.log(
      `main package goal ≤ ${kb(MAIN_GOAL)}: ${main.bytes <= MAIN_GOAL ? 'met' : 'NOT met'} (${kb(main.bytes)})`,
    )
    console.log(
      `WeChat cap ${kb(PACKAGE_CAP)} per package: ${over.length === 0 ? 'every package fits' : `EXCEEDED by ${over.map((entry) => entry.name).join(', ')}`}`,
    )
    console.log(`WeChat cap ${kb(TOTAL_CAP)} for all packages: ${total <= TOTAL_CAP ? 'fits' : 'EXCEEDED'}`)
  }

  const resultsDir = path.join(ROOT, 'bench', 'results')
  fs.mkdirSync(resultsDir, { recursive: true })
  fs.writeFileSync(
    path.join(resultsDir, 'size.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), mainGoalBytes: MAIN_GOAL, capBytes: PACKAGE_CAP, packages: all, total }, null, 2)}\n`,
  )
  return over.length > 0 || total > TOTAL_CAP ? 1 : 0
}

process.exitCode = main()
