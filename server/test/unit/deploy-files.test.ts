import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import ts from 'typescript'
import { parse as parseYaml } from 'yaml'
import { loadConfig, SECRET_VARIABLES } from '../../src/config'
import { REPO_ROOT, startTestApp } from '../helpers'

/**
 * Dockerfile, compose.yaml, deploy/env.example and the nginx configs are read by tools this machine
 * cannot run (no Docker engine), so they are parsed here and checked against each other and against
 * the server: the same port, a health check on a real route, a non-root user, production settings
 * that loadConfig accepts, and both replicas behind nginx.
 */

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')

interface Instruction {
  keyword: string
  args: string
}

interface Stage {
  from: string
  name: string | null
  instructions: Instruction[]
}

/** Dockerfile instructions per stage: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = []
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!pending && (line === '' || line.startsWith('#'))) continue
    if (pending && line.startsWith('#')) continue
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `
      continue
    }
    logical.push(`${pending}${line}`.trim())
    pending = ''
  }
  const stages: Stage[] = []
  for (const line of logical) {
    const match = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(line)
    if (!match) throw new Error(`cannot read Dockerfile line: ${line}`)
    const keyword = match[1].toUpperCase()
    const args = match[2]
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      if (!from) throw new Error(`cannot read FROM ${args}`)
      stages.push({ from: from[1], name: from[2] ?? null, instructions: [] })
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword, args })
    }
  }
  return stages
}

/** KEY=value lines that are not comments. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (!match) throw new Error(`deploy/env.example: cannot read line "${line}"`)
    env[match[1]] = match[2]
  }
  return env
}

/** Compose's ${VAR}, ${VAR:?message} and ${VAR:-default} against the .env values. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
    const set = env[name]
    if (set) return set
    if (kind === '-') return rest ?? ''
    if (kind === '?') throw new Error(`compose would stop: ${rest}`)
    return ''
  })
}

/** Syntactically valid stand-ins for what deploy/env.example leaves empty, as an operator would fill it. */
const FILLED: Record<string, string> = {
  POSTGRES_PASSWORD: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_APPSECRET: '0123456789abcdef0123456789abcdef',
  SESSION_KEY_ENCRYPTION_KEY: 'ab'.repeat(32),
  ADMIN_SESSION_KEY: 'cd'.repeat(32),
  CORS_ORIGINS: '',
  MSG_PUSH_TOKEN: 'T'.repeat(32),
  MSG_PUSH_AES_KEY: 'A'.repeat(43),
  XPAY_OFFER_ID: '1450000000',
  XPAY_APP_KEY: 'k'.repeat(32),
  WECHATPAY_MCHID: '1900000001',
  WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_APIV3_KEY: 'v'.repeat(32),
  WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0000000000000000000000000000',
  WECHATPAY_PLATFORM_CERT_SERIAL: '',
  WECHATPAY_PLATFORM_CERT_FILE: '',
  SUBSCRIBE_TEMPLATE_ID: 'template-id_0123456789',
}

const dockerfile = parseDockerfile(read('Dockerfile'))
const finalStage = dockerfile[dockerfile.length - 1]
const final = (keyword: string) => finalStage.instructions.filter((i) => i.keyword === keyword)
const compose = parseYaml(read('compose.yaml'), { merge: true }) as {
  services: Record<string, Record<string, unknown>>
  networks?: Record<string, unknown>
  volumes?: Record<string, unknown>
}
const services = compose.services
const envExample = parseEnvFile(read('deploy/env.example'))
const configVariables = new Set(Object.keys(loadConfig({})))
const API_SERVICES = ['api1', 'api2']

/** The variables a container of `service` gets: .env (env_file) and then compose's own environment. */
function serviceEnv(service: string, dotEnv: Record<string, string>): Record<string, string> {
  const environment = (services[service].environment ?? {}) as Record<string, string | number | boolean>
  const fromCompose = Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, interpolate(String(value), dotEnv)]),
  )
  return { ...dotEnv, ...fromCompose }
}

