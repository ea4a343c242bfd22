/**
 * The reference ingest load, byte for byte the bodies of shared/bench/alerts.lua: batches of `batch`
 * Prometheus-format alerts (API v2) taken in order from a pool of `pool` alerts spread over `groups`
 * alertname values, `startsAt` fixed and no `endsAt`, so cycling through the bodies looks like
 * Prometheus re-sending its active alerts.
 */
export interface LoadShape {
  /** Alerts per request (BATCH in alerts.lua). */
  batch: number;
  /** Distinct alerts (POOL). */
  pool: number;
  /** Distinct alertname values (GROUPS). */
  groups: number;
}

export const REFERENCE_SHAPE: LoadShape = { batch: 64, pool: 10_000, groups: 500 };

/** One JSON array per request; floor(pool / batch) bodies, so `bodies.length * batch` distinct alerts. */
export function buildBodies({ batch, pool, groups }: LoadShape): string[] {
  const bodies: string[] = [];
  const n = Math.floor(pool / batch);
  for (let b = 0; b < n; b++) {
    const parts: string[] = [];
    for (let i = 0; i < batch; i++) parts.push(alertJson(b * batch + i, groups));
    bodies.push(`[${parts.join(',')}]`);
  }
  return bodies;
}

/** Distinct alerts the bodies carry (what the store should hold in steady state). */
export function distinctAlerts({ batch, pool }: LoadShape): number {
  return Math.floor(pool / batch) * batch;
}

/** Alert `n` of the reference load: alertname `Alert<n % groups>`, instance `host-<n>:9100` (unique per n). */
export function alertJson(n: number, groups: number): string {
  const severity = n % 2 === 0 ? 'critical' : 'warning';
  return (
    `{"labels":{"alertname":"Alert${n % groups}","cluster":"c${n % 3}","instance":"host-${n}:9100",` +
    `"job":"node","severity":"${severity}"},"annotations":{"summary":"Instance host-${n} is down",` +
    `"description":"load generator alert ${n}"},"startsAt":"2026-11-22T10:00:00Z",` +
    `"generatorURL":"http://prometheus:9090/graph?g0.expr=up%3D%3D0"}`
  );
}

/** The route of the ingest benchmarks (Herald and Alertmanager read the same file). */
export const BENCH_ROUTE_YAML = `route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 1s
  group_interval: 5s
receivers:
  - name: default
`;
