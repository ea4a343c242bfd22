/**
 * Scale benchmark (issue 16, "Scale"): one Herald node (all roles) on its own redis-server filled to
 * SCALE_GROUPS groups (100 000) / SCALE_ALERTS active alerts (1 000 000), against Prometheus
 * Alertmanager loaded with the same alerts. `npm run bench:scale`; progress on stderr, one JSON summary as
 * the last line of stdout (also written to bench-results/scale-<timestamp>.json).
 *
 * Alerts: the reference alert of alert-load.ts (`alertJson`), alert (g, j) of group g (alertname
 * `Alert<g>`, group_by [alertname]) being number n = j·G + g, j < alerts/groups; no `endsAt`, startsAt
 * fixed at the bench's start (Prometheus-style re-sends; a startsAt older than group_wait would flush
 * the group at once, as in Alertmanager), `global.resolve_timeout: 2h` so nothing resolves during the
 * run, and group_wait / group_interval 1h so nothing is due: the fill is ingest alone, and the
 * scheduler ticks idle (the bench checks the due index before each tick window).
 * The store grows in three steps (groups/100, groups/10, groups), each step posting its new groups'
 * alerts j-major (every 64-alert batch touches 64 groups, as in the reference load), so the store holds
 * the same alerts per group at every step: 10⁴ alerts in 10³ groups, 10⁵ in 10⁴, 10⁶ in 10⁵ by default.
 *
 * At each step:
 *   - fill: alerts/s of the first sends (new alerts), 8 concurrent 64-alert requests, node and Redis CPU
 *     µs per alert;
 *   - memory: Redis used_memory (and used_memory_dataset) delta since before the first alert / alerts
 *     stored (SCAN + HLEN of the group hashes); the node's RSS and peak RSS;
 *   - flush scheduler cost with nothing due (the bench waits for an empty due index first): the idle
 *     node over SCALE_TICK_WINDOW seconds (10): node and Redis CPU per second, Redis commands per
 *     second (INFO commandstats, inside Lua included), top-level commands per second by name (MONITOR,
 *     3 s); and the idle tick itself, replayed from here since herald_flush_duration_seconds only
 *     observes ticks that claimed something (and the scheduler no longer ticks at a fixed rate):
 *     FlushRunner.tick (this checkout's) on a RedisFlushStore over the node's Redis with the node's due
 *     buckets, SCALE_TICK_REPLAYS (200) sequential ticks: p50/p99 duration, Redis commands per tick;
 *     herald_flush_duration_seconds_count / herald_flush_total read afterwards say nothing was flushed;
 *   - the /metrics scrape time (it lists every group for herald_alerts / herald_groups).
 * At the first step and the last, re-sends (Prometheus-style: the same alerts, unchanged): autocannon,
 * SCALE_CONNECTIONS (8), SCALE_WARMUP (2) + SCALE_DURATION (10) seconds, 64-alert bodies of the first
 * step's alerts (the same requests at both sizes: `resend.sameBodies`); at the last step also bodies of
 * alert j = 0 of every group (`resend.sweep`: the re-sends touch the whole store).
 * From the second step on (10⁵ alerts): SCALE_QUERIES (10) sequential `GET /api/v2/alerts/groups` and
 * `GET /api/v2/alerts?filter=alertname="Alert<k>"` (10 alerts), time to the last byte, p50/p99, bytes
 * and alerts answered; a request times out after SCALE_QUERY_TIMEOUT s (60); requests stop once an
 * endpoint used SCALE_QUERY_BUDGET s (30) or one failed.
 *
 * Alertmanager (BENCH_ALERTMANAGER, as `npm run bench`; `off` skips it): after the Herald run, the same
 * steps, fill, re-sends and queries, and its RSS; the node and its Redis are stopped by then.
 *
 * Other knobs: SCALE_FILL_CONCURRENCY (8), SCALE_TICK_REPLAYS (200), BENCH_NODE_ARGS (node flags of the
 * Herald child).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { HERALD_DEFAULTS } from '@herald/config';
import { FlushRunner, systemClock, type FlushRunnerPorts } from '@herald/domain';
import { loadLuaScript } from '@herald/lua';
import { REDIS_LUA_DIR, RedisFlushStore, RedisKeys } from '@herald/redis';
import { NODE_FLAGS } from '../../apps/server/src/memory-flags';
import { freePort } from '../harness/free-port';
import { RedisServer } from '../harness/redis-server';
import { alertJson } from './alert-load';
import { runAutocannon, stopLoad, type LoadResult } from './load';
import {
  alertmanagerVersion,
  findAlertmanager,
  log,
  logTail,
  procCpuSeconds,
  procMemory,
  round,
  sleep,
  spawnLogged,
  startAlertmanager,
  stopChild,
  waitHttp,
  type Child,
  type ProcMemory,
} from './procs';
import {
  commandStats,
  countStoredAlerts,
  diffStats,
  infoSection,
  memorySnapshot,
  redisCpuSeconds,
  type MemorySnapshot,
  type StoredAlerts,
} from './redis-stats';

const ROOT = resolve(__dirname, '../../..');
const HERALD_MAIN = join(ROOT, 'dist/apps/server/src/main.js');
const PATH = '/api/v2/alerts';
const KEY_PREFIX = 'herald';
const TENANT = 'default';
const BATCH = 64;
/** The node's scheduler tick, written into its config (the default). */
const TICK_MS = 250;
const MONITOR_MS = 3000;
/** Memory per stored alert the issue asks for (bytes of Redis used_memory). */
const TARGET_BYTES_PER_ALERT = 700;

function envNumber(name: string, def: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return n;
}

const S = {
  groups: Math.round(envNumber('SCALE_GROUPS', 100_000, 100)),
  alerts: Math.round(envNumber('SCALE_ALERTS', 1_000_000, 100)),
  durationS: envNumber('SCALE_DURATION', 10),
  warmupS: envNumber('SCALE_WARMUP', 2, 0),
  connections: Math.round(envNumber('SCALE_CONNECTIONS', 8)),
  fillConcurrency: Math.round(envNumber('SCALE_FILL_CONCURRENCY', 8)),
  queries: Math.round(envNumber('SCALE_QUERIES', 10)),
  queryTimeoutS: envNumber('SCALE_QUERY_TIMEOUT', 60),
  queryBudgetS: envNumber('SCALE_QUERY_BUDGET', 30),
  tickWindowS: envNumber('SCALE_TICK_WINDOW', 10),
  tickReplays: Math.round(envNumber('SCALE_TICK_REPLAYS', 200)),
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  alertmanager: findAlertmanager(),
};
const PER_GROUP = Math.floor(S.alerts / S.groups);
if (PER_GROUP < 1) throw new Error(`SCALE_ALERTS (${S.alerts}) must be >= SCALE_GROUPS (${S.groups})`);

