import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@herald/domain';
import type { LockBackend } from './lock.backend';
import {
  LockLostError,
  LockManagerClosedError,
  LockNotAcquiredError,
  type LockLossReason,
} from './lock.errors';
import type { LockMetrics } from './lock.metrics';

/** Settings shared by every lock of a manager. */
export interface LockManagerOptions {
  /** Hooks for metrics; missing hooks record nothing. */
  metrics?: Partial<LockMetrics>;
  /**
   * Clock drift allowance as a fraction of the TTL: a lock counts as ours until
   * `sent + ttl - (ttl * driftFactor + 2 ms)`, measured from before the request was sent. Default 0.01.
   */
  driftFactor?: number;
  /** Pause between tries of a blocking acquire (ms). Default 50. */
  retryDelayMs?: number;
  /** Up to this much (ms, uniform) is added to each pause so contenders do not retry in step. Default 50. */
  retryJitterMs?: number;
  /** The clock validity, waits and metrics are measured on. Default the system clock. */
  clock?: Clock;
}

/** How a blocking acquire waits. */
export interface AcquireOptions {
  /** Give up after this long (ms). 0 (the default) tries once. */
  waitMs?: number;
  retryDelayMs?: number;
  retryJitterMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface UsingOptions extends AcquireOptions {
  /**
   * Resolve `using` once `fn` settled, with the release sent but not yet answered (it completes in the
   * background; `shutdown` still waits for it). For callers whose next acquire of the resource goes to
   * the same Redis connection(s) as the release, so Redis runs it after the release anyway: they save
   * the release's round trip. Another process may see the lock held until the release lands, as it may
   * with an awaited release still in flight.
   */
  detachRelease?: boolean;
}

/** A lock this process holds. */
export interface HeldLock {
  /** The lock key. */
  readonly resource: string;
  /** Random owner token stored in Redis; only this holder can extend or release. */
  readonly owner: string;
  /**
   * Fencing token: larger than every token handed out before for this resource. Pass it to the store
   * where the protected side effect is recorded (see `fencedSet`), which refuses older tokens.
   */
  readonly fence: number;
  readonly acquiredAt: number;
  /** Until when (local clock, ms) the lock is ours for sure, drift deducted. */
  readonly validUntil: number;
  /** Fires (reason: `LockLostError`) when the lock is known or presumed lost. */
  readonly signal: AbortSignal;
  /** Resets the TTL (default: the TTL it was taken with). False when the lock was already lost. */
  extend(ttlMs?: number): Promise<boolean>;
  /** Releases the lock. False when it was no longer ours (it had expired or been taken over). */
  release(): Promise<boolean>;
}

type HoldState = 'held' | 'lost' | 'released';

/**
 * Distributed lock on top of a `LockBackend` (single Redis or Redlock quorum): non-blocking
 * `tryAcquire`, blocking `acquire` with a deadline and jittered retries, `using` with a watchdog that
 * extends at TTL/3 and an AbortSignal for the holder, metrics hooks, and a bounded graceful shutdown.
 */
export class LockManager {
  private readonly metrics: LockMetrics;
  private readonly driftFactor: number;
  private readonly retryDelayMs: number;
  private readonly retryJitterMs: number;
  readonly now: () => number;
  private readonly holds = new Set<Hold>();
  private closing = false;
  /** Aborts blocking acquires that are waiting when shutdown starts. */
  private readonly closed = new AbortController();
  private onDrained?: () => void;

  constructor(
    readonly backend: LockBackend,
    opts: LockManagerOptions = {},
  ) {
    this.metrics = safeMetrics(opts.metrics ?? {});
    this.driftFactor = opts.driftFactor ?? 0.01;
    this.retryDelayMs = opts.retryDelayMs ?? 50;
    this.retryJitterMs = opts.retryJitterMs ?? 50;
    const clock = opts.clock ?? systemClock;
    this.now = () => clock.now();
  }

  /** Locks this manager holds right now (including lost ones whose holder has not released yet). */
  get heldCount(): number {
    return this.holds.size;
  }

  /**
   * One try. Resolves with the lock, or null when someone else holds it; rejects when Redis cannot
   * answer (the caller decides whether that means "skip" or "retry").
   */
  async tryAcquire(resource: string, ttlMs: number): Promise<HeldLock | null> {
    this.checkOpen();
    return this.attempt(resource, ttlMs, this.now());
  }

