/**
 * The cluster's promises with real processes: 3 Herald nodes (separate OS processes) on one real
 * redis-server, behind a real nginx, notifying a real HTTP sink. Scenarios run one after the other
 * on the same cluster, each with its own alertname prefix.
 */
import { HttpSink, type SinkRequest } from '../harness/http-sink';
import { NginxServer } from '../harness/nginx';
import { NodeProcess } from '../harness/node-process';
import { RedisServer } from '../harness/redis-server';

const CONFIG = (sink: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: ${sink}/hook
        send_resolved: true
herald:
  scheduler:
    tick: 200ms
    lease: 3s
  delivery:
    stalled_timeout: 3s
  redis:
    command_timeout: 1s
`;

interface Notified {
  key: string;
  status: string;
  idem: string;
}

let redis: RedisServer;
let sink: HttpSink;
let nodes: NodeProcess[];
let nginx: NginxServer;

beforeAll(async () => {
  redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  sink = await HttpSink.start();
  nodes = await Promise.all(
    ['node-1', 'node-2', 'node-3'].map((id) =>
      NodeProcess.start(id, CONFIG(sink.url), { REDIS_URL: redis.url }),
    ),
  );
  nginx = await NginxServer.start({ upstreams: nodes.map((n) => n.port) });
}, 90_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all((nodes ?? []).map((n) => n.kill()));
  await sink?.stop();
  await redis?.stop();
});

/** Notifications of one scenario (its groups' keys contain the prefix). */
function notified(prefix: string): Notified[] {
  return sink.accepted
    .filter((r: SinkRequest) => (r.json as { groupKey: string }).groupKey.includes(`"${prefix}`))
    .map((r) => {
      const p = r.json as { groupKey: string; status: string };
      return { key: p.groupKey, status: p.status, idem: String(r.headers['idempotency-key']) };
    });
}

function tally(
  prefix: string,
  status: string,
): { raw: number; distinct: number; sameKeyDuplicates: boolean } {
  const n = notified(prefix).filter((x) => x.status === status);
  const byKey = new Map<string, Set<string>>();
  for (const x of n) byKey.set(x.key, (byKey.get(x.key) ?? new Set()).add(x.idem));
  // A re-sent notification (crash between send and ack) carries the same Idempotency-Key.
  const sameKeyDuplicates = [...byKey.values()].every((s) => s.size === 1);
  return { raw: n.length, distinct: byKey.size, sameKeyDuplicates };
}

async function send(url: string, alerts: unknown[]): Promise<number> {
  const r = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  await r.arrayBuffer();
  return r.status;
}

const alertsFor = (prefix: string, groups: number, perGroup: number, endsAt?: string) =>
  Array.from({ length: groups * perGroup }, (_, i) => ({
    labels: { alertname: `${prefix}${i % groups}`, instance: `i${Math.floor(i / groups)}` },
    startsAt: new Date(Date.now() - 1000).toISOString(),
    ...(endsAt ? { endsAt } : {}),
  }));

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function waitDistinct(prefix: string, status: string, want: number, timeoutMs = 60_000): Promise<void> {
  await sink.waitFor(() => tally(prefix, status).distinct >= want, timeoutMs, `${want} ${status} ${prefix}`);
  await new Promise((r) => setTimeout(r, 4000)); // two more group_interval ticks: anything extra would show
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

/** Prints a scenario's numbers with HERALD_TEST_LOGS=1 (for the issue notes). */
function report(what: string, data: unknown): void {
  if (process.env.HERALD_TEST_LOGS) process.stderr.write(`[cluster] ${what}: ${JSON.stringify(data)}\n`);
}

describe('exactly once across 3 node processes on one Redis', () => {
  it('1 000 groups through random nodes: 1 000 firing notifications, then 1 000 resolved', async () => {
    const P = 'EO';
    for (const batch of chunks(alertsFor(P, 1000, 1), 50))
      expect(await send(pick(nodes).url, batch)).toBe(200);
    const t0 = Date.now();
    await waitDistinct(P, 'firing', 1000);
    report('1000 groups, firing', { ...tally(P, 'firing'), ms: Date.now() - t0 - 4000 });
    expect(tally(P, 'firing')).toEqual({ raw: 1000, distinct: 1000, sameKeyDuplicates: true });
    const past = new Date(Date.now() - 10).toISOString();
    for (const batch of chunks(alertsFor(P, 1000, 1, past), 50))
      expect(await send(pick(nodes).url, batch)).toBe(200);
    await waitDistinct(P, 'resolved', 1000);
    expect(tally(P, 'resolved')).toEqual({ raw: 1000, distinct: 1000, sameKeyDuplicates: true });
  }, 120_000);

  it('the same with one node SIGKILLed in the middle of flushing', async () => {
    const P = 'EK';
    for (const batch of chunks(alertsFor(P, 1000, 1), 50))
      expect(await send(pick(nodes).url, batch)).toBe(200);
    await sink.waitFor(() => tally(P, 'firing').distinct >= 150, 30_000, 'flushing under way');
    await nodes[1].kill();
    const live = [nodes[0], nodes[2]];
    await waitDistinct(P, 'firing', 1000);
    const firing = tally(P, 'firing');
    report('SIGKILL during flush, firing', firing);
    expect(firing.distinct).toBe(1000);
    // Only a send that was in flight on the killed node can repeat, and with the same Idempotency-Key.
    expect(firing.raw - firing.distinct).toBeLessThanOrEqual(8);
    expect(firing.sameKeyDuplicates).toBe(true);
    const past = new Date(Date.now() - 10).toISOString();
    for (const batch of chunks(alertsFor(P, 1000, 1, past), 50))
      expect(await send(pick(live).url, batch)).toBe(200);
    await waitDistinct(P, 'resolved', 1000);
    expect(tally(P, 'resolved')).toEqual({ raw: 1000, distinct: 1000, sameKeyDuplicates: true });
    await nodes[1].restart();
  }, 150_000);
});
