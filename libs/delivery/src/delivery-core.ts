import { systemClock, type Clock, type NotificationOutcome } from '@herald/domain';
import { retryDelay, retryOptions, type DeliveryRetryOptions } from './delivery-retry';
import {
  DeliveryEvents,
  describe,
  silentLogger,
  type DeadLetter,
  type DeliveredEvent,
  type DeliveryError,
  type DeliveryLogger,
  type Notification,
  type SupersededCheck,
} from './notification';
import type { RateLimit, RateLimiter } from './rate-limiter';
import { dispatch, type IntegrationResolver } from './receiver';

/** What both queue adapters share: how a notification is sent, retried and given up. */
export interface DeliveryCoreOptions {
  resolve: IntegrationResolver;
  retry?: Partial<DeliveryRetryOptions>;
  /** Token buckets for `rateLimit` (Redis for BullMQ, in process for memory). */
  limiter: RateLimiter;
  /** Per-receiver rate limit; undefined = unlimited. */
  rateLimit?: (tenant: string, receiver: string) => RateLimit | undefined;
  /** Dedup right before the send: a superseded notification ends without sending. */
  superseded?: SupersededCheck;
  clock?: Clock;
  logger?: DeliveryLogger;
  /**
   * Told the outcome of every send attempt (the notification history). Called synchronously and must
   * not throw or wait: recording never fails or slows a send (a throw is swallowed).
   */
  onAttempt?: (a: DeliveryAttempt) => void;
}

/** One send attempt of a notification and its outcome, as `onAttempt` is told it. */
export interface DeliveryAttempt {
  notification: Notification;
  /** 1-based. */
  attempt: number;
  /**
   * `delivered`: every integration accepted; `retrying`: tried again later; `failed`: given up;
   * `stalled`: the worker making it stopped before it finished (its job runs again, same attempt).
   */
  outcome: NotificationOutcome;
  /** Integrations this attempt was about: those that accepted it, or the one that failed. */
  integrations: string[];
  error?: DeliveryError;
  /** Epoch ms. */
  at: number;
}

/** One notification to deliver, as a queue adapter holds it. */
export interface DeliveryJob {
  n: Notification;
  /** Integrations that already accepted it (never sent again). */
  done: readonly string[];
  /** Sends made before this one (waiting for a rate-limit token is not one). */
  attemptsMade: number;
  /** The job's attempt budget when the queue stored one with it; else the retry options'. */
  maxAttempts?: number;
}

/**
 * What became of one `deliver` call; the adapter carries it out. `superseded`: the receiver already got
 * this content, nothing sent, done. `rate-limited`: nothing sent, try again after `waitMs` (no attempt
 * used). `delivered`: every integration accepted. `retry`: try again after `delayMs`. `dead`: give up —
 * an integration refused for good (`give-up`) or the attempt budget is spent (`attempts`).
 */
export type DeliveryOutcome =
  | { kind: 'superseded' }
  | { kind: 'rate-limited'; waitMs: number }
  | { kind: 'delivered'; attempts: number; done: string[] }
  | {
      kind: 'retry';
      attempts: number;
      done: string[];
      error: DeliveryError;
      delayMs: number;
    }
  | { kind: 'dead'; attempts: number; done: string[]; error: DeliveryError; why: 'give-up' | 'attempts' };

/**
 * The single delivery path of both queue adapters: superseded check → rate limit → send to every
 * integration of the receiver not yet accepted → classify → retry with backoff or dead-letter. It only
 * decides; the adapter moves the job (BullMQ states, or the memory queue's maps). It also holds the
 * adapter's listeners.
 */
export class DeliveryCore {
  readonly retry: DeliveryRetryOptions;
  readonly clock: Clock;
  readonly log: DeliveryLogger;
  /** The adapter's `onDelivered` / `onDeadLetter`. */
  readonly events: DeliveryEvents;
  private readonly abort = new AbortController();

  constructor(private readonly opts: DeliveryCoreOptions) {
    this.retry = retryOptions(opts.retry);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.events = new DeliveryEvents(this.log);
  }

