/**
 * `npm run release:weapp [-- --dry-run]`: builds the mini-program for production and uploads it to
 * WeChat with miniprogram-ci as a development version (开发版) of robot 1; making it the 体验版,
 * submitting it for review and releasing it stay in the MP console. docs/deploy.md ("Shipping the
 * mini-program").
 *
 *   WEAPP_APPID              the real AppID (wx…); touristappid is refused
 *   WEAPP_PRIVATE_KEY_PATH   the 代码上传密钥 file (MP 后台 → 开发管理 → 开发设置 → 小程序代码上传)
 *   TARO_APP_API_BASE        the API's https origin, compiled into the package
 *   WEAPP_VERSION            optional; package.json's version otherwise
 *   WEAPP_DESC               optional; the latest commit's subject otherwise
 *
 * `--dry-run` checks all of it and prints the plan without building or uploading.
 *
 * The AppID reaches the build as TARO_APP_ID, which Taro writes into dist/project.config.json only:
 * the repository's project.config.json keeps touristappid. miniprogram-ci gets the AppID and dist/
 * explicitly. Every failure, the upload's too, ends the process with a non-zero code (unlike
 * @tarojs/plugin-mini-ci, which logs a failed upload and carries on).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const DIST = path.join(ROOT, 'dist')
/** One robot for releases: WeChat keeps the 体验版 choice per robot, so uploads stay where testers look. */
const ROBOT = 1

interface Plan {
  appid: string
  privateKeyPath: string
  apiBase: string
  version: string
  desc: string
  robot: number
}

function log(message: string): void {
  process.stdout.write(`[release:weapp] ${message}\n`)
}

class ReleaseError extends Error {}

/** Reads and checks the environment; every problem at once, so one run shows all that is missing. */
export function planFromEnvironment(env: NodeJS.ProcessEnv): Plan | string[] {
  const problems: string[] = []
  const appid = (env.WEAPP_APPID ?? '').trim()
  if (!appid) {
    problems.push('WEAPP_APPID: not set; use the mini-program’s AppID (MP 后台 → 开发管理 → 开发设置)')
  } else if (appid === 'touristappid') {
    problems.push('WEAPP_APPID: touristappid is the DevTools placeholder and cannot be uploaded; use the real AppID')
  } else if (!/^wx[0-9a-f]{16}$/.test(appid)) {
    problems.push(`WEAPP_APPID: ${JSON.stringify(appid)} is not an AppID (wx and 16 hex digits)`)
  }

  const keyPath = (env.WEAPP_PRIVATE_KEY_PATH ?? '').trim()
  const privateKeyPath = keyPath ? path.resolve(keyPath) : ''
  if (!keyPath) {
    problems.push('WEAPP_PRIVATE_KEY_PATH: not set; the 代码上传密钥 file (private.<appid>.key)')
  } else if (!fs.statSync(privateKeyPath, { throwIfNoEntry: false })?.isFile()) {
    problems.push(`WEAPP_PRIVATE_KEY_PATH: ${privateKeyPath} does not exist or is not a file`)
  } else {
    try {
      if (!fs.readFileSync(privateKeyPath, 'utf8').includes('PRIVATE KEY')) {
        problems.push(`WEAPP_PRIVATE_KEY_PATH: ${privateKeyPath} holds no PEM private key`)
      }
    } catch {
      problems.push(`WEAPP_PRIVATE_KEY_PATH: ${privateKeyPath} cannot be read`)
    }
  }

  const apiBase = (env.TARO_APP_API_BASE ?? '').trim()
  const apiProblem = apiBaseProblem(apiBase)
  if (apiProblem) problems.push(`TARO_APP_API_BASE: ${apiProblem}`)

  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const version = (env.WEAPP_VERSION ?? '').trim() || manifest.version
  if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) {
    problems.push(`WEAPP_VERSION: ${JSON.stringify(version)} is not a version like 1.2.3`)
  }

  let desc = (env.WEAPP_DESC ?? '').trim()
  if (!desc) {
    try {
      const head = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: ROOT, encoding: 'utf8' }).trim()
      desc = head
    } catch {
      problems.push('WEAPP_DESC: not set, and no commit to take a description from')
    }
  }
  return problems.length > 0 ? problems : { appid, privateKeyPath, apiBase, version, desc, robot: ROBOT }
}

