/**
 * The simulator's clock: a base clock (Date.now, or one injected by a test) plus an offset that
 * `POST /__control/clock` moves forward. Every expiry in the simulator (login codes, phone codes,
 * access tokens, the two-hour window of msg_sec_check) reads this clock, never Date.now directly.
 */
export class Clock {
  private offsetMs = 0

  constructor(private readonly base: () => number = Date.now) {}

  /** Milliseconds since the epoch, as the simulator sees it */
  now(): number {
    return this.base() + this.offsetMs
  }

  /** Whole seconds since the epoch, the unit of WeChat's timestamps */
  nowS(): number {
    return Math.floor(this.now() / 1000)
  }

  /** How far the control endpoint has moved this clock past its base */
  get offset(): number {
    return this.offsetMs
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward')
    this.offsetMs += ms
  }

  reset(): void {
    this.offsetMs = 0
  }
}
