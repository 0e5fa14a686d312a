/** A small bounded map whose entries expire; the oldest entry goes first when it is full. */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; expiresAt: number }>()
  /** Lookups that found a live entry, and ones that did not, since the cache was made (for metrics) */
  hits = 0
  misses = 0

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) {
      this.misses += 1
      return undefined
    }
    if (entry.expiresAt <= now) {
      this.entries.delete(key)
      this.misses += 1
      return undefined
    }
    this.hits += 1
    return entry.value
  }

  /** Hit and miss counts and the entries held now */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.hits, misses: this.misses, size: this.entries.size }
  }

  set(key: string, value: V, now: number): void {
    if (this.ttlMs <= 0) return
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value as string)
    }
    this.entries.set(key, { value, expiresAt: now + this.ttlMs })
  }

  /** The cached value, or the loaded one, kept for next time. */
  async remember(key: string, now: number, load: () => Promise<V>): Promise<V> {
    const cached = this.get(key, now)
    if (cached !== undefined) return cached
    const value = await load()
    this.set(key, value, now)
    return value
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }
}