function apiBaseProblem(value: string): string | null {
  if (!value) return 'not set; the API’s https origin, e.g. https://api.example.com (its request 合法域名)'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${JSON.stringify(value)} is not a URL`
  }
  if (url.protocol !== 'https:') {
    return `${JSON.stringify(value)} must be https://: WeChat only lets a released mini-program reach https 合法域名`
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || net.isIP(host) !== 0) {
    return `${JSON.stringify(value)} must name a registered domain: WeChat accepts no IP address or localhost as 合法域名`
  }
  if (url.search || url.hash || value.endsWith('/')) {
    return `${JSON.stringify(value)}: write the origin without a trailing slash, query or fragment`
  }
  return null
}

function build(plan: Plan): void {
  log(`building the weapp (TARO_APP_ID=${plan.appid}, TARO_APP_API_BASE=${plan.apiBase}) …`)
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'taro'), ['build', '--type', 'weapp'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', TARO_APP_ID: plan.appid, TARO_APP_API_BASE: plan.apiBase },
  })
  if (result.status !== 0) {
    throw new ReleaseError(`taro build failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`)
  }
  const built = JSON.parse(fs.readFileSync(path.join(DIST, 'project.config.json'), 'utf8')) as { appid?: string }
  if (built.appid !== plan.appid) {
    throw new ReleaseError(
      `dist/project.config.json has appid ${JSON.stringify(built.appid)}, not ${plan.appid}: is TARO_APP_ID set in a .env file?`,
    )
  }
  const bundle = ['app.js', 'common.js']
    .map((file) => path.join(DIST, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n')
  if (!bundle.includes(plan.apiBase)) {
    throw new ReleaseError(`the build does not contain ${plan.apiBase}: check TARO_APP_API_BASE in .env files`)
  }
}

async function upload(plan: Plan): Promise<void> {
  const ci = await import('miniprogram-ci')
  const project = new ci.Project({
    appid: plan.appid,
    type: 'miniProgram',
    projectPath: DIST,
    privateKeyPath: plan.privateKeyPath,
    ignores: ['node_modules/**/*', '**/*.map'],
  })
  log(`uploading ${plan.version} as robot ${plan.robot} …`)
  let result: Awaited<ReturnType<typeof ci.upload>>
  try {
    result = await ci.upload({
      project,
      version: plan.version,
      desc: plan.desc,
      robot: plan.robot,
      // dist/project.config.json's settings: Taro has already compiled and minified the code.
      setting: { useProjectConfig: true },
      onProgressUpdate: (task) => {
        if (typeof task !== 'string' && task.status === 'fail') log(`failed: ${task.message}`)
      },
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ReleaseError(
      `upload failed: ${message}\n  (an IP not on the upload whitelist, a reset key or a wrong AppID are the usual causes)`,
    )
  }
  for (const info of result.subPackageInfo ?? []) {
    log(
      `  ${(info.name === '__FULL__' ? 'total' : info.name === '__APP__' ? 'main package' : info.name).padEnd(24)} ${(info.size / 1024).toFixed(1)} KB`,
    )
  }
  log(`uploaded ${plan.version}; set it as 体验版 or submit it for review in the MP console (版本管理)`)
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const unknown = args.filter((arg) => arg !== '--dry-run')
  if (unknown.length > 0) {
    process.stderr.write(`[release:weapp] unknown argument(s): ${unknown.join(' ')}; only --dry-run is accepted\n`)
    return 64
  }
  const plan = planFromEnvironment(process.env)
  if (Array.isArray(plan)) {
    process.stderr.write(`[release:weapp] refusing to release:\n  ${plan.join('\n  ')}\n`)
    return 1
  }
  log(`AppID        ${plan.appid}`)
  log(`key          ${plan.privateKeyPath}`)
  log(`API base     ${plan.apiBase}`)
  log(`version      ${plan.version}`)
  log(`description  ${plan.desc}`)
  log(`robot        ${plan.robot}`)
  if (args.includes('--dry-run')) {
    log('dry run: would build dist/ with taro build --type weapp and upload it with miniprogram-ci')
    return 0
  }
  const projectConfig = path.join(ROOT, 'project.config.json')
  const before = fs.readFileSync(projectConfig, 'utf8')
  try {
    build(plan)
    await upload(plan)
  } finally {
    // The repository's project config keeps touristappid; Taro writes the real one into dist/ only.
    if (fs.readFileSync(projectConfig, 'utf8') !== before) {
      fs.writeFileSync(projectConfig, before)
      log('project.config.json was changed during the release and has been put back')
    }
  }
  return 0
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message =
        error instanceof ReleaseError ? error.message : error instanceof Error ? error.stack : String(error)
      process.stderr.write(`[release:weapp] ${message}\n`)
      process.exit(1)
    },
  )
}
