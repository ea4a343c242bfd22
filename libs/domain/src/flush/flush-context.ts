import { isResolved, type Alert, type GroupState } from '../alert';
import type { Clock } from '../clock';
import type { StoredGroup } from '../group.store';
import type { NflogEntry } from '../nflog';

/** The receiver settings a flush needs (the integration itself is the delivery layer's business). */
export interface FlushReceiver {
  name: string;
  /** Alertmanager's `send_resolved`: whether this receiver is told about resolutions. */
  sendResolved: boolean;
}

/**
 * Everything one flush of one group half for one receiver decides on. `now` is read once, when the
 * context is made, and every stage uses it (Alertmanager: several clock reads in one flush disagree).
 */
export interface FlushContext {
  readonly now: number;
  readonly tenant: string;
  readonly group: StoredGroup;
  readonly receiver: FlushReceiver;
  /** Which half is flushed: firing and recovery halves flush (and are logged) separately. */
  readonly state: GroupState;
  /** The notification-log entries of both halves for this group and receiver (null: none or expired). */
  readonly log: { readonly firing: NflogEntry | null; readonly recovery: NflogEntry | null };
  /**
   * Highest sequence of the flushed half whose notification was given up (dead-lettered), 0 or absent
   * when none: the next notification takes a higher one, so a dead job never blocks the group.
   */
  readonly failedSeq?: number;
  /** A notification of the flushed half still pending above the log (`NflogState.pendingSeq`). */
  readonly pendingSeq?: number;
  /**
   * A firing-half notification of this group and receiver is enqueued and neither delivered nor given
   * up (a slow or retrying receiver). Its alerts are not in the log yet: the receiver will believe they
   * fire once it is delivered, so the recovery half must not forget their resolution meanwhile.
   */
  readonly firingInFlight?: boolean;
}

/** Builds a FlushContext, reading the clock exactly once. */
export function createFlushContext(clock: Clock, fields: Omit<FlushContext, 'now'>): FlushContext {
  return { ...fields, now: clock.now() };
}

/** The alerts a flush works on, split by what they are at the flush's `now`. */
export interface FlushAlerts {
  firing: Alert[];
  resolved: Alert[];
}

/**
 * Splits a group by state at `now`. Alerts are filed into halves when written, so an alert whose
 * timeout-derived `endsAt` passed without a re-send still sits in the firing half: classify by time.
 */
export function classifyAlerts(group: Pick<StoredGroup, 'firing' | 'recovery'>, now: number): FlushAlerts {
  const out: FlushAlerts = { firing: [], resolved: [] };
  for (const a of group.firing) (isResolved(a, now) ? out.resolved : out.firing).push(a);
  out.resolved.push(...group.recovery);
  return out;
}
