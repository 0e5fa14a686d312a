import { buildSimulator } from './app'
import { simulatorEnv } from './env'
import { DEFAULT_APPID } from './state'

async function main(): Promise<void> {
  const { host, port, options, generatedSecret } = simulatorEnv(process.env)
  const app = buildSimulator(options)

  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    const forced = setTimeout(() => process.exit(1), 5000)
    forced.unref()
    await app.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())

  const address = await app.listen({ host, port })
  const lines = [
    `WeChat simulator  ${address}  (development and tests only)`,
    `  appid           ${options.appid ?? DEFAULT_APPID}`,
    generatedSecret
      ? `  secret          ${options.secret}  (made up for this run; set SIM_SECRET to choose one)`
      : '  secret          from SIM_SECRET',
    `  API server      WECHAT_API_BASE=${address} WECHAT_APPID=${options.appid ?? DEFAULT_APPID} WECHAT_APPSECRET=…`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
