import type { Alert } from '../alert';
import { needsUpdate, nextSequence, receiverView, type NflogEntry, type NotificationReason } from '../nflog';
import type { ResolvedCleanup } from '../group.store';
import { cleanupAfterResolved, nextFlushAt } from '../timers';
import { idempotencyKey } from '../webhook-payload';
import type { FlushAlerts, FlushContext } from './flush-context';

/** Why a flush sends nothing. */
export type SkipReason =
  /** Firing half: no alert fires (the recovery half reports resolutions). */
  | 'nothing firing'
  /** Every alert was taken out by inhibition, silences or a time interval. */
  | 'muted'
  /** The notification log says the receiver already knows (and repeat_interval has not elapsed). */
  | 'already notified'
  /** Recovery half: no resolved alert the receiver was told is firing (e.g. fired and resolved within group_wait). */
  | 'no resolved news'
  /** Recovery half: there is news, but the receiver has send_resolved off (the log is still updated). */
  | 'send_resolved disabled';

interface DecisionBase {
  /** Reschedule the half at this time, or drop its due entry (null). */
  nextDueAt: number | null;
  /**
   * Recovery half: resolved alerts to remove from the group (and whether it is then empty). Apply after
   * the receiver accepted a notification, or at once when nothing is sent.
   */
  cleanup: ResolvedCleanup | null;
  /** Firing half: alerts in it have resolved by time, so the recovery half must be on the due index. */
  scheduleRecovery: boolean;
}

/** Send a notification; write `record` to the log once the receiver accepted it. */
export interface NotifyDecision extends DecisionBase {
  notify: true;
  reason: NotificationReason;
  /** The alerts of the notification: firing alerts (firing half) or newly resolved ones (recovery half). */
  alerts: Alert[];
  seq: number;
  /** `Idempotency-Key` header and a base for the delivery job id. */
  idempotencyKey: string;
  record: NflogEntry;
}

/** Send nothing; write `record` (if any) to the log now, so later decisions see the receiver's view. */
export interface SkipDecision extends DecisionBase {
  notify: false;
  why: SkipReason;
  record: NflogEntry | null;
}

/** The outcome of a flush. */
export type FlushDecision = NotifyDecision | SkipDecision;

const fps = (alerts: readonly Alert[]): string[] => alerts.map((a) => a.fingerprint);

/**
 * The dedup stage: compares what fires/resolved (after the filtering stages) with the receiver's view
 * from the notification log and decides. Firing half: Alertmanager's `needsUpdate` on the firing set
 * (first notification, new alerts, repeat interval). Recovery half: its send_resolved / all-resolved
 * clauses, for the resolved alerts the receiver was told are firing; resolved alerts are cleaned up.
 * Deliberate difference: a resolution of an alert that was never notified as firing is not reported
 * (Alertmanager reports it when another alert of the group was notified).
 */
export function decideFlush(
  ctx: FlushContext,
  classified: FlushAlerts,
  filtered: FlushAlerts,
): FlushDecision {
  const { now, group, receiver, state } = ctx;
  const view = receiverView(ctx.log.firing, ctx.log.recovery);
  const entry = (firing: Alert[], resolved: Alert[], seq: number): NflogEntry => ({
    tenant: ctx.tenant,
    groupId: group.groupId,
    receiver: receiver.name,
    state,
    firing: fps(firing),
    resolved: fps(resolved),
    timestamp: now,
    seq,
  });
  switch (state) {
    case 'firing': {
      const base: DecisionBase = {
        nextDueAt: nextFlushAt('firing', group, classified.firing.length > 0, now),
        cleanup: null,
        scheduleRecovery: classified.resolved.length > 0,
      };
      if (filtered.firing.length === 0) {
        const why = classified.firing.length > 0 ? 'muted' : 'nothing firing';
        return { ...base, notify: false, why, record: null };
      }
      const lastEntry = ctx.log.firing;
      const reason = needsUpdate({
        last: lastEntry && {
          firing: [...view.firing],
          resolved: [...view.resolved],
          timestamp: lastEntry.timestamp,
        },
        firing: new Set(fps(filtered.firing)),
        resolved: new Set(),
        sendResolved: false,
        repeatInterval: group.repeatInterval,
        now,
      });
      if (!reason) return { ...base, notify: false, why: 'already notified', record: null };
      const seq = nextSequence(lastEntry, ctx.failedSeq, ctx.pendingSeq);
      return {
        ...base,
        notify: true,
        reason,
        alerts: filtered.firing,
        seq,
        idempotencyKey: idempotencyKey(group.groupKey, seq, 'firing'),
        record: entry(filtered.firing, [], seq),
      };
    }
    case 'recovery': {
      const base: DecisionBase = {
        nextDueAt: nextFlushAt('recovery', group, classified.firing.length > 0, now),
        cleanup: cleanupAfterResolved(group, fps(classified.resolved), now),
        scheduleRecovery: false,
      };
      const news = filtered.resolved.filter((a) => view.firing.has(a.fingerprint));
      if (news.length === 0) {
        const why = classified.resolved.some((a) => view.firing.has(a.fingerprint))
          ? 'muted'
          : 'no resolved news';
        return { ...base, notify: false, why, record: null };
      }
      const seq = nextSequence(ctx.log.recovery, ctx.failedSeq, ctx.pendingSeq);
      const record = entry(filtered.firing, news, seq);
      if (!receiver.sendResolved) return { ...base, notify: false, why: 'send_resolved disabled', record };
      return {
        ...base,
        notify: true,
        reason: filtered.firing.length === 0 ? 'all alerts resolved' : 'some alerts resolved',
        alerts: news,
        seq,
        idempotencyKey: idempotencyKey(group.groupKey, seq, 'recovery'),
        record,
      };
    }
  }
}

/**
 * The last stage (Alertmanager's DedupStage): what is left after the filtering stages, held against the
 * receiver's view in the notification log, becomes a decision to notify (with the next sequence) or not.
 */
export class DedupStage {
  readonly name = 'dedup';

  decide(ctx: FlushContext, classified: FlushAlerts, filtered: FlushAlerts): FlushDecision {
    return decideFlush(ctx, classified, filtered);
  }
}
