/**
 * Ingest benchmark: Herald (one node + its own redis-server) against Prometheus Alertmanager, same load,
 * same machine, same session. `npm run bench`; progress on stderr, one JSON summary as the last line of
 * stdout (also written to bench-results/ingest-<timestamp>.json).
 *
 * Environment:
 *   BENCH_DURATION      measured seconds per run (15)         BENCH_CONNECTIONS  concurrent connections (8)
 *   BENCH_WARMUP        warm-up seconds, not measured (2)     BENCH_ROUNDS       Herald/Alertmanager rounds,
 *                                                                                alternating order (1)
 *   BENCH_TOOL          autocannon (default) | wrk (needs `wrk` on PATH; uses shared/bench/alerts.lua)
 *   BENCH_WRK_SCRIPT    path of alerts.lua (default ../shared/bench/alerts.lua beside the repo)
 *   BENCH_ALERTMANAGER  Alertmanager binary (default /usr/bin/prometheus-alertmanager, else `alertmanager`
 *                       or `prometheus-alertmanager` on PATH); `0` or `off` skips the comparison
 *   BENCH_NODE_ARGS     extra node flags for the Herald child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../harness/free-port';
import { RedisServer } from '../harness/redis-server';
import { BENCH_ROUTE_YAML, buildBodies, distinctAlerts, REFERENCE_SHAPE } from './alert-load';
import { runAutocannon, runWrk, stopLoad, type LoadResult } from './load';
import {
  log,
  procCpuSeconds,
  procMemory,
  round,
  sleep,
  spawnLogged,
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
  type StoredAlerts,
} from './redis-stats';

const ROOT = resolve(__dirname, '../../..');
const HERALD_MAIN = join(ROOT, 'dist/apps/server/src/main.js');
const PATH = '/api/v2/alerts';
const KEY_PREFIX = 'herald';
const TENANT = 'default';
/** Lets in-flight requests of a finished load land before Redis counters are read. */
const SETTLE_MS = 300;
/** Idle window after the load in which the scheduler's own Redis calls are measured (ms). */
const BACKGROUND_MS = 5000;

const ROUTE_YAML = BENCH_ROUTE_YAML;
const HERALD_YAML = `${ROUTE_YAML}herald:
  limits:
    max_alerts_per_request: 1000
`;

// ---------------------------------------------------------------------------------------------- settings

interface Settings {
  durationS: number;
  warmupS: number;
  connections: number;
  rounds: number;
  tool: 'autocannon' | 'wrk';
  wrkScript: string;
  nodeArgs: string[];
  alertmanager: { bin: string } | { bin: null; reason: string };
}

function envNumber(name: string, def: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return n;
}

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

function findAlertmanager(): Settings['alertmanager'] {
  const want = process.env.BENCH_ALERTMANAGER;
  if (want === '0' || want === 'off' || want === 'false') {
    return { bin: null, reason: `skipped: BENCH_ALERTMANAGER=${want}` };
  }
  if (want)
    return existsSync(want) ? { bin: want } : { bin: null, reason: `BENCH_ALERTMANAGER=${want} not found` };
  const found =
    ['/usr/bin/prometheus-alertmanager'].find((p) => existsSync(p)) ??
    onPath('alertmanager') ??
    onPath('prometheus-alertmanager');
  return found
    ? { bin: found }
    : {
        bin: null,
        reason:
          'Alertmanager not installed (no /usr/bin/prometheus-alertmanager, no alertmanager on PATH; ' +
          'apt-get install prometheus-alertmanager, or set BENCH_ALERTMANAGER)',
      };
}

function readSettings(): Settings {
  const tool = (process.env.BENCH_TOOL ?? 'autocannon').toLowerCase();
  if (tool !== 'autocannon' && tool !== 'wrk')
    throw new Error(`BENCH_TOOL must be autocannon or wrk, got ${tool}`);
  const wrkScript = resolve(process.env.BENCH_WRK_SCRIPT ?? join(ROOT, '../shared/bench/alerts.lua'));
  if (tool === 'wrk') {
    if (!onPath('wrk')) throw new Error('BENCH_TOOL=wrk but wrk is not on PATH (apt-get install wrk)');
    if (!existsSync(wrkScript)) throw new Error(`BENCH_TOOL=wrk: ${wrkScript} not found (BENCH_WRK_SCRIPT)`);
  }
  return {
    durationS: envNumber('BENCH_DURATION', 15, 1),
    warmupS: envNumber('BENCH_WARMUP', 2, 0),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 8, 1)),
    rounds: Math.round(envNumber('BENCH_ROUNDS', 1, 1)),
    tool,
    wrkScript,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    alertmanager: findAlertmanager(),
  };
}

