import { DeliveryCore, type DeliveryCoreOptions } from './delivery-core';
import {
  deliveryJobId,
  describe,
  type DeadLetter,
  type DeliveryCounts,
  type DeliveryError,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
} from './notification';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter';
import { fulfilsWithin } from './timeout';

/** Options of the memory queue: the delivery core's, plus its bounds. */
export interface MemoryDeliveryOptions extends Omit<DeliveryCoreOptions, 'limiter'> {
  /** Sends in flight at once (default 8). */
  concurrency?: number;
  /** Bound on pending + active notifications; beyond it new ones are dropped, counted and logged (10 000). */
  maxItems?: number;
  /** Bound on kept dead letters per tenant; the tenant's oldest is evicted, counted and logged (1 000). */
  maxDeadLetters?: number;
  /** Ids of delivered notifications remembered for dedup (10 000). */
  rememberDelivered?: number;
  /** In-process token buckets by default. */
  limiter?: RateLimiter;
}

interface Item {
  id: string;
  n: Notification;
  done: string[];
  attempts: number;
  /** When it may be sent here (`notBefore`, or later while held: `EnqueueOptions.holdMs`). */
  availableAt: number;
  /** When it may be sent anywhere (its backoff): what a drain carries. */
  notBefore: number;
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
  private readonly core: DeliveryCore;
  private readonly concurrency: number;
  private readonly maxItems: number;
  private readonly maxDead: number;
  private readonly rememberDelivered: number;
  private readonly running = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private closed = false;
  private forward?: Pick<DeliveryQueue, 'enqueue'>;
  private completed = 0;
  private dropped = 0;

  constructor(opts: MemoryDeliveryOptions) {
    this.core = new DeliveryCore({ ...opts, limiter: opts.limiter ?? new MemoryRateLimiter(opts.clock) });
    this.concurrency = opts.concurrency ?? 8;
    this.maxItems = opts.maxItems ?? 10_000;
    this.maxDead = opts.maxDeadLetters ?? 1_000;
    this.rememberDelivered = opts.rememberDelivered ?? 10_000;
  }

  private get log() {
    return this.core.log;
  }

  private now(): number {
    return this.core.clock.now();
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
      availableAt: this.now() + Math.max(opts.delayMs ?? 0, opts.holdMs ?? 0),
      notBefore: this.now() + (opts.delayMs ?? 0),
      lastError: null,
    });
    this.pump();
    return Promise.resolve({ id, status: 'queued' });
  }

  onDelivered: DeliveryQueue['onDelivered'] = (cb) => this.core.events.onDelivered(cb);

  onDeadLetter: DeliveryQueue['onDeadLetter'] = (cb) => this.core.events.onDeadLetter(cb);

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
      notBefore: this.now(),
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
          delayMs: Math.max(0, item.notBefore - this.now()),
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
    if (!(await fulfilsWithin(all, timeoutMs))) {
      // Receivers honour the signal; a misbehaving one must not hold shutdown forever either.
      this.core.abortSends();
      await fulfilsWithin(all, 100);
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

  /** One turn of the delivery core; this adapter only moves the item between its maps. */
  private async run(item: Item): Promise<void> {
    const o = await this.core.deliver({ n: item.n, done: item.done, attemptsMade: item.attempts });
    switch (o.kind) {
      case 'superseded':
        return this.finish(item);
      case 'rate-limited':
        return this.requeue(item, o.waitMs);
      case 'delivered':
        item.attempts = o.attempts;
        item.done = o.done;
        this.finish(item); // counts() seen from a listener already show it done
        return this.core.delivered(item.id, item.n, o.attempts, 'memory');
      case 'retry':
        Object.assign(item, { attempts: o.attempts, done: o.done, lastError: o.error });
        return this.requeue(item, o.delayMs);
      case 'dead':
        Object.assign(item, { attempts: o.attempts, done: o.done, lastError: o.error });
        return this.toDead(item);
    }
  }

  private finish(item: Item): void {
    this.active.delete(item.id);
    this.completed++;
    this.remember(item.id);
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
    item.availableAt = item.notBefore = this.now() + delayMs;
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
    await this.core.dead(d);
  }
}