function envValue(name: string): string | undefined {
  const env = final('ENV')
    .flatMap((instruction) => instruction.args.split(/\s+/))
    .map((pair) => pair.split('='))
  return env.find(([key]) => key === name)?.[1]
}

function execForm(args: string): string[] {
  return JSON.parse(args) as string[]
}

describe('Dockerfile', () => {
  it('is multi-stage; the final stage runs the compiled server as a non-root user in production mode', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2)
    const users = final('USER').map((instruction) => instruction.args.trim())
    expect(users.length).toBeGreaterThan(0)
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1])
    expect(envValue('NODE_ENV')).toBe('production')
    // TRUST_PROXY depends on what stands in front: set where the container runs, never baked in.
    expect(envValue('TRUST_PROXY')).toBeUndefined()
    const instructions = dockerfile.flatMap((stage) => stage.instructions.map((i) => i.args))
    expect(instructions.filter((args) => args.includes('TRUST_PROXY'))).toEqual([])

    const cmd = execForm(final('CMD')[0].args)
    expect(cmd[0]).toBe('node')
    const entry = cmd[cmd.length - 1]
    expect(entry).toBe('dist-server/src/main.js')
    expect(fs.existsSync(path.join(REPO_ROOT, 'server/src/main.ts'))).toBe(true)
  })

  it('builds dist-server/ where the CMD and the migrate service look for it', () => {
    const tsconfig = ts.readConfigFile(path.join(REPO_ROOT, 'server/tsconfig.build.json'), ts.sys.readFile).config as {
      compilerOptions: { outDir: string; rootDir: string }
      include: string[]
    }
    const outDir = path.resolve(REPO_ROOT, 'server', tsconfig.compilerOptions.outDir)
    const rootDir = path.resolve(REPO_ROOT, 'server', tsconfig.compilerOptions.rootDir)
    expect(path.relative(REPO_ROOT, outDir)).toBe('dist-server')
    // src/paths.ts takes REPO_ROOT as two folders up from itself: dist-server/src/ must sit like server/src/.
    expect(path.dirname(outDir)).toBe(path.dirname(rootDir))
    expect(tsconfig.include).toEqual(expect.arrayContaining(['src', 'migrations']))
    const compiled = (js: string) =>
      path.join(rootDir, path.relative(outDir, path.join(REPO_ROOT, js))).replace(/\.js$/, '.ts')
    expect(fs.existsSync(compiled('dist-server/src/main.js'))).toBe(true)
    const migrate = services.migrate.command as string[]
    expect(migrate[0]).toBe('node')
    expect(fs.existsSync(compiled(migrate[migrate.length - 1]))).toBe(true)
    const build = dockerfile.flatMap((stage) => stage.instructions).filter((i) => i.keyword === 'RUN')
    expect(build.map((i) => i.args).join('\n')).toContain('server/tsconfig.build.json')
  })

  it('installs only production dependencies into the final image', () => {
    const copied = final('COPY').map((instruction) => instruction.args)
    const nodeModules = copied.find((args) => /\bnode_modules\b/.test(args))
    expect(nodeModules).toBeDefined()
    const fromStage = /--from=(\S+)/.exec(nodeModules ?? '')?.[1]
    const stage = dockerfile.find((candidate) => candidate.name === fromStage)
    const runs = (stage?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args)
    expect(runs.join('\n')).toMatch(/npm (prune|install|ci)[^\n]*--omit=dev/)
    expect(
      final('RUN')
        .map((i) => i.args)
        .join('\n'),
    ).not.toMatch(/npm (install|ci)/)
  })

  it('the server needs nothing from devDependencies at run time', () => {
    const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    const builtins = new Set(builtinModules)
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name)
        return entry.isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : []
      })
    const needed = new Map<string, string>()
    for (const file of [
      ...files(path.join(REPO_ROOT, 'server/src')),
      ...files(path.join(REPO_ROOT, 'server/migrations')),
    ]) {
      const source = fs.readFileSync(file, 'utf8')
      const specifiers = [
        ...source.matchAll(/^import(?!\s+type\b)[^'"]*?from\s+'([^']+)'/gm),
        ...source.matchAll(/^import\s+'([^']+)'/gm),
        ...source.matchAll(/\b(?:require|import|resolve)\(\s*'([^']+)'/g),
      ].map((match) => match[1])
      for (const specifier of specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]
        needed.set(name, path.relative(REPO_ROOT, file))
      }
    }
    const missing = [...needed].filter(([name]) => !(name in manifest.dependencies))
    expect(missing).toEqual([])
    expect(needed.has('fastify')).toBe(true)
  })

  it('exposes the port the server listens on and checks a route that answers', async () => {
    const exposed = final('EXPOSE').map((instruction) => instruction.args.trim())
    expect(exposed).toEqual([envValue('PORT')])
    const healthcheck = final('HEALTHCHECK')[0]?.args ?? ''
    // The path the probe fetches, e.g. fetch('http://127.0.0.1:'+port+'/healthz')
    const probe = /['"](\/[A-Za-z0-9/_-]*)['"]/.exec(healthcheck)
    expect(probe?.[1]).toBe('/healthz')
    const { app, close } = await startTestApp('sqlite', { importSample: false })
    try {
      const answer = await app.inject({ method: 'GET', url: '/healthz' })
      expect(answer.statusCode).toBe(200)
    } finally {
      await close()
    }
  })
})

