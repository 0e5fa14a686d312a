/**
 * Share card budget: how long the server takes to draw the seed issue's card (cold: the first
 * card of a process, fonts loaded on the way; warm: every later cache miss) and how big the PNG is.
 * Cache hits are a map lookup and are not measured.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseIssueMarkdown } from '../server/src/domain/issue-markdown'
import { CARD_SIZES, renderShareCard, shareCardInput, type CardShape } from '../server/src/domain/share-card'
import { REPO_ROOT } from './lib'

const WARM_RUNS = 30
/** A card is drawn on a cache miss while WeChat waits for the image. */
const BUDGET_MS = 200

async function main(): Promise<void> {
  const source = fs.readFileSync(path.join(REPO_ROOT, 'content/shanxi-32-zhongbu-chengshiqun.md'), 'utf8')
  const parsed = parseIssueMarkdown(source)
  if (!parsed.ok) throw new Error('the seed issue does not parse')
  const { meta, body, paywallAt } = parsed.issue
  const input = shareCardInput({
    title: meta.title,
    regionName: '山西',
    number: meta.number,
    publishedAt: Date.parse(`${meta.date}T08:00:00+08:00`),
    access: meta.access,
    paywallAt,
    body,
  })

  let ok = true
  for (const shape of Object.keys(CARD_SIZES) as CardShape[]) {
    let started = performance.now()
    const png = await renderShareCard(input, shape)
    const coldMs = performance.now() - started

    const warm: number[] = []
    for (let i = 0; i < WARM_RUNS; i += 1) {
      started = performance.now()
      await renderShareCard(input, shape)
      warm.push(performance.now() - started)
    }
    warm.sort((a, b) => a - b)
    const median = warm[Math.floor(warm.length / 2)]
    const worst = warm[warm.length - 1]

    const { width, height } = CARD_SIZES[shape]
    console.log(`share card "${shape}" ${width}×${height} PNG of the seed issue`)
    console.log(
      `  first render  ${coldMs.toFixed(1)} ms${shape === 'chat' ? ' (first card of the process, fonts loaded)' : ''}`,
    )
    console.log(`  warm render   median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (${WARM_RUNS} runs)`)
    console.log(`  PNG size      ${(png.length / 1024).toFixed(1)} KB`)
    ok &&= coldMs <= BUDGET_MS && worst <= BUDGET_MS
  }
  console.log(ok ? `within budget (≤ ${BUDGET_MS} ms per render)` : `OVER BUDGET (≤ ${BUDGET_MS} ms per render)`)
  process.exitCode = ok ? 0 : 1
}

void main()
