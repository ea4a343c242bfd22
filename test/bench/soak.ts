/**
 * Soak test (`npm run soak`, not in CI): one node in Redis mode (own redis-server) under a steady load
 * for a long time, to show that nothing grows without bound.
 *
 * 1. Measures the node's max ingest rate briefly (the reference load of `npm run bench`: 64-alert
 *    batches from a pool of 10 000 alerts in 500 groups, 8 connections), unless SOAK_RATE is given.
 * 2. Runs at half that rate for SOAK_MINUTES, plus group churn: every second SOAK_CHURN new groups
 *    (2 alerts each) start firing and the groups started SOAK_CHURN_LIFETIME seconds ago resolve, so
 *    groups are created, notified, resolved, notified and deleted continuously. A webhook sink on
 *    loopback accepts every notification (so delivery jobs run all the time).
 * 3. Every SOAK_SAMPLE_SECONDS: node RSS (/proc/<pid>/status), Redis used_memory and DBSIZE,
 *    notifications received.
 * 4. Prints a JSON summary last: the samples, the Redis keys by pattern (count, bytes) at the baseline
 *    and at the end, and per metric the growth between the baseline (SOAK_BASELINE_MINUTES, default
 *    minute 5, or 1/6 of a shorter run) and the end. Exits 1 when a metric grew by 10 % or more.
 *
 * Environment (defaults): SOAK_MINUTES (30), SOAK_BASELINE_MINUTES (min(5, SOAK_MINUTES / 6) — so 2 for
 * an 8-minute run when set), SOAK_SAMPLE_SECONDS (30), SOAK_RATE (alerts/s; measured when unset),
 * SOAK_MEASURE_SECONDS (10), SOAK_CHURN (10 groups/s), SOAK_CHURN_LIFETIME (30 s),
 * SOAK_REPEAT_INTERVAL (30s: the notification log of a deleted group lives 2 × repeat_interval, so
 * the key count reaches its steady state churn lifetime + 2 × repeat_interval after the start — keep the
 * baseline past that),
 * SOAK_MAX_GROWTH (0.10).
 *
 * Growth is judged on the median of the samples within a minute either side of the baseline minute
 * against the median of the samples of the last two minutes: node RSS is a GC sawtooth (±25 % between
 * two samples 30 s apart on this machine), so one sample at either end would decide the verdict by
 * chance; the point values (the sample at the baseline minute, the last sample) are printed too. The
 * node's V8 heap in use (nodejs_heap_size_used_bytes from /metrics) is sampled and reported
 * beside RSS, not judged.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { HttpSink } from '../harness/http-sink';
import { RedisServer } from '../harness/redis-server';
import { buildBodies, REFERENCE_SHAPE } from './alert-load';
import { runAutocannon, stopLoad, type LoadResult } from './load';
import { log, procMemory, round, sleep, startHerald, stopChild, type Child } from './procs';
import { infoSection } from './redis-stats';

function envNumber(name: string, def: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return n;
}

interface Settings {
  minutes: number;
  baselineMinutes: number;
  sampleS: number;
  rate: number | null;
  measureS: number;
  churn: number;
  churnLifetimeS: number;
  repeatInterval: string;
  maxGrowth: number;
}

function readSettings(): Settings {
  const minutes = envNumber('SOAK_MINUTES', 30, 0.5);
  const baselineMinutes = envNumber('SOAK_BASELINE_MINUTES', Math.min(5, minutes / 6), 0);
  if (baselineMinutes >= minutes)
    throw new Error(`SOAK_BASELINE_MINUTES (${baselineMinutes}) must be before the end (${minutes})`);
  return {
    minutes,
    baselineMinutes,
    sampleS: envNumber('SOAK_SAMPLE_SECONDS', 30, 1),
    rate: process.env.SOAK_RATE ? envNumber('SOAK_RATE', 0, 1) : null,
    measureS: envNumber('SOAK_MEASURE_SECONDS', 10, 1),
    churn: envNumber('SOAK_CHURN', 10, 0),
    churnLifetimeS: envNumber('SOAK_CHURN_LIFETIME', 30, 1),
    repeatInterval: process.env.SOAK_REPEAT_INTERVAL || '30s',
    maxGrowth: envNumber('SOAK_MAX_GROWTH', 0.1, 0),
  };
}

// ----------------------------------------------------------------------------------------- receiver

/** A webhook receiver that only counts (kept bodies would be too much for 30 minutes). */
class CountingSink {
  firing = 0;
  resolved = 0;
  churnResolved = new Set<number>();
  private sink?: HttpSink;

