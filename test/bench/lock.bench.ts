/**
 * Lock benchmark (libs/locks, single-Redis Lua lock) against its own redis-server. Build with
 * `node scripts/build.js`, run `node dist/test/bench/lock.bench.js`; progress on stderr, one JSON summary
 * as the last line of stdout (also written to bench-results/lock-<timestamp>.json).
 *
 *   uncontended  one caller, acquire + release of a free lock in a loop (ops/s and latency per pair);
 *                then BENCH_LOCK_PARALLEL callers on distinct keys over one connection (ops/s)
 *   contended    BENCH_LOCK_WORKERS processes taking one lock in turn; each holds it BENCH_LOCK_HOLD_MS and
 *                then works 1 ms outside it (so a releaser does not simply take it straight back).
 *                hand-off latency = next holder's start - previous holder's release (a different
 *                process), on the system-wide monotonic clock; wait = how long acquire() took.
 *                Once with fast retries (1 ms + 0..2 ms jitter), once with the defaults (50 + 0..50 ms).
 *
 * Environment: BENCH_DURATION seconds per phase (5), BENCH_LOCK_WORKERS (4), BENCH_LOCK_PARALLEL (32),
 * BENCH_LOCK_HOLD_MS (1).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { LockManager, RedisLockBackend } from '@herald/locks';
import { RedisKeys } from '@herald/redis';
import { RedisServer } from '../harness/redis-server';
import { log, round } from './procs';

const BENCH_KEYS = new RedisKeys('bench', 1);

const ROOT = resolve(__dirname, '../../..');
const envInt = (name: string, def: number) => {
  const v = Number(process.env[name] ?? def);
  return Number.isInteger(v) && v > 0 ? v : def;
};

interface WorkerJob {
  url: string;
  key: string;
  /** Wall-clock end of the run (ms since epoch), shared by all workers. */
  until: number;
  retryDelayMs?: number;
  retryJitterMs?: number;
  holdMs: number;
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

function percentiles(values: number[], digits = 3): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { p50: round(at(0.5), digits), p99: round(at(0.99), digits), max: round(s.at(-1) ?? 0, digits) };
}

async function connect(url: string): Promise<Redis> {
  const c = new Redis(url, {
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    disconnectTimeout: 50,
  });
  await c.connect();
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Child: takes the lock in turn until `until`; reports every hold as [start ns, end ns, wait ms]. */
async function worker(job: WorkerJob): Promise<void> {
  const redis = await connect(job.url);
  const locks = new LockManager(new RedisLockBackend(redis, { fenceKey: (k) => BENCH_KEYS.lockFence(k) }), {
    retryDelayMs: job.retryDelayMs,
    retryJitterMs: job.retryJitterMs,
  });
  const holds: [string, string, number][] = [];
  while (Date.now() < job.until) {
    const asked = performance.now();
    const lock = await locks
      .acquire(job.key, 1000, { waitMs: Math.max(0, job.until - Date.now()) })
      .catch(() => null);
    if (!lock) break;
    const start = process.hrtime.bigint();
    const waitMs = performance.now() - asked;
    await sleep(job.holdMs);
    const end = process.hrtime.bigint();
    holds.push([String(start), String(end), waitMs]);
    await lock.release();
    await sleep(1);
  }
  await new Promise<void>((r) => process.send?.({ holds }, () => r()));
  redis.disconnect();
}

async function uncontended(url: string, durationS: number, parallel: number) {
  const redis = await connect(url);
  const locks = new LockManager(new RedisLockBackend(redis, { fenceKey: (k) => BENCH_KEYS.lockFence(k) }));
  const keys = BENCH_KEYS;
  // Warm-up: load the scripts, open the connection's buffers.
  for (let i = 0; i < 200; i++) await (await locks.tryAcquire(keys.groupLock('t', 'warm'), 1000))?.release();

  const pairMs: number[] = [];
  let until = Date.now() + durationS * 1000;
  let t0 = performance.now();
  while (Date.now() < until) {
    const s = performance.now();
    const lock = await locks.tryAcquire(keys.groupLock('t', 'seq'), 1000);
    if (!lock || !(await lock.release())) throw new Error('uncontended lock was not free');
    pairMs.push(performance.now() - s);
  }
  const sequential = {
    opsPerSec: Math.round(pairMs.length / ((performance.now() - t0) / 1000)),
    latencyMs: percentiles(pairMs),
  };
  log(
    `uncontended sequential: ${sequential.opsPerSec} acquire+release/s, p50 ${sequential.latencyMs.p50} ms`,
  );

  let ops = 0;
  until = Date.now() + durationS * 1000;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, i) => {
      const key = keys.groupLock('t', `par-${i}`);
      while (Date.now() < until) {
        const lock = await locks.tryAcquire(key, 1000);
        if (!lock || !(await lock.release())) throw new Error('uncontended lock was not free');
        ops++;
      }
    }),
  );
  const concurrent = { callers: parallel, opsPerSec: Math.round(ops / ((performance.now() - t0) / 1000)) };
  log(`uncontended ${parallel} callers: ${concurrent.opsPerSec} acquire+release/s`);
  redis.disconnect();
  return { sequential, concurrent };
}