/** Groups held after each step: groups/100, groups/10, groups (a step smaller than 1 group is dropped). */
const STEPS = [...new Set([Math.floor(S.groups / 100), Math.floor(S.groups / 10), S.groups])].filter(
  (g) => g > 0,
);

const ROUTE_YAML = `global:
  resolve_timeout: 2h
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 4h
receivers:
  - name: default
`;
const HERALD_YAML = `${ROUTE_YAML}herald:
  scheduler:
    tick: ${TICK_MS}ms
  limits:
    max_alerts_per_request: 1000
`;

// ------------------------------------------------------------------------------------------- the alerts

/** Alert number of the i-th alert a step posts: groups [from, to), j-major. */
function stepAlert(from: number, to: number, i: number): number {
  const span = to - from;
  return Math.floor(i / span) * S.groups + from + (i % span);
}

/**
 * startsAt of every alert: the bench's start instead of the reference load's fixed date, so group_wait
 * holds (a group whose alert started more than group_wait ago flushes at once, as in Alertmanager).
 */
const REF_STARTS_AT = '"startsAt":"2026-11-22T10:00:00Z"';
const STARTS_AT = `"startsAt":"${new Date().toISOString()}"`;

/** The body of alerts `first .. first + count - 1` of a sequence. */
function body(alert: (i: number) => number, first: number, count: number): string {
  const parts: string[] = [];
  for (let i = first; i < first + count; i++)
    parts.push(alertJson(alert(i), S.groups).replace(REF_STARTS_AT, STARTS_AT));
  return `[${parts.join(',')}]`;
}

/** Whole 64-alert bodies of a sequence of `total` alerts (the remainder left out, like buildBodies). */
function bodies(alert: (i: number) => number, total: number): string[] {
  return Array.from({ length: Math.floor(total / BATCH) }, (_, b) => body(alert, b * BATCH, BATCH));
}

// ----------------------------------------------------------------------------------- cleanup on any exit

const running = new Set<() => Promise<void>>();

function onStop(stop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= stop().catch((e: unknown) => log(`cleanup: ${String(e)}`)));
  running.add(once);
  return async () => {
    await once();
    running.delete(once);
  };
}

async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((f) => f()));
}

for (const [sig, code] of Object.entries({ SIGINT: 130, SIGTERM: 143, SIGHUP: 129 })) {
  process.once(sig, () => {
    log(`${sig}: stopping the load and every child process`);
    stopLoad();
    void stopEverything().finally(() => process.exit(code));
  });
}

// ------------------------------------------------------------------------------ store mode and phases

/** The node's /health/ready store mode (`redis`, `memory-fallback`, ...), `unreachable` on failure. */
async function storeMode(base: string): Promise<string> {
  try {
    const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5000) });
    return storeModeOf(await res.text());
  } catch {
    return 'unreachable';
  }
}

/** Waits (up to 60 s) until the node serves from Redis again; ms waited (0 when it already did). */
async function waitRedisMode(base: string, name: string): Promise<number> {
  const t0 = performance.now();
  let mode = await storeMode(base);
  if (mode === 'redis') return 0;
  log(`${name}: the node serves from ${mode}; waiting for Redis mode`);
  while (mode !== 'redis' && performance.now() - t0 < 60_000) {
    await sleep(250);
    mode = await storeMode(base);
  }
  return Math.round(performance.now() - t0);
}

/** What the bench was doing when (to place the node's log lines, e.g. a fall-back to memory). */
const phases: { at: number; phase: string }[] = [];
function phase(name: string): void {
  phases.push({ at: Date.now(), phase: name });
}
function phaseAt(t: number): string {
  let out = 'start';
  for (const p of phases) if (p.at <= t) out = p.phase;
  return out;
}

