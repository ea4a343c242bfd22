import { systemClock, withTimeout, type Clock } from '@herald/domain';
import type { BullMqDeliveryQueue } from './bullmq-delivery.queue';
import type { MemoryDeliveryQueue } from './memory-delivery.queue';
import {
  DeliveryEvents,
  deliveryJobId,
  describe,
  silentLogger,
  type DeadLetter,
  type DeliveryCounts,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
} from './notification';

/**
 * The node's one view of whether Redis is up (the failover group store), which delivery follows so the
 * group store, the flush store and delivery switch together.
 */
export interface DeliveryModeSource {
  /** True while the node serves from memory (Redis unavailable, or memory not merged back yet). */
  readonly degraded: boolean;
  /** Called on every change of `degraded`; returns an unsubscribe function. */
  onModeChange(cb: (degraded: boolean) => void): () => void;
  /** Reports a failure seen here (an enqueue that failed or timed out), so everything switches at once. */
  reportUnavailable(err: unknown): void;
}

/** The part of the BullMQ adapter the failover queue uses. */
export type BullMqPart = Pick<
  BullMqDeliveryQueue,
  | 'start'
  | 'ping'
  | 'enqueue'
  | 'onDelivered'
  | 'onDeadLetter'
  | 'counts'
  | 'deadLetters'
  | 'deadLetterCount'
  | 'retryDeadLetter'
  | 'sweepDeadLetters'
  | 'close'
>;

/** Options of the failover delivery queue. */
export interface FailoverDeliveryOptions {
  /** Makes a BullMQ adapter (not started); called again after a failed start. */
  createBullMq: () => BullMqPart;
  memory: MemoryDeliveryQueue;
  /** Whether Redis is up: the node's source of truth (the failover group store). */
  mode: DeliveryModeSource;
  /** A BullMQ call that takes longer than this counts as Redis unavailable (ms, default 2000). */
  enqueueTimeoutMs?: number;
  /**
   * A notification whose BullMQ enqueue failed waits this long in memory before it is sent from there
   * (`herald.redis.fallback_notify_delay`; default 0): the enqueue may have landed (a timeout, a master
   * that died after writing), and if Redis is back within the wait the drain to BullMQ finds that job
   * by its id instead of the receiver getting it twice.
   */
  failedEnqueueHoldMs?: number;
  clock?: Clock;
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
 * The delivery service: sends through BullMQ while Redis is up and through the in-process queue
 * otherwise, following the node's mode source rather than probing on its own. An enqueue that fails
 * or times out on BullMQ goes to memory instead (nothing is lost on the way) and is reported to the
 * source; when the source says Redis is back, BullMQ is (re)started and the memory queue's undelivered
 * notifications are moved there. Listeners registered here hear both adapters.
 */
export class FailoverDeliveryQueue implements DeliveryQueue {
  private bull?: BullMqPart;
  /**
   * Ids this node enqueued to BullMQ and has not seen delivered or dead (bounded; a job finished on
   * another node is forgotten only when the bound pushes it out — it merely holds a memory-mode send).
   */
  private readonly inBull = new BoundedSet(100_000);
  private modeNow: DeliveryMode = 'memory';
  private since: number;
  private lastError?: string;
  /** The switch to BullMQ in progress (one at a time). */
  private switching?: Promise<void>;
  private started = false;
  private closed = false;
  /**
   * True once this queue has said Redis is unavailable (and not yet that it is back): only then is the
   * switch to BullMQ a recovery worth a line. The first switch of a clean start is not ("Redis is back"
   * on every start would teach operators to ignore it).
   */
  private outageReported = false;
  private readonly unsubscribe: () => void;
  private readonly clock: Clock;
  private readonly log: DeliveryLogger;
  private readonly events: DeliveryEvents;
  private readonly timeoutMs: number;

  /** The memory queue behind this one (a config reload hands its waiting notifications on). */
  get memory(): MemoryDeliveryQueue {
    return this.opts.memory;
  }

  constructor(private readonly opts: FailoverDeliveryOptions) {
    this.clock = opts.clock ?? systemClock;
    this.since = this.clock.now();
    this.log = opts.logger ?? silentLogger;
    this.events = new DeliveryEvents(this.log);
    this.timeoutMs = opts.enqueueTimeoutMs ?? 2000;
    opts.memory.onDelivered((e) => this.events.delivered.emit(e));
    opts.memory.onDeadLetter((e) => this.events.dead.emit(e));
    this.unsubscribe = opts.mode.onModeChange((degraded) => {
      if (degraded) this.toMemory();
      else if (this.started) void this.toBullMq(); // before start() the start itself looks
    });
  }

