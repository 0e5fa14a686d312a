import { buildSimulator } from './app'
import { simulatorEnv } from './env'
import { preparePay, writeKeyFolder } from './keys'
import { DEFAULT_APPID } from './state'

async function main(): Promise<void> {
  const { host, port, options, generatedSecret, keysDir, pay, generatedXpay } = simulatorEnv(process.env)
  const prepared = pay ? preparePay(pay, keysDir) : null
  if (prepared) options.pay = prepared.pay
  const app = buildSimulator(options)
  const appid = options.appid ?? DEFAULT_APPID

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
  const written = keysDir ? writeKeyFolder(keysDir, address, appid, prepared, options.xpay) : []
  const lines = [
    `WeChat simulator  ${address}  (development and tests only)`,
    `  appid           ${appid}`,
    generatedSecret
      ? '  secret          made up for this run and not shown: set SIM_SECRET to share one with the API server'
      : '  secret          from SIM_SECRET',
    `  API server      WECHAT_API_BASE=${address} WECHAT_APPID=${appid} WECHAT_APPSECRET=…`,
  ]
  if (options.xpay) {
    const { offerId, pushUrl, encodingAesKey } = options.xpay
    lines.push(
      `  xpay            offerId ${offerId}, pushes to ${pushUrl} (${encodingAesKey ? '安全模式' : 'plain'})`,
      generatedXpay.length > 0
        ? `                  made up for this run: ${generatedXpay.join(', ')}${keysDir ? ' (see xpay.json)' : ''}`
        : '                  AppKey and Token from the environment',
    )
  }
  if (prepared) {
    const { mchid, platformKeyId } = prepared.pay
    lines.push(`  WeChat Pay      ${address}/v3  mchid ${mchid}, Wechatpay-Serial ${platformKeyId}`)
  }
  if (written.length > 0)
    lines.push(`  keys            ${keysDir}: ${written.map((file) => file.split('/').pop()).join(', ')}`)
  if (options.retryScale !== undefined) lines.push(`  retries         schedule × ${options.retryScale}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
