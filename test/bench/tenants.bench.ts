/**
 * Noisy-neighbour benchmark (issue 10, item 5): tenant B's ingest latency alone, then while tenant A
 * floods far past its `ingest_rate`, on one node with its own redis-server. `npm run bench:tenants`;
 * progress on stderr, one JSON summary as the last line of stdout (also bench-results/tenants-*.json).
 *
 * B sends 64-alert batches at a steady pace (BENCH_B_RATE requests/s) from a pool of distinct alerts;
 * A sends 64-alert batches as fast as BENCH_A_CONNECTIONS connections allow, with `ingest_rate: 5`.
 * Pass: B's p99 with A flooding within 1.5x of B's solo p99, every B request 200 and every B alert stored.
 *
 * Environment: BENCH_DURATION seconds per phase (10), BENCH_WARMUP (2), BENCH_B_RATE (200),
 * BENCH_B_CONNECTIONS (4), BENCH_A_CONNECTIONS (8).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { NODE_FLAGS } from '../../apps/server/src/memory-flags';
import { freePort } from '../harness/free-port';
import { RedisServer } from '../harness/redis-server';
import { tenantsYaml } from '../harness/tenants';
import { BENCH_ROUTE_YAML, buildBodies, distinctAlerts, type LoadShape } from './alert-load';
import { runAutocannon, type LoadResult } from './load';
import { log, procCpuSeconds, round, sleep, spawnLogged, stopChild, waitHttp, type Child } from './procs';
import { countStoredAlerts, infoSection } from './redis-stats';

const ROOT = resolve(__dirname, '../../..');
const HERALD_MAIN = join(ROOT, 'dist/apps/server/src/main.js');
const PATH = '/api/v2/alerts';
const A_RATE = 5;
const SHAPE_B: LoadShape = { batch: 64, pool: 4096, groups: 100 };
const SHAPE_A: LoadShape = { batch: 64, pool: 10_000, groups: 500 };

function envNumber(name: string, def: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : def;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

const S = {
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  bRate: envNumber('BENCH_B_RATE', 200),
  bConnections: Math.round(envNumber('BENCH_B_CONNECTIONS', 4)),
  aConnections: Math.round(envNumber('BENCH_A_CONNECTIONS', 8)),
};

async function config(keyA: string, keyB: string): Promise<string> {
  const tenants = await tenantsYaml([
    { id: 'tenant-a', keys: [keyA], limits: `{ ingest_rate: ${A_RATE} }` },
    { id: 'tenant-b', keys: [keyB] },
  ]);
  return `${BENCH_ROUTE_YAML}herald:\n${tenants}`;
}

interface Phase {
  b: LoadResult;
  a: LoadResult | null;
  cpuCores: { herald: number | null; redis: number | null };
}

async function phase(
  url: string,
  bodiesB: string[],
  bodiesA: string[],
  keyA: string,
  keyB: string,
  flood: boolean,
  pids: { herald: number; redis: number },
): Promise<Phase> {
  const tenant = (bodies: string[], connections: number, batch: number, key: string) => ({
    url,
    bodies,
    connections,
    batch,
    headers: { authorization: `Bearer ${key}` },
  });
  const b = { ...tenant(bodiesB, S.bConnections, SHAPE_B.batch, keyB), overallRate: S.bRate };
  const a = tenant(bodiesA, S.aConnections, SHAPE_A.batch, keyA);
  const name = flood ? 'B with A flooding' : 'B solo';
  log(`${name}: warm-up ${S.warmupS}s`);
  await Promise.all([
    runAutocannon({ ...b, durationS: S.warmupS }),
    flood ? runAutocannon({ ...a, durationS: S.warmupS }) : null,
  ]);
  await sleep(300);
  log(`${name}: measuring ${S.durationS}s`);
  const cpu0 = { herald: procCpuSeconds(pids.herald), redis: procCpuSeconds(pids.redis) };
  const t0 = performance.now();
  const [rb, ra] = await Promise.all([
    runAutocannon({ ...b, durationS: S.durationS }),
    flood ? runAutocannon({ ...a, durationS: S.durationS }) : null,
  ]);
  const wall = (performance.now() - t0) / 1000;
  const cores = (k: 'herald' | 'redis') => {
    const now = procCpuSeconds(pids[k]);
    return now !== null && cpu0[k] !== null ? round((now - cpu0[k]) / wall, 2) : null;
  };
  const out = { b: rb, a: ra, cpuCores: { herald: cores('herald'), redis: cores('redis') } };
  log(
    `${name}: B ${rb.requestsPerSec} req/s p50 ${rb.latencyMs.p50} ms p99 ${rb.latencyMs.p99} ms ` +
      `non-2xx ${rb.non2xx}` +
      (ra
        ? `; A ${ra.requestsPerSec} req/s (${ra.alertsPerSec} alerts/s offered), statuses ${JSON.stringify(ra.statusCodes)}`
        : ''),
  );
  await sleep(300);
  return out;
}

const flat = (l: LoadResult | null) =>
  l && {
    requestsPerSec: l.requestsPerSec,
    alertsPerSec: l.alertsPerSec,
    p50Ms: l.latencyMs.p50,
    p99Ms: l.latencyMs.p99,
    maxMs: l.latencyMs.max,
    statusCodes: l.statusCodes,
    errors: l.errors,
  };

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'herald-bench-tenants-'));
  const redis = await RedisServer.start();
  let herald: Child | undefined;
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    const version = (await infoSection(client, 'server')).redis_version;
    const keyA = `bench-a-${Math.random().toString(36).slice(2)}`;
    const keyB = `bench-b-${Math.random().toString(36).slice(2)}`;
    const configPath = join(tmp, 'herald.yml');
    writeFileSync(configPath, await config(keyA, keyB));
    const port = await freePort();
    herald = await spawnLogged(
      'herald',
      process.execPath,
      [...NODE_FLAGS, HERALD_MAIN],
      join(tmp, 'herald.log'),
      {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, HERALD_CONFIG: configPath },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(herald, `${base}/health/ready`, 30_000);
    log(`tenants bench: node pid ${herald.pid} on ${base}, redis-server ${version}; ${JSON.stringify(S)}`);
    const bodiesB = buildBodies(SHAPE_B);
    const bodiesA = buildBodies(SHAPE_A);
    const pids = { herald: herald.pid, redis: redis.pid ?? 0 };

    const solo = await phase(base + PATH, bodiesB, bodiesA, keyA, keyB, false, pids);
    const noisy = await phase(base + PATH, bodiesB, bodiesA, keyA, keyB, true, pids);

    const storedB = await countStoredAlerts(client, 'herald', 'tenant-b');
    const storedA = await countStoredAlerts(client, 'herald', 'tenant-a');
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    const hits = Number(
      /^herald_tenant_limit_hits_total\{tenant="tenant-a",limit="ingestion_rate"\} (\d+)/m.exec(
        metrics,
      )?.[1] ?? 0,
    );
    const ratio = (x: number, y: number) => (y ? round(x / y, 2) : null);
    const p99Ratio = ratio(noisy.b.latencyMs.p99, solo.b.latencyMs.p99);
    const a = noisy.a!;
    const summary = {
      bSolo: flat(solo.b),
      bWithAFlooding: flat(noisy.b),
      aFlood: {
        ...flat(a),
        ingestRate: A_RATE,
        refused429: a.statusCodes['429'] ?? 0,
        accepted200: a.statusCodes['200'] ?? 0,
        alertsStored: storedA.alerts,
        limitHitsMetric: hits,
      },
      ratio: {
        note: 'B with A flooding / B solo',
        p50: ratio(noisy.b.latencyMs.p50, solo.b.latencyMs.p50),
        p99: p99Ratio,
      },
      bStored: { alerts: storedB.alerts, expected: distinctAlerts(SHAPE_B) },
      cpuCores: { solo: solo.cpuCores, flood: noisy.cpuCores },
      checks: {
        bP99Within1_5x: p99Ratio !== null && p99Ratio <= 1.5,
        bNoErrors: [solo.b, noisy.b].every((l) => l.non2xx === 0 && l.errors === 0),
        bAllStored: storedB.alerts === distinctAlerts(SHAPE_B),
        aRefusedWith429: (a.statusCodes['429'] ?? 0) > 0,
      },
      env: {
        cpus: cpus().length,
        node: process.version,
        redis: version,
        ...S,
        batch: 64,
        date: new Date().toISOString(),
      },
    };
    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `tenants-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    log(
      `B p99 solo ${solo.b.latencyMs.p99} ms, with A flooding ${noisy.b.latencyMs.p99} ms (x${p99Ratio}); ` +
        `B stored ${storedB.alerts}/${distinctAlerts(SHAPE_B)}; written ${file}`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exitCode = Object.values(summary.checks).every(Boolean) ? 0 : 1;
  } finally {
    client.disconnect();
    await stopChild(herald);
    await redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 100).unref());
