import type { Alert } from '../alert';
import { needsUpdate, nextSequence, receiverView, type NflogEntry, type NotificationReason } from '../nflog';
import type { ResolvedCleanup } from '../group.store';
import { cleanupAfterResolved, nextFlushAt, parkedFlushAt } from '../timers';
import { idempotencyKey } from '../webhook-payload';
import type { FlushAlerts, FlushContext } from './flush-context';

/** Why a flush sends nothing. */
export type SkipReason =
  /** Firing half: no alert fires (the recovery half reports resolutions). */
  | 'nothing firing'
  /**
   * Firing half: alerts the receiver was told fire have resolved, so the recovery half sends the group's
   * notification (what fires and what resolved, in one message, as Alertmanager does).
   */
  | 'left to the recovery half'
  /** Every alert was taken out by inhibition, silences or a time interval. */
  | 'muted'
  /** The notification log says the receiver already knows (and repeat_interval has not elapsed). */
  | 'already notified'
  /** Recovery half: no resolved alert the receiver was told is firing (e.g. fired and resolved within group_wait). */
  | 'no resolved news'
  /**
   * Recovery half: alerts resolved, but the receiver has send_resolved off. Some alerts still fire: nothing
   * sent, nothing logged (Alertmanager); none fires: nothing sent, the log records the resolution.
   */
  | 'send_resolved disabled';

interface DecisionBase {
  /** Reschedule the half at this time, or drop its due entry (null). */
  nextDueAt: number | null;
  /**
   * Set when `nextDueAt` parks the half beyond its next group_interval tick (nothing to do until then):
   * that tick. If ingest put the half back on the due index while this flush ran (an alert joined it),
   * it flushes at this tick instead of the parked time.
   */
  nextTickAt?: number;
  /**
   * Recovery half: resolved alerts to remove from the group (and whether it is then empty). Apply after
   * the receiver accepted a notification, or at once when nothing is sent.
   */
  cleanup: ResolvedCleanup | null;
  /** Firing half: alerts in it have resolved by time, so the recovery half must be on the due index. */
  scheduleRecovery: boolean;
  /** Alerts the filtering stages took out, by reason (set by the pipeline; absent when none). */
  suppressed?: Partial<
    Record<'inhibition' | 'active_time_interval' | 'mute_time_interval' | 'silence', number>
  >;
}

