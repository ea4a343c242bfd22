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

/**
 * Drops the alerts whose fingerprints `muted` returns, in both halves. Asked once for the whole
 * notification, so a store-backed muter makes one round trip per flush, not one per alert.
 */
export async function dropMuted(
  alerts: FlushAlerts,
  muted: (all: readonly Alert[]) => ReadonlySet<string> | Promise<ReadonlySet<string>>,
): Promise<FlushAlerts> {
  const all = [...alerts.firing, ...alerts.resolved];
  if (all.length === 0) return alerts;
  const fps = await muted(all);
  return fps.size ? filterAlerts(alerts, (a) => fps.has(a.fingerprint)) : alerts;
}

/** Nothing left: what a stage returns when it mutes the whole notification. */
export const NOTHING: FlushAlerts = Object.freeze({ firing: [], resolved: [] }) as FlushAlerts;
