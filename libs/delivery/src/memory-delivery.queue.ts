import { retryDelay, retryOptions, type DeliveryRetryOptions } from './delivery-retry';
import {
  deliveryJobId,
  describe,
  isSuperseded,
  Listeners,
  silentLogger,
  type DeadLetter,
  type DeadLetterEvent,
  type DeliveredEvent,
  type DeliveryCounts,
  type DeliveryError,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
  type SupersededCheck,
} from './notification';
import { MemoryRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter';
import { dispatch, type IntegrationResolver } from './receiver';

/** Options of the memory queue. */
export interface MemoryDeliveryOptions {
  resolve: IntegrationResolver;
  retry?: Partial<DeliveryRetryOptions>;
  /** Sends in flight at once (default 8). */
  concurrency?: number;
  /** Bound on pending + active notifications; beyond it new ones are dropped, counted and logged (10 000). */
  maxItems?: number;
  /** Bound on kept dead letters per tenant; the tenant's oldest is evicted, counted and logged (1 000). */
  maxDeadLetters?: number;
  /** Ids of delivered notifications remembered for dedup (10 000). */
  rememberDelivered?: number;
  /** Dedup right before the send: a superseded notification ends without sending. */
  superseded?: SupersededCheck;
  /** Per-receiver rate limit; undefined = unlimited. */
  rateLimit?: (tenant: string, receiver: string) => RateLimit | undefined;
  limiter?: RateLimiter;
  logger?: DeliveryLogger;
  now?: () => number;
}

interface Item {
  id: string;
  n: Notification;
  done: string[];
  attempts: number;
  availableAt: number;
  lastError: DeliveryError | null;
}

/**
 * In-process delivery queue for when Redis is unavailable (or for a single node without Redis): the
 * same retry policy and dead-letter semantics as the BullMQ adapter, bounded, and able to hand its
 * undelivered notifications to another queue (`drainTo`) when Redis returns. Dropped notifications
 * (overflow, or still pending at close) are counted and logged, never silent.
 */
export class MemoryDeliveryQueue implements DeliveryQueue {
  private readonly pending = new Map<string, Item>();
  private readonly active = new Map<string, Item>();
  private readonly dead = new Map<string, DeadLetter>();
  private readonly deadPerTenant = new Map<string, number>();
  /** Insertion-ordered set of delivered ids (bounded), so a re-enqueue of a delivered flush is a no-op. */
  private readonly delivered = new Set<string>();
  private readonly deliveredL: Listeners<DeliveredEvent>;
  private readonly deadL: Listeners<DeadLetterEvent>;
  private readonly retry: DeliveryRetryOptions;
  private readonly concurrency: number;
  private readonly maxItems: number;
  private readonly maxDead: number;
  private readonly rememberDelivered: number;
  private readonly limiter: RateLimiter;
  private readonly log: DeliveryLogger;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private closed = false;
  private forward?: Pick<DeliveryQueue, 'enqueue'>;
  private completed = 0;
  private dropped = 0;

  constructor(private readonly opts: MemoryDeliveryOptions) {
    this.retry = retryOptions(opts.retry);
    this.concurrency = opts.concurrency ?? 8;
    this.maxItems = opts.maxItems ?? 10_000;
    this.maxDead = opts.maxDeadLetters ?? 1_000;
    this.rememberDelivered = opts.rememberDelivered ?? 10_000;
    this.limiter = opts.limiter ?? new MemoryRateLimiter();
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.deliveredL = new Listeners(this.log, 'onDelivered');
    this.deadL = new Listeners(this.log, 'onDeadLetter');
  }

  /** Notifications held (pending + in flight): what a drain would still have to move. */
  get size(): number {
    return this.pending.size + this.active.size;
  }

  enqueue(n: Notification, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const id = deliveryJobId(n);
    if (this.delivered.has(id)) return Promise.resolve({ id, status: 'duplicate', delivered: true });
    if (this.dead.has(id)) return Promise.resolve({ id, status: 'duplicate', delivered: false, dead: true });
    if (this.pending.has(id) || this.active.has(id)) {
      return Promise.resolve({ id, status: 'duplicate', delivered: false });
    }
    if (this.closed || this.size >= this.maxItems) {
      this.dropped++;
      this.log.error(
        {
          ...describe(n),
          id,
          held: this.size,
          maxItems: this.maxItems,
          droppedTotal: this.dropped,
          closed: this.closed,
        },
        'memory delivery queue full: notification dropped',
      );
      return Promise.resolve({ id, status: 'dropped' });
    }
    this.pending.set(id, {
      id,
      n,
      done: [...(opts.delivered ?? [])],
      attempts: 0,
      availableAt: this.now() + (opts.delayMs ?? 0),
      lastError: null,
    });
    this.pump();
    return Promise.resolve({ id, status: 'queued' });
  }

  onDelivered(cb: (e: DeliveredEvent) => void | Promise<void>): () => void {
    return this.deliveredL.add(cb);
  }

  onDeadLetter(cb: (e: DeadLetterEvent) => void | Promise<void>): () => void {
    return this.deadL.add(cb);
  }

  counts(): Promise<DeliveryCounts> {
    const now = this.now();
    let waiting = 0;
    for (const i of this.pending.values()) if (i.availableAt <= now) waiting++;
    return Promise.resolve({
      waiting,
      delayed: this.pending.size - waiting,
      active: this.active.size,
      dead: this.dead.size,
      completed: this.completed,
      dropped: this.dropped,
    });
  }

  deadLetters(limit = 100, tenant?: string): Promise<DeadLetter[]> {
    const all = [...this.dead.values()].reverse();
    return Promise.resolve(
      (tenant === undefined ? all : all.filter((d) => d.notification.tenant === tenant)).slice(0, limit),
    );
  }

  deadLetterCount(tenant: string): Promise<number> {
    return Promise.resolve(this.deadPerTenant.get(tenant) ?? 0);
  }

  retryDeadLetter(id: string, tenant?: string): Promise<boolean> {
    const d = this.dead.get(id);
    if (!d || this.closed || (tenant !== undefined && d.notification.tenant !== tenant)) {
      return Promise.resolve(false);
    }
    this.countDead(d, -1);
    this.dead.delete(id);
    this.pending.set(id, {
      id,
      n: d.notification,
      done: [...d.delivered],
      attempts: 0,
      availableAt: this.now(),
      lastError: d.lastError,
    });
    this.pump();
    return Promise.resolve(true);
  }

  /**
   * Moves every pending notification to `target` (keeping what was already delivered and the remaining
   * backoff), and forwards notifications still in flight there if they need a retry. Stops at the first
   * enqueue that fails (Redis gone again) and keeps the rest here. Returns how many moved.
   */
  async drainTo(target: Pick<DeliveryQueue, 'enqueue'>): Promise<{ moved: number; left: number }> {
    this.forward = target;
    let moved = 0;
    for (const item of [...this.pending.values()]) {
      if (!this.pending.has(item.id)) continue;
      this.pending.delete(item.id);
      try {
        await target.enqueue(item.n, {
          delivered: item.done,
          delayMs: Math.max(0, item.availableAt - this.now()),
        });
        moved++;
      } catch (err) {
        this.pending.set(item.id, item);
        this.forward = undefined;
        this.log.warn(
          { err: String(err), moved, left: this.size },
          'drain of the memory delivery queue interrupted',
        );
        this.pump();
        break;
      }
    }
    return { moved, left: this.size };
  }

  /** Stops forwarding retries to the drain target (Redis went away again). */
  keepLocal(): void {
    this.forward = undefined;
  }

  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const all = Promise.all([...this.running]);
    let t: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (t = setTimeout(() => r(true), timeoutMs))),
    ]);
    clearTimeout(t);
    if (timedOut) {
      // Receivers honour the signal; a misbehaving one must not hold shutdown forever either.
      this.abort.abort();
      await Promise.race([all, new Promise((r) => setTimeout(r, 100).unref())]);
    }
    if (this.pending.size > 0) {
      this.dropped += this.pending.size;
      this.log.error(
        { pending: this.pending.size, ids: [...this.pending.keys()].slice(0, 20) },
        'memory delivery queue closed with undelivered notifications: they are lost',
      );
    }
  }

  /** Starts ready items up to the concurrency, and arms a timer for the next delayed one. */
  private pump(): void {
    if (this.closed) return;
    const now = this.now();
    let next = Infinity;
    for (const item of this.pending.values()) {
      if (this.active.size >= this.concurrency) break;
      if (item.availableAt <= now) {
        this.pending.delete(item.id);
        this.active.set(item.id, item);
        const p: Promise<void> = this.run(item).finally(() => {
          this.running.delete(p);
          this.active.delete(item.id);
          this.pump();
        });
        this.running.add(p);
      } else next = Math.min(next, item.availableAt);
    }
    if (next < Infinity && next !== this.timerAt) {
      clearTimeout(this.timer);
      this.timerAt = next;
      this.timer = setTimeout(
        () => {
          this.timerAt = Infinity;
          this.pump();
        },
        Math.max(0, next - now),
      );
      this.timer.unref?.();
    }
  }

  private async run(item: Item): Promise<void> {
    const { n } = item;
    if (await isSuperseded(this.opts.superseded, n, this.log)) {
      this.active.delete(item.id);
      this.completed++;
      this.remember(item.id);
      return;
    }
    const limit = this.opts.rateLimit?.(n.tenant, n.receiver);
    if (limit) {
      const wait = await this.limiter.take(`${n.tenant}|${n.receiver}`, limit, this.now());
      if (wait > 0) return this.requeue(item, wait);
    }
    item.attempts++;
    const r = await dispatch(
      n,
      this.opts.resolve(n.tenant, n.receiver),
      item.done,
      this.abort.signal,
      this.now,
    );
    item.done = r.done;
    switch (r.kind) {
      case 'ok':
        this.active.delete(item.id); // counts() seen from a listener already show it done
        this.completed++;
        this.remember(item.id);
        await this.deliveredL.emit({
          id: item.id,
          notification: n,
          attempts: item.attempts,
          via: 'memory',
          deliveredAt: this.now(),
        });
        return;
      case 'retry':
        item.lastError = r.error;
        if (item.attempts >= this.retry.maxAttempts) return this.toDead(item);
        return this.requeue(item, retryDelay(this.retry, item.attempts, r.retryAfterMs));
      case 'give-up':
        item.lastError = r.error;
        return this.toDead(item);
    }
  }

  /** A finished id: a re-enqueue of the same flush is a no-op (bounded). */
  private remember(id: string): void {
    this.delivered.add(id);
    if (this.delivered.size > this.rememberDelivered) {
      this.delivered.delete(this.delivered.values().next().value as string);
    }
  }

  private async requeue(item: Item, delayMs: number): Promise<void> {
    if (this.forward) {
      try {
        await this.forward.enqueue(item.n, { delivered: item.done, delayMs });
        return;
      } catch {
        this.forward = undefined; // Redis went away again: keep it here.
      }
    }
    if (this.closed) {
      this.pending.set(item.id, item); // counted and logged by close()
      return;
    }
    item.availableAt = this.now() + delayMs;
    this.pending.set(item.id, item);
  }

  private countDead(d: DeadLetter, by: 1 | -1): void {
    const t = d.notification.tenant;
    const n = (this.deadPerTenant.get(t) ?? 0) + by;
    if (n > 0) this.deadPerTenant.set(t, n);
    else this.deadPerTenant.delete(t);
  }

  private async toDead(item: Item): Promise<void> {
    const d: DeadLetter = {
      id: item.id,
      notification: item.n,
      attempts: item.attempts,
      lastError: item.lastError,
      delivered: item.done,
      failedAt: this.now(),
      via: 'memory',
    };
    this.dead.set(item.id, d);
    this.countDead(d, 1);
    this.log.warn(
      { ...describe(item.n), id: item.id, attempts: item.attempts, error: item.lastError },
      'dead letter',
    );
    const tenant = item.n.tenant;
    if ((this.deadPerTenant.get(tenant) ?? 0) > this.maxDead) {
      for (const [id, old] of this.dead) {
        if (old.notification.tenant !== tenant) continue;
        this.dead.delete(id);
        this.countDead(old, -1);
        this.dropped++;
        this.log.error(
          { id, tenant, maxDeadLetters: this.maxDead },
          'memory dead letters full: oldest evicted',
        );
        break;
      }
    }
    await this.deadL.emit({ deadLetter: d });
  }
}