  static async start(): Promise<CountingSink> {
    const c = new CountingSink();
    c.sink = await HttpSink.start({ keep: false, onRequest: (r) => c.count(r.json) });
    return c;
  }

  private count(json: unknown): void {
    const p = json as { status?: string; groupKey?: string } | undefined;
    if (!p?.groupKey) return; // not a notification: counted nowhere
    if (p.status === 'resolved') {
      this.resolved++;
      const churn = /alertname="Churn(\d+)"/.exec(p.groupKey);
      if (churn) this.churnResolved.add(Number(churn[1]));
    } else this.firing++;
  }

  get url(): string {
    return this.sink!.url;
  }

  async stop(): Promise<void> {
    await this.sink?.stop();
  }
}

// ------------------------------------------------------------------------------------------- churn

/**
 * Every second: `perSecond` new groups (alertname Churn<n>, 2 alerts each) start firing, and the groups
 * started `lifetimeS` ago resolve (explicit `endsAt` in the past). Each group is thus notified firing,
 * then resolved, then deleted by the delivery of its resolution.
 */
function churn(url: string, perSecond: number, lifetimeS: number) {
  let next = 0;
  const born: { from: number; to: number; at: number }[] = [];
  const stats = { created: 0, resolved: 0, errors: 0 };
  let running = perSecond > 0;
  const alerts = (from: number, to: number, endsAt?: string) =>
    Array.from({ length: (to - from) * 2 }, (_, i) => ({
      labels: { alertname: `Churn${from + (i >> 1)}`, instance: `c${i & 1}`, job: 'soak' },
      annotations: { summary: `churn group ${from + (i >> 1)}` },
      startsAt: new Date(Date.now() - 1000).toISOString(),
      ...(endsAt ? { endsAt } : {}),
    }));
  const post = async (body: unknown[]) => {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await r.arrayBuffer();
      if (r.status !== 200) stats.errors++;
    } catch {
      stats.errors++;
    }
  };
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const from = next;
      next += perSecond;
      await post(alerts(from, next));
      born.push({ from, to: next, at: t });
      stats.created += perSecond;
      while (born.length && born[0].at <= t - lifetimeS * 1000) {
        const g = born.shift()!;
        await post(alerts(g.from, g.to, new Date(Date.now() - 10).toISOString()));
        stats.resolved += g.to - g.from;
      }
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  return {
    stats,
    /** Stops creating; resolves every group still alive. */
    stop: async () => {
      running = false;
      await loop;
      for (const g of born.splice(0)) {
        await post(alerts(g.from, g.to, new Date(Date.now() - 10).toISOString()));
        stats.resolved += g.to - g.from;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------- sampling

interface Sample {
  /** Seconds since the soak load started. */
  t: number;
  nodeRssMB: number;
  nodeHeapUsedMB: number;
  redisUsedMemoryMB: number;
  redisKeys: number;
  redisRssMB: number;
  notificationsFiring: number;
  notificationsResolved: number;
  churnCreated: number;
  churnResolved: number;
}

interface PatternStat {
  keys: number;
  bytes: number;
  /** Keys without a TTL (PTTL -1): the ones that can only go by an explicit delete. */
  noTtl: number;
}

/** Redis keys grouped by pattern: group ids, hashes and numbers replaced, with MEMORY USAGE summed. */
async function keysByPattern(redis: Redis): Promise<Record<string, PatternStat>> {
  const out: Record<string, PatternStat> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    if (!keys.length) continue;
    const p = redis.pipeline();
    for (const k of keys) p.memory('USAGE', k).pttl(k);
    const res = (await p.exec()) ?? [];
    keys.forEach((k, i) => {
      const pat = k
        .replace(/\{[0-9a-f]{16}\}/g, '{<gid>}')
        .replace(/[0-9a-f]{32,}(-r?\d+)?/g, '<hash>')
        .replace(/\d+/g, '<n>');
      const s = (out[pat] ??= { keys: 0, bytes: 0, noTtl: 0 });
      s.keys++;
      s.bytes += Number(res[2 * i]?.[1] ?? 0);
      if (Number(res[2 * i + 1]?.[1]) === -1) s.noTtl++;
    });
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1].bytes - a[1].bytes));
}