describe('compose.yaml', () => {
  it('runs two API replicas from the Dockerfile on the port it exposes, after a one-shot migration', () => {
    const exposed = final('EXPOSE')[0].args.trim()
    for (const name of [...API_SERVICES, 'migrate']) {
      const service = services[name]
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' })
      expect(serviceEnv(name, { ...envExample, ...FILLED }).PORT ?? envValue('PORT')).toBe(exposed)
    }
    for (const name of API_SERVICES) {
      // Only nginx is published: a replica reached directly could name any client in X-Forwarded-For.
      expect(services[name].ports).toBeUndefined()
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
      })
    }
    expect(services.migrate.restart).toBe('no')
  })

  it('keeps the data in PostgreSQL 15 on a named volume', () => {
    const postgres = services.postgres
    expect(postgres.image).toBe('postgres:15')
    const volumes = postgres.volumes as string[]
    const data = volumes.find((volume) => volume.endsWith(':/var/lib/postgresql/data'))
    expect(data).toBeDefined()
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.split(':')[0])
    for (const name of API_SERVICES) {
      expect(serviceEnv(name, { ...envExample, ...FILLED }).DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//)
    }
  })

  it('gives each replica a production configuration loadConfig accepts, with the env.example as filled in', () => {
    for (const name of API_SERVICES) {
      const files = services[name].env_file as Array<{ path: string }>
      expect(files.map((file) => file.path)).toEqual(['.env'])
      // As shipped: every secret empty (its feature off), and still a valid production configuration
      // once the two secrets nothing runs without are set.
      const asShipped = serviceEnv(name, {
        ...envExample,
        POSTGRES_PASSWORD: FILLED.POSTGRES_PASSWORD,
        ADMIN_SESSION_KEY: FILLED.ADMIN_SESSION_KEY,
      })
      expect(asShipped.NODE_ENV).toBe('production')
      expect(() => loadConfig(asShipped)).not.toThrow()
      // Filled in: every variable production requires alongside another (MSG_PUSH_AES_KEY with
      // MSG_PUSH_TOKEN, SESSION_KEY_ENCRYPTION_KEY with WECHAT_APPSECRET, …) is in the example.
      const filled = serviceEnv(name, { ...envExample, ...FILLED })
      for (const [variable, value] of Object.entries(envExample)) {
        if (value === '' && !(variable in FILLED)) throw new Error(`FILLED needs a stand-in for ${variable}`)
      }
      expect(() => loadConfig(filled)).not.toThrow()
      // And the checks bite: without compose's TRUST_PROXY production refuses to start.
      const withoutProxy = { ...filled, TRUST_PROXY: '' }
      expect(() => loadConfig(withoutProxy)).toThrow(/TRUST_PROXY: must be set in production/)
      expect(() => loadConfig({ ...filled, ADMIN_SESSION_KEY: '' })).toThrow(/ADMIN_SESSION_KEY: must be set/)
      const withoutAesKey = { ...filled, MSG_PUSH_AES_KEY: '' }
      expect(() => loadConfig(withoutAesKey)).toThrow(/MSG_PUSH_AES_KEY/)
    }
  })

  it('trusts X-Forwarded-For from the nginx container alone', () => {
    const networks = services.nginx.networks as Record<string, { ipv4_address: string }>
    const addresses = Object.values(networks).map((network) => network.ipv4_address)
    for (const name of API_SERVICES) {
      expect(addresses).toContain(serviceEnv(name, { ...envExample, ...FILLED }).TRUST_PROXY)
    }
  })

  it('deploy/env.example names only real settings and holds no secret', () => {
    for (const variable of Object.keys(envExample)) {
      if (variable !== 'POSTGRES_PASSWORD') expect(configVariables).toContain(variable)
    }
    for (const variable of [...SECRET_VARIABLES, 'POSTGRES_PASSWORD']) {
      if (variable in envExample) expect([variable, envExample[variable]]).toEqual([variable, ''])
    }
    expect(read('.gitignore').split('\n')).toContain('.env')
  })
})