  async deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    const { n } = job;
    if (await this.isSuperseded(n)) return { kind: 'superseded' };
    const limit = this.opts.rateLimit?.(n.tenant, n.receiver);
    if (limit) {
      const waitMs = await this.opts.limiter.take(`${n.tenant}|${n.receiver}`, limit, this.clock.now());
      if (waitMs > 0) return { kind: 'rate-limited', waitMs };
    }
    const attempts = job.attemptsMade + 1;
    const r = await dispatch(
      n,
      this.opts.resolve(n.tenant, n.receiver),
      job.done,
      this.abort.signal,
      this.clock,
    );
    switch (r.kind) {
      case 'ok': {
        const accepted = r.done.filter((d) => !job.done.includes(d));
        this.recordAttempt(n, attempts, 'delivered', accepted.length ? accepted : r.done);
        return { kind: 'delivered', attempts, done: r.done };
      }
      case 'give-up':
        this.recordAttempt(n, attempts, 'failed', [r.error.integration], r.error);
        return { kind: 'dead', attempts, done: r.done, error: r.error, why: 'give-up' };
      case 'retry':
        if (attempts >= (job.maxAttempts ?? this.retry.maxAttempts)) {
          this.recordAttempt(n, attempts, 'failed', [r.error.integration], r.error);
          return { kind: 'dead', attempts, done: r.done, error: r.error, why: 'attempts' };
        }
        this.recordAttempt(n, attempts, 'retrying', [r.error.integration], r.error);
        return {
          kind: 'retry',
          attempts,
          done: r.done,
          error: r.error,
          delayMs: retryDelay(this.retry, attempts, r.retryAfterMs),
        };
    }
  }

  /**
   * Records that the attempt `attemptsMade + 1` of `job` stalled: the worker making it stopped before
   * it finished (its lock lapsed) and the queue put the job back. The attempt runs again under the same
   * number; which of the receiver's integrations had accepted is not known, so those not yet done are
   * named.
   */
  stalled(job: DeliveryJob): void {
    const { n } = job;
    const todo = (this.opts.resolve(n.tenant, n.receiver) ?? [])
      .map((i) => i.name)
      .filter((name) => !job.done.includes(name));
    this.recordAttempt(n, job.attemptsMade + 1, 'stalled', todo, {
      integration: todo.join(','),
      reason: 'other',
      message: 'the node sending it stopped before it finished; the job runs again',
      at: this.clock.now(),
    });
  }

  /** Hands one attempt to `onAttempt`; whatever it does, the send goes on. */
  private recordAttempt(
    notification: Notification,
    attempt: number,
    outcome: DeliveryAttempt['outcome'],
    integrations: string[],
    error?: DeliveryError,
  ): void {
    const cb = this.opts.onAttempt;
    if (!cb) return;
    try {
      cb({ notification, attempt, outcome, integrations, error, at: this.clock.now() });
    } catch {
      // recording is best effort by contract; the history adapter counts its own failures
    }
  }

  /** Aborts the sends in flight (a shutdown that ran out of time). */
  abortSends(): void {
    this.abort.abort();
  }

  /** Tells the listeners that every integration accepted `n`. */
  delivered(id: string, n: Notification, attempts: number, via: DeliveredEvent['via']): Promise<void> {
    return this.events.delivered.emit({ id, notification: n, attempts, via, deliveredAt: this.clock.now() });
  }

  /** Logs a new dead letter and tells the listeners. */
  dead(d: DeadLetter): Promise<void> {
    this.log.warn(
      { ...describe(d.notification), id: d.id, attempts: d.attempts, error: d.lastError },
      'dead letter',
    );
    return this.events.dead.emit({ deadLetter: d });
  }

  /** The superseded check; a failing check counts as "not superseded" (a doubt sends). */
  private async isSuperseded(n: Notification): Promise<boolean> {
    const check = this.opts.superseded;
    if (!check) return false;
    try {
      if (!(await check(n))) return false;
      this.log.info(describe(n), 'notification superseded: the receiver already got its content, not sent');
      return true;
    } catch (e) {
      this.log.warn({ ...describe(n), err: String(e) }, 'superseded check failed: sending');
      return false;
    }
  }
}