  /**
   * Tries until `waitMs` has passed, pausing `retryDelayMs` + jitter between tries (never past the
   * deadline). Redis errors count as failed tries. Rejects with `LockNotAcquiredError` at the deadline.
   */
  async acquire(resource: string, ttlMs: number, opts: AcquireOptions = {}): Promise<HeldLock> {
    this.checkOpen();
    const started = this.now();
    const deadline = started + (opts.waitMs ?? 0);
    const delay = opts.retryDelayMs ?? this.retryDelayMs;
    const jitter = opts.retryJitterMs ?? this.retryJitterMs;
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.closed.signal]) : this.closed.signal;
    let lastError: unknown;
    for (;;) {
      if (signal.aborted) throw this.closing ? new LockManagerClosedError() : signal.reason;
      try {
        const hold = await this.attempt(resource, ttlMs, started);
        if (hold) return hold;
      } catch (err) {
        lastError = err;
      }
      const now = this.now();
      if (now >= deadline) {
        this.metrics.timedOut(resource, now - started);
        throw new LockNotAcquiredError(resource, now - started, { cause: lastError });
      }
      await sleep(Math.min(deadline - now, delay + Math.random() * jitter), signal);
    }
  }

  /**
   * Runs `fn` under the lock: takes it (blocking per `opts`, rejecting with `LockNotAcquiredError`),
   * extends it every TTL/3 while `fn` runs, hands `fn` a signal that fires if the lock is lost (`fn`
   * should stop its side effects then), and releases it when `fn` settles — whatever happens.
   */
  async using<T>(
    resource: string,
    ttlMs: number,
    fn: (signal: AbortSignal, lock: HeldLock) => Promise<T>,
    opts: UsingOptions = {},
  ): Promise<T> {
    return this.holding(resource, ttlMs, (lock) => fn(lock.signal, lock), opts);
  }

  /**
   * `using` for a caller that reads the lock's `fence` (or checks `signal` itself): the lock's signal is
   * made only if read — an AbortController per lock was ~1 % of a flushing node's CPU.
   */
  async holding<T>(
    resource: string,
    ttlMs: number,
    fn: (lock: HeldLock) => Promise<T>,
    opts: UsingOptions = {},
  ): Promise<T> {
    const hold = (await this.acquire(resource, ttlMs, opts)) as Hold;
    const stopWatchdog = hold.startWatchdog();
    try {
      return await fn(hold);
    } finally {
      stopWatchdog();
      // A failed release leaves the key to expire by its TTL; fn's outcome is what the caller wants.
      const released = hold.release().catch(() => undefined);
      if (!opts.detachRelease) await released;
    }
  }

  /**
   * Stops taking locks, aborts waiting acquires, and waits up to `timeoutMs` for held locks to be
   * released. Locks still held then are marked lost (their signals fire) and released.
   */
  async shutdown(timeoutMs = 10_000): Promise<{ released: number; forced: number }> {
    this.closing = true;
    this.closed.abort(new LockManagerClosedError());
    const before = this.holds.size;
    if (this.holds.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.onDrained = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    const left = [...this.holds];
    await Promise.all(
      left.map((h) => {
        h.markLost('shutdown');
        return h.release().catch(() => undefined);
      }),
    );
    return { released: before - left.length, forced: left.length };
  }

  private checkOpen(): void {
    if (this.closing) throw new LockManagerClosedError();
  }

  private async attempt(resource: string, ttlMs: number, started: number): Promise<Hold | null> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 10) throw new Error(`lock TTL must be an integer >= 10 ms`);
    // randomUUID draws from a pool Node refills 128 ids at a time; randomBytes(16) per attempt was a
    // getrandom system call each (5.6 µs on a VM, 1.7 % of a node's CPU in bench:notify).
    const owner = randomUUID();
    const sent = this.now();
    let fence: number | null;
    try {
      fence = await this.backend.tryAcquire(resource, owner, ttlMs);
    } catch (err) {
      this.metrics.error(resource, 'acquire', err);
      // The script may have run before the reply was lost (command timeout): free what we might hold.
      void this.backend.release(resource, owner).catch(() => undefined);
      throw err;
    }
    if (fence === null) {
      this.metrics.contended(resource);
      return null;
    }
    const hold = new Hold(this, resource, owner, fence, ttlMs, sent);
    this.holds.add(hold);
    this.metrics.acquired(resource, this.now() - started);
    return hold;
  }

  /** @internal Local validity of a lock whose (re)acquire was sent at `sent`. */
  validUntil(sent: number, ttlMs: number): number {
    return sent + ttlMs - (Math.round(ttlMs * this.driftFactor) + 2);
  }

  /** @internal */
  hooks(): LockMetrics {
    return this.metrics;
  }

  /** @internal */
  forget(hold: Hold): void {
    this.holds.delete(hold);
    if (this.holds.size === 0) this.onDrained?.();
  }
}

