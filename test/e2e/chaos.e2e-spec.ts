/**
 * Chaos in one run (issue 10): 3 Herald node processes on one redis-server (AOF) behind a real nginx,
 * alerts re-sent through nginx every few seconds the way Prometheus does, and three faults stacked:
 *
 *   t=0      the receiver answers 503 for 90 s — longer than a delivery's retry budget (attempts 4,
 *            ~3 s), so every group's notification is dead-lettered, again and again;
 *   t=20 s   redis-server SIGKILLed, restarted from its AOF 10 s later (50 new groups arrive meanwhile;
 *            CHAOS_REDIS_KILL_AT_MS moves it);
 *   t=90 s   the receiver recovers; once it has accepted 20 notifications, while the backlog is being
 *            delivered (the receiver takes 300 ms per request, so each node has sends in flight), one
 *            node is SIGKILLed; restarted once every group is notified.
 *
 * Then: every group notified firing (0 lost), duplicates counted and bounded, every ingest request 200.
 */
import { clusterConfig, startProcessCluster, type ProcessCluster } from '../harness/cluster';
import type { HttpSink, SinkRequest } from '../harness/http-sink';
import type { NginxServer } from '../harness/nginx';
import type { NodeProcess } from '../harness/node-process';
import type { RedisServer } from '../harness/redis-server';
import { sleep, waitUntil } from '../harness/wait';

const GROUPS = 200; // posted before the faults
const OUTAGE_GROUPS = 50; // first posted while Redis is down
const RECEIVER_DOWN_MS = 90_000;
const REDIS_DOWN_MS = 10_000;
// When Redis dies (ms from the start; CHAOS_REDIS_KILL_AT_MS overrides): by default early in the
// receiver outage; late (e.g. 75000, back 5 s before the receiver) tests that the notifications made
// from memory during the outage have settled into one per group by the time the receiver answers.
// Late, it fails today (15–16 of 250 groups paged under two keys, after 5f3e9f7 too): a node that did
// not enqueue a group's notification still retrying in BullMQ when Redis died pages the group from
// memory under a clock sequence, and both go out once Redis and the receiver are back — the cross-node
// cost the README's outage paragraph names. One node alone: redis-outage-retrying-notification.e2e-spec.
const REDIS_KILL_AT_MS = Number(process.env.CHAOS_REDIS_KILL_AT_MS ?? 20_000);
const RESEND_MS = 3000; // Prometheus re-sends its active alerts every evaluation (resend_delay 1m; faster here)
const SINK_LATENCY_MS = 300;
const CONCURRENCY = 8; // herald.delivery.concurrency below

const CONFIG = (sink: string) =>
  clusterConfig(
    sink,
    '5s',
    `  delivery:
    concurrency: ${CONCURRENCY}
    attempts: 4
    stalled_timeout: 5s
  redis:
    command_timeout: 1s
    reconnect_check_interval: 500ms
`,
  );

let cluster: ProcessCluster;
let redis: RedisServer;
let sink: HttpSink;
let nodes: NodeProcess[];
let nginx: NginxServer;
let receiverDown = true;

