/**
 * End-to-end notification benchmark: one node (Redis mode, own redis-server) notifying a webhook sink.
 * - latency: alerts of new groups posted one request at a time with group_wait 0s; time from the POST
 *   to the sink receiving the group's notification (p50/p99);
 * - throughput: N new groups posted at once; notifications per second until the sink has them all.
 * Run: npm run bench:notify (BENCH_GROUPS, default 2000; BENCH_TICK, default the node's 250ms).
 * Prints a JSON summary last.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpSink } from '../harness/http-sink';
import { RedisServer } from '../harness/redis-server';
import { log, sleep, startHerald, stopChild, type Child } from './procs';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

async function main(): Promise<void> {
  const groups = Number(process.env.BENCH_GROUPS ?? 2000);
  const tick = process.env.BENCH_TICK ?? '250ms';
  const dir = mkdtempSync(join(tmpdir(), 'herald-notify-bench-'));
  const redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  const sink = await HttpSink.start();
  let node: Child | undefined;
  try {
    const url = await startHerald(
      dir,
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1h\n` +
        `receivers:\n  - name: hook\n    webhook_configs:\n      - url: ${sink.url}/hook\n` +
        `herald:\n  scheduler:\n    tick: ${tick}\n  delivery:\n    concurrency: 32\n`,
      redis.url,
      (c) => (node = c),
    );
    const postAlerts = (alerts: unknown[]) =>
      fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      }).then((r) => r.arrayBuffer());
    const arrival = () => {
      const m = new Map<string, number>();
      for (const r of sink.accepted) m.set((r.json as { groupKey: string }).groupKey, r.at);
      return m;
    };

    // Latency: 200 groups, one request each, 20 ms apart.
    log('latency: 200 single-alert requests');
    const sent = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const name = `Lat${i}`;
      sent.set(`{}:{alertname="${name}"}`, Date.now());
      await postAlerts([{ labels: { alertname: name } }]);
      await sleep(20);
    }
    await sink.waitFor(() => sink.accepted.length >= 200, 30_000, 'latency notifications');
    const at = arrival();
    const lat = [...sent].map(([k, t]) => (at.get(k) ?? NaN) - t).filter((x) => !Number.isNaN(x));

    // Throughput: `groups` groups posted in batches of 100 as fast as possible.
    log(`throughput: ${groups} groups`);
    const before = sink.accepted.length;
    const t0 = Date.now();
    for (let i = 0; i < groups; i += 100) {
      await postAlerts(
        Array.from({ length: Math.min(100, groups - i) }, (_, j) => ({
          labels: { alertname: `Thr${i + j}` },
        })),
      );
    }
    const ingested = Date.now() - t0;
    await sink.waitFor(() => sink.accepted.length - before >= groups, 120_000, 'throughput notifications');
    const elapsed = (Math.max(...sink.accepted.slice(before).map((r) => r.at)) - t0) / 1000;
    const summary = {
      latencyMs: { n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: pct(lat, 100) },
      throughput: {
        groups,
        ingestMs: ingested,
        seconds: Math.round(elapsed * 100) / 100,
        notificationsPerSec: Math.round(groups / elapsed),
      },
      env: { cpus: cpus().length, node: process.version, tick, deliveryConcurrency: 32 },
    };
    console.log(JSON.stringify(summary));
  } finally {
    await stopChild(node);
    await sink.stop();
    await redis.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
