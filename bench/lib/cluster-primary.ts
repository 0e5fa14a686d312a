/**
 * "N replicas behind one port" for benches: a node:cluster primary that forks CLUSTER_WORKERS
 * (default 2) workers, each running the script given as the first argument (the API's
 * server/src/main.ts, or a bare node:http server). Node 20 has no reusePort; the primary accepts
 * the connections and hands them to the workers round-robin (cluster's default on Linux), as
 * two replicas behind a connection-level load balancer would get them.
 *
 * Started by startCluster (bench/lib/cluster.ts) with an IPC channel: sends 'ready' once every
 * worker listens. A worker that exits is not replaced: the primary stops the others and exits 1,
 * so a bench never measures fewer replicas than it says. SIGTERM stops the workers, then the primary.
 */
import cluster from 'node:cluster'
import path from 'node:path'

const script = process.argv[2]
const workers = Number(process.env.CLUSTER_WORKERS ?? 2)
if (!script || !Number.isInteger(workers) || workers < 1 || workers > 16) {
  process.stderr.write('usage: CLUSTER_WORKERS=2 tsx bench/lib/cluster-primary.ts <worker script>\n')
  process.exit(64)
}

// Round-robin in the primary (Linux's default, stated so no environment changes it).
cluster.schedulingPolicy = cluster.SCHED_RR
// The workers inherit process.execArgv: under tsx that is its loader, so TypeScript runs as is.
cluster.setupPrimary({ exec: path.resolve(script), args: [] })

let listening = 0
let stopping = false
const stopAll = (code: number) => {
  if (stopping) return
  stopping = true
  const alive = Object.values(cluster.workers ?? {}).filter((worker) => worker && !worker.isDead())
  if (alive.length === 0) process.exit(code)
  let left = alive.length
  for (const worker of alive) {
    worker?.once('exit', () => --left === 0 && process.exit(code))
    worker?.process.kill('SIGTERM')
  }
  setTimeout(() => process.exit(code), 15000).unref()
}

cluster.on('listening', () => {
  if (++listening === workers) process.send?.('ready')
})
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return
  process.stderr.write(`cluster worker ${worker.process.pid} exited (${signal ?? code}); stopping\n`)
  stopAll(1)
})
process.on('SIGTERM', () => stopAll(0))
process.on('SIGINT', () => stopAll(0))
// The bench that started this primary went away: take the workers along.
process.on('disconnect', () => stopAll(0))

for (let i = 0; i < workers; i++) cluster.fork()
