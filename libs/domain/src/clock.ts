/**
 * The time source of the flush path. A flush reads it once and passes `now` down (Alertmanager's rule:
 * several clock reads in one flush make decisions disagree), so tests drive it with a FakeClock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to, for deterministic tests. */
export class FakeClock implements Clock {
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  /** Jumps to `ms` (may go backwards: tests of clock skew need it). */
  set(ms: number): void {
    this.t = ms;
  }

  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}