beforeAll(async () => {
  // AOF with fsync on every write: the restarted server has the state of the killed one, as a
  // production Redis (docker-compose: appendonly) would.
  cluster = await startProcessCluster({
    ids: ['chaos-1', 'chaos-2', 'chaos-3'],
    yaml: CONFIG,
    redis: { args: ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'] },
    respond: () => (receiverDown ? 503 : 200),
  });
  ({ redis, sink, nodes, nginx } = cluster);
}, 90_000);

afterAll(() => cluster?.stop(), 30_000);

const name = (i: number) => `Chaos${i}`;
const keyOf = (i: number) => `{}:{alertname="${name(i)}"}`;

interface Sent {
  key: string;
  status: string;
  idem: string;
  at: number;
}

function accepted(status: string): Sent[] {
  return sink.accepted
    .map((r: SinkRequest) => {
      const p = r.json as { groupKey: string; status: string };
      return { key: p.groupKey, status: p.status, idem: String(r.headers['idempotency-key']), at: r.at };
    })
    .filter((x) => x.status === status && x.key.includes('"Chaos'));
}

/** Per group: how many accepted notifications, and under how many distinct Idempotency-Keys. */
function tally(status: string) {
  const byKey = new Map<string, string[]>();
  for (const x of accepted(status)) byKey.set(x.key, [...(byKey.get(x.key) ?? []), x.idem]);
  let sameKeyRepeats = 0; // the same Idempotency-Key delivered again (a receiver can drop it)
  let newKeyRepeats = 0; // another Idempotency-Key for the same group and status: a real double page
  const doubled: { key: string; idems: string[] }[] = [];
  for (const [key, idems] of byKey) {
    const distinct = new Set(idems).size;
    sameKeyRepeats += idems.length - distinct;
    newKeyRepeats += distinct - 1;
    if (idems.length > 1) doubled.push({ key, idems });
  }
  return { raw: accepted(status).length, groups: byKey.size, sameKeyRepeats, newKeyRepeats, doubled };
}

/**
 * The receiver's view of the 503 period: sends per second in each phase, attempts per notification
 * (Idempotency-Key; at most `attempts` unless a job was run twice) and notifications per group.
 */
function retryStats(t0: number, tl: Record<string, number>) {
  const failed = sink.requests.filter((r) => r.status === 503);
  const rate = (from: number, to: number) =>
    Math.round(failed.filter((r) => r.at - t0 >= from && r.at - t0 < to).length / ((to - from) / 1000));
  const perIdem = new Map<string, number>();
  const idemsPerGroup = new Map<string, Set<string>>();
  for (const r of failed) {
    const idem = String(r.headers['idempotency-key']);
    const key = (r.json as { groupKey: string }).groupKey;
    perIdem.set(idem, (perIdem.get(idem) ?? 0) + 1);
    idemsPerGroup.set(key, (idemsPerGroup.get(key) ?? new Set()).add(idem));
  }
  // Notifications tried more often than `attempts` (4): when their attempts happened.
  const overAttempted = [...perIdem].filter(([, n]) => n > 4).map(([idem]) => idem);
  const phase = (t: number) =>
    t < tl.redisKilled ? 'beforeRedisKill' : t < tl.redisRestarted ? 'redisDown' : 'afterRedisBack';
  const overByPhase: Record<string, number> = {};
  for (const idem of overAttempted) {
    const first = failed.find((r) => String(r.headers['idempotency-key']) === idem)!;
    overByPhase[phase(first.at - t0)] = (overByPhase[phase(first.at - t0)] ?? 0) + 1;
  }
  const overSample = overAttempted.slice(0, 3).map((idem) => ({
    idem,
    at: failed.filter((r) => String(r.headers['idempotency-key']) === idem).map((r) => r.at - t0),
  }));
  // Groups with two notifications failing at the same time (overlapping first..last attempt spans).
  const spans = new Map<string, { key: string; from: number; to: number }>();
  for (const r of failed) {
    const idem = String(r.headers['idempotency-key']);
    const sp = spans.get(idem) ?? { key: (r.json as { groupKey: string }).groupKey, from: r.at, to: r.at };
    sp.to = r.at;
    spans.set(idem, sp);
  }
  const overlapByPhase: Record<string, number> = {};
  let lastOverlapAt = -1;
  const byGroup = new Map<string, { from: number; to: number }[]>();
  for (const sp of spans.values()) byGroup.set(sp.key, [...(byGroup.get(sp.key) ?? []), sp]);
  for (const list of byGroup.values()) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++)
      if (list[i].from < list[i - 1].to) {
        const ph = phase(list[i].from - t0);
        overlapByPhase[ph] = (overlapByPhase[ph] ?? 0) + 1;
        lastOverlapAt = Math.max(lastOverlapAt, list[i].from - t0);
      }
  }
  const attempts = [...perIdem.values()];
  const hist: Record<number, number> = {};
  for (const a of attempts) hist[a] = (hist[a] ?? 0) + 1;
  const perGroup = [...idemsPerGroup.values()].map((s) => s.size).sort((a, b) => a - b);
  return {
    sendsPerSec: {
      beforeRedisKill: rate(5000, tl.redisKilled),
      redisDown: rate(tl.redisKilled, tl.redisRestarted),
      afterRedisBack: rate(tl.allReady + 5000, tl.receiverRecovered),
    },
    notifications: perIdem.size,
    attemptsPerNotification: hist,
    overAttemptedByPhase: overByPhase,
    overAttemptedSample: overSample,
    concurrentNotificationsOfAGroupByPhase: overlapByPhase,
    lastConcurrentStartMs: lastOverlapAt,
    notificationsPerGroup: { min: perGroup[0], median: perGroup[perGroup.length >> 1], max: perGroup.at(-1) },
  };
}

