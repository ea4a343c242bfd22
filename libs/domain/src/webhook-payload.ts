import { createHash } from 'node:crypto';
import { isResolved, type Alert, type GroupState, type LabelSet } from './alert';
import type { NotificationReason } from './nflog';

/** One alert of a webhook v4 message (Alertmanager's `template.Alert` JSON). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook message, version 4, plus `notification_reason` (newer Alertmanagers). */
export interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  notification_reason: NotificationReason;
}

/** Inputs of a webhook message. */
export interface WebhookPayloadInput {
  receiver: string;
  groupKey: string;
  groupLabels: LabelSet;
  alerts: readonly Alert[];
  reason: NotificationReason;
  /** Herald's external URL (`--web.external-url` in Alertmanager). */
  externalURL: string;
  /** `max_alerts` of the webhook config; 0 = no limit. */
  maxAlerts: number;
  /** The flush's `now`: decides which alerts are resolved. */
  now: number;
}

/** Go's zero `time.Time` as JSON: what Alertmanager sends as `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Formats epoch ms like Go's `time.Time` JSON (RFC 3339 with trailing fractional zeros trimmed), in UTC. */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.600Z
  return iso.replace(/\.?0+Z$/, 'Z');
}

/** Go's `regexp.QuoteMeta`: Alertmanager quotes the receiver name this way in template data. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function byteCompare(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Go's `model.LabelSet.Before`: fewer labels first, then by the first differing (sorted) label. */
function labelsBefore(a: LabelSet, b: LabelSet): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  const names = [...an, ...bn].sort(byteCompare);
  for (const n of names) {
    // Own properties only: `n in a` is also true for `constructor`, `toString`, … of every object.
    if (!Object.hasOwn(a, n)) return true;
    if (!Object.hasOwn(b, n)) return false;
    const c = byteCompare(a[n], b[n]);
    if (c !== 0) return c < 0;
  }
  return false;
}

/**
 * Alertmanager's alert order (`types.AlertSlice.Less`): by `job`, then `instance` (alerts with the label
 * before those without), then by label set. The order decides which alerts `max_alerts` keeps.
 */
export function compareAlerts(x: Pick<Alert, 'labels'>, y: Pick<Alert, 'labels'>): number {
  for (const key of ['job', 'instance']) {
    const xv = x.labels[key];
    const yv = y.labels[key];
    if (xv === undefined && yv === undefined) continue;
    if (xv === undefined) return 1;
    if (yv === undefined) return -1;
    const c = byteCompare(xv, yv);
    if (c !== 0) return c;
  }
  if (labelsBefore(x.labels, y.labels)) return -1;
  return labelsBefore(y.labels, x.labels) ? 1 : 0;
}

/** The labels (or annotations) all sets share with equal values (Alertmanager's common labels). */
export function commonPairs(sets: readonly LabelSet[]): LabelSet {
  if (sets.length === 0) return {};
  const out: LabelSet = { ...sets[0] };
  for (let i = 1; i < sets.length; i++) {
    for (const k of Object.keys(out)) if (sets[i][k] !== out[k]) delete out[k];
  }
  return out;
}

/**
 * Builds the webhook message as Alertmanager does: alerts in Alertmanager's order (firing and resolved
 * mixed), firing alerts with the zero `endsAt`, the receiver name regexp-quoted (as in Alertmanager's
 * template data), common labels/annotations over the alerts sent (Alertmanager truncates to `max_alerts`
 * before it builds the template data). One deliberate difference: `status` is `firing` when any alert of
 * the notification fires, also when `max_alerts` cut every firing one (Alertmanager 0.25 then sends
 * `resolved` for a group whose alerts still fire).
 */
export function buildWebhookPayload(i: WebhookPayloadInput): WebhookPayload {
  const sorted = [...i.alerts].sort(compareAlerts);
  const alerts: WebhookAlert[] = sorted.map((a) => {
    const resolved = isResolved(a, i.now);
    return {
      status: resolved ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: goTime(a.startsAt),
      endsAt: resolved ? goTime(a.endsAt) : GO_ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    };
  });
  const kept = i.maxAlerts > 0 && alerts.length > i.maxAlerts ? alerts.slice(0, i.maxAlerts) : alerts;
  return {
    receiver: quoteMeta(i.receiver),
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: kept,
    groupLabels: i.groupLabels,
    commonLabels: commonPairs(kept.map((a) => a.labels)),
    commonAnnotations: commonPairs(kept.map((a) => a.annotations)),
    externalURL: i.externalURL,
    version: '4',
    groupKey: i.groupKey,
    truncatedAlerts: alerts.length - kept.length,
    notification_reason: i.reason,
  };
}

/**
 * The message one integration sends, from the receiver's notification, as Alertmanager's per-integration
 * stages shape it: without `send_resolved` the resolved alerts are left out (Alertmanager's retry stage),
 * and a notification that only reports resolutions while alerts still fire (`some alerts resolved`) is
 * not sent at all (that integration's own dedup would have found nothing new); `max_alerts` keeps the
 * first alerts in Alertmanager's order and counts the rest in `truncatedAlerts`. Common labels and
 * annotations are those of the alerts sent; `status` stays the notification's (see `buildWebhookPayload`).
 * Null: nothing to send. Unchanged input is returned as is.
 */
export function integrationPayload(
  p: WebhookPayload,
  o: { sendResolved: boolean; maxAlerts: number },
): WebhookPayload | null {
  let alerts = p.alerts;
  if (!o.sendResolved) {
    if (p.notification_reason === 'some alerts resolved') return null;
    alerts = alerts.filter((a) => a.status === 'firing');
  }
  if (alerts.length === 0) return null;
  let truncated = p.truncatedAlerts;
  if (o.maxAlerts > 0 && alerts.length > o.maxAlerts) {
    truncated += alerts.length - o.maxAlerts;
    alerts = alerts.slice(0, o.maxAlerts);
  }
  if (alerts === p.alerts && truncated === p.truncatedAlerts) return p;
  return {
    ...p,
    alerts,
    commonLabels: commonPairs(alerts.map((a) => a.labels)),
    commonAnnotations: commonPairs(alerts.map((a) => a.annotations)),
    truncatedAlerts: truncated,
  };
}

/**
 * The `Idempotency-Key` of a notification: hex sha256 of the group key (Alertmanager's dedup key for
 * other receivers) + `-` + the flush sequence. Firing and recovery halves count sequences separately,
 * so a recovery notification's key gets an `r` before the sequence (`<sha>-r<seq>`) to stay distinct.
 */
export function idempotencyKey(groupKey: string, seq: number, state: GroupState = 'firing'): string {
  const hex = createHash('sha256').update(groupKey).digest('hex');
  return `${hex}-${state === 'recovery' ? 'r' : ''}${seq}`;
}
