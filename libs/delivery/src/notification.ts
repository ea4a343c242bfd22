import { createHash } from 'node:crypto';
import type { FailureReason, LoggedNotification, NotificationLog, WebhookPayload } from '@herald/domain';

/**
 * One notification of one flush of a group half for one receiver: what the flush enqueues (the
 * domain's `OutgoingNotification` fits) and a delivery worker sends to every integration of the
 * receiver. Its `log` (the domain's `NotificationLog`: what to record on delivery, no payload) is
 * handed back to `onDelivered` / `onDeadLetter` listeners unchanged.
 */
export interface Notification extends LoggedNotification {
  /** Receiver name as configured (the payload's `receiver` is Alertmanager's regexp-quoted form). */
  receiver: string;
  groupKey: string;
  /** Alertmanager's webhook v4 message with every alert (integrations apply their own `max_alerts`). */
  payload: WebhookPayload;
  /** `Idempotency-Key` header value (`idempotencyKey(groupKey, seq, state)` from the domain). */
  idempotencyKey: string;
  /** Why the flush notified (the domain's `NotificationReason`); absent in jobs queued before it was kept. */
  reason?: string;
}

/**
 * A notification as read back from a stored job. Jobs written before `log` existed carry the flush's
 * whole outgoing notification in `meta` (payload included): its log fields are taken from there, so a
 * rolling upgrade delivers and records them like new ones. Anything else is returned as stored.
 */
export function storedNotification(raw: Notification | LegacyNotification): Notification {
  if ('log' in raw || !raw.meta) return raw as Notification;
  const { meta, ...rest } = raw;
  const { record, logTtl, cleanup, groupInterval, repeatInterval } = meta;
  return { ...rest, log: { record, logTtl, cleanup: cleanup ?? null, groupInterval, repeatInterval } };
}

/**
 * A notification job written by the version before `log`: `meta` held the flush's outgoing notification
 * (its log fields, plus a second copy of the payload that is dropped on read).
 */
export type LegacyNotification = Omit<Notification, 'log'> & {
  meta?: Omit<NotificationLog, 'fence'> & Record<string, unknown>;
};

/**
 * The queue job id of a notification: sha256 of tenant, receiver, group key and half, then `-<seq>`.
 * Deterministic so that a second enqueue of the same flush (another node, a retried tick) is a no-op;
 * hex + `-` because BullMQ refuses ids with `:` and treats all-digit ids as its own counters.
 */
export function deliveryJobId(
  n: Pick<Notification, 'tenant' | 'receiver' | 'groupKey' | 'state' | 'seq'>,
): string {
  const h = createHash('sha256').update(`${n.tenant}|${n.receiver}|${n.groupKey}|${n.state}`).digest('hex');
  return `${h}-${n.seq}`;
}

/**
 * Asked right before a send (Alertmanager dedups right before sending): true when the receiver already
 * got what the notification says from another one, e.g. a newer one delivered meanwhile. The job then
 * ends without sending. An error counts as false: a doubt sends.
 */
export type SupersededCheck = (n: Notification) => Promise<boolean>;

/** Why the last attempt of a notification failed. */
export interface DeliveryError {
  /** The integration that failed, e.g. `webhook[0]`. */
  integration: string;
  reason: FailureReason;
  message: string;
  /** HTTP status (or SMTP reply code) when the receiver answered. */
  status?: number;
  /** Epoch ms. */
  at: number;
}

/** Extra enqueue options, used when a notification moves between adapters. */
export interface EnqueueOptions {
  /** Integrations that already accepted it (not sent again). */
  delivered?: readonly string[];
  /** Wait this long before the first attempt (a retry's remaining backoff). */
  delayMs?: number;
  /**
   * Memory queue only: do not send before this long, but do not carry the wait when drained to BullMQ.
   * For a notification whose BullMQ enqueue failed ambiguously (timed out: the job may exist): if Redis
   * is back within the hold, the drain finds the job (same id) instead of this node sending it twice.
   */
  holdMs?: number;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The job id (`deliveryJobId`). */
  id: string;
  /**
   * `queued`: accepted for delivery. `duplicate`: a job with this id already exists (the same flush was
   * enqueued before): nothing was added. `dropped`: the bounded memory queue was full; counted and logged.
   */
  status: 'queued' | 'duplicate' | 'dropped';
  /**
   * For a duplicate: the existing job was already delivered. Lets the caller write a notification-log
   * entry that a crash between delivery and the log write left out.
   */
  delivered?: boolean;
  /**
   * For a duplicate: the existing job is a dead letter (given up). The caller must not wait for it: the
   * next notification of the group takes a new sequence (a new job id).
   */
  dead?: boolean;
}