class Hold implements HeldLock {
  private state: HoldState = 'held';
  /** Made when `signal` is first read (most holders never read it); `lost` aborts it then. */
  private controller?: AbortController;
  private lost?: LockLostError;
  private expiryTimer?: NodeJS.Timeout;
  validUntil: number;
  readonly acquiredAt: number;

  constructor(
    private readonly manager: LockManager,
    readonly resource: string,
    readonly owner: string,
    readonly fence: number,
    private readonly ttlMs: number,
    sent: number,
  ) {
    this.acquiredAt = manager.now();
    this.validUntil = manager.validUntil(sent, ttlMs);
    this.armExpiry();
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort(this.lost);
    }
    return this.controller.signal;
  }

  async extend(ttlMs = this.ttlMs): Promise<boolean> {
    if (this.state !== 'held') return false;
    const sent = this.manager.now();
    let ok: boolean;
    try {
      ok = await this.manager.backend.extend(this.resource, this.owner, ttlMs);
    } catch (err) {
      this.manager.hooks().error(this.resource, 'extend', err);
      throw err;
    }
    // The expiry timer may have fired while the request was in flight: then the lock counts as lost.
    if (this.state !== 'held') return false;
    if (!ok) {
      this.markLost('refused');
      return false;
    }
    this.validUntil = this.manager.validUntil(sent, ttlMs);
    this.armExpiry();
    return true;
  }

  async release(): Promise<boolean> {
    if (this.state === 'released') return false;
    const wasHeld = this.state === 'held';
    this.state = 'released';
    clearTimeout(this.expiryTimer);
    try {
      const ok = await this.manager.backend.release(this.resource, this.owner);
      const heldMs = this.manager.now() - this.acquiredAt;
      if (ok && wasHeld) this.manager.hooks().released(this.resource, heldMs);
      else if (wasHeld) this.lose('refused', heldMs);
      return ok && wasHeld;
    } catch (err) {
      this.manager.hooks().error(this.resource, 'release', err);
      throw err;
    } finally {
      this.manager.forget(this);
    }
  }

  /**
   * Extends every TTL/3; after a failed call (Redis unreachable) it retries at TTL/6 until the expiry
   * timer declares the lock lost. Returns the stop function.
   */
  startWatchdog(): () => void {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = (ms: number) => {
      if (stopped || this.state !== 'held') return;
      timer = setTimeout(() => void tick(), Math.max(1, Math.floor(ms)));
    };
    const tick = async () => {
      let next = this.ttlMs / 3;
      try {
        await this.extend();
      } catch {
        next = this.ttlMs / 6;
      }
      schedule(next);
    };
    schedule(this.ttlMs / 3);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** @internal */
  markLost(reason: LockLossReason): void {
    if (this.state !== 'held') return;
    // State first: an abort listener may call release() synchronously.
    this.state = 'lost';
    this.lose(reason, this.manager.now() - this.acquiredAt);
  }

  private lose(reason: LockLossReason, heldMs: number): void {
    clearTimeout(this.expiryTimer);
    this.manager.hooks().lost(this.resource, heldMs, reason);
    this.lost = new LockLostError(this.resource, reason);
    this.controller?.abort(this.lost);
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    // Fires late after a process pause (SIGSTOP, GC), which is exactly when the holder must stop.
    this.expiryTimer = setTimeout(
      () => this.markLost('expired'),
      Math.max(0, this.validUntil - this.manager.now()),
    );
    this.expiryTimer.unref();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Calls the hooks as methods (a class instance keeps its `this`) and swallows what they throw. */
function safeMetrics(m: Partial<LockMetrics>): LockMetrics {
  const call = <K extends keyof LockMetrics>(k: K, ...args: Parameters<LockMetrics[K]>): void => {
    try {
      (m[k] as ((...a: Parameters<LockMetrics[K]>) => void) | undefined)?.apply(m, args);
    } catch {
      // A metrics bug must not break locking.
    }
  };
  return {
    acquired: (...a) => call('acquired', ...a),
    contended: (...a) => call('contended', ...a),
    timedOut: (...a) => call('timedOut', ...a),
    released: (...a) => call('released', ...a),
    lost: (...a) => call('lost', ...a),
    error: (...a) => call('error', ...a),
  };
}