describe('deploy/nginx-compose.conf', () => {
  const conf = read('deploy/nginx-compose.conf').replace(/#.*$/gm, '')

  it('balances both replicas on the exposed port and passes the client address', () => {
    const exposed = final('EXPOSE')[0].args.trim()
    const upstream = /upstream\s+(\S+)\s*\{([^}]*)\}/.exec(conf)
    expect(upstream).not.toBeNull()
    const servers = [...(upstream?.[2] ?? '').matchAll(/^\s*server\s+([^\s;]+)/gm)].map((match) => match[1])
    expect(servers.sort()).toEqual(API_SERVICES.map((name) => `${name}:${exposed}`))
    expect(conf).toContain(`proxy_pass http://${upstream?.[1]};`)
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/)
    const mounted = (services.nginx.volumes as string[]).find((volume) =>
      volume.startsWith('./deploy/nginx-compose.conf:'),
    )
    expect(mounted).toBeDefined()
  })

  it('keeps query strings out of the access log', () => {
    const format = /log_format\s+(\S+)([^;]*);/.exec(conf)
    expect(format?.[2]).not.toMatch(/\$request\b|\$request_uri|\$args|\$query_string/)
    const logs = [...conf.matchAll(/access_log\s+([^;]+);/g)]
    expect(logs.length).toBeGreaterThan(0)
    for (const log of logs) expect(log[1]).toMatch(new RegExp(`\\s${format?.[1]}$`))
  })
})

describe('deploy/nginx.conf and deploy/beichen-api.service', () => {
  it('run the compiled server behind nginx, with the production settings from an environment file', () => {
    const unit = read('deploy/beichen-api.service')
    expect(unit).toMatch(/^ExecStart=\S*node .*dist-server\/src\/main\.js$/m)
    expect(unit).toMatch(/^ExecStartPre=\S*node dist-server\/src\/cli\/migrate\.js$/m)
    expect(unit).toMatch(/^Environment=NODE_ENV=production$/m)
    expect(unit).toMatch(/^EnvironmentFile=/m)
    expect(unit).toMatch(/^User=(?!root$)\S+$/m)
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m)
    const nginx = read('deploy/nginx.conf').replace(/#.*$/gm, '')
    expect(nginx).toMatch(/upstream beichen_api \{[^}]*server 127\.0\.0\.1:3000/)
    expect(nginx).toMatch(/ssl_certificate /)
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/)
  })
})