// ------------------------------------------------------------------------------------ cleanup on any exit

/** Stop functions of everything running; each runs once, whether reached by the normal path or a signal. */
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

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
for (const [sig, code] of Object.entries(SIGNALS)) {
  process.once(sig, () => {
    log(`${sig}: stopping the load and every child process`);
    stopLoad();
    void stopEverything().finally(() => process.exit(code));
  });
}

// ------------------------------------------------------------------------------------------- one run

interface Run {
  target: 'herald' | 'alertmanager';
  /** 0-based round (runs alternate: H A, A H, ...). */
  round: number;
  url: string;
  load: LoadResult;
  /** CPU cores used during the measured window (1.0 = one core busy). */
  cpuCores: Record<string, number | null>;
  process: ({ pid: number } & ProcMemory) | { pid: number };
}

interface HeraldRun extends Run {
  target: 'herald';
  redis: {
    /** EVALSHA calls / completed requests (the ingest path's target is 1). */
    /** EVALSHA per ingest request, the scheduler's background calls taken out (target 1). */
    evalshaPerRequest: number;
    evalshaPerRequestInclScheduler: number;
    backgroundEvalshaPerSec: number;
    /** EVAL calls / request (NOSCRIPT fallbacks; should be ~0). */
    evalPerRequest: number;
    /** Every command Redis executed (top-level and inside Lua; the bench's INFO excluded) / request. */
    commandsPerRequestInclLua: number;
    /** Same, EVALSHA/EVAL themselves left out: the commands the Lua script ran (plus any background work). */
    commandsPerRequestInsideLua: number;
    /** Per command name: calls / request and Redis µs / request (inside Lua included; EVALSHA's µs
     *  cover its whole script, so they overlap the others). */
    byCommand: Record<string, { perRequest: number; usecPerRequest: number }>;
    /** Requests the Redis counters are divided by (sent, in-flight at the stop included). */
    requestsCounted: number;
    /** Redis time per EVALSHA call (the whole script), µs. */
    evalshaUsecPerCall: number;
    stored: StoredAlerts & { expected: number };
    /** (used_memory after the run − before the first alert) / stored alerts. */
    bytesPerStoredAlert: number;
    /** Same with used_memory_dataset (leaves out Redis' own overhead: buffers, script cache...). */
    datasetBytesPerStoredAlert: number;
    usedMemoryBeforeBytes: number;
    usedMemoryAfterBytes: number;
    version: string;
  };
  /** /health/ready after the run (`redis`; `memory-fallback` would mean the numbers are not Redis'). */
  storeMode: string;
}

interface Ctx {
  s: Settings;
  bodies: string[];
  tmp: string;
}

async function drive(ctx: Ctx, url: string, durationS: number, tag: string): Promise<LoadResult> {
  const { s, bodies } = ctx;
  const o = { url, bodies, connections: s.connections, durationS, batch: REFERENCE_SHAPE.batch };
  if (s.tool === 'wrk') {
    return runWrk({
      ...o,
      script: s.wrkScript,
      pool: REFERENCE_SHAPE.pool,
      groups: REFERENCE_SHAPE.groups,
      logPath: join(ctx.tmp, `wrk-${tag}.log`),
    });
  }
  return runAutocannon(o);
}

