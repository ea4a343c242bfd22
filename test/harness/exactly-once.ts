/**
 * What the process-cluster e2e specs measure: the notifications a sink accepted per scenario (an
 * alertname prefix), counted per group and status, and ingest traffic the way Prometheus sends it.
 */
import type { HttpSink, SinkRequest } from './http-sink';
import { waitUntil } from './wait';

export interface Notified {
  key: string;
  status: string;
  idem: string;
}

/** Notifications of one scenario (its groups' keys contain the prefix). */
export function notifiedOf(sink: HttpSink, prefix: string): Notified[] {
  return sink.accepted
    .filter((r: SinkRequest) => (r.json as { groupKey: string }).groupKey.includes(`"${prefix}`))
    .map((r) => {
      const p = r.json as { groupKey: string; status: string };
      return { key: p.groupKey, status: p.status, idem: String(r.headers['idempotency-key']) };
    });
}

/**
 * Notifications of `prefix` with `status`: how many (`raw`), for how many groups (`distinct`), and
 * whether every repeat of a group carried the same Idempotency-Key (a re-send after a crash between
 * send and ack does; a second flush would not).
 */
export function tallyOf(
  sink: HttpSink,
  prefix: string,
  status: string,
): { raw: number; distinct: number; sameKeyDuplicates: boolean } {
  const n = notifiedOf(sink, prefix).filter((x) => x.status === status);
  const byKey = new Map<string, Set<string>>();
  for (const x of n) byKey.set(x.key, (byKey.get(x.key) ?? new Set()).add(x.idem));
  const sameKeyDuplicates = [...byKey.values()].every((s) => s.size === 1);
  return { raw: n.length, distinct: byKey.size, sameKeyDuplicates };
}

/** POSTs alerts to a node's (or nginx's) /api/v2/alerts; resolves the HTTP status. */
export async function sendAlerts(url: string, alerts: unknown[]): Promise<number> {
  const r = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  await r.arrayBuffer();
  return r.status;
}

/** `groups` × `perGroup` alerts, group by group (a group's alerts arrive together, within group_wait). */
export const alertsFor = (prefix: string, groups: number, perGroup: number, endsAt?: string) =>
  Array.from({ length: groups * perGroup }, (_, i) => ({
    labels: { alertname: `${prefix}${Math.floor(i / perGroup)}`, instance: `i${i % perGroup}` },
    startsAt: new Date(Date.now() - 1000).toISOString(),
    ...(endsAt ? { endsAt } : {}),
  }));

export function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** A random element. */
export const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

/**
 * Posts batches of 20 through `url` from two clients until stopped, the way Prometheus re-sends its
 * active alerts: a fixed pool of `groups` alerts (one per group, so a group's content never changes)
 * cycled over and over. Every status is recorded (-1: the client saw a transport error).
 */
export function loadLoop(
  url: string | (() => string),
  prefix: string,
  groups: number,
  report: (what: string, data: unknown) => void = () => undefined,
): {
  /** Batches answered so far. */
  sent(): number;
  /** Lets `more` batches go through from now, stops, and reports the client statuses as `what`. */
  stopAfter(more: number, what: string): Promise<Map<number, number>>;
} {
  let running = true;
  const statuses = new Map<number, number>();
  const startsAt = new Date(Date.now() - 1000).toISOString();
  let i = 0;
  const loop = async () => {
    while (running) {
      const batch = Array.from({ length: 20 }, () => {
        const n = i++ % groups;
        return { labels: { alertname: `${prefix}${n}`, instance: 'l' }, startsAt };
      });
      let status: number;
      try {
        status = await sendAlerts(typeof url === 'string' ? url : url(), batch);
      } catch {
        status = -1;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const workers = [loop(), loop()];
  const sent = () => [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    sent,
    stopAfter: async (more, what) => {
      const from = sent();
      await waitUntil(() => sent() >= from + more, { timeoutMs: 15_000, what: `${more} batches ${what}` });
      running = false;
      await Promise.all(workers);
      report(`${what}, client statuses`, [...statuses]);
      return statuses;
    },
  };
}
