import { isResolved, type Alert, type GroupState } from './alert';
import type { Clock } from './clock';
import type { StoredGroup } from './group.store';
import { needsUpdate, nextSequence, receiverView, type NflogEntry, type NotificationReason } from './nflog';
import { cleanupAfterResolved, nextFlushAt, type ResolvedCleanup } from './timers';
import { idempotencyKey } from './webhook-payload';

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

/** A filtering stage of the pipeline: takes alerts out of the notification (never adds). */
export interface FlushStage {
  readonly name: string;
  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts;
}

/** Port: inhibition rules (a target alert is muted while a matching source alert fires). */
export interface Inhibitor {
  isInhibited(alert: Alert, ctx: FlushContext): boolean;
}

/** Port: silences active at the flush's `now`. */
export interface Silencer {
  isSilenced(alert: Alert, ctx: FlushContext): boolean;
}

/** Port: the route's `mute_time_intervals` / `active_time_intervals` at the flush's `now`. */
export interface TimeIntervalMuter {
  isMuted(ctx: FlushContext): boolean;
}

/** Mutes nothing: the stand-in until inhibition, silences and time intervals land (later issues). */
export const PASS_THROUGH: Inhibitor & Silencer & TimeIntervalMuter = {
  isInhibited: () => false,
  isSilenced: () => false,
  isMuted: () => false,
};

function filterAlerts(alerts: FlushAlerts, drop: (a: Alert) => boolean): FlushAlerts {
  return { firing: alerts.firing.filter((a) => !drop(a)), resolved: alerts.resolved.filter((a) => !drop(a)) };
}

/** Drops inhibited alerts (Alertmanager's inhibit MuteStage). */
export class InhibitStage implements FlushStage {
  readonly name = 'inhibit';
  constructor(private readonly inhibitor: Inhibitor = PASS_THROUGH) {}
  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts {
    return filterAlerts(alerts, (a) => this.inhibitor.isInhibited(a, ctx));
  }
}

/** Drops silenced alerts (Alertmanager's silence MuteStage). */
export class SilenceStage implements FlushStage {
  readonly name = 'silence';
  constructor(private readonly silencer: Silencer = PASS_THROUGH) {}
  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts {
    return filterAlerts(alerts, (a) => this.silencer.isSilenced(a, ctx));
  }
}

/** Drops the whole notification while the route is muted by a time interval (TimeMuteStage). */
export class TimeIntervalMuteStage implements FlushStage {
  readonly name = 'time-interval-mute';
  constructor(private readonly muter: TimeIntervalMuter = PASS_THROUGH) {}
  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts {
    return this.muter.isMuted(ctx) ? { firing: [], resolved: [] } : alerts;
  }
}

/** The filtering stages in Alertmanager's order: inhibit → time-interval mute → silence. */
export function defaultStages(
  ports: { inhibitor?: Inhibitor; silencer?: Silencer; muter?: TimeIntervalMuter } = {},
): FlushStage[] {
  return [
    new InhibitStage(ports.inhibitor),
    new TimeIntervalMuteStage(ports.muter),
    new SilenceStage(ports.silencer),
  ];
}

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
 * The flush pipeline: classify the group at the context's `now`, run the filtering stages in order,
 * then the dedup stage. Pure: the caller (the scheduler) delivers, logs and reschedules per the decision.
 */
export class FlushPipeline {
  constructor(private readonly stages: readonly FlushStage[] = defaultStages()) {}

  run(ctx: FlushContext): FlushDecision {
    const classified = classifyAlerts(ctx.group, ctx.now);
    let alerts = classified;
    for (const stage of this.stages) alerts = stage.apply(ctx, alerts);
    return decideFlush(ctx, classified, alerts);
  }
}
