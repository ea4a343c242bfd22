import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';

/**
 * A filtering stage of the flush pipeline: takes alerts out of the notification, never adds. May be
 * async, so a stage can consult a store (an inhibition index, a silence cache) with the flush's `now`.
 */
export interface FlushStage {
  readonly name: string;
  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts | Promise<FlushAlerts>;
}

/** Keeps the alerts for which `drop` is false, in both halves. */
export function filterAlerts(alerts: FlushAlerts, drop: (a: Alert) => boolean): FlushAlerts {
  return { firing: alerts.firing.filter((a) => !drop(a)), resolved: alerts.resolved.filter((a) => !drop(a)) };
}

/** Drops the alerts `mutes` says are muted (asked once per alert, possibly async), in both halves. */
export async function dropMuted(
  alerts: FlushAlerts,
  mutes: (a: Alert) => boolean | Promise<boolean>,
): Promise<FlushAlerts> {
  const muted = new Set<string>();
  for (const a of [...alerts.firing, ...alerts.resolved]) if (await mutes(a)) muted.add(a.fingerprint);
  return muted.size ? filterAlerts(alerts, (a) => muted.has(a.fingerprint)) : alerts;
}

/** Nothing left: what a stage returns when it mutes the whole notification. */
export const NOTHING: FlushAlerts = Object.freeze({ firing: [], resolved: [] }) as FlushAlerts;