async function contended(
  url: string,
  durationS: number,
  workers: number,
  holdMs: number,
  retry: Partial<WorkerJob>,
) {
  const job: WorkerJob = {
    url,
    holdMs,
    key: BENCH_KEYS.groupLock('t', `contended-${retry.retryDelayMs ?? 'default'}`),
    until: Date.now() + 1000 + durationS * 1000, // 1 s for the children to start
    ...retry,
  };
  const children = Array.from({ length: workers }, () =>
    fork(__filename, ['--worker', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const reports = await Promise.all(
    children.map(
      (c) =>
        new Promise<[string, string, number][]>((res, rej) => {
          c.once('message', (m) => res((m as { holds: [string, string, number][] }).holds));
          c.once('exit', (code) => rej(new Error(`bench worker exited with ${code}`)));
        }),
    ),
  );
  // Only the window where every worker was running counts (they start at slightly different times).
  const holds = reports
    .flatMap((r, w) => r.map(([s, e, wait]) => ({ w, start: BigInt(s), end: BigInt(e), wait })))
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  const from = reports.map((r) => BigInt(r[0]?.[0] ?? 0)).reduce((a, b) => (a > b ? a : b));
  const counted = holds.filter((h) => h.start >= from);
  const handoffMs: number[] = [];
  let sameHolder = 0;
  let overlaps = 0;
  for (let i = 1; i < counted.length; i++) {
    const gap = Number(counted[i].start - counted[i - 1].end) / 1e6;
    if (gap < 0) overlaps++;
    if (counted[i].w === counted[i - 1].w) sameHolder++;
    else handoffMs.push(gap);
  }
  const spanS = Number(counted.at(-1)!.end - counted[0].start) / 1e9;
  const result = {
    workers,
    retryDelayMs: retry.retryDelayMs ?? 50,
    retryJitterMs: retry.retryJitterMs ?? 50,
    holdMs,
    holdsPerSec: Math.round(counted.length / spanS),
    acquireWaitMs: percentiles(counted.map((h) => h.wait)),
    handoffs: handoffMs.length,
    handoffLatencyMs: percentiles(handoffMs),
    /** Share of holds taken again by the process that just released (no hand-off). */
    reacquiredByReleaser: round(sameHolder / Math.max(1, counted.length - 1), 3),
    holdsPerWorker: reports.map((r) => r.length),
    overlaps,
  };
  log(
    `contended ${workers} workers (retry ${result.retryDelayMs}+0..${result.retryJitterMs} ms): ` +
      `${result.holdsPerSec} holds/s, hand-off p50 ${result.handoffLatencyMs.p50} ms, ` +
      `p99 ${result.handoffLatencyMs.p99} ms; wait p50 ${result.acquireWaitMs.p50} ms, ` +
      `p99 ${result.acquireWaitMs.p99} ms; overlaps ${overlaps}`,
  );
  return result;
}

async function main(): Promise<void> {
  const durationS = envInt('BENCH_DURATION', 5);
  const workers = envInt('BENCH_LOCK_WORKERS', 4);
  const parallel = envInt('BENCH_LOCK_PARALLEL', 32);
  const holdMs = envInt('BENCH_LOCK_HOLD_MS', 1);
  const server = await RedisServer.start();
  try {
    log(`redis-server on ${server.port}; ${durationS} s per phase; ${cpus().length} CPUs`);
    const summary = {
      bench: 'lock',
      uncontended: await uncontended(server.url, durationS, parallel),
      contendedFastRetry: await contended(server.url, durationS, workers, holdMs, {
        retryDelayMs: 1,
        retryJitterMs: 2,
      }),
      contendedDefaults: await contended(server.url, durationS, workers, holdMs, {}),
      env: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, durationS },
      date: new Date().toISOString(),
    };
    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `lock-${summary.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    log(`written ${file}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === '--worker') {
  worker(JSON.parse(process.argv[3]) as WorkerJob).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  main().catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  });
}