  /** Starts on BullMQ when the mode source says Redis is up, else in memory. Never rejects. */
  async start(): Promise<DeliveryMode> {
    this.started = true;
    if (!this.opts.mode.degraded) await this.toBullMq();
    else this.reportOutage({}, 'delivery queue: Redis unavailable at start, delivering from memory');
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

  async enqueue(n: Notification, opts?: EnqueueOptions): Promise<EnqueueResult> {
    const bull = this.bull;
    let failedHere = false;
    if (this.modeNow === 'bullmq' && bull) {
      try {
        const r = await this.enqueueBull(bull, n, opts);
        if (r.status === 'queued' || (r.status === 'duplicate' && !r.delivered && !r.dead))
          this.inBull.add(r.id);
        return r;
      } catch (err) {
        // The source decides the mode (it calls back at once when it agrees); this one goes to memory.
        this.lastError = String(err);
        failedHere = true;
        this.opts.mode.reportUnavailable(err);
        this.log.warn(
          { ...describe(n), err: String(err), holdMs: this.opts.failedEnqueueHoldMs ?? 0 },
          'enqueue to BullMQ failed: delivering from memory',
        );
      }
    }
    // Queued in BullMQ before the outage and not seen finished: it resumes there when Redis is back.
    // Sending it from memory too would page twice (once under each adapter).
    const id = deliveryJobId(n);
    if (this.inBull.has(id)) return { id, status: 'duplicate', delivered: false };
    const hold = this.opts.failedEnqueueHoldMs ?? 0;
    return this.opts.memory.enqueue(n, failedHere && hold > 0 ? { ...opts, holdMs: hold } : opts);
  }

  onDelivered: DeliveryQueue['onDelivered'] = (cb) => this.events.onDelivered(cb);

  onDeadLetter: DeliveryQueue['onDeadLetter'] = (cb) => this.events.onDeadLetter(cb);

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
    this.unsubscribe();
    await Promise.all([this.opts.memory.close(timeoutMs), this.bull?.close(timeoutMs)]);
  }

  private toMemory(): void {
    if (this.modeNow === 'memory') return;
    this.modeNow = 'memory';
    this.since = this.clock.now();
    this.opts.memory.keepLocal();
    this.reportOutage(
      { reason: this.lastError },
      'delivery queue: Redis unavailable, delivering from memory',
    );
  }

  /** Logs the start of an outage once; the next switch to BullMQ logs its end. */
  private reportOutage(obj: object, msg: string): void {
    if (this.outageReported) return;
    this.outageReported = true;
    this.log.warn(obj, msg);
  }

  /** One switch at a time: start (or ping) BullMQ, then drain memory into it. */
  private toBullMq(): Promise<void> {
    this.switching ??= this.switchToBullMq().finally(() => (this.switching = undefined));
    return this.switching;
  }

  private async switchToBullMq(): Promise<void> {
    if (this.closed) return;
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
          return this.events.delivered.emit(e);
        });
        bull.onDeadLetter((e) => {
          this.inBull.delete(e.deadLetter.id);
          return this.events.dead.emit(e);
        });
        this.bull = bull;
      } else {
        await this.withTimeout(this.bull.ping());
      }
    } catch (err) {
      // The source said Redis is up but BullMQ does not answer: tell it, so its probe decides when
      // to try again (its next change to "up" calls this again).
      this.lastError = String(err);
      this.outageReported = true;
      this.log.warn(
        { err: this.lastError },
        'delivery queue: BullMQ does not answer, delivering from memory',
      );
      this.opts.mode.reportUnavailable(err);
      return;
    }
    // Gone again while starting: stay in memory (the next change to "up" comes back here).
    if (this.opts.mode.degraded || this.closed) return;
    const outage = this.clock.now() - this.since;
    const { moved, left } = await this.opts.memory.drainTo(this.bull);
    if (this.opts.mode.degraded) return; // lost again while moving: toMemory() took over
    // Sends in flight finish in memory (their retries are forwarded); anything a failed move left behind
    // is delivered from memory, so nothing waits on a next switch.
    const wasMemory = this.modeNow === 'memory';
    this.modeNow = 'bullmq';
    this.since = this.clock.now();
    if (wasMemory && this.outageReported) {
      this.outageReported = false;
      this.log.info(
        { moved, stillInMemory: left, outageMs: outage },
        'delivery queue: Redis is back, using BullMQ',
      );
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return withTimeout(p, this.timeoutMs, this.timeoutMessage);
  }

  private get timeoutMessage(): string {
    return `Redis did not answer in ${this.timeoutMs} ms`;
  }

  /** Enqueues that timed out and were tried again on BullMQ (see `enqueueBull`). */
  enqueueRetries = 0;

  /**
   * A timed-out enqueue is tried once more before memory: a timeout is also what this node's own
   * event loop held past the timeout gives (the reply was there), and the job id makes a second add of
   * a job that did land a no-op ('duplicate'). Sent to memory instead, it would be delivered from
   * there while its BullMQ job is delivered too, unless the node went into fallback and drained it.
   */
  private async enqueueBull(
    bull: BullMqPart,
    n: Notification,
    opts?: EnqueueOptions,
  ): Promise<EnqueueResult> {
    try {
      return await this.withTimeout(bull.enqueue(n, opts));
    } catch (err) {
      const msg = err instanceof Error ? err.message : '';
      if (msg !== this.timeoutMessage && msg !== 'Command timed out') throw err;
      this.enqueueRetries++;
      return this.withTimeout(bull.enqueue(n, opts));
    }
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
