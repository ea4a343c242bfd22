/**
 * Herald on a real Redis Cluster (3 masters, 3 replicas, 1 s node timeout): 3 Herald node processes
 * configured by REDIS_CLUSTER_NODES, behind nginx, notifying an HTTP sink. Exactly-once and
 * nothing-lost hold as on one Redis, and keep holding when a master is SIGKILLed (its replica takes
 * over) and while 1 000 slots are resharded under load.
 */
import {
  exactlyOnceConfig,
  startProcessClusterOnRedisCluster,
  type ProcessClusterOnRedisCluster,
} from '../harness/cluster';
import { alertsFor, chunks, loadLoop, pick, sendAlerts, tallyOf } from '../harness/exactly-once';
import { sleep, waitUntil } from '../harness/wait';

const CONFIG = exactlyOnceConfig;

let c: ProcessClusterOnRedisCluster;

beforeAll(async () => {
  c = await startProcessClusterOnRedisCluster({
    ids: ['node-1', 'node-2', 'node-3'],
    yaml: CONFIG,
    redis: { args: ['--maxmemory-policy', 'noeviction'] },
  });
}, 90_000);

afterAll(() => c?.stop(), 30_000);

/** Prints a scenario's numbers with HERALD_TEST_LOGS=1 (for the issue notes). */
function report(what: string, data: unknown): void {
  if (process.env.HERALD_TEST_LOGS)
    process.stderr.write(`[redis-cluster] ${what}: ${JSON.stringify(data)}\n`);
}

const tally = (prefix: string, status: string) => tallyOf(c.sink, prefix, status);

/**
 * Every group of `prefix` notified `status` once, checked after 2 more group_intervals: raw = distinct =
 * groups — or, with `resends`, up to that many repeats of a notification with its own Idempotency-Key
 * (a send in flight when its master died: its job stalls and runs again, or its enqueue timed out and
 * the memory queue held it; the receiver sees the same key twice, never a second notification).
 */
async function expectExactlyOnce(prefix: string, status: string, groups: number, resends = 0): Promise<void> {
  await c.sink.waitFor(
    () => tally(prefix, status).distinct >= groups,
    60_000,
    `${groups} ${status} ${prefix}`,
  );
  await sleep(4000);
  const t = tally(prefix, status);
  report(`${prefix} ${status}`, t);
  if (t.raw !== groups)
    for (const n of c.nodes)
      report(
        `${n.id} log`,
        n.logs
          .split('\n')
          .filter((l) => l.includes('warn'))
          .slice(-12),
      );
  expect(t.distinct).toBe(groups);
  expect(t.sameKeyDuplicates).toBe(true);
  expect(t.raw - t.distinct).toBeLessThanOrEqual(resends);
}

/** The firing alerts of `prefix` a node's API lists (read from the store, so from Redis once merged). */
async function storedAlerts(prefix: string): Promise<number> {
  const r = await fetch(
    `${pick(c.nodes).url}/api/v2/alerts?active=true&silenced=true&inhibited=true&filter=${encodeURIComponent(`alertname=~"${prefix}.*"`)}`,
  );
  return ((await r.json()) as unknown[]).length;
}

/** The groups whose keys a master holds (their meta hashes, found by SCAN on that master). */
async function groupsOn(master: ReturnType<typeof c.redis.masters>[number]): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = (await c.redis.command(
      master,
      'SCAN',
      cursor,
      'MATCH',
      'herald:*:alert:group:meta:*',
      'COUNT',
      1000,
    )) as [string, string[]];
    n += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return n;
}

/** Until every node reads and writes Redis again (fallback over, memory merged in). */
async function allNodesOnRedis(): Promise<void> {
  await waitUntil(
    async () => {
      for (const n of c.nodes) {
        const body = (await (await fetch(`${n.url}/health/ready`)).json()) as { store?: { mode?: string } };
        if (body.store?.mode !== 'redis') return false;
      }
      return true;
    },
    {
      timeoutMs: 30_000,
      what: 'every node back on Redis',
      detail: () => c.nodes.map((n) => `${n.id}: ${n.logs.slice(-1500)}`),
    },
  );
}

describe('Herald on a Redis Cluster', () => {
  it('1 000 groups through nginx: each notified once firing and once resolved; keys spread over the masters', async () => {
    const P = 'CE';
    for (const batch of chunks(alertsFor(P, 1000, 1), 50))
      expect(await sendAlerts(c.nginx.url, batch)).toBe(200);
    await expectExactlyOnce(P, 'firing', 1000);
    const perMaster = await Promise.all(c.redis.masters().map(groupsOn));
    report('groups per master', perMaster);
    const even = perMaster.reduce((a, b) => a + b, 0) / perMaster.length;
    for (const n of perMaster) expect(Math.abs(n - even) / even).toBeLessThan(0.2);
    const past = new Date(Date.now() - 10).toISOString();
    for (const batch of chunks(alertsFor(P, 1000, 1, past), 50))
      expect(await sendAlerts(c.nginx.url, batch)).toBe(200);
    await expectExactlyOnce(P, 'resolved', 1000);
  }, 120_000);

  it('a master SIGKILLed under ingest load: its replica takes over, every request answers 200, every alert is stored, no group is notified twice', async () => {
    const P = 'CK';
    const groups = 300;
    await c.redis.waitForReplication();
    const load = loadLoop(c.nginx.url, P, groups, report);
    await c.sink.waitFor(() => tally(P, 'firing').distinct >= 50, 30_000, 'flushing under way');
    const victim = c.redis.masters()[0];
    await c.redis.kill(victim, 'SIGKILL');
    const t0 = Date.now();
    const promoted = await c.redis.waitForFailover(victim);
    report('failover', { ms: Date.now() - t0, promoted: promoted.address });
    // Ingest goes on on the promoted replica: 40 more batches (20 per client), then the old master rejoins.
    const statuses = await load.stopAfter(40, 'after the master SIGKILL');
    await c.redis.restart(victim);
    expect([...statuses.keys()]).toEqual([200]);
    await allNodesOnRedis();
    // A send in flight when its job's master died may repeat once, with its key: at most the three
    // nodes' delivery concurrency (8 each).
    await expectExactlyOnce(P, 'firing', groups, 3 * 8);
    const stored = await storedAlerts(P);
    report(`${P} alerts stored`, { stored, distinctSent: groups });
    expect(stored).toBe(groups);
  }, 150_000);

  it('1 000 slots resharded while alerts flow and groups flush: no 5xx, nothing lost, no group notified twice', async () => {
    const P = 'CR';
    const groups = 300;
    const load = loadLoop(c.nginx.url, P, groups, report);
    await c.sink.waitFor(() => tally(P, 'firing').distinct >= 50, 30_000, 'flushing under way');
    const [from, to] = c.redis.masters();
    const t0 = Date.now();
    await c.redis.reshard({ from, to, slots: 1000 });
    report('reshard', { ms: Date.now() - t0, sentDuring: load.sent() });
    const statuses = await load.stopAfter(40, 'after the reshard');
    expect([...statuses.keys()]).toEqual([200]);
    await allNodesOnRedis();
    await expectExactlyOnce(P, 'firing', groups);
    const stored = await storedAlerts(P);
    report(`${P} alerts stored`, { stored, distinctSent: groups });
    expect(stored).toBe(groups);
  }, 150_000);
});
