import type { GroupState } from '../alert';
import type { NflogEntry, NotificationReason } from '../nflog';
import type { ResolvedCleanup } from '../group.store';
import type { WebhookPayload } from '../webhook-payload';

/**
 * What to record once a notification was delivered (or given up): it travels with the notification,
 * beside the payload, because the worker that delivers may run on another node than the flush.
 */
export interface NotificationLog {
  /** Notification-log entry to write after delivery. */
  record: NflogEntry;
  /** Its TTL (`nflogTtl(repeat_interval)`, ms). */
  logTtl: number;
  /** Resolved alerts to remove once delivered (recovery half). */
  cleanup: ResolvedCleanup | null;
  /** The group's `group_interval` (ms): a given-up notification is tried again after it. */
  groupInterval: number;
  /** The group's `repeat_interval` (ms), for the dedup check right before the send. */
  repeatInterval: number;
  /**
   * Fencing token of the group lock the flush held (absent: no lock, e.g. one process or a Redis
   * outage). The log write refuses it when a newer holder already wrote that half's entry.
   */
  fence?: number;
}

/** The part of a notification the notification log needs back from delivery. */
export interface LoggedNotification {
  tenant: string;
  receiver: string;
  groupId: string;
  state: GroupState;
  seq: number;
  log: NotificationLog;
}

/** One notification of one flush of a group half for one receiver, handed to delivery. */
export interface OutgoingNotification extends LoggedNotification {
  groupKey: string;
  idempotencyKey: string;
  reason: NotificationReason;
  /** Alertmanager's webhook v4 message with every alert; each integration applies its own `max_alerts`. */
  payload: WebhookPayload;
}

/**
 * What became of an enqueue: `queued` (new job), `pending` (the same flush is queued or retrying),
 * `delivered` (it was delivered before but its log write was lost), `dead` (it was given up: the next
 * flush must use a new sequence).
 */
export type EnqueueOutcome = 'queued' | 'pending' | 'delivered' | 'dead';

/** Port: the delivery queue as the flush sees it. Enqueueing the same flush twice must be a no-op. */
export interface Notifier {
  enqueue(n: OutgoingNotification): Promise<EnqueueOutcome>;
}

/**
 * Port: the group lock. Runs `fn` holding the lock of one group and resolves true, or resolves false at
 * once (without running `fn`) when another holder has it. `fn` gets the lock's fencing token, or
 * undefined when no lock is needed (a single process, a Redis outage).
 */
export interface GroupLock {
  withLock(
    tenant: string,
    groupId: string,
    fn: (fence: number | undefined) => Promise<void>,
  ): Promise<boolean>;
}

/** A lock for one process: every call runs, unfenced (the claim is exclusive already). */
export const PROCESS_LOCK: GroupLock = {
  withLock: async (_tenant, _groupId, fn) => {
    await fn(undefined);
    return true;
  },
};
