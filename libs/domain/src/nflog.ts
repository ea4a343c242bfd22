import type { GroupState } from './alert';

/** Why a notification was sent: Alertmanager's `notification_reason` values. */
export type NotificationReason =
  | 'first notification'
  | 'new alerts added'
  | 'some alerts resolved'
  | 'all alerts resolved'
  | 'repeat interval elapsed';

/** Identifies one notification-log entry: a group's half, as seen by one receiver. */
export interface NflogKey {
  tenant: string;
  groupId: string;
  receiver: string;
  state: GroupState;
}

/**
 * What a receiver was last told about a group (Alertmanager's nflog entry). Written only after the
 * receiver accepted the notification, so it is the receiver's view, not Herald's intent.
 */
export interface NflogEntry extends NflogKey {
  /** Fingerprints the notification reported as firing. */
  firing: string[];
  /** Fingerprints the notification reported as resolved. */
  resolved: string[];
  /** The flush's `now` (epoch ms); `repeat_interval` counts from it. */
  timestamp: number;
  /** Flush sequence of this group half and receiver: strictly increasing, part of the idempotency key. */
  seq: number;
}

/** What the log holds for a group half and receiver: the last delivered entry and the highest given-up sequence. */
export interface NflogState {
  entry: NflogEntry | null;
  /** Highest sequence whose notification was given up (dead-lettered); 0 when none. */
  failedSeq: number;
  /**
   * Highest sequence enqueued and not known delivered or given up, where the sequence could not be
   * derived again from the log (a notification enqueued during a Redis outage); 0 when none.
   */
  pendingSeq: number;
  /** How long the stored state still lives (ms), where the adapter knows (Redis: PTTL). */
  ttlMs?: number;
}

/** Why a log write was refused. */
export type NflogRefusal = 'stale-sequence' | 'stale-fence';

/** The outcome of a log write: refused writes change nothing. */
export type NflogWriteResult = { written: true } | { written: false; refused: NflogRefusal };

/** Log entries outlive two repeat intervals (Alertmanager's retention), long enough for the repeat rule. */
export function nflogTtl(repeatInterval: number): number {
  return 2 * repeatInterval;
}

/**
 * The sequence the next notification of this half gets: above the last delivered one and above any
 * given up (a dead-lettered sequence is never reused, so a job id and an Idempotency-Key never name two
 * different contents) — unless a notification is still pending above both: then its sequence, so the
 * flush finds that job instead of queueing a second notification of the group.
 */
export function nextSequence(last: Pick<NflogEntry, 'seq'> | null, failedSeq = 0, pendingSeq = 0): number {
  const done = Math.max(last?.seq ?? 0, failedSeq);
  return pendingSeq > done ? pendingSeq : done + 1;
}

function isSubset(sub: Iterable<string>, sup: ReadonlySet<string>): boolean {
  for (const x of sub) if (!sup.has(x)) return false;
  return true;
}

/** The inputs of Alertmanager's dedup rule for one flush. */
export interface DedupInput {
  /** What the receiver was last told (null: nothing logged, or the entry expired). */
  last: Pick<NflogEntry, 'firing' | 'resolved' | 'timestamp'> | null;
  /** Fingerprints firing now. */
  firing: ReadonlySet<string>;
  /** Fingerprints resolved now. */
  resolved: ReadonlySet<string>;
  sendResolved: boolean;
  repeatInterval: number;
  now: number;
}

/**
 * Alertmanager's `DedupStage.needsUpdate`, returning the notification reason or null (no notification):
 * 1. nothing logged → notify iff something fires;
 * 2. the firing set is not a subset of the last firing set → new alerts (`first notification` when the
 *    last notification had no firing alert: the group had resolved — Alertmanager 0.32+);
 * 3. nothing fires now but the last notification had firing alerts → all resolved;
 * 4. send_resolved and the resolved set is not a subset of the last resolved set → some resolved;
 * 5. otherwise only once `repeat_interval` has elapsed since the last notification (strictly, as
 *    Alertmanager's `Timestamp.Before(now - repeat)`).
 */
export function needsUpdate(i: DedupInput): NotificationReason | null {
  const { last } = i;
  if (!last) return i.firing.size > 0 ? 'first notification' : null;
  const lastFiring = new Set(last.firing);
  if (!isSubset(i.firing, lastFiring))
    return lastFiring.size === 0 ? 'first notification' : 'new alerts added';
  if (i.firing.size === 0 && lastFiring.size > 0) return 'all alerts resolved';
  if (i.sendResolved && !isSubset(i.resolved, new Set(last.resolved))) return 'some alerts resolved';
  return last.timestamp < i.now - i.repeatInterval ? 'repeat interval elapsed' : null;
}

/** What a receiver believes about a group, from the log entries of its firing and recovery halves. */
export interface ReceiverView {
  /** Fingerprints the receiver believes are firing. */
  firing: Set<string>;
  /** Fingerprints the receiver was told are resolved (and not told since that they fire again). */
  resolved: Set<string>;
  /** When the receiver was last told anything about the group (the newer entry), null: never. */
  timestamp: number | null;
}

/**
 * Herald logs the firing and the recovery half separately (they flush separately), but each entry is a
 * whole picture of the group as the receiver was told it: a firing-half notification lists every alert
 * that fires, a recovery-half notification the alerts that still fire and those that resolved (as in
 * Alertmanager's single entry per group). So the newer entry is what the receiver believes fires, and
 * its time is the last notification (`repeat_interval` counts from it). The resolved set also keeps what
 * the older entry reported resolved unless the newer one reports it firing. Ties go to the recovery
 * entry (the later event in an alert's life).
 */
export function receiverView(firing: NflogEntry | null, recovery: NflogEntry | null): ReceiverView {
  const recoveryNewer = !!recovery && (!firing || recovery.timestamp >= firing.timestamp);
  const [newer, older] = recoveryNewer ? [recovery, firing] : [firing, recovery];
  const f = new Set(newer?.firing ?? []);
  const r = new Set(newer?.resolved ?? []);
  for (const fp of older?.resolved ?? []) if (!f.has(fp)) r.add(fp);
  return { firing: f, resolved: r, timestamp: newer?.timestamp ?? null };
}