/** One POST before the load: a 4xx here (bad clock, config) would otherwise be millions of non-2xx. */
async function preflight(url: string, body: string, name: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${name}: preflight POST ${url} answered ${res.status}: ${text}`);
}

/** Warm-up (not measured), then the measured load with CPU sampled around it. */
async function measure(
  ctx: Ctx,
  name: string,
  url: string,
  pids: Record<string, number | undefined>,
  betweenWarmupAndRun: () => Promise<void> = async () => undefined,
): Promise<{ load: LoadResult; cpuCores: Record<string, number | null> }> {
  const { s } = ctx;
  if (s.warmupS > 0) {
    log(`${name}: warm-up ${s.warmupS}s`);
    await drive(ctx, url, s.warmupS, `${name}-warmup`);
    await sleep(SETTLE_MS);
  }
  await betweenWarmupAndRun();
  log(`${name}: measuring ${s.durationS}s with ${s.connections} connections (${s.tool})`);
  const cpu0 = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, pid ? procCpuSeconds(pid) : null]),
  );
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const load = await drive(ctx, url, s.durationS, name);
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const cpuCores: Record<string, number | null> = {};
  for (const [k, pid] of Object.entries(pids)) {
    const now = pid ? procCpuSeconds(pid) : null;
    cpuCores[k] = now !== null && cpu0[k] !== null ? round((now - cpu0[k]) / wall, 2) : null;
  }
  // autocannon runs in this process; wrk is a child whose CPU time is not sampled.
  cpuCores.loadGenerator = s.tool === 'autocannon' ? round((self.user + self.system) / 1e6 / wall, 2) : null;
  log(
    `${name}: ${load.requestsPerSec} req/s = ${load.alertsPerSec} alerts/s, p50 ${load.latencyMs.p50} ms, ` +
      `p99 ${load.latencyMs.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}`,
  );
  return { load, cpuCores };
}

async function runHerald(ctx: Ctx, round_: number): Promise<HeraldRun> {
  const dir = mkdtempSync(join(ctx.tmp, `herald-${round_}-`));
  const redis = await RedisServer.start();
  const stopRedis = onStop(() => redis.stop());
  let herald: Child | undefined;
  const stopHerald = onStop(() => stopChild(herald));
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  const stopClient = onStop(async () => void client.disconnect());
  try {
    await client.connect();
    const version = (await infoSection(client, 'server')).redis_version;
    log(`herald: redis-server ${version} on ${redis.url}`);
    const configPath = join(dir, 'herald.yml');
    writeFileSync(configPath, HERALD_YAML);
    const port = await freePort();
    herald = await spawnLogged(
      'herald',
      process.execPath,
      [...ctx.s.nodeArgs, HERALD_MAIN],
      join(dir, 'herald.log'),
      {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, HERALD_CONFIG: configPath },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(herald, `${base}/health/ready`, 30_000, (st, body) => st === 200 && isStoreOk(body));
    log(`herald: node pid ${herald.pid} ready on ${base} (log: ${herald.logPath})`);

    const mem0 = await memorySnapshot(client);
    await preflight(base + PATH, ctx.bodies[0], 'herald');
    let stats0 = await commandStats(client);
    let loadStartedAt = Date.now();
    const { load, cpuCores } = await measure(
      ctx,
      'herald',
      base + PATH,
      { herald: herald.pid, redis: redis.pid },
      async () => {
        stats0 = await commandStats(client);
        loadStartedAt = Date.now();
      },
    );
    const memory = procMemory(herald.pid);
    await sleep(SETTLE_MS);
    const d = diffStats(stats0, await commandStats(client));
    const loadWindowMs = Date.now() - loadStartedAt;
    // The flush scheduler runs its own scripts (claims, locks, notification log) all the time; measure
    // them with no load for a while and take them out, so the ingest figure counts ingest alone.
    const bg0 = await commandStats(client);
    const bgStart = Date.now();
    await sleep(BACKGROUND_MS);
    const bg = diffStats(bg0, await commandStats(client));
    const bgScale = loadWindowMs / (Date.now() - bgStart);
    const mem1 = await memorySnapshot(client);
    const stored = await countStoredAlerts(client, KEY_PREFIX, TENANT);
    const health = await fetch(`${base}/health/ready`).then((r) => r.text());
    const storeMode = storeModeOf(health);

    const counted = load.sent ?? load.requests;
    const per = (calls: number) => (counted ? round(calls / counted, 3) : 0);
    let total = 0;
    for (const v of d.values()) total += v.calls;
    const evalsha = d.get('evalsha') ?? { calls: 0, usec: 0 };
    const evalc = d.get('eval') ?? { calls: 0, usec: 0 };
    const byCommand = Object.fromEntries(
      [...d.entries()]
        .sort((a, b) => b[1].calls - a[1].calls)
        .map(([k, v]) => [
          k,
          { perRequest: per(v.calls), usecPerRequest: counted ? round(v.usec / counted, 1) : 0 },
        ]),
    );
    const perAlert = (bytes: number) => (stored.alerts ? Math.round(bytes / stored.alerts) : 0);
    const run: HeraldRun = {
      target: 'herald',
      round: round_,
      url: base + PATH,
      load,
      cpuCores,
      process: { pid: herald.pid, ...(memory ?? {}) },
      redis: {
        evalshaPerRequest: per(Math.max(0, evalsha.calls - (bg.get('evalsha')?.calls ?? 0) * bgScale)),
        evalshaPerRequestInclScheduler: per(evalsha.calls),
        backgroundEvalshaPerSec: round(((bg.get('evalsha')?.calls ?? 0) * 1000) / BACKGROUND_MS, 1),
        evalPerRequest: per(evalc.calls),
        commandsPerRequestInclLua: per(total),
        commandsPerRequestInsideLua: per(total - evalsha.calls - evalc.calls),
        byCommand,
        requestsCounted: counted,
        evalshaUsecPerCall: evalsha.calls ? round(evalsha.usec / evalsha.calls, 1) : 0,
        stored: { ...stored, expected: distinctAlerts(REFERENCE_SHAPE) },
        bytesPerStoredAlert: perAlert(mem1.usedMemory - mem0.usedMemory),
        datasetBytesPerStoredAlert: perAlert(mem1.usedMemoryDataset - mem0.usedMemoryDataset),
        usedMemoryBeforeBytes: mem0.usedMemory,
        usedMemoryAfterBytes: mem1.usedMemory,
        version,
      },
      storeMode,
    };
    log(
      `herald: ${run.redis.evalshaPerRequest} EVALSHA/request, ${run.redis.commandsPerRequestInclLua} Redis ` +
        `commands/request incl. Lua, ${stored.alerts} alerts stored in ${stored.firingGroups} groups, ` +
        `${run.redis.bytesPerStoredAlert} B/alert, node RSS ${memory?.rssMB ?? '?'} MB, store ${storeMode}`,
    );
    return run;
  } finally {
    await stopHerald();
    await stopClient();
    await stopRedis();
  }
}

function storeModeOf(body: string): string {
  try {
    const h = JSON.parse(body) as { store?: { mode?: string } };
    return h.store?.mode ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function isStoreOk(body: string): boolean {
  return storeModeOf(body) === 'redis';
}

async function runAlertmanager(ctx: Ctx, bin: string, round_: number): Promise<Run> {
  const dir = mkdtempSync(join(ctx.tmp, `alertmanager-${round_}-`));
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, ROUTE_YAML);
  const port = await freePort();
  let am: Child | undefined;
  const stopAm = onStop(() => stopChild(am));
  try {
    am = await spawnLogged(
      'alertmanager',
      bin,
      [
        `--config.file=${configPath}`,
        `--storage.path=${join(dir, 'data')}`,
        '--cluster.listen-address=',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      join(dir, 'alertmanager.log'),
      { cwd: dir },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(am, `${base}/-/ready`, 30_000);
    log(`alertmanager: pid ${am.pid} ready on ${base} (log: ${am.logPath})`);
    await preflight(base + PATH, ctx.bodies[0], 'alertmanager');
    const { load, cpuCores } = await measure(ctx, 'alertmanager', base + PATH, { alertmanager: am.pid });
    const memory = procMemory(am.pid);
    log(`alertmanager: RSS ${memory?.rssMB ?? '?'} MB`);
    return {
      target: 'alertmanager',
      round: round_,
      url: base + PATH,
      load,
      cpuCores,
      process: { pid: am.pid, ...(memory ?? {}) },
    };
  } finally {
    await stopAm();
  }
}

function alertmanagerVersion(bin: string): string {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0];
  } catch (e) {
    return `unknown (${e instanceof Error ? e.message : String(e)})`;
  }
}

// ----------------------------------------------------------------------------------------------- summary

/** The run with the median alerts/s (the lower middle one for an even count; the only one for 1 round). */
function median<T extends Run>(runs: T[]): T | null {
  if (runs.length === 0) return null;
  const sorted = [...runs].sort((a, b) => a.load.alertsPerSec - b.load.alertsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function flatten(r: Run): Record<string, unknown> {
  const { load, ...rest } = r;
  const { tool: _tool, ...numbers } = load;
  return { ...numbers, ...rest };
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? round(a / b, 2) : null;
}

async function main(): Promise<void> {
  const s = readSettings();
  if (!existsSync(HERALD_MAIN)) throw new Error(`${HERALD_MAIN} missing: run node scripts/build.js first`);
  const tmp = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const stopTmp = onStop(async () => rmSync(tmp, { recursive: true, force: true }));
  const bodies = buildBodies(REFERENCE_SHAPE);
  const ctx: Ctx = { s, bodies, tmp };
  const amBin = s.alertmanager.bin;
  const amMissing = 'reason' in s.alertmanager ? s.alertmanager.reason : null;
  const amVersion = amBin ? alertmanagerVersion(amBin) : null;
  log(
    `ingest bench: ${bodies.length} bodies × ${REFERENCE_SHAPE.batch} alerts (${distinctAlerts(REFERENCE_SHAPE)} ` +
      `distinct, ${REFERENCE_SHAPE.groups} alertnames), ${s.durationS}s + ${s.warmupS}s warm-up, ` +
      `${s.connections} connections, ${s.rounds} round(s), ${s.tool}; alertmanager: ` +
      (amBin ? `${amBin} ${amVersion}` : amMissing),
  );

  const heraldRuns: HeraldRun[] = [];
  const amRuns: Run[] = [];
  let amError: string | null = null;
  for (let i = 0; i < s.rounds; i++) {
    // Alternate the order (H A, A H, ...) so drift of the machine during the session hits both alike.
    const order: ('herald' | 'alertmanager')[] =
      i % 2 === 0 ? ['herald', 'alertmanager'] : ['alertmanager', 'herald'];
    for (const target of order) {
      if (target === 'herald') {
        heraldRuns.push(await runHerald(ctx, i));
      } else if (amBin && !amError) {
        try {
          amRuns.push(await runAlertmanager(ctx, amBin, i));
        } catch (e) {
          amError = e instanceof Error ? e.message : String(e);
          log(`alertmanager run failed: ${amError}`);
        }
      }
    }
  }

  const herald = median(heraldRuns);
  const am = median(amRuns);
  if (!herald) throw new Error('no Herald run');
  const amReason = !amBin ? amMissing : amError ? `run failed: ${amError}` : null;
  const h = herald.load;
  const summary = {
    herald: flatten(herald),
    alertmanager: am ? flatten(am) : null,
    ...(am ? {} : { alertmanagerReason: amReason }),
    ratio: am
      ? {
          note: 'herald / alertmanager: alertsPerSec > 1 means Herald is faster; p99/p50 < 1 means Herald answers faster',
          alertsPerSec: ratio(h.alertsPerSec, am.load.alertsPerSec),
          p99LatencyMs: ratio(h.latencyMs.p99, am.load.latencyMs.p99),
          p50LatencyMs: ratio(h.latencyMs.p50, am.load.latencyMs.p50),
        }
      : null,
    checks: {
      evalshaPerRequestIsOne: Math.abs(herald.redis.evalshaPerRequest - 1) < 0.01,
      bytesPerStoredAlertUnder1KB: herald.redis.bytesPerStoredAlert < 1024,
      allAlertsStored: herald.redis.stored.alerts === herald.redis.stored.expected,
      heraldNoErrors: h.non2xx === 0 && h.errors === 0,
      alertmanagerNoErrors: am ? am.load.non2xx === 0 && am.load.errors === 0 : null,
      storeModeRedis: herald.storeMode === 'redis',
    },
    ...(s.rounds > 1
      ? { runs: [...heraldRuns, ...amRuns].sort((a, b) => a.round - b.round).map(flatten) }
      : {}),
    env: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      redis: herald.redis.version,
      alertmanager: amVersion,
      tool: h.tool,
      durationS: s.durationS,
      warmupS: s.warmupS,
      connections: s.connections,
      rounds: s.rounds,
      batch: REFERENCE_SHAPE.batch,
      pool: REFERENCE_SHAPE.pool,
      alertnames: REFERENCE_SHAPE.groups,
      heraldNodeArgs: s.nodeArgs,
      date: new Date().toISOString(),
    },
  };

  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  log(`herald:       ${line(h)}`);
  if (am) log(`alertmanager: ${line(am.load)}`);
  if (summary.ratio) {
    log(`herald/alertmanager: alerts/s ×${summary.ratio.alertsPerSec}, p99 ×${summary.ratio.p99LatencyMs}`);
  }
  log(`written ${file}`);
  await stopTmp();
  process.exitCode = amError ? 1 : 0;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function line(l: LoadResult): string {
  return (
    `${l.requestsPerSec} req/s = ${l.alertsPerSec} alerts/s, p50 ${l.latencyMs.p50} ms, p99 ` +
    `${l.latencyMs.p99} ms, non-2xx ${l.non2xx}, errors ${l.errors}`
  );
}

main()
  .catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopEverything();
    // Nothing should be left, but a stray handle must not keep `npm run bench` hanging.
    setTimeout(() => process.exit(), 100).unref();
  });