/** The node's warnings of Redis going away and coming back (herald.log), each with the bench phase. */
function storeEvents(logPath: string): { time: string; msg: string; phase: string }[] {
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  const out: { time: string; msg: string; phase: string }[] = [];
  for (const line of text.split('\n')) {
    if (!/Redis unavailable|serving from Redis|back to Redis|memory/i.test(line)) continue;
    try {
      const j = JSON.parse(line) as { time?: string; msg?: string; context?: string };
      const t = Date.parse(j.time ?? '');
      out.push({
        time: j.time ?? '?',
        msg: `${j.context ?? ''}: ${j.msg ?? ''}`.slice(0, 200),
        phase: phaseAt(t),
      });
    } catch {
      out.push({ time: '?', msg: line.slice(0, 200), phase: '?' });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ fill

interface Fill {
  alerts: number;
  requests: number;
  seconds: number;
  alertsPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  non200: number;
  firstError: string | null;
  /** CPU µs per alert posted, per process (null where not sampled). */
  cpuUsecPerAlert: Record<string, number | null>;
}

function post(agent: Agent, url: URL, payload: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve_, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve_({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Posts `total` alerts of a sequence in 64-alert requests, `concurrency` at a time, each alert once. */
async function fill(
  name: string,
  base: string,
  alert: (i: number) => number,
  total: number,
  cpu: Record<string, () => Promise<number | null> | number | null>,
): Promise<Fill> {
  phase(`${name}: fill`);
  const url = new URL(base + PATH);
  const agent = new Agent({ keepAlive: true, maxSockets: S.fillConcurrency });
  const requests = Math.ceil(total / BATCH);
  const lat = new Float64Array(requests);
  let next = 0;
  let non200 = 0;
  let firstError: string | null = null;
  const cpu0: Record<string, number | null> = {};
  for (const [k, f] of Object.entries(cpu)) cpu0[k] = await f();
  const t0 = performance.now();
  let lastLog = t0;
  const worker = async () => {
    while (next < requests) {
      const r = next++;
      const payload = body(alert, r * BATCH, Math.min(BATCH, total - r * BATCH));
      const t = performance.now();
      try {
        const res = await post(agent, url, payload);
        if (res.status !== 200) {
          non200++;
          firstError ??= `${res.status} ${res.text.slice(0, 200)}`;
        }
      } catch (e) {
        non200++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
      const now = performance.now();
      lat[r] = now - t;
      if (now - lastLog > 5000) {
        lastLog = now;
        log(
          `${name}: ${Math.min(next * BATCH, total)} / ${total} alerts posted, ` +
            `${Math.round((next * BATCH) / ((now - t0) / 1000))} alerts/s`,
        );
      }
      if (non200 > requests / 100 + 10) throw new Error(`${name}: ${non200} failed requests: ${firstError}`);
    }
  };
  await Promise.all(Array.from({ length: S.fillConcurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const cpuUsecPerAlert: Record<string, number | null> = {};
  for (const [k, f] of Object.entries(cpu)) {
    const now = await f();
    const before = cpu0[k];
    cpuUsecPerAlert[k] = now !== null && before !== null ? round(((now - before) * 1e6) / total, 2) : null;
  }
  const sorted = lat.sort();
  const pct = (p: number) => round(sorted[Math.min(requests - 1, Math.ceil((p / 100) * requests) - 1)], 2);
  const out: Fill = {
    alerts: total,
    requests,
    seconds: round(seconds, 2),
    alertsPerSec: Math.round(total / seconds),
    latencyMs: { p50: pct(50), p99: pct(99), max: pct(100) },
    non200,
    firstError,
    cpuUsecPerAlert,
  };
  log(
    `${name}: ${total} alerts in ${out.seconds} s = ${out.alertsPerSec} alerts/s, p50 ${out.latencyMs.p50} ms, ` +
      `p99 ${out.latencyMs.p99} ms, non-200 ${non200}, CPU µs/alert ${JSON.stringify(cpuUsecPerAlert)}`,
  );
  return out;
}

// ------------------------------------------------------------------------------------------- re-sends

interface Resend {
  bodies: number;
  distinctAlerts: number;
  alertsPerSec: number;
  requestsPerSec: number;
  latencyMs: LoadResult['latencyMs'];
  non2xx: number;
  errors: number;
  cpuUsecPerAlert: Record<string, number | null>;
  cpuCores: Record<string, number | null>;
}

async function resend(
  name: string,
  base: string,
  load: string[],
  cpu: Record<string, () => Promise<number | null> | number | null>,
): Promise<Resend> {
  phase(name);
  const o = { url: base + PATH, bodies: load, connections: S.connections, batch: BATCH };
  if (S.warmupS > 0) {
    log(`${name}: warm-up ${S.warmupS} s`);
    await runAutocannon({ ...o, durationS: S.warmupS });
    await sleep(300);
  }
  log(`${name}: re-sending ${load.length} bodies (${load.length * BATCH} alerts) for ${S.durationS} s`);
  const cpu0: Record<string, number | null> = {};
  for (const [k, f] of Object.entries(cpu)) cpu0[k] = await f();
  const t0 = performance.now();
  const res = await runAutocannon({ ...o, durationS: S.durationS });
  const wall = (performance.now() - t0) / 1000;
  const alerts = res.requests * BATCH;
  const cpuUsecPerAlert: Record<string, number | null> = {};
  const cpuCores: Record<string, number | null> = {};
  for (const [k, f] of Object.entries(cpu)) {
    const now = await f();
    const before = cpu0[k];
    const used = now !== null && before !== null ? now - before : null;
    cpuUsecPerAlert[k] = used !== null && alerts ? round((used * 1e6) / alerts, 2) : null;
    cpuCores[k] = used !== null ? round(used / wall, 2) : null;
  }
  log(
    `${name}: ${res.alertsPerSec} alerts/s, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, ` +
      `non-2xx ${res.non2xx}, errors ${res.errors}, CPU µs/alert ${JSON.stringify(cpuUsecPerAlert)}`,
  );
  return {
    bodies: load.length,
    distinctAlerts: load.length * BATCH,
    alertsPerSec: res.alertsPerSec,
    requestsPerSec: res.requestsPerSec,
    latencyMs: res.latencyMs,
    non2xx: res.non2xx,
    errors: res.errors,
    cpuUsecPerAlert,
    cpuCores,
  };
}

// -------------------------------------------------------------------------------------------- queries

interface Queries {
  path: string;
  /** Requests made (fewer than SCALE_QUERIES once the budget ran out or one failed). */
  requests: number;
  /** Alerts a complete answer holds, and answers (200) that held another number. */
  expectedAlerts: number;
  incomplete: number;
  /** Time to the last byte of the complete answers, ms. */
  latencyMs: { p50: number; p99: number; max: number; first: number } | null;
  /** Time to the response headers, median, ms. */
  headersMsP50: number | null;
  bytes: number | null;
  /** Alerts in the last good answer ("fingerprint" keys) and groups (`"alerts":[`). */
  alerts: number | null;
  groups: number | null;
  statuses: Record<string, number>;
  error: string | null;
  /** Redis commands (inside Lua included) per request, Herald only. */
  redisCommandsPerRequest?: number;
  /** Each request: ms to the last byte, bytes, alerts, and (Herald) the node's store mode after it. */
  each: { ms: number; bytes: number; alerts: number; modeAfter?: string }[];
  /** Herald: requests after which the node was not serving from Redis (it fell back to memory). */
  answersOffRedis?: number;
  /** Herald: how long the bench waited for the node to serve from Redis again (after fall-backs), ms. */
  redisModeWaitMs?: number;
}

/** Counts occurrences of `needle` across a stream's chunks. */
function counter(needle: string) {
  const n = Buffer.from(needle);
  let tail: Buffer = Buffer.alloc(0);
  let count = 0;
  return {
    feed(chunk: Buffer) {
      const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      for (let at = buf.indexOf(n); at !== -1; at = buf.indexOf(n, at + n.length)) count++;
      tail = buf.subarray(Math.max(0, buf.length - (n.length - 1)));
    },
    get count() {
      return count;
    },
  };
}

async function timeOne(url: string): Promise<{
  status: number;
  ms: number;
  headersMs: number;
  bytes: number;
  alerts: number;
  groups: number;
  text: string;
}> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(S.queryTimeoutS * 1000) });
  const headersMs = performance.now() - t0;
  const fps = counter('"fingerprint":');
  const grs = counter('"alerts":[');
  let bytes = 0;
  let head = '';
  const reader = res.body?.getReader();
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = Buffer.from(value);
    bytes += chunk.length;
    if (head.length < 300) head += chunk.toString('utf8', 0, Math.min(chunk.length, 300));
    fps.feed(chunk);
    grs.feed(chunk);
  }
  return {
    status: res.status,
    ms: performance.now() - t0,
    headersMs,
    bytes,
    alerts: fps.count,
    groups: grs.count,
    text: head.slice(0, 300),
  };
}

const pctOf = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/**
 * Up to SCALE_QUERIES sequential GETs of `path`; the latency figures cover the complete answers (200
 * with `expected` alerts). On Herald (`redis` given) the node's store mode is read after each answer,
 * and after one it was not serving from Redis the bench waits for Redis mode before the next request.
 */
async function queries(
  name: string,
  base: string,
  path: string,
  expected: number,
  redis?: Redis,
): Promise<Queries> {
  phase(`${name} GET ${path}`);
  let incomplete = 0;
  let redisModeWaitMs = 0;
  const each: Queries['each'] = [];
  const times: number[] = [];
  const headers: number[] = [];
  const statuses: Record<string, number> = {};
  let error: string | null = null;
  let last: Awaited<ReturnType<typeof timeOne>> | null = null;
  let requests = 0;
  const stats0 = redis ? await commandStats(redis) : null;
  const t0 = performance.now();
  while (requests < S.queries && performance.now() - t0 < S.queryBudgetS * 1000) {
    requests++;
    try {
      const r = await timeOne(base + path);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status !== 200) {
        error = `${r.status} after ${round(r.ms, 1)} ms: ${r.text}`;
        break;
      }
      const modeAfter = redis ? await storeMode(base) : undefined;
      each.push({ ms: round(r.ms, 1), bytes: r.bytes, alerts: r.alerts, ...(redis ? { modeAfter } : {}) });
      if (r.alerts === expected) {
        times.push(r.ms);
        headers.push(r.headersMs);
        last = r;
      } else {
        incomplete++;
        last ??= r;
      }
      if (redis && modeAfter !== 'redis') redisModeWaitMs += await waitRedisMode(base, name);
    } catch (e) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      statuses.error = (statuses.error ?? 0) + 1;
      error = `${msg} after ${round((performance.now() - t0) / 1000, 1)} s`;
      break;
    }
  }
  if (redis) redisModeWaitMs += await waitRedisMode(base, name);
  const calls =
    redis && stats0
      ? [...diffStats(stats0, await commandStats(redis)).values()].reduce((a, v) => a + v.calls, 0)
      : null;
  const out: Queries = {
    path,
    requests,
    expectedAlerts: expected,
    incomplete,
    latencyMs: times.length
      ? {
          p50: round(pctOf(times, 50), 1),
          p99: round(pctOf(times, 99), 1),
          max: round(Math.max(...times), 1),
          first: round(times[0], 1),
        }
      : null,
    headersMsP50: headers.length ? round(pctOf(headers, 50), 1) : null,
    bytes: last?.bytes ?? null,
    alerts: last?.alerts ?? null,
    groups: last?.groups ?? null,
    statuses,
    error,
    ...(calls !== null ? { redisCommandsPerRequest: round(calls / Math.max(1, requests), 1) } : {}),
    each,
    ...(redis
      ? { answersOffRedis: each.filter((e) => e.modeAfter !== 'redis').length, redisModeWaitMs }
      : {}),
  };
  log(
    `${name} GET ${path}: ${requests} requests, p50 ${out.latencyMs?.p50 ?? '-'} ms, p99 ` +
      `${out.latencyMs?.p99 ?? '-'} ms, ${out.bytes ?? '-'} bytes, ${out.alerts ?? '-'} alerts in ` +
      `${out.groups ?? '-'} groups, ${incomplete} incomplete${error ? `, stopped: ${error}` : ''}` +
      (redis
        ? `; answers off Redis ${out.answersOffRedis}, waited ${redisModeWaitMs} ms for Redis mode`
        : ''),
  );
  return out;
}

/** The selective filter: one group's alerts (`alertname="Alert<k>"`, k in the first step). */
function filterPath(): string {
  const k = Math.floor(STEPS[0] / 2);
  return `${PATH}?filter=${encodeURIComponent(`alertname="Alert${k}"`)}`;
}

async function listings(name: string, base: string, alerts: number, redis?: Redis) {
  return {
    filter: await queries(name, base, filterPath(), PER_GROUP, redis),
    groups: await queries(name, base, `${PATH}/groups`, alerts, redis),
  };
}

// ------------------------------------------------------------------------------------------ tick cost

interface TickCost {
  groups: number;
  /** Due index entries due within 1 s of the window's end, and leased ones (nothing due: 0 and 0). */
  dueAtEnd: { due: number; leased: number };
  /** The node's store mode at the window's end (`redis` unless it fell back to memory). */
  modeAtEnd: string;
  /** How long the node took to serve from Redis before the window (after a fall-back), ms. */
  redisModeWaitMs: number;
  /** How long the bench waited for the due index to hold nothing due (flushes to finish), ms. */
  dueWaitMs: number;
  /**
   * Ticks that claimed a group since the node started (herald_flush_duration_seconds_count, read after
   * the window): 0 = nothing was ever due; null when the scrape failed (`metricsError`).
   */
  ticksThatClaimedSinceStart: number | null;
  /** Group halves flushed since the node started (herald_flush_total, every outcome). */
  flushesSinceStart: number | null;
  metricsError?: string;
  /** How long a /metrics scrape took (after the window), ms, and the store mode right after it. */
  metricsScrapeMs: number;
  modeAfterScrape: string;
  /**
   * The idle node (nothing due) per second, over SCALE_TICK_WINDOW: node and Redis CPU, every Redis
   * command (inside Lua included), and top-level commands by name (MONITOR, 3 s; EVALSHA by script).
   */
  idle: {
    windowMs: number;
    nodeCpuMsPerSec: number | null;
    redisCpuMsPerSec: number;
    redisCommandsPerSecInclLua: number;
    topLevelPerSec: Record<string, number>;
    topLevelTotalPerSec: number;
  };
  /**
   * One idle tick replayed from the bench (FlushRunner.tick on the node's Redis): its duration, and the
   * Redis commands it ran (commandstats over the replays, the idle node's own rate taken out).
   */
  replay: {
    ticks: number;
    buckets: number;
    p50Ms: number;
    p99Ms: number;
    meanMs: number;
    claimed: number;
    redisCommandsPerTickInclLua: number;
    evalshaPerTick: number;
    redisUsecPerTick: number;
  };
}

/**
 * Ticks that claimed something so far (herald_flush_duration_seconds_count) and how long the scrape
 * took; null count when the scrape failed (it lists every group: slow on a big store).
 */
async function scrapeMetrics(
  base: string,
): Promise<{ claimedTicks: number | null; flushes: number | null; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(S.queryTimeoutS * 1000) });
    const text = await res.text();
    const m = /^herald_flush_duration_seconds_count (\S+)/m.exec(text);
    let flushes = 0;
    for (const f of text.matchAll(/^herald_flush_total\{outcome="[a-z]+"\} (\d+)/gm)) flushes += Number(f[1]);
    return {
      claimedTicks: res.status === 200 ? Number(m?.[1] ?? 0) : null,
      flushes: res.status === 200 ? flushes : null,
      ms: performance.now() - t0,
      ...(res.status === 200 ? {} : { error: `${res.status} ${text.slice(0, 200)}` }),
    };
  } catch (e) {
    return {
      claimedTicks: null,
      flushes: null,
      ms: performance.now() - t0,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** sha1 of every script in libs/redis/src/lua → its name (the node's other scripts stay by sha). */
function scriptNames(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(REDIS_LUA_DIR)) {
    if (!f.endsWith('.lua')) continue;
    const name = f.slice(0, -4);
    const sha = createHash('sha1').update(loadLuaScript(REDIS_LUA_DIR, name).source).digest('hex');
    out.set(sha, name);
  }
  return out;
}

/** Top-level commands (not run by a script) Redis got in `ms`, by name; the bench's own left out. */
async function monitorTopLevel(client: Redis, ms: number): Promise<Map<string, number>> {
  const names = scriptNames();
  const counts = new Map<string, number>();
  const monitor = await client.monitor();
  // Replies still arriving when it disconnects must not crash the bench (ioredis emits 'error').
  monitor.on('error', () => undefined);
  try {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const name = (args[0] ?? '').toLowerCase();
      if (source === 'lua' || name === 'info' || name === 'monitor') return;
      const key = name === 'evalsha' ? `evalsha:${names.get(args[1]) ?? (args[1] ?? '').slice(0, 8)}` : name;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    await sleep(ms);
  } finally {
    monitor.disconnect();
  }
  return counts;
}

/** Entries of the due index due by `at`, and leased entries, over every bucket (nothing due: 0, 0). */
async function dueCount(client: Redis, at: number): Promise<{ due: number; leased: number }> {
  const keys = new RedisKeys(KEY_PREFIX, HERALD_DEFAULTS.dueBuckets, 'standalone');
  let due = 0;
  let leased = 0;
  for (let b = 0; b < keys.dueBuckets; b++) {
    due += await client.zcount(keys.dueBucket(b), '-inf', at);
    // The lease marker (a lapsed lease's expiry in the due index) is no entry: the leases count it.
    const marker = await client.zscore(keys.dueBucket(b), keys.dueLeaseMarker);
    if (marker !== null && Number(marker) <= at) due--;
    leased += await client.zcard(keys.dueLease(b));
  }
  return { due, leased };
}

async function tickCost(base: string, client: Redis, nodePid: number, groups: number): Promise<TickCost> {
  phase(`tick window at ${groups} groups`);
  const waited = await waitRedisMode(base, `tick at ${groups} groups`);
  await sleep(1000);
  // Nothing may be due in the window (startsAt is the bench's start and group_wait 1h: nothing should).
  const tw = performance.now();
  for (;;) {
    const c = await dueCount(client, Date.now() + S.tickWindowS * 1000 + 5000);
    if ((c.due === 0 && c.leased === 0) || performance.now() - tw > 120_000) break;
    await sleep(500);
  }
  const dueWaitMs = Math.round(performance.now() - tw);
  const s0 = await commandStats(client);
  const r0 = await redisCpuSeconds(client);
  const n0 = procCpuSeconds(nodePid);
  const t0 = performance.now();
  await sleep(S.tickWindowS * 1000);
  const windowMs = performance.now() - t0;
  const n1 = procCpuSeconds(nodePid);
  const r1 = await redisCpuSeconds(client);
  const d = diffStats(s0, await commandStats(client));
  const dueAtEnd = await dueCount(client, Date.now() + 1000);
  const modeAtEnd = await storeMode(base);
  const calls = [...d.values()].reduce((a, v) => a + v.calls, 0);
  const top = await monitorTopLevel(client, MONITOR_MS);
  const perSec = (n: number, ms: number) => round((n * 1000) / ms, 2);
  const idle: TickCost['idle'] = {
    windowMs: Math.round(windowMs),
    nodeCpuMsPerSec: n0 !== null && n1 !== null ? perSec((n1 - n0) * 1000, windowMs) : null,
    redisCpuMsPerSec: perSec((r1 - r0) * 1000, windowMs),
    redisCommandsPerSecInclLua: perSec(calls, windowMs),
    topLevelPerSec: Object.fromEntries(
      [...top].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, perSec(n, MONITOR_MS)]),
    ),
    topLevelTotalPerSec: perSec(
      [...top.values()].reduce((a, b) => a + b, 0),
      MONITOR_MS,
    ),
  };
  const replay = await replayTicks(client, idle.redisCommandsPerSecInclLua);
  // Outside the windows: a scrape lists every group (herald_alerts), which is slow on a big store.
  phase(`/metrics scrape at ${groups} groups`);
  const m = await scrapeMetrics(base);
  const out: TickCost = {
    groups,
    dueAtEnd,
    modeAtEnd,
    redisModeWaitMs: waited,
    dueWaitMs,
    ticksThatClaimedSinceStart: m.claimedTicks,
    flushesSinceStart: m.flushes,
    ...(m.error ? { metricsError: m.error } : {}),
    metricsScrapeMs: round(m.ms, 1),
    modeAfterScrape: await storeMode(base),
    idle,
    replay,
  };
  log(
    `idle at ${groups} groups (due at end ${dueAtEnd.due}, leased ${dueAtEnd.leased}, mode ${modeAtEnd}; since ` +
      `start ${out.ticksThatClaimedSinceStart} ticks claimed, ${out.flushesSinceStart} flushes): node ` +
      `${idle.nodeCpuMsPerSec} ms CPU/s, Redis ${idle.redisCpuMsPerSec} ms CPU/s, ${idle.redisCommandsPerSecInclLua} ` +
      `commands/s incl. Lua, top-level/s ${JSON.stringify(idle.topLevelPerSec)}; replayed idle tick p50 ` +
      `${replay.p50Ms} ms p99 ${replay.p99Ms} ms, ${replay.redisCommandsPerTickInclLua} Redis commands ` +
      `(${replay.evalshaPerTick} EVALSHA) per tick; /metrics scrape ${out.metricsScrapeMs} ms (mode after: ` +
      `${out.modeAfterScrape})`,
  );
  return out;
}

/** A port the idle tick must not use (it would mean something was due): throws naming the call. */
function unusedPort<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_t, prop) => {
      if (prop === 'then') return undefined;
      throw new Error(`idle tick replay: ${port}.${String(prop)} used (something was due)`);
    },
  });
}