type Metric = 'nodeRssMB' | 'nodeHeapUsedMB' | 'redisUsedMemoryMB' | 'redisKeys';
/** Judged (the three), then reported only. */
const JUDGED: Metric[] = ['nodeRssMB', 'redisUsedMemoryMB', 'redisKeys'];
const METRICS: Metric[] = [...JUDGED, 'nodeHeapUsedMB'];

function growth(samples: Sample[], s: Settings) {
  const base = s.baselineMinutes * 60;
  const end = samples[samples.length - 1].t;
  const around = samples.filter((x) => Math.abs(x.t - base) <= 60);
  const last = samples.filter((x) => x.t >= end - 120);
  const at = samples.find((x) => x.t >= base - 1) ?? samples[0];
  const median = (xs: Sample[], m: Metric) => {
    const v = xs.map((x) => x[m]).sort((a, b) => a - b);
    return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const m of METRICS) {
    const from = median(around.length ? around : [at], m);
    const to = median(last, m);
    const g = from > 0 ? (to - from) / from : 0;
    const judged = JUDGED.includes(m);
    if (judged && g >= s.maxGrowth) ok = false;
    out[m] = {
      judged,
      window: { baseline: around.map((x) => x.t), end: last.map((x) => x.t) },
      baseline: round(from, 2),
      end: round(to, 2),
      growth: round(g, 4),
      pointBaseline: at[m],
      pointEnd: samples[samples.length - 1][m],
      pointGrowth: round(at[m] > 0 ? (samples[samples.length - 1][m] - at[m]) / at[m] : 0, 4),
      ok: g < s.maxGrowth,
    };
  }
  return { ok, metrics: out };
}

/** The node's V8 heap in use, from its own /metrics (prom-client default metrics). */
async function heapUsedMB(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^nodejs_heap_size_used_bytes (\S+)/m.exec(text);
    return m ? round(Number(m[1]) / 2 ** 20, 1) : NaN;
  } catch {
    return NaN;
  }
}