async function post(alerts: unknown[]): Promise<number> {
  try {
    const r = await fetch(`${nginx.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(15_000),
    });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return -1; // transport error seen by the client
  }
}

/**
 * Prometheus' behaviour: every RESEND_MS the whole set of active alerts is posted again (batches of 50,
 * one request at a time) with `endsAt` = now + 4 × the resend interval. Every status is recorded with
 * its time, so a non-200 can be placed against the fault timeline.
 */
function prometheus(active: () => number) {
  const startsAt = new Date(Date.now() - 1000).toISOString();
  const statuses: { status: number; at: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const round = Date.now();
      const endsAt = new Date(round + 4 * RESEND_MS).toISOString();
      const all = Array.from({ length: active() }, (_, i) => ({
        labels: { alertname: name(i), instance: 'i0' },
        startsAt,
        endsAt,
      }));
      for (let i = 0; i < all.length && running; i += 50) {
        statuses.push({ status: await post(all.slice(i, i + 50)), at: Date.now() });
      }
      const rest = RESEND_MS - (Date.now() - round);
      if (rest > 0 && running) await sleep(rest);
    }
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function ready(n: NodeProcess): Promise<string> {
  try {
    const r = await fetch(`${n.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
    return ((await r.json()) as { status: string }).status;
  } catch {
    return 'unreachable';
  }
}

/** Every node's `/health/ready` status is `status`. */
const allReady = (status: string) => async () =>
  (await Promise.all(nodes.map(ready))).every((s) => s === status);

/** Prints the run's numbers (always: they are the point of this test). */
function report(what: string, data: unknown): void {
  process.stderr.write(`[chaos] ${what}: ${JSON.stringify(data)}\n`);
}

describe('chaos: receiver 503 for 90 s + Redis SIGKILL for 10 s + a node SIGKILL, 3 nodes behind nginx', () => {
  it('every group is notified once the receiver is back, 0 lost, duplicates bounded and counted', async () => {
    let active = GROUPS;
    const t0 = Date.now();
    const at = () => Date.now() - t0;
    const timeline: Record<string, number> = {};
    const load = prometheus(() => active);

    // The receiver is down from the start: every group's first notification fails.
    await sink.waitFor(
      () => new Set(sink.requests.map((r) => (r.json as { groupKey: string }).groupKey)).size >= GROUPS,
      30_000,
      'a (failed) first attempt for every group',
    );
    timeline.allGroupsAttempted = at();
    // Time under test, here and below: the fault timeline of the header.
    await sleep(Math.max(0, REDIS_KILL_AT_MS - at()));

    // Redis SIGKILL for 10 s; 50 new groups arrive meanwhile (served from memory by whichever node).
    await redis.kill();
    timeline.redisKilled = at();
    active = GROUPS + OUTAGE_GROUPS;
    await waitUntil(allReady('degraded'), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'every node degraded',
    });
    timeline.allDegraded = at();
    await sleep(REDIS_DOWN_MS - (at() - timeline.redisKilled));
    await redis.startProcess(); // same port, state from the AOF
    timeline.redisRestarted = at();
    await waitUntil(allReady('ok'), { timeoutMs: 30_000, intervalMs: 200, what: 'every node ready ok' });
    timeline.allReady = at();

    // The rest of the 90 s: dead letters pile up, each group retried every group_interval.
    await sleep(Math.max(0, RECEIVER_DOWN_MS - at()));
    sink.delay(SINK_LATENCY_MS);
    receiverDown = false;
    const recovered = Date.now();
    timeline.receiverRecovered = at();
    const failedSends = sink.requests.filter((r) => r.status === 503).length;

    // A node SIGKILLed while it delivers the backlog: its in-flight sends reach the receiver, but the
    // acknowledgement (notification log + job completion) dies with it.
    await sink.waitFor(() => sink.accepted.length >= 20, 30_000, 'backlog delivery under way');
    const victim = nodes[1];
    await victim.kill();
    // Requests the receiver had not answered yet when the node died (on any node: the sink cannot tell
    // which); the victim's share of them is what may be sent again.
    const killedAt = Date.now();
    const inFlightAtKill = sink.requests.filter((r) => r.at > killedAt - SINK_LATENCY_MS).length;
    timeline.nodeKilled = at();

    const want = GROUPS + OUTAGE_GROUPS;
    try {
      await sink.waitFor(() => tally('firing').groups >= want, 60_000, `${want} groups notified firing`);
    } catch (e) {
      const got = new Set(accepted('firing').map((x) => x.key));
      const missing = Array.from({ length: want }, (_, i) => keyOf(i)).filter((k) => !got.has(k));
      report('missing', { count: missing.length, sample: missing.slice(0, 5) });
      for (const n of nodes) report(`${n.id} log tail`, n.logs.split('\n').slice(-10));
      throw e;
    }
    timeline.allNotified = at();
    // Past the stalled timeout (5 s) and a group_interval (5 s) twice: a re-run of the killed node's
    // sends, or any extra notification, has had its chance to show.
    await victim.restart();
    timeline.victimRestarted = at();
    await sleep(15_000);
    await load.stop();
    timeline.loadStopped = at();

    const firing = tally('firing');
    const afterRecovery = accepted('firing').every((x) => x.at >= recovered);
    const non200 = load.statuses.filter((s) => s.status !== 200).map((s) => ({ ...s, at: s.at - t0 }));
    report('timeline (ms from start)', timeline);
    report('receiver', {
      failedSends503: failedSends,
      accepted: sink.accepted.length,
      inFlightAtKill,
      concurrencyPerNode: CONCURRENCY,
    });
    report('failed sends while the receiver was down', retryStats(t0, timeline));
    report('firing', { ...firing, doubled: firing.doubled.slice(0, 20) });
    report('ingest through nginx', {
      requests: load.statuses.length,
      non200: non200.length,
      sample: non200.slice(0, 10),
    });
    if (non200.length) report('nginx error log', nginx.errorLog.split('\n').slice(-15));

    // 0 lost: every group, including the ones born during the Redis outage, notified firing, after recovery.
    expect(firing.groups).toBe(want);
    expect(afterRecovery).toBe(true);
    // Same-key repeats: only a send in flight on the killed node when it died. The receiver got it, the
    // ack died with the node, BullMQ hands the job to another node after stalled_timeout and it is sent
    // again with the same Idempotency-Key. At most `concurrency` sends are in flight on one node.
    expect(firing.sameKeyRepeats).toBeLessThanOrEqual(CONCURRENCY);
    // A repeat under a new key would be a real double page. With the receiver back long after Redis, the
    // notifications the nodes made from memory during the outage have settled (given up, logged as
    // given-up sequences) before it answers, so each group has one live notification (see
    // REDIS_KILL_AT_MS for the timing where this does not hold yet).
    expect(firing.newKeyRepeats).toBe(0);
    // Every ingest request through nginx answered 200: Redis down → served from memory within
    // command_timeout; the killed node → nginx retries the request on another upstream
    // (proxy_next_upstream error for POST too).
    expect(non200).toEqual([]);

    // And the groups still resolve once each.
    const past = new Date(Date.now() - 10).toISOString();
    const resolutions = Array.from({ length: want }, (_, i) => ({
      labels: { alertname: name(i), instance: 'i0' },
      startsAt: new Date(t0 - 1000).toISOString(),
      endsAt: past,
    }));
    for (let i = 0; i < resolutions.length; i += 50)
      expect(await post(resolutions.slice(i, i + 50))).toBe(200);
    await sink.waitFor(() => tally('resolved').groups >= want, 60_000, `${want} groups resolved`);
    // Time under test: a group_interval (5 s) more, where a second resolution would show.
    await sleep(6000);
    const resolved = tally('resolved');
    report('resolved', { ...resolved, doubled: resolved.doubled.slice(0, 20) });
    expect(resolved.groups).toBe(want);
    expect(resolved.newKeyRepeats).toBe(0);
  }, 300_000);
});
