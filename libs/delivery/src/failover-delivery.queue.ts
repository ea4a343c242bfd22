import type { BullMqDeliveryQueue } from './bullmq-delivery.queue';
import type { MemoryDeliveryQueue } from './memory-delivery.queue';
import {
  deliveryJobId,
  describe,
  Listeners,
  silentLogger,
  type DeadLetter,
  type DeadLetterEvent,
  type DeliveredEvent,
  type DeliveryCounts,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
} from './notification';

/** Options of the failover delivery queue. */
export interface FailoverDeliveryOptions {
  /** Makes a BullMQ adapter (not started); called again after a failed start. Omit for memory-only mode. */
  createBullMq?: () => BullMqDeliveryQueue;
  memory: MemoryDeliveryQueue;
  /** How often to probe Redis while delivering from memory (ms, default 1000). */
  probeIntervalMs?: number;
  /** An enqueue to BullMQ that takes longer than this counts as Redis unavailable (ms, default 2000). */
  enqueueTimeoutMs?: number;
  logger?: DeliveryLogger;
}

/** Where notifications go right now. */
export type DeliveryMode = 'bullmq' | 'memory';

/** Status for health checks and metrics. */
export interface DeliveryStatus {
  mode: DeliveryMode;
  /** Epoch ms of the last mode change. */
  since: number;
  /** Notifications held by the memory queue (to move to BullMQ when Redis returns). */
  memoryHeld: number;
  lastError?: string;
}

/**
 * The delivery service: sends through BullMQ while Redis answers and through the in-process queue
 * otherwise. An enqueue that fails or times out on BullMQ goes to memory instead (nothing is lost on
 * the way); while in memory mode Redis is probed, and when it answers the memory queue's undelivered
 * notifications are moved to BullMQ. Listeners registered here hear both adapters.
 */
export class FailoverDeliveryQueue implements DeliveryQueue {
  private bull?: BullMqDeliveryQueue;
  /**
   * Ids this node enqueued to BullMQ and has not seen delivered or dead (bounded; a job finished on
   * another node is forgotten only when the bound pushes it out — it merely holds a memory-mode send).
   */
  private readonly inBull = new BoundedSet(100_000);
  private modeNow: DeliveryMode = 'memory';
  private since = Date.now();
  private lastError?: string;
  private probeTimer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private closed = false;
  private readonly log: DeliveryLogger;
  private readonly deliveredL: Listeners<DeliveredEvent>;
  private readonly deadL: Listeners<DeadLetterEvent>;
  private readonly probeIntervalMs: number;
  private readonly enqueueTimeoutMs: number;

  constructor(private readonly opts: FailoverDeliveryOptions) {
    this.log = opts.logger ?? silentLogger;
    this.deliveredL = new Listeners(this.log, 'onDelivered');
    this.deadL = new Listeners(this.log, 'onDeadLetter');
    this.probeIntervalMs = opts.probeIntervalMs ?? 1000;
    this.enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 2000;
    opts.memory.onDelivered((e) => this.deliveredL.emit(e));
    opts.memory.onDeadLetter((e) => this.deadL.emit(e));
  }

  /** Tries Redis once; on failure starts in memory mode and keeps probing. Never rejects. */
  async start(): Promise<DeliveryMode> {
    if (!this.opts.createBullMq) return this.modeNow;
    await this.probe();
    if (this.modeNow === 'memory') this.scheduleProbe();
    return this.modeNow;
  }

  get mode(): DeliveryMode {
    return this.modeNow;
  }

  status(): DeliveryStatus {
    return {
      mode: this.modeNow,
      since: this.since,
      memoryHeld: this.opts.memory.size,
      lastError: this.lastError,
    };
  }

  /** A hint from elsewhere (e.g. the group store's failover) that Redis is back: probe now. */
  redisAvailable(): Promise<void> {
    return this.modeNow === 'memory' ? this.probe() : Promise.resolve();
  }

  /** A hint that Redis is gone: send from memory at once instead of waiting for a failed enqueue. */
  redisUnavailable(reason = 'reported unavailable'): void {
    if (this.modeNow === 'bullmq') this.toMemory(reason);
  }

  async enqueue(n: Notification, opts?: EnqueueOptions): Promise<EnqueueResult> {
    const bull = this.bull;
    if (this.modeNow === 'bullmq' && bull) {
      try {
        const r = await this.withTimeout(bull.enqueue(n, opts));
        if (r.status === 'queued' || (r.status === 'duplicate' && !r.delivered && !r.dead))
          this.inBull.add(r.id);
        return r;
      } catch (err) {
        this.toMemory(String(err));
        this.log.warn(
          { ...describe(n), err: String(err) },
          'enqueue to BullMQ failed: delivering from memory',
        );
      }
    }
    // Queued in BullMQ before the outage and not seen finished: it resumes there when Redis is back.
    // Sending it from memory too would page twice (once under each adapter).
    const id = deliveryJobId(n);
    if (this.inBull.has(id)) return { id, status: 'duplicate', delivered: false };
    return this.opts.memory.enqueue(n, opts);
  }