// -------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const s = readSettings();
  const dir = mkdtempSync(join(tmpdir(), 'herald-soak-'));
  const redisServer = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  const redis = new Redis(redisServer.url);
  const sink = await CountingSink.start();
  let node: Child | undefined;
  const stopAll = async () => {
    stopLoad();
    await stopChild(node);
    redis.disconnect();
    await sink.stop();
    await redisServer.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  try {
    const url = await startHerald(
      dir,
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 5s\n` +
        `  repeat_interval: ${s.repeatInterval}\n` +
        `receivers:\n  - name: hook\n    webhook_configs:\n      - url: ${sink.url}/hook\n        send_resolved: true\n`,
      redisServer.url,
      (c) => (node = c),
    );
    const ingest = `${url}/api/v2/alerts`;
    const bodies = buildBodies(REFERENCE_SHAPE);
    const batch = REFERENCE_SHAPE.batch;

    let measured: LoadResult | null = null;
    let maxRate = s.rate === null ? 0 : s.rate * 2;
    if (s.rate === null) {
      log(`measuring the max ingest rate for ${s.measureS}s (8 connections)`);
      await runAutocannon({ url: ingest, bodies, connections: 8, durationS: 2, batch }); // warm-up
      measured = await runAutocannon({ url: ingest, bodies, connections: 8, durationS: s.measureS, batch });
      maxRate = measured.alertsPerSec;
      await sleep(2000);
    }
    const rate = maxRate / 2;
    const reqRate = Math.max(1, Math.round(rate / batch));
    log(
      `soak: ${s.minutes} min at ${Math.round(rate)} alerts/s (${reqRate} requests/s), churn ${s.churn} groups/s ` +
        `living ${s.churnLifetimeS}s, sample every ${s.sampleS}s, baseline minute ${s.baselineMinutes}`,
    );

    const t0 = Date.now();
    const load = runAutocannon({
      url: ingest,
      bodies,
      connections: 4,
      durationS: Math.round(s.minutes * 60),
      batch,
      overallRate: reqRate,
    });
    const ch = churn(ingest, s.churn, s.churnLifetimeS);
    const samples: Sample[] = [];
    let baselineKeys: Record<string, PatternStat> | null = null;
    const sample = async () => {
      const mem = await infoSection(redis, 'memory');
      const x: Sample = {
        t: Math.round((Date.now() - t0) / 1000),
        nodeRssMB: procMemory(node!.pid)?.rssMB ?? NaN,
        nodeHeapUsedMB: await heapUsedMB(url),
        redisUsedMemoryMB: round(Number(mem.used_memory) / 2 ** 20, 2),
        redisKeys: await redis.dbsize(),
        redisRssMB: round(Number(mem.used_memory_rss) / 2 ** 20, 1),
        notificationsFiring: sink.firing,
        notificationsResolved: sink.resolved,
        churnCreated: ch.stats.created,
        churnResolved: ch.stats.resolved,
      };
      samples.push(x);
      log(JSON.stringify(x));
      if (!baselineKeys && x.t >= s.baselineMinutes * 60 - 1) baselineKeys = await keysByPattern(redis);
    };
    const end = t0 + s.minutes * 60_000;
    for (let k = 1; ; k++) {
      const due = t0 + k * s.sampleS * 1000;
      if (due > end + 1000) break;
      await sleep(Math.max(0, due - Date.now()));
      await sample();
    }
    const result = await load;
    const endKeys = await keysByPattern(redis); // churn still running: the steady state
    await ch.stop();
    // The churned groups still owed a resolution get a little time; reported, not judged here.
    await sleep(10_000);
    const g = growth(samples, s);
    const patterns = new Set([...Object.keys(baselineKeys ?? {}), ...Object.keys(endKeys)]);
    const keyGrowth = [...patterns]
      .map((p) => ({
        pattern: p,
        baseline: baselineKeys?.[p] ?? { keys: 0, bytes: 0, noTtl: 0 },
        end: endKeys[p] ?? { keys: 0, bytes: 0, noTtl: 0 },
      }))
      .sort((a, b) => b.end.bytes - b.baseline.bytes - (a.end.bytes - a.baseline.bytes));
    const summary = {
      ok: g.ok,
      settings: { ...s, rateAlertsPerSec: Math.round(rate), requestsPerSec: reqRate, batch },
      maxRate: measured
        ? { alertsPerSec: measured.alertsPerSec, p99Ms: measured.latencyMs.p99, non2xx: measured.non2xx }
        : { alertsPerSec: maxRate, given: 'SOAK_RATE × 2' },
      load: {
        requests: result.requests,
        alertsPerSec: result.alertsPerSec,
        latencyMs: result.latencyMs,
        non2xx: result.non2xx,
        errors: result.errors,
      },
      churn: { ...ch.stats, resolutionsNotified: sink.churnResolved.size },
      notifications: { firing: sink.firing, resolved: sink.resolved },
      growth: g.metrics,
      redisKeysByPattern: keyGrowth,
      samples,
      env: { cpus: cpus().length, node: process.version },
    };
    console.log(JSON.stringify(summary));
    return g.ok ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