/** Queue gauges. `dead` = dead letters (gave up, payload kept); `dropped` only grows (memory overflow). */
export interface DeliveryCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
  completed: number;
  dropped: number;
}

/** A notification the queue gave up on, with what is needed to understand and retry it. */
export interface DeadLetter {
  id: string;
  notification: Notification;
  /** Attempts made before giving up. */
  attempts: number;
  lastError: DeliveryError | null;
  /** Integrations that did accept it (a retry sends only to the others). */
  delivered: string[];
  /** Epoch ms. */
  failedAt: number;
  /** Which adapter holds it. */
  via: 'bullmq' | 'memory';
}

/** Passed to `onDelivered` listeners once every integration of the receiver accepted the notification. */
export interface DeliveredEvent {
  id: string;
  notification: Notification;
  attempts: number;
  via: 'bullmq' | 'memory';
  /** Epoch ms. */
  deliveredAt: number;
}

/** Passed to `onDeadLetter` listeners when a notification is given up. */
export interface DeadLetterEvent {
  deadLetter: DeadLetter;
}

/**
 * Port: the delivery queue between the flush scheduler and the receivers. Adapters: BullMQ (shared by
 * all nodes), memory (while Redis is away) and the failover queue that switches between them.
 */
export interface DeliveryQueue {
  /** Adds a notification; idempotent per `deliveryJobId`. */
  enqueue(n: Notification, opts?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Called after the receiver accepted a notification, on the node that delivered it; the scheduler
   * writes the notification log here. A listener that throws is logged, never causes a re-send.
   * Returns an unsubscribe function.
   */
  onDelivered(cb: (e: DeliveredEvent) => void | Promise<void>): () => void;
  /** Called when a notification becomes a dead letter (metrics, alerts about alerting). */
  onDeadLetter(cb: (e: DeadLetterEvent) => void | Promise<void>): () => void;
  counts(): Promise<DeliveryCounts>;
  /**
   * The newest dead letters first, at most `limit`; with `tenant`, only that tenant's (read from a
   * per-tenant index, so one tenant's volume never hides another's).
   */
  deadLetters(limit?: number, tenant?: string): Promise<DeadLetter[]>;
  /** How many dead letters a tenant has. */
  deadLetterCount(tenant: string): Promise<number>;
  /**
   * Puts a dead letter back in the queue with a fresh attempt budget; false if there is no such dead
   * letter (of `tenant`, when given).
   */
  retryDeadLetter(id: string, tenant?: string): Promise<boolean>;
  /** Stops taking work and waits at most `timeoutMs` for sends in flight (then aborts them). */
  close(timeoutMs?: number): Promise<void>;
}

/** A pino-compatible subset, so the library logs through the app's logger without depending on it. */
export interface DeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Discards everything (tests, tools). */
export const silentLogger: DeliveryLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** A small listener set: errors of one listener are logged and do not stop the others. */
export class Listeners<E> {
  private readonly set = new Set<(e: E) => void | Promise<void>>();

  constructor(
    private readonly log: DeliveryLogger,
    private readonly what: string,
  ) {}

  add(cb: (e: E) => void | Promise<void>): () => void {
    this.set.add(cb);
    return () => void this.set.delete(cb);
  }

  /** Awaits every listener; the delivery is done either way (a re-send would be worse than a lost log). */
  async emit(e: E): Promise<void> {
    for (const cb of this.set) {
      try {
        await cb(e);
      } catch (err) {
        this.log.error({ err: String(err) }, `${this.what} listener failed`);
      }
    }
  }
}

/** The two listener sets of a delivery queue. */
export class DeliveryEvents implements Pick<DeliveryQueue, 'onDelivered' | 'onDeadLetter'> {
  readonly delivered: Listeners<DeliveredEvent>;
  readonly dead: Listeners<DeadLetterEvent>;

  constructor(log: DeliveryLogger) {
    this.delivered = new Listeners(log, 'onDelivered');
    this.dead = new Listeners(log, 'onDeadLetter');
  }

  onDelivered: DeliveryQueue['onDelivered'] = (cb) => this.delivered.add(cb);

  onDeadLetter: DeliveryQueue['onDeadLetter'] = (cb) => this.dead.add(cb);
}

/** Summary of a notification for log lines (never the payload: it may be large). */
export function describe(n: Notification): Record<string, unknown> {
  return { tenant: n.tenant, receiver: n.receiver, groupKey: n.groupKey, state: n.state, seq: n.seq };
}
