/** A label set: name → value. Empty values are dropped at ingest (Alertmanager semantics). */
export type LabelSet = Record<string, string>;

/**
 * An alert as Herald stores it. Times are epoch milliseconds (the wire format is RFC 3339).
 * `timeout` is true when `endsAt` was derived from `resolve_timeout` rather than sent by the client,
 * which matters when merging with a later explicit `endsAt`.
 */
export interface Alert {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  timeout: boolean;
  generatorURL: string;
  /** Where the alert came from when it was forwarded by another Alertmanager (webhook ingest). */
  source?: AlertSource;
}

/** Metadata of a forwarded alert: the sending Alertmanager's group key and receiver. */
export interface AlertSource {
  groupKey?: string;
  receiver?: string;
}

/** Whether an alert counts as resolved at `now` (Alertmanager: endsAt not after now). */
export function isResolved(alert: Pick<Alert, 'endsAt'>, now: number): boolean {
  return alert.endsAt !== 0 && alert.endsAt <= now;
}

/** The two halves of a group, kept apart as in the seed design. */
export type GroupState = 'firing' | 'recovery';