  onDelivered(cb: (e: DeliveredEvent) => void | Promise<void>): () => void {
    return this.deliveredL.add(cb);
  }

  onDeadLetter(cb: (e: DeadLetterEvent) => void | Promise<void>): () => void {
    return this.deadL.add(cb);
  }

  /** Both adapters added up (BullMQ's part only while it answers). */
  async counts(): Promise<DeliveryCounts> {
    const mem = await this.opts.memory.counts();
    const bull =
      this.bull && this.modeNow === 'bullmq'
        ? await this.withTimeout(this.bull.counts()).catch(() => null)
        : null;
    if (!bull) return mem;
    return {
      waiting: mem.waiting + bull.waiting,
      active: mem.active + bull.active,
      delayed: mem.delayed + bull.delayed,
      dead: mem.dead + bull.dead,
      completed: mem.completed + bull.completed,
      dropped: mem.dropped + bull.dropped,
    };
  }

  async deadLetters(limit = 100, tenant?: string): Promise<DeadLetter[]> {
    const mem = await this.opts.memory.deadLetters(limit, tenant);
    const bull = this.bull
      ? await this.withTimeout(this.bull.deadLetters(limit, tenant)).catch(() => [])
      : [];
    return [...mem, ...bull].sort((a, b) => b.failedAt - a.failedAt).slice(0, limit);
  }

  async deadLetterCount(tenant: string): Promise<number> {
    const mem = await this.opts.memory.deadLetterCount(tenant);
    const bull = this.bull ? await this.withTimeout(this.bull.deadLetterCount(tenant)).catch(() => 0) : 0;
    return mem + bull;
  }

  /** Applies the dead-letter retention to a tenant's BullMQ dead letters (memory ones are bounded). */
  async sweepDeadLetters(tenant: string): Promise<number> {
    if (!this.bull || this.modeNow !== 'bullmq') return 0;
    return this.withTimeout(this.bull.sweepDeadLetters(tenant));
  }

  async retryDeadLetter(id: string, tenant?: string): Promise<boolean> {
    if (await this.opts.memory.retryDeadLetter(id, tenant)) return true;
    return this.bull ? this.withTimeout(this.bull.retryDeadLetter(id, tenant)) : false;
  }

  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    await Promise.all([this.opts.memory.close(timeoutMs), this.bull?.close(timeoutMs)]);
  }

  private toMemory(reason: string): void {
    if (this.modeNow === 'memory') return;
    this.modeNow = 'memory';
    this.since = Date.now();
    this.lastError = reason;
    this.opts.memory.keepLocal();
    this.log.warn({ reason }, 'delivery queue: Redis unavailable, delivering from memory');
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe().then(() => {
        if (this.modeNow === 'memory') this.scheduleProbe();
      });
    }, this.probeIntervalMs);
    this.probeTimer.unref?.();
  }

  /** One probe at a time: start (or ping) BullMQ, then drain memory into it. */
  private probe(): Promise<void> {
    this.probing ??= this.probeOnce().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probeOnce(): Promise<void> {
    if (this.closed || !this.opts.createBullMq) return;
    try {
      if (!this.bull) {
        const bull = this.opts.createBullMq();
        try {
          await this.withTimeout(bull.start());
        } catch (err) {
          await bull.close(100);
          throw err;
        }
        bull.onDelivered((e) => {
          this.inBull.delete(e.id);
          return this.deliveredL.emit(e);
        });
        bull.onDeadLetter((e) => {
          this.inBull.delete(e.deadLetter.id);
          return this.deadL.emit(e);
        });
        this.bull = bull;
      } else {
        await this.withTimeout(this.bull.ping());
      }
    } catch (err) {
      this.lastError = String(err);
      return;
    }
    const outage = Date.now() - this.since;
    const { moved, left } = await this.opts.memory.drainTo(this.bull);
    // Sends in flight finish in memory (their retries are forwarded); anything a failed move left behind
    // is delivered from memory, so nothing waits on a next probe.
    const wasMemory = this.modeNow === 'memory';
    this.modeNow = 'bullmq';
    this.since = Date.now();
    if (wasMemory) {
      this.log.info(
        { moved, stillInMemory: left, outageMs: outage },
        'delivery queue: Redis is back, using BullMQ',
      );
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let t: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        t = setTimeout(
          () => reject(new Error(`Redis did not answer in ${this.enqueueTimeoutMs} ms`)),
          this.enqueueTimeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(t));
  }
}

/** An insertion-ordered set that forgets its oldest entries beyond `max`. */
class BoundedSet {
  private readonly set = new Set<string>();
  constructor(private readonly max: number) {}
  has(v: string): boolean {
    return this.set.has(v);
  }
  add(v: string): void {
    this.set.delete(v);
    this.set.add(v);
    if (this.set.size > this.max) this.set.delete(this.set.values().next().value as string);
  }
  delete(v: string): void {
    this.set.delete(v);
  }
}