/** Send a notification; write `record` to the log once the receiver accepted it. */
export interface NotifyDecision extends DecisionBase {
  notify: true;
  reason: NotificationReason;
  /**
   * The alerts of the notification: the firing alerts (firing half); the alerts that still fire plus the
   * newly resolved ones (recovery half; without send_resolved only the firing ones).
   */
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
 * The dedup stage: holds what fires/resolved (after the filtering stages) against the receiver's view
 * from the notification log and decides with Alertmanager's `needsUpdate`. Storage keeps a firing and a
 * recovery half that flush separately; on the wire a receiver sees Alertmanager's notifications:
 *
 * - While no alert the receiver was told fires has resolved, the firing half decides (first
 *   notification, new alerts, repeat interval) and sends the firing alerts; the recovery half only
 *   cleans up resolved alerts nobody was told about.
 * - Once one has resolved, the firing half steps aside and the recovery half decides for the whole group,
 *   so one notification carries both: `firing` with the alerts that still fire and the newly resolved
 *   ones (`some alerts resolved`, or `new alerts added` when an alert also started), and `resolved` only
 *   when nothing of the group fires (`all alerts resolved`). A group key never gets `resolved` while an
 *   alert of it fires (incident tools close the incident on it). Without send_resolved a partial
 *   resolution sends nothing and logs nothing (the receiver still believes the alert fires, so its
 *   re-fire is not news); the final resolution sends nothing but is logged (a later firing is news).
 *   Both entries are whole pictures (see `receiverView`), so the next firing-half flush finds the
 *   firing alerts notified and repeat_interval counts from the recovery notification.
 *
 * Differences from Alertmanager that remain (test/fixtures/alertmanager-resolution.json has its output):
 * - A resolution of an alert the receiver was never told is firing (it fired and resolved within one
 *   group_interval) is not reported; Alertmanager lists it, resolved, in the group's next notification.
 * - Notification log per receiver, not per integration: in a receiver whose integrations differ in
 *   send_resolved, an integration without it skips a `some alerts resolved` notification (as its own
 *   Alertmanager log would), but that notification still restarts the receiver's repeat_interval.
 * - The halves flush under one group lock, one after the other: the notification that carries a
 *   resolution goes out on the recovery half's flush, up to one scheduler tick after the firing half's
 *   (Alertmanager: at the group_interval tick itself).
 * - With `max_alerts`, `status` is the whole notification's (`buildWebhookPayload`).
 */
export function decideFlush(
  ctx: FlushContext,
  classified: FlushAlerts,
  filtered: FlushAlerts,
): FlushDecision {
  const { now, group, receiver, state } = ctx;
  const view = receiverView(ctx.log.firing, ctx.log.recovery);
  const last =
    view.timestamp === null
      ? null
      : { firing: [...view.firing], resolved: [...view.resolved], timestamp: view.timestamp };
  const told = (a: Alert) => view.firing.has(a.fingerprint);
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
  // Alerts the receiver was told fire and that have resolved (before the filtering stages): while there
  // are any, the recovery half speaks for the group. Both halves ask the same question of the same log.
  const resolvedNews = classified.resolved.some(told);
  switch (state) {
    case 'firing': {
      const base: DecisionBase = {
        nextDueAt: nextFlushAt('firing', group, classified.firing.length > 0, now),
        cleanup: null,
        scheduleRecovery: classified.resolved.length > 0,
      };
      if (resolvedNews) return { ...base, notify: false, why: 'left to the recovery half', record: null };
      if (filtered.firing.length === 0) {
        const why = classified.firing.length > 0 ? 'muted' : 'nothing firing';
        return { ...base, notify: false, why, record: null };
      }
      const reason = needsUpdate({
        last,
        firing: new Set(fps(filtered.firing)),
        resolved: new Set(),
        sendResolved: false,
        repeatInterval: group.repeatInterval,
        now,
      });
      if (!reason) {
        const skip: SkipDecision = { ...base, notify: false, why: 'already notified', record: null };
        // Park the half until something can change without ingest (repeat_interval, an endsAt) — only
        // when nothing was muted (a silence or inhibition ending, a time interval, would change what is
        // sent at any tick), nothing resolved and no notification is in flight (it may be given up).
        const parkable =
          filtered.firing.length === classified.firing.length &&
          classified.resolved.length === 0 &&
          !ctx.firingInFlight &&
          view.timestamp !== null &&
          base.nextDueAt !== null;
        if (parkable) {
          const parked = parkedFlushAt(group, classified.firing, view.timestamp!, now);
          if (parked > base.nextDueAt!) return { ...skip, nextDueAt: parked, nextTickAt: base.nextDueAt! };
        }
        return skip;
      }
      const seq = nextSequence(ctx.log.firing, ctx.failedSeq, ctx.pendingSeq);
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
      // While a firing notification is in flight, a resolved alert the log does not know may be in it:
      // keep such alerts (and flush this half again) until that notification is delivered or given up,
      // so the receiver that is about to hear "firing" also hears "resolved".
      const known = (a: Alert) => told(a) || view.resolved.has(a.fingerprint);
      const held = ctx.firingInFlight ? classified.resolved.filter((a) => !known(a)) : [];
      const base: DecisionBase = {
        nextDueAt:
          held.length > 0
            ? now + group.groupInterval
            : nextFlushAt('recovery', group, classified.firing.length > 0, now),
        cleanup: cleanupAfterResolved(
          group,
          fps(held.length ? classified.resolved.filter(known) : classified.resolved),
          now,
        ),
        scheduleRecovery: false,
      };
      if (!resolvedNews) return { ...base, notify: false, why: 'no resolved news', record: null };
      const news = filtered.resolved.filter(told);
      if (news.length === 0 && filtered.firing.length === 0) {
        return { ...base, notify: false, why: 'muted', record: null };
      }
      const reason = needsUpdate({
        last,
        firing: new Set(fps(filtered.firing)),
        resolved: new Set(fps(news)),
        sendResolved: receiver.sendResolved,
        repeatInterval: group.repeatInterval,
        now,
      });
      if (!reason) {
        const why =
          news.length === 0 ? 'muted' : receiver.sendResolved ? 'already notified' : 'send_resolved disabled';
        return { ...base, notify: false, why, record: null };
      }
      const seq = nextSequence(ctx.log.recovery, ctx.failedSeq, ctx.pendingSeq);
      const record = entry(filtered.firing, news, seq);
      if (!receiver.sendResolved && filtered.firing.length === 0) {
        // Alertmanager logs "all resolved" without send_resolved, so the next firing is news.
        return { ...base, notify: false, why: 'send_resolved disabled', record };
      }
      return {
        ...base,
        notify: true,
        reason,
        alerts: receiver.sendResolved ? [...filtered.firing, ...news] : filtered.firing,
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