/**
 * The idle tick timed from here: FlushRunner.tick (the node's code, this checkout's) on a
 * RedisFlushStore over the node's Redis, with the node's due buckets; nothing is due, so it reads the
 * due index and claims nothing (any other port it touched throws, and is counted as `claimed`).
 */
async function replayTicks(client: Redis, idleCommandsPerSec: number): Promise<TickCost['replay']> {
  const buckets = HERALD_DEFAULTS.dueBuckets;
  const flush = new RedisFlushStore(client, new RedisKeys(KEY_PREFIX, buckets, 'standalone'), {
    keyTtl: 86_400_000,
  });
  const runner = new FlushRunner(
    {
      flush,
      clock: systemClock,
      groups: unusedPort<FlushRunnerPorts['groups']>('groups'),
      notifier: unusedPort<FlushRunnerPorts['notifier']>('notifier'),
      lock: unusedPort<FlushRunnerPorts['lock']>('lock'),
      recorder: unusedPort<FlushRunnerPorts['recorder']>('recorder'),
    },
    {
      nodeId: 'scale-bench',
      externalURL: 'http://127.0.0.1',
      leaseMs: 30_000,
      claimLimit: HERALD_DEFAULTS.schedulerClaimBatch,
      concurrency: 1,
      receivers: new Map(),
    },
  );
  const times: number[] = [];
  let claimed = 0;
  const s0 = await commandStats(client);
  const r0 = performance.now();
  for (let t = 0; t < S.tickReplays; t++) {
    const t0 = performance.now();
    const res = await runner.tick();
    times.push(performance.now() - t0);
    claimed += res.claimed;
  }
  const elapsed = performance.now() - r0;
  const d = diffStats(s0, await commandStats(client));
  const calls = [...d.values()].reduce((a, v) => a + v.calls, 0);
  const n = times.length;
  return {
    redisCommandsPerTickInclLua: round(Math.max(0, calls - (idleCommandsPerSec * elapsed) / 1000) / n, 2),
    evalshaPerTick: round((d.get('evalsha')?.calls ?? 0) / n, 2),
    redisUsecPerTick: round([...d.values()].reduce((a, v) => a + v.usec, 0) / n, 1),
    ticks: times.length,
    buckets: flush.dueBuckets,
    p50Ms: round(pctOf(times, 50), 3),
    p99Ms: round(pctOf(times, 99), 3),
    meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
    claimed,
  };
}

// ------------------------------------------------------------------------------------------ the runs

interface Step {
  groups: number;
  alerts: number;
  fill: Fill;
  process: ProcMemory | null;
}

interface HeraldStep extends Step {
  stored: StoredAlerts;
  redis: {
    usedMemory: number;
    usedMemoryDataset: number;
    bytesPerStoredAlert: number;
    datasetBytesPerStoredAlert: number;
    keys: number;
  };
  tick: TickCost | null;
  listing: Awaited<ReturnType<typeof listings>> | null;
  resend: { sameBodies: Resend; sweep?: Resend } | null;
}

interface Ctx {
  tmp: string;
  /** Re-send bodies: the first step's alerts, and alert j = 0 of every group. */
  sameBodies: string[];
  sweepBodies: () => string[];
}

function storeModeOf(body: string): string {
  try {
    return (JSON.parse(body) as { store?: { mode?: string } }).store?.mode ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function runHerald(ctx: Ctx) {
  const dir = mkdtempSync(join(ctx.tmp, 'herald-'));
  const redis = await RedisServer.start();
  const stopRedis = onStop(() => redis.stop());
  let node: Child | undefined;
  const stopNode = onStop(() => stopChild(node, 30_000));
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  const stopClient = onStop(async () => void client.disconnect());
  try {
    await client.connect();
    const version = (await infoSection(client, 'server')).redis_version;
    const configPath = join(dir, 'herald.yml');
    writeFileSync(configPath, HERALD_YAML);
    const port = await freePort();
    node = await spawnLogged(
      'herald',
      process.execPath,
      [...NODE_FLAGS, ...S.nodeArgs, HERALD_MAIN],
      join(dir, 'herald.log'),
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: String(port),
          REDIS_URL: redis.url,
          HERALD_CONFIG: configPath,
          HERALD_LOG_LEVEL: 'warn',
        },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(node, `${base}/health/ready`, 30_000, (st, b) => st === 200 && storeModeOf(b) === 'redis');
    log(
      `herald: node pid ${node.pid} on ${base}, redis-server ${version} pid ${redis.pid} (log: ${node.logPath})`,
    );
    const pid = node.pid;
    const cpu = {
      herald: () => procCpuSeconds(pid),
      redis: () => redisCpuSeconds(client),
    };
    const mem0: MemorySnapshot = await memorySnapshot(client);
    const steps: HeraldStep[] = [];
    let from = 0;
    for (const [k, to] of STEPS.entries()) {
      const last = k === STEPS.length - 1;
      const alerts = to * PER_GROUP;
      const name = `herald ${alerts} alerts`;
      const f = await fill(name, base, (i) => stepAlert(from, to, i), (to - from) * PER_GROUP, cpu);
      from = to;
      await sleep(500);
      const stored = await countStoredAlerts(client, KEY_PREFIX, TENANT);
      const mem = await memorySnapshot(client);
      const per = (b: number) => (stored.alerts ? Math.round(b / stored.alerts) : 0);
      const redisMem = {
        usedMemory: mem.usedMemory,
        usedMemoryDataset: mem.usedMemoryDataset,
        bytesPerStoredAlert: per(mem.usedMemory - mem0.usedMemory),
        datasetBytesPerStoredAlert: per(mem.usedMemoryDataset - mem0.usedMemoryDataset),
        keys: stored.keys,
      };
      log(
        `${name}: ${stored.alerts} alerts stored in ${stored.firingGroups} groups, Redis used_memory ` +
          `${round(mem.usedMemory / 2 ** 20, 1)} MiB = ${redisMem.bytesPerStoredAlert} B/alert ` +
          `(dataset ${redisMem.datasetBytesPerStoredAlert} B/alert), node RSS ${procMemory(pid)?.rssMB ?? '?'} MB`,
      );
      const processMem = procMemory(pid);
      const tick = await tickCost(base, client, pid, to);
      const resends =
        k === 0 || last
          ? {
              sameBodies: await resend(`${name} re-send (first step's alerts)`, base, ctx.sameBodies, cpu),
              ...(last
                ? { sweep: await resend(`${name} re-send (every group)`, base, ctx.sweepBodies(), cpu) }
                : {}),
            }
          : null;
      const listing = k > 0 ? await listings(name, base, alerts, client) : null;
      steps.push({
        groups: to,
        alerts,
        fill: f,
        process: processMem,
        stored,
        redis: redisMem,
        tick,
        listing,
        resend: resends,
      });
      if (node.proc.exitCode !== null || node.proc.signalCode !== null) {
        log(`herald: the node exited (${node.proc.exitCode ?? node.proc.signalCode}):\n${logTail(node, 30)}`);
        break;
      }
    }
    const health = await fetch(`${base}/health/ready`)
      .then((r) => r.text())
      .catch((e: unknown) => `{"error":"${String(e)}"}`);
    const peak = procMemory(pid);
    const events = storeEvents(node.logPath);
    if (events.length) log(`herald: store events in the node's log: ${JSON.stringify(events)}`);
    return {
      version,
      pid,
      steps,
      storeMode: storeModeOf(health),
      processAtEnd: peak,
      storeEvents: events,
      log: node.logPath,
    };
  } finally {
    await stopNode();
    await stopClient();
    await stopRedis();
  }
}

interface AmStep extends Step {
  listing: Awaited<ReturnType<typeof listings>> | null;
  resend: { sameBodies: Resend; sweep?: Resend } | null;
}

async function runAlertmanager(ctx: Ctx, bin: string) {
  const dir = mkdtempSync(join(ctx.tmp, 'alertmanager-'));
  let am: Child | undefined;
  const stopAm = onStop(() => stopChild(am, 10_000));
  try {
    const base = await startAlertmanager(bin, dir, ROUTE_YAML, (c) => (am = c));
    if (!am) throw new Error('alertmanager: not started');
    const pid = am.pid;
    log(`alertmanager: pid ${pid} on ${base} (log: ${am.logPath})`);
    const cpu = { alertmanager: () => procCpuSeconds(pid) };
    const steps: AmStep[] = [];
    let from = 0;
    for (const [k, to] of STEPS.entries()) {
      const last = k === STEPS.length - 1;
      const alerts = to * PER_GROUP;
      const name = `alertmanager ${alerts} alerts`;
      const f = await fill(name, base, (i) => stepAlert(from, to, i), (to - from) * PER_GROUP, cpu);
      from = to;
      await sleep(500);
      const processMem = procMemory(pid);
      log(`${name}: RSS ${processMem?.rssMB ?? '?'} MB`);
      const resends =
        k === 0 || last
          ? {
              sameBodies: await resend(`${name} re-send (first step's alerts)`, base, ctx.sameBodies, cpu),
              ...(last
                ? { sweep: await resend(`${name} re-send (every group)`, base, ctx.sweepBodies(), cpu) }
                : {}),
            }
          : null;
      const listing = k > 0 ? await listings(name, base, alerts) : null;
      steps.push({ groups: to, alerts, fill: f, process: processMem, listing, resend: resends });
      if (am.proc.exitCode !== null || am.proc.signalCode !== null) {
        log(`alertmanager exited (${am.proc.exitCode ?? am.proc.signalCode}):\n${logTail(am, 30)}`);
        break;
      }
    }
    return { version: alertmanagerVersion(bin), pid, steps, processAtEnd: procMemory(pid) };
  } finally {
    await stopAm();
  }
}

// ------------------------------------------------------------------------------------------- summary

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a != null && b != null && b > 0 ? round(a / b, 2) : null;
}

function gitDescribe(): { commit: string; dirty: boolean } {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const status = git('status', '--porcelain', '--untracked-files=no');
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

async function main(): Promise<void> {
  if (!existsSync(HERALD_MAIN)) throw new Error(`${HERALD_MAIN} missing: run node scripts/build.js first`);
  const tmp = mkdtempSync(join(tmpdir(), 'herald-scale-'));
  const stopTmp = onStop(async () => rmSync(tmp, { recursive: true, force: true }));
  const started = new Date();
  const load0 = loadavg();
  const am = S.alertmanager;
  log(
    `scale bench: ${S.groups} groups × ${PER_GROUP} alerts in steps of ${STEPS.join(' / ')} groups; ` +
      `alertmanager: ${am.bin ?? ('reason' in am ? am.reason : '')}; load average ${load0.map((x) => round(x, 2)).join(' ')}`,
  );
  const first = STEPS[0] * PER_GROUP;
  let sweep: string[] | undefined;
  const ctx: Ctx = {
    tmp,
    sameBodies: bodies((i) => stepAlert(0, STEPS[0], i), first),
    sweepBodies: () => (sweep ??= bodies((i) => i, S.groups)),
  };

  const herald = await runHerald(ctx);
  let alertmanager: Awaited<ReturnType<typeof runAlertmanager>> | null = null;
  let amError: string | null = null;
  if (am.bin) {
    try {
      alertmanager = await runAlertmanager(ctx, am.bin);
    } catch (e) {
      amError = e instanceof Error ? e.message : String(e);
      log(`alertmanager run failed: ${amError}`);
    }
  }

  const hs = herald.steps;
  const hFirst = hs[0];
  const hLast = hs[hs.length - 1];
  const amSteps = alertmanager?.steps ?? [];
  const amAt = (groups: number) => amSteps.find((x) => x.groups === groups) ?? null;
  const listingCompare = (groups: number) => {
    const h = hs.find((x) => x.groups === groups)?.listing ?? null;
    const a = amAt(groups)?.listing ?? null;
    if (!h) return null;
    const side = (q: Queries | undefined) =>
      q
        ? {
            p50Ms: q.latencyMs?.p50 ?? null,
            p99Ms: q.latencyMs?.p99 ?? null,
            requests: q.requests,
            alerts: q.alerts,
            groups: q.groups,
            bytes: q.bytes,
            error: q.error,
            incomplete: q.incomplete,
            ...(q.answersOffRedis !== undefined ? { answersOffRedis: q.answersOffRedis } : {}),
          }
        : null;
    return {
      alerts: groups * PER_GROUP,
      groups,
      groupsListing: {
        herald: side(h.groups),
        alertmanager: side(a?.groups),
        p50Ratio: ratio(h.groups.latencyMs?.p50, a?.groups.latencyMs?.p50),
        p99Ratio: ratio(h.groups.latencyMs?.p99, a?.groups.latencyMs?.p99),
      },
      filter: {
        herald: side(h.filter),
        alertmanager: side(a?.filter),
        p50Ratio: ratio(h.filter.latencyMs?.p50, a?.filter.latencyMs?.p50),
        p99Ratio: ratio(h.filter.latencyMs?.p99, a?.filter.latencyMs?.p99),
      },
    };
  };
  const ticks = hs.flatMap((x) => (x.tick ? [x.tick] : []));
  const t0 = ticks[0];
  const tN = ticks[ticks.length - 1];
  const memoryPerAlert = hLast.redis.bytesPerStoredAlert;
  const git = gitDescribe();
  const load1 = loadavg();

  const summary = {
    note:
      'Herald (one node, all roles, its own redis-server) and Alertmanager filled step by step to the same ' +
      'groups/alerts (group_wait/group_interval 1h: nothing due); see test/bench/scale.bench.ts for every figure',
    headline: {
      groups: hLast.groups,
      alertsStored: hLast.stored.alerts,
      redisBytesPerAlert: memoryPerAlert,
      nodeFellBackToMemory: herald.storeEvents.map((e) => `${e.time} ${e.msg} (during: ${e.phase})`),
      redisDatasetBytesPerAlert: hLast.redis.datasetBytesPerStoredAlert,
      redisUsedMemoryMiB: round(hLast.redis.usedMemory / 2 ** 20, 1),
      nodeRssMB: hLast.process?.rssMB ?? null,
      nodePeakRssMB: herald.processAtEnd?.peakRssMB ?? null,
      alertmanagerRssMB: amSteps[amSteps.length - 1]?.process?.rssMB ?? null,
      alertmanagerPeakRssMB: alertmanager?.processAtEnd?.peakRssMB ?? null,
      fillAlertsPerSec: Object.fromEntries(hs.map((x) => [String(x.alerts), x.fill.alertsPerSec])),
      alertmanagerFillAlertsPerSec: Object.fromEntries(
        amSteps.map((x) => [String(x.alerts), x.fill.alertsPerSec]),
      ),
      resendAlertsPerSec: {
        note: `the same ${ctx.sameBodies.length} bodies (${ctx.sameBodies.length * BATCH} alerts of the first step) re-sent with the store at the first step and at the last; sweep: alert j=0 of every group`,
        [`at${hFirst.alerts}`]: hFirst.resend?.sameBodies.alertsPerSec ?? null,
        [`at${hLast.alerts}`]: hLast.resend?.sameBodies.alertsPerSec ?? null,
        [`at${hLast.alerts}Sweep`]: hLast.resend?.sweep?.alertsPerSec ?? null,
        lastOverFirst: ratio(hLast.resend?.sameBodies.alertsPerSec, hFirst.resend?.sameBodies.alertsPerSec),
        alertmanager: alertmanager
          ? {
              [`at${amSteps[0]?.alerts}`]: amSteps[0]?.resend?.sameBodies.alertsPerSec ?? null,
              [`at${amSteps[amSteps.length - 1]?.alerts}`]:
                amSteps[amSteps.length - 1]?.resend?.sameBodies.alertsPerSec ?? null,
              [`at${amSteps[amSteps.length - 1]?.alerts}Sweep`]:
                amSteps[amSteps.length - 1]?.resend?.sweep?.alertsPerSec ?? null,
            }
          : null,
      },
      listing: STEPS.slice(1).map(listingCompare),
      tick: {
        note:
          'nothing due: the idle node per second (node and Redis CPU, Redis commands incl. Lua, top-level ' +
          'calls by MONITOR), and one idle tick replayed from the bench (FlushRunner.tick on the node’s Redis: ' +
          'duration, Redis commands per tick)',
        byGroups: ticks.map((t) => ({
          groups: t.groups,
          nodeCpuMsPerSec: t.idle.nodeCpuMsPerSec,
          redisCpuMsPerSec: t.idle.redisCpuMsPerSec,
          redisCommandsPerSecInclLua: t.idle.redisCommandsPerSecInclLua,
          topLevelPerSec: t.idle.topLevelTotalPerSec,
          tickP50Ms: t.replay.p50Ms,
          tickP99Ms: t.replay.p99Ms,
          redisCommandsPerTickInclLua: t.replay.redisCommandsPerTickInclLua,
          evalshaPerTick: t.replay.evalshaPerTick,
          dueAtEnd: t.dueAtEnd.due,
          modeAtEnd: t.modeAtEnd,
          ticksThatClaimedSinceStart: t.ticksThatClaimedSinceStart,
          flushesSinceStart: t.flushesSinceStart,
          metricsScrapeMs: t.metricsScrapeMs,
          modeAfterScrape: t.modeAfterScrape,
        })),
        lastOverFirst:
          t0 && tN
            ? {
                groups: [t0.groups, tN.groups],
                redisCpuMsPerSec: ratio(tN.idle.redisCpuMsPerSec, t0.idle.redisCpuMsPerSec),
                redisCommandsPerSecInclLua: ratio(
                  tN.idle.redisCommandsPerSecInclLua,
                  t0.idle.redisCommandsPerSecInclLua,
                ),
                tickP50Ms: ratio(tN.replay.p50Ms, t0.replay.p50Ms),
                redisCommandsPerTickInclLua: ratio(
                  tN.replay.redisCommandsPerTickInclLua,
                  t0.replay.redisCommandsPerTickInclLua,
                ),
              }
            : null,
      },
    },
    checks: {
      allAlertsStored: hs.every((x) => x.stored.alerts === x.alerts),
      memoryPerAlertAtMost700B: memoryPerAlert <= TARGET_BYTES_PER_ALERT,
      fillNoErrors: hs.every((x) => x.fill.non200 === 0),
      resendNoErrors: hs.every(
        (x) => !x.resend || (x.resend.sameBodies.non2xx === 0 && (x.resend.sweep?.non2xx ?? 0) === 0),
      ),
      nothingDueDuringTicks: ticks.every(
        (t) => t.dueAtEnd.due === 0 && t.dueAtEnd.leased === 0 && t.replay.claimed === 0,
      ),
      tickWindowsOnRedis: ticks.every((t) => t.modeAtEnd === 'redis'),
      filterAnswersOneGroup: hs.every((x) => !x.listing || x.listing.filter.alerts === PER_GROUP),
      storeModeRedis: herald.storeMode === 'redis',
      neverFellBackToMemory: herald.storeEvents.length === 0,
      groupsListingComplete: hs.every((x) => !x.listing || x.listing.groups.incomplete === 0),
      groupsListingAnsweredFromRedis: hs.every((x) => !x.listing || x.listing.groups.answersOffRedis === 0),
      reachedLastStep: hs.length === STEPS.length,
      alertmanagerReachedLastStep: alertmanager ? amSteps.length === STEPS.length : null,
    },
    herald: { ...herald, log: undefined },
    alertmanager,
    ...(alertmanager ? {} : { alertmanagerReason: amError ?? ('reason' in am ? am.reason : null) }),
    env: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      redis: herald.version,
      alertmanager: alertmanager?.version ?? null,
      ...git,
      loadAverageAtStart: load0.map((x) => round(x, 2)),
      loadAverageAtEnd: load1.map((x) => round(x, 2)),
      settings: {
        ...S,
        alertmanager: am.bin,
        perGroup: PER_GROUP,
        steps: STEPS,
        batch: BATCH,
        schedulerTickMs: TICK_MS,
      },
      started: started.toISOString(),
      minutes: round((Date.now() - started.getTime()) / 60_000, 1),
    },
  };

  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  log(`headline: ${JSON.stringify(summary.headline)}`);
  log(`checks: ${JSON.stringify(summary.checks)}`);
  log(`written ${file} (${summary.env.minutes} min)`);
  await stopTmp();
  process.exitCode = amError ? 1 : 0;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main()
  .catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopEverything();
    setTimeout(() => process.exit(), 100).unref();
  });
