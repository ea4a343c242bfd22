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
 *   BENCH_INHIBIT_RULES N (0) adds a Herald run with the first N of the 20 inhibit rules of
 *                       inhibit-rules.ts (and an Alertmanager run with them) to every round, order
 *                       reversed each round (H Hi A Ai, Ai A Hi H, ...); the summary gains `inhibition`:
 *                       the runs with rules, the throughput drop against none (median runs and per
 *                       round), CPU µs per alert, Redis commands and round trips per request; each
 *                       Herald run is also repeated on the api-only node below (`ingestOnly`), which
 *                       tells ingest's own cost from the flush scheduler's (inhibition lookups).
 *
 *   BENCH_REDIS         single (default: one redis-server per Herald run) | cluster (the Herald runs on
 *                       a 3-master Redis Cluster, no replicas, REDIS_CLUSTER_NODES) | both (a single
 *                       and a cluster run in every round, order alternating like the rounds, and
 *                       Alertmanager once per round: the ratios come from the same session). Cluster
 *                       runs add a `cluster` block to the summary: alerts/s, Redis CPU per master (INFO
 *                       CPU) and its spread from even, EVALSHA per master, round trips per request
 *                       (masters touched; MONITOR on every master), bytes per stored alert (all
 *                       masters), stored alerts (SCAN on every master), flush cost; with `both` also
 *                       `vsSingle` (cluster / single). BENCH_INHIBIT_RULES variants run on single only.
 *
 * Flush cost (every Herald run, `redis.cost`): the bench route flushes every group every 5 s
 * (group_interval), so an idle window after the load (10 s, no requests, after the 5 s background
 * window below in which the flushes the load held up finish) is the scheduler alone: Redis CPU (INFO
 * CPU, all masters) over it / flushes in it (herald_flush_total on the node's /metrics) is Redis µs per
 * flush (claims, group reads, notification log; everything the node asks of Redis while idle is
 * charged to flushes). The load window's Redis CPU, its flushes taken out at that rate, over the
 * alerts answered is Redis µs per alert of ingest.
 *
 * After each Herald run the node is stopped and an `api`-only node (no scheduler) probes ingest alone
 * on the same Redis (round-trips.ts): top-level commands per request with MONITOR, 200 sequential
 * requests, the idle rate taken out (`redis.roundTrips`), and the upsert script's Redis µs.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { NODE_FLAGS } from '../../apps/server/src/memory-flags';
import { freePort } from '../harness/free-port';
import { RedisCluster, type ClusterNode } from '../harness/redis-cluster';
import { RedisServer } from '../harness/redis-server';
import { BENCH_ROUTE_YAML, buildBodies, distinctAlerts, REFERENCE_SHAPE } from './alert-load';
import { inhibitLoadStats, inhibitRulesYaml, MAX_INHIBIT_RULES } from './inhibit-rules';
import { runAutocannon, runWrk, stopLoad, type LoadResult } from './load';
import {
  alertmanagerVersion,
  findAlertmanager,
  log,
  logTail,
  onPath,
  procCpuSeconds,
  procMemory,
  redisEnv,
  round,
  sleep,
  spawnLogged,
  startAlertmanager,
  startHerald,
  stopChild,
  waitHttp,
  type AlertmanagerBin,
  type Child,
  type ProcMemory,
} from './procs';
import {
  commandStats,
  countStoredAlerts,
  countStoredAlertsOn,
  diffStats,
  infoSection,
  memorySnapshot,
  redisCpuSeconds,
  type CommandStats,
  type MemorySnapshot,
  type StoredAlerts,
} from './redis-stats';
import {
  probeClusterRoundTrips,
  probeRoundTrips,
  type ClusterRoundTrips,
  type RoundTrips,
} from './round-trips';

const ROOT = resolve(__dirname, '../../..');
const HERALD_MAIN = join(ROOT, 'dist/apps/server/src/main.js');
const PATH = '/api/v2/alerts';
const KEY_PREFIX = 'herald';
const TENANT = 'default';
/** Lets in-flight requests of a finished load land before Redis counters are read. */
const SETTLE_MS = 300;
/** Idle window after the load in which the scheduler's own Redis calls are measured (ms). */
const BACKGROUND_MS = 5000;
/**
 * The flush-cost window (ms), after the background one (which lets the flushes held up by the load
 * finish): two group_intervals of the bench route, so every group flushes about twice in it.
 */
const FLUSH_WINDOW_MS = 10_000;

/** Sequential requests of the round-trip probe (per window), and its idle window (ms). */
const PROBE_REQUESTS = 200;
const PROBE_IDLE_MS = 2000;

/** The Alertmanager sections both tools read: the bench route, plus `rules` inhibit rules. */
const routeYaml = (rules: number) => BENCH_ROUTE_YAML + inhibitRulesYaml(rules);
const heraldYaml = (rules: number) => `${routeYaml(rules)}herald:
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
  /** Inhibit rules of the extra variant (0: no variant). */
  inhibitRules: number;
  /** Herald on one redis-server, on a 3-master Redis Cluster, or both in every round. */
  redis: 'single' | 'cluster' | 'both';
  alertmanager: AlertmanagerBin;
}

function envNumber(name: string, def: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return n;
}

function readRedisMode(): Settings['redis'] {
  const mode = (process.env.BENCH_REDIS ?? 'single').toLowerCase() || 'single';
  if (mode !== 'single' && mode !== 'cluster' && mode !== 'both')
    throw new Error(`BENCH_REDIS must be single, cluster or both, got ${mode}`);
  return mode;
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
    inhibitRules: Math.min(Math.round(envNumber('BENCH_INHIBIT_RULES', 0, 0)), MAX_INHIBIT_RULES),
    redis: readRedisMode(),
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
  target: 'herald' | 'herald-cluster' | 'alertmanager';
  /** 0-based round (runs alternate: H A, A H, ...). */
  round: number;
  /** inhibit_rules in the config (the BENCH_INHIBIT_RULES variant; 0 otherwise). */
  inhibitRules: number;
  url: string;
  load: LoadResult;
  /** CPU cores used during the measured window (1.0 = one core busy). */
  cpuCores: Record<string, number | null>;
  /** CPU µs per alert answered, per process (CPU time over the measured window / alerts). */
  cpuUsecPerAlert: Record<string, number | null>;
  process: ({ pid: number } & ProcMemory) | { pid: number };
}

type Measured = Pick<Run, 'load' | 'cpuCores' | 'cpuUsecPerAlert'>;

interface HeraldRun extends Run {
  target: 'herald';
  redis: {
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
    /** Top-level commands per request counted with MONITOR after the load (round-trips.ts). */
    roundTrips: RoundTrips;
    /** Redis CPU per alert and per flush (INFO CPU), see the file's comment. */
    cost: RedisCost;
  };
  /**
   * The same load on an `api`-only node (no flush scheduler) on the run's Redis after the run; only
   * when BENCH_INHIBIT_RULES is set (it tells ingest's own cost from the flush's).
   */
  ingestOnly: Measured | null;
  /** /health/ready after the run (`redis`; `memory-fallback` would mean the numbers are not Redis'). */
  storeMode: string;
}

/** Redis CPU (INFO CPU used_cpu_sys + used_cpu_user, summed over the masters) per alert and per flush. */
interface RedisCost {
  note: string;
  /** Redis CPU over the measured load window / alerts answered (the flush scheduler's share included). */
  cpuUsecPerAlert: number;
  /** The same with the window's flushes taken out at `flush.cpuUsecPerFlush`: ingest alone. */
  cpuUsecPerAlertExclFlush: number;
  /** Redis CPU seconds per second over the load window (1 = one core), all masters. */
  cpuCoresDuringLoad: number;
  flushesDuringLoad: number;
  flushesPerSecDuringLoad: number;
  /** Scheduler ticks that completed in the load window and their mean duration (a flush is counted
   *  when its tick ends: a tick longer than the window shows no flushes in it). */
  ticksDuringLoad: number;
  tickMsMeanDuringLoad: number | null;
  /**
   * The idle window after the load: the scheduler alone. A group whose receiver already knows everything
   * is parked until repeat_interval or its first endsAt (resolve_timeout here), so idle groups flush
   * rarely: what is left is the background cost (script calls and commands per second).
   */
  flush: {
    windowMs: number;
    /** Idle time before the window (the background window: flushes held up by the load finish). */
    startsAfterLoadMs: number;
    ticks: number;
    tickMsMean: number | null;
    flushes: number;
    flushesPerSec: number;
    cpuUsec: number;
    cpuUsecPerFlush: number;
    /** Redis commands (inside Lua included) per flush, all masters. */
    commandsPerFlushInclLua: number;
    /** Script calls (EVALSHA + EVAL) per second over the window, all masters: background calls. */
    scriptCallsPerSec: number;
    /** Every command per second over the window (inside Lua included; INFO of the bench left out). */
    commandsPerSecInclLua: number;
  };
}

/** Counters of every master and the node's flush count at one instant. */
interface Snap {
  at: number;
  servers: { stats: CommandStats; cpuS: number }[];
  flushes: number;
  /** Scheduler ticks that claimed something, and their total seconds (herald_flush_duration_seconds). */
  ticks: number;
  tickSeconds: number;
}

/** herald_flush_total (every outcome) and the tick histogram's count and sum from the node's /metrics. */
async function scrapeFlushes(base: string): Promise<Pick<Snap, 'flushes' | 'ticks' | 'tickSeconds'>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let flushes = 0;
  for (const m of text.matchAll(/^herald_flush_total\{outcome="[a-z]+"\} (\d+)/gm)) flushes += Number(m[1]);
  const one = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    flushes,
    ticks: one(/^herald_flush_duration_seconds_count (\S+)/m),
    tickSeconds: one(/^herald_flush_duration_seconds_sum (\S+)/m),
  };
}

async function snapshot(servers: Redis[], base: string): Promise<Snap> {
  const [node, per] = await Promise.all([
    scrapeFlushes(base),
    Promise.all(servers.map(async (r) => ({ stats: await commandStats(r), cpuS: await redisCpuSeconds(r) }))),
  ]);
  return { at: Date.now(), servers: per, ...node };
}

/** CPU µs and commands (inside Lua included; the bench's INFO left out) per server between two snaps. */
function between(a: Snap, b: Snap) {
  const ticks = b.ticks - a.ticks;
  return {
    cpuUsec: b.servers.map((x, i) => Math.max(0, (x.cpuS - a.servers[i].cpuS) * 1e6)),
    stats: b.servers.map((x, i) => diffStats(a.servers[i].stats, x.stats)),
    flushes: b.flushes - a.flushes,
    ticks,
    tickMsMean: ticks ? round(((b.tickSeconds - a.tickSeconds) * 1000) / ticks, 1) : null,
    ms: b.at - a.at,
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const callsOf = (st: CommandStats) => sum([...st.values()].map((v) => v.calls));

function redisCost(
  load: LoadResult,
  loadWin: ReturnType<typeof between>,
  idle: ReturnType<typeof between>,
  startsAfterLoadMs: number,
): RedisCost {
  const alerts = load.requests * REFERENCE_SHAPE.batch;
  const loadCpu = sum(loadWin.cpuUsec);
  const idleCpu = sum(idle.cpuUsec);
  const perFlush = idle.flushes ? idleCpu / idle.flushes : 0;
  return {
    note:
      'INFO CPU (used_cpu_sys + used_cpu_user) summed over the masters. flush: an idle window starting ' +
      'startsAfterLoadMs after the load (no requests; group_interval 5 s, but a group with nothing new is ' +
      'parked until repeat_interval or its first endsAt, resolve_timeout 5 min here), Redis CPU / flushes ' +
      '(herald_flush_total; 0 when none flushed) and the background calls per second; everything the node ' +
      'asks of Redis while idle is charged to flushes. cpuUsecPerAlertExclFlush: (load-window CPU − its ' +
      'flushes × cpuUsecPerFlush) / alerts answered',
    cpuUsecPerAlert: alerts ? round(loadCpu / alerts, 2) : 0,
    cpuUsecPerAlertExclFlush: alerts
      ? round(Math.max(0, loadCpu - loadWin.flushes * perFlush) / alerts, 2)
      : 0,
    cpuCoresDuringLoad: loadWin.ms ? round(loadCpu / 1e3 / loadWin.ms, 2) : 0,
    flushesDuringLoad: loadWin.flushes,
    flushesPerSecDuringLoad: loadWin.ms ? round((loadWin.flushes * 1000) / loadWin.ms, 1) : 0,
    ticksDuringLoad: loadWin.ticks,
    tickMsMeanDuringLoad: loadWin.tickMsMean,
    flush: {
      windowMs: idle.ms,
      startsAfterLoadMs,
      ticks: idle.ticks,
      tickMsMean: idle.tickMsMean,
      flushes: idle.flushes,
      flushesPerSec: idle.ms ? round((idle.flushes * 1000) / idle.ms, 1) : 0,
      cpuUsec: Math.round(idleCpu),
      cpuUsecPerFlush: round(perFlush, 1),
      commandsPerFlushInclLua: idle.flushes ? round(sum(idle.stats.map(callsOf)) / idle.flushes, 1) : 0,
      scriptCallsPerSec: idle.ms
        ? round(
            (sum(idle.stats.map((st) => (st.get('evalsha')?.calls ?? 0) + (st.get('eval')?.calls ?? 0))) *
              1000) /
              idle.ms,
            1,
          )
        : 0,
      commandsPerSecInclLua: idle.ms ? round((sum(idle.stats.map(callsOf)) * 1000) / idle.ms, 1) : 0,
    },
  };
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
): Promise<Measured> {
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
  const cpuUsecPerAlert: Record<string, number | null> = {};
  const alerts = load.requests * REFERENCE_SHAPE.batch;
  for (const [k, pid] of Object.entries(pids)) {
    const now = pid ? procCpuSeconds(pid) : null;
    const used = now !== null && cpu0[k] !== null ? now - cpu0[k] : null;
    cpuCores[k] = used !== null ? round(used / wall, 2) : null;
    cpuUsecPerAlert[k] = used !== null && alerts ? round((used * 1e6) / alerts, 2) : null;
  }
  // autocannon runs in this process; wrk is a child whose CPU time is not sampled.
  cpuCores.loadGenerator = s.tool === 'autocannon' ? round((self.user + self.system) / 1e6 / wall, 2) : null;
  log(
    `${name}: ${load.requestsPerSec} req/s = ${load.alertsPerSec} alerts/s, p50 ${load.latencyMs.p50} ms, ` +
      `p99 ${load.latencyMs.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}`,
  );
  return { load, cpuCores, cpuUsecPerAlert };
}

/** A run's name in logs and file names: `herald`, `herald+20rules`, `alertmanager+20rules`. */
const runName = (target: Run['target'], rules: number) => (rules ? `${target}+${rules}rules` : target);

async function runHerald(ctx: Ctx, round_: number, rules: number): Promise<HeraldRun> {
  const name = runName('herald', rules);
  const dir = mkdtempSync(join(ctx.tmp, `${name}-${round_}-`));
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
    writeFileSync(configPath, heraldYaml(rules));
    const port = await freePort();
    herald = await spawnLogged(
      'herald',
      process.execPath,
      [...NODE_FLAGS, ...ctx.s.nodeArgs, HERALD_MAIN],
      join(dir, 'herald.log'),
      {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, HERALD_CONFIG: configPath },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(herald, `${base}/health/ready`, 30_000, (st, body) => st === 200 && isStoreOk(body));
    log(`${name}: node pid ${herald.pid} ready on ${base} (log: ${herald.logPath})`);

    const mem0 = await memorySnapshot(client);
    await preflight(base + PATH, ctx.bodies[0], name);
    let stats0 = await commandStats(client);
    let loadStartedAt = Date.now();
    let snap0: Snap | undefined;
    const { load, cpuCores, cpuUsecPerAlert } = await measure(
      ctx,
      name,
      base + PATH,
      { herald: herald.pid, redis: redis.pid },
      async () => {
        snap0 = await snapshot([client], base);
        stats0 = await commandStats(client);
        loadStartedAt = Date.now();
      },
    );
    const memory = procMemory(herald.pid);
    await sleep(SETTLE_MS);
    const d = diffStats(stats0, await commandStats(client));
    const loadWindowMs = Date.now() - loadStartedAt;
    const snap1 = await snapshot([client], base);
    // The flush scheduler runs its own scripts (claims, locks, notification log) all the time; measure
    // them with no load for a while and take them out, so the ingest figure counts ingest alone.
    const bg0 = await commandStats(client);
    const bgStart = Date.now();
    await sleep(BACKGROUND_MS);
    const bg = diffStats(bg0, await commandStats(client));
    const bgScale = loadWindowMs / (Date.now() - bgStart);
    const snap2 = await snapshot([client], base);
    await sleep(FLUSH_WINDOW_MS);
    const snap3 = await snapshot([client], base);
    if (!snap0) throw new Error(`${name}: no snapshot before the load`);
    const cost = redisCost(load, between(snap0, snap1), between(snap2, snap3), snap2.at - snap1.at);
    const mem1 = await memorySnapshot(client);
    const stored = await countStoredAlerts(client, KEY_PREFIX, TENANT);
    const health = await fetch(`${base}/health/ready`).then((r) => r.text());
    const storeMode = storeModeOf(health);
    await stopHerald();
    const { roundTrips, ingestOnly } = await probeIngestOnly(ctx, dir, redis, client, rules, name);

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
      inhibitRules: rules,
      url: base + PATH,
      load,
      cpuCores,
      cpuUsecPerAlert,
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
        roundTrips,
        cost,
      },
      ingestOnly,
      storeMode,
    };
    log(
      `${name}: ${run.redis.evalshaPerRequest} EVALSHA/request, ${roundTrips.total} round trips/request ` +
        `(${JSON.stringify(roundTrips.perRequest)}; alone: upsert ${roundTrips.scriptUsecPerRequest} µs, ` +
        `${roundTrips.commandsPerRequestInclLua} commands), ${run.redis.commandsPerRequestInclLua} Redis ` +
        `commands/request incl. Lua, ${stored.alerts} alerts stored in ${stored.firingGroups} groups, ` +
        `${run.redis.bytesPerStoredAlert} B/alert, node RSS ${memory?.rssMB ?? '?'} MB, store ${storeMode}; ` +
        costLine(cost),
    );
    return run;
  } finally {
    await stopHerald();
    await stopClient();
    await stopRedis();
  }
}

function costLine(c: RedisCost): string {
  return (
    `Redis CPU ${c.cpuUsecPerAlert} µs/alert (${c.cpuUsecPerAlertExclFlush} without the ` +
    `${c.flushesPerSecDuringLoad} flushes/s, ${c.ticksDuringLoad} ticks of ${c.tickMsMeanDuringLoad} ms), ` +
    `${c.flush.cpuUsecPerFlush} µs/flush (${c.flush.flushes} flushes idle in ${c.flush.ticks} ticks of ` +
    `${c.flush.tickMsMean} ms, ${c.flush.commandsPerFlushInclLua} commands each; idle: ` +
    `${c.flush.scriptCallsPerSec} script calls/s, ${c.flush.commandsPerSecInclLua} commands/s)`
  );
}

/**
 * Round trips and Redis cost of ingest alone: an `api`-only node (no scheduler, no delivery workers)
 * on the run's Redis, the same config, probed with sequential requests (round-trips.ts).
 */
async function probeIngestOnly(
  ctx: Ctx,
  dir: string,
  redis: RedisServer,
  client: Redis,
  rules: number,
  name: string,
): Promise<{ roundTrips: RoundTrips; ingestOnly: Measured | null }> {
  let node: Child | undefined;
  const stopNode = onStop(() => stopChild(node));
  try {
    const url = await startHerald(
      mkdtempSync(join(dir, 'api-only-')),
      heraldYaml(rules),
      redis.url,
      (c) => (node = c),
      { HERALD_ROLES: 'api' },
    );
    const { bodies } = ctx;
    const send = (i: number) => preflight(url + PATH, bodies[i % bodies.length], `${name} api-only`);
    const roundTrips = await probeRoundTrips(client, send, PROBE_REQUESTS, PROBE_IDLE_MS);
    // With inhibition compared, the same load on this node too: ingest's own cost, no flush beside it.
    const ingestOnly =
      ctx.s.inhibitRules && node
        ? await measure(ctx, `${name}-api-only`, url + PATH, { herald: node.pid, redis: redis.pid })
        : null;
    return { roundTrips, ingestOnly };
  } finally {
    await stopNode();
  }
}

// ------------------------------------------------------------------------------------- cluster run

/** Masters of the bench's Redis Cluster (replicas would only copy the masters' writes). */
const CLUSTER_MASTERS = 3;

interface MasterFigures {
  address: string;
  slots: number;
  /** INFO CPU over the measured load window. */
  cpuUsec: number;
  /** This master's part of all masters' CPU (1/3 is even). */
  cpuShare: number;
  cpuCores: number;
  /** Upsert (and the scheduler's) EVALSHA calls in the load window, and their part of all masters'. */
  evalshaCalls: number;
  evalshaShare: number;
  evalshaUsecPerCall: number;
  commandsInclLua: number;
  /** INFO CPU over the idle (flush-only) window. */
  flushWindowCpuUsec: number;
  usedMemoryDeltaBytes: number;
  storedAlerts: number;
  keys: number;
}

/** How far the masters are from an even share: the worst one's deviation from the mean, and max/min. */
function spreadOf(values: number[]): { maxDeviationPct: number; maxOverMin: number | null } {
  const mean = values.length ? sum(values) / values.length : 0;
  const dev = mean ? Math.max(...values.map((v) => Math.abs(v / mean - 1))) * 100 : 0;
  const min = Math.min(...values);
  return { maxDeviationPct: round(dev, 1), maxOverMin: min > 0 ? round(Math.max(...values) / min, 2) : null };
}

interface ClusterHeraldRun extends Run {
  target: 'herald-cluster';
  redis: {
    topology: { masters: number; replicasPerMaster: number; seedNodes: string[] };
    version: string;
    perMaster: MasterFigures[];
    spread: {
      note: string;
      cpu: ReturnType<typeof spreadOf>;
      evalsha: ReturnType<typeof spreadOf>;
      /** Idle window: the scheduler's own load over the masters. */
      flushCpu: ReturnType<typeof spreadOf>;
      storedAlerts: ReturnType<typeof spreadOf>;
      cpuWithin20PctOfEven: boolean;
    };
    /** EVALSHA calls per request (load window, commandstats, the idle window's rate taken out). */
    evalshaPerRequest: number;
    evalshaPerRequestInclScheduler: number;
    commandsPerRequestInclLua: number;
    requestsCounted: number;
    stored: StoredAlerts & { expected: number; perMaster: number[] };
    bytesPerStoredAlert: number;
    datasetBytesPerStoredAlert: number;
    roundTrips: ClusterRoundTrips;
    cost: RedisCost;
  };
  /** /health/ready store mode of the node after the run, and of the api-only probe node. */
  storeMode: string;
  ingestOnlyStoreMode: string;
}

/**
 * The Herald run on a 3-master Redis Cluster (no replicas): the same node, config and load as
 * runHerald, the node given REDIS_CLUSTER_NODES; Redis figures read from every master.
 */
async function runHeraldCluster(ctx: Ctx, round_: number): Promise<ClusterHeraldRun> {
  const name = 'herald-cluster';
  const dir = mkdtempSync(join(ctx.tmp, `${name}-${round_}-`));
  log(`${name}: starting a ${CLUSTER_MASTERS}-master Redis Cluster`);
  const cluster = await RedisCluster.start({ masters: CLUSTER_MASTERS, replicasPerMaster: 0 });
  const stopCluster = onStop(() => cluster.stop());
  let herald: Child | undefined;
  const stopHerald = onStop(() => stopChild(herald));
  const clients: Redis[] = [];
  const stopClients = onStop(async () => clients.forEach((c) => c.disconnect()));
  try {
    const masters: ClusterNode[] = cluster.masters();
    if (masters.length !== CLUSTER_MASTERS) throw new Error(`${name}: ${masters.length} masters up`);
    for (const m of masters) clients.push(await cluster.nodeClient(m));
    const seedNodes = cluster.seedNodes();
    const version = (await infoSection(clients[0], 'server')).redis_version;
    log(
      `${name}: redis-server ${version}, masters ${masters.map((m) => `${m.address} (${m.slots} slots)`).join(', ')}`,
    );
    const configPath = join(dir, 'herald.yml');
    writeFileSync(configPath, heraldYaml(0));
    const port = await freePort();
    herald = await spawnLogged(
      'herald',
      process.execPath,
      [...NODE_FLAGS, ...ctx.s.nodeArgs, HERALD_MAIN],
      join(dir, 'herald.log'),
      {
        cwd: ROOT,
        env: { ...redisEnv({ clusterNodes: seedNodes }), PORT: String(port), HERALD_CONFIG: configPath },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(herald, `${base}/health/ready`, 30_000, (st, body) => st === 200 && isStoreOk(body));
    log(`${name}: node pid ${herald.pid} ready on ${base} (log: ${herald.logPath})`);

    const mem0: MemorySnapshot[] = await Promise.all(clients.map((c) => memorySnapshot(c)));
    await preflight(base + PATH, ctx.bodies[0], name);
    let snap0: Snap | undefined;
    const pids: Record<string, number | undefined> = { herald: herald.pid };
    masters.forEach((m) => (pids[`redis:${m.port}`] = m.pid));
    const { load, cpuCores, cpuUsecPerAlert } = await measure(ctx, name, base + PATH, pids, async () => {
      snap0 = await snapshot(clients, base);
    });
    const memory = procMemory(herald.pid);
    await sleep(SETTLE_MS);
    const snap1 = await snapshot(clients, base);
    await sleep(BACKGROUND_MS);
    const snap2 = await snapshot(clients, base);
    await sleep(FLUSH_WINDOW_MS);
    const snap3 = await snapshot(clients, base);
    if (!snap0) throw new Error(`${name}: no snapshot before the load`);
    const loadWin = between(snap0, snap1);
    const idle = between(snap2, snap3);
    const cost = redisCost(load, loadWin, idle, snap2.at - snap1.at);
    const mem1 = await Promise.all(clients.map((c) => memorySnapshot(c)));
    const stored = await countStoredAlertsOn(clients, KEY_PREFIX, TENANT);
    const storeMode = storeModeOf(await fetch(`${base}/health/ready`).then((r) => r.text()));
    await stopHerald();

    // Round trips on an api-only node (no scheduler) on the same cluster.
    let node: Child | undefined;
    const stopNode = onStop(() => stopChild(node));
    let roundTrips: ClusterRoundTrips;
    let ingestOnlyStoreMode = 'unknown';
    try {
      const url = await startHerald(
        mkdtempSync(join(dir, 'api-only-')),
        heraldYaml(0),
        { clusterNodes: seedNodes },
        (c) => (node = c),
        { HERALD_ROLES: 'api' },
      );
      const send = (i: number) =>
        preflight(url + PATH, ctx.bodies[i % ctx.bodies.length], `${name} api-only`);
      roundTrips = await probeClusterRoundTrips(
        masters.map((m, i) => ({ name: m.address, client: clients[i] })),
        send,
        PROBE_REQUESTS,
        PROBE_IDLE_MS,
      );
      ingestOnlyStoreMode = storeModeOf(await fetch(`${url}/health/ready`).then((r) => r.text()));
    } finally {
      await stopNode();
    }

    const counted = load.sent ?? load.requests;
    const per = (calls: number) => (counted ? round(calls / counted, 3) : 0);
    const evalshaOf = (st: CommandStats) => st.get('evalsha') ?? { calls: 0, usec: 0 };
    const loadEvalsha = loadWin.stats.map((st) => evalshaOf(st).calls);
    const idleEvalsha = sum(idle.stats.map((st) => evalshaOf(st).calls));
    const totalCpu = sum(loadWin.cpuUsec);
    const totalEvalsha = sum(loadEvalsha);
    const wallMs = loadWin.ms || 1;
    const perMaster: MasterFigures[] = masters.map((m, i) => ({
      address: m.address,
      slots: m.slots,
      cpuUsec: Math.round(loadWin.cpuUsec[i]),
      cpuShare: totalCpu ? round(loadWin.cpuUsec[i] / totalCpu, 3) : 0,
      cpuCores: round(loadWin.cpuUsec[i] / 1e3 / wallMs, 2),
      evalshaCalls: loadEvalsha[i],
      evalshaShare: totalEvalsha ? round(loadEvalsha[i] / totalEvalsha, 3) : 0,
      evalshaUsecPerCall: loadEvalsha[i] ? round(evalshaOf(loadWin.stats[i]).usec / loadEvalsha[i], 1) : 0,
      commandsInclLua: callsOf(loadWin.stats[i]),
      flushWindowCpuUsec: Math.round(idle.cpuUsec[i]),
      usedMemoryDeltaBytes: mem1[i].usedMemory - mem0[i].usedMemory,
      storedAlerts: stored.perServer[i].alerts,
      keys: stored.perServer[i].keys,
    }));
    const cpuSpread = spreadOf(loadWin.cpuUsec);
    const perAlert = (bytes: number) => (stored.alerts ? Math.round(bytes / stored.alerts) : 0);
    const { perServer: _perServer, ...storedTotals } = stored;
    const run: ClusterHeraldRun = {
      target: 'herald-cluster',
      round: round_,
      inhibitRules: 0,
      url: base + PATH,
      load,
      cpuCores,
      cpuUsecPerAlert,
      process: { pid: herald.pid, ...(memory ?? {}) },
      redis: {
        topology: { masters: CLUSTER_MASTERS, replicasPerMaster: 0, seedNodes },
        version,
        perMaster,
        spread: {
          note:
            'maxDeviationPct: the master furthest from an even share, |value / mean − 1| × 100; maxOverMin: ' +
            'the busiest master over the idlest. cpu and evalsha over the measured load window (ingest ' +
            'and the flush scheduler), flushCpu over the idle window after it, storedAlerts at the end',
          cpu: cpuSpread,
          evalsha: spreadOf(loadEvalsha),
          flushCpu: spreadOf(idle.cpuUsec),
          storedAlerts: spreadOf(stored.perServer.map((x) => x.alerts)),
          cpuWithin20PctOfEven: cpuSpread.maxDeviationPct <= 20,
        },
        evalshaPerRequest: per(Math.max(0, totalEvalsha - (idleEvalsha * loadWin.ms) / (idle.ms || 1))),
        evalshaPerRequestInclScheduler: per(totalEvalsha),
        commandsPerRequestInclLua: per(sum(loadWin.stats.map(callsOf))),
        requestsCounted: counted,
        stored: {
          ...storedTotals,
          expected: distinctAlerts(REFERENCE_SHAPE),
          perMaster: stored.perServer.map((x) => x.alerts),
        },
        bytesPerStoredAlert: perAlert(sum(mem1.map((m, i) => m.usedMemory - mem0[i].usedMemory))),
        datasetBytesPerStoredAlert: perAlert(
          sum(mem1.map((m, i) => m.usedMemoryDataset - mem0[i].usedMemoryDataset)),
        ),
        roundTrips,
        cost,
      },
      storeMode,
      ingestOnlyStoreMode,
    };
    log(
      `${name}: ${run.redis.evalshaPerRequest} EVALSHA/request, masters touched/request ` +
        `${roundTrips.mastersTouchedPerRequest} (socket reads ${roundTrips.socketReadsPerRequest}), Redis CPU ` +
        `per master ${perMaster.map((p) => `${p.address} ${p.cpuCores} cores (${round(p.cpuShare * 100, 1)} %)`).join(', ')}, ` +
        `spread ${cpuSpread.maxDeviationPct} % from even; ${stored.alerts} alerts stored in ` +
        `${stored.firingGroups} groups (${run.redis.stored.perMaster.join(' / ')}), ${run.redis.bytesPerStoredAlert} ` +
        `B/alert, store ${storeMode} (api-only ${ingestOnlyStoreMode}); ${costLine(cost)}`,
    );
    return run;
  } catch (e) {
    if (herald) log(`${name}: failed; the node's log (${herald.logPath}) ends with:\n${logTail(herald, 40)}`);
    throw e;
  } finally {
    await stopHerald();
    await stopClients();
    await stopCluster();
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

async function runAlertmanager(ctx: Ctx, bin: string, round_: number, rules: number): Promise<Run> {
  const name = runName('alertmanager', rules);
  const dir = mkdtempSync(join(ctx.tmp, `${name}-${round_}-`));
  let am: Child | undefined;
  const stopAm = onStop(() => stopChild(am));
  try {
    const base = await startAlertmanager(bin, dir, routeYaml(rules), (c) => (am = c));
    if (!am) throw new Error(`${name}: not started`);
    log(`${name}: pid ${am.pid} ready on ${base} (log: ${am.logPath})`);
    await preflight(base + PATH, ctx.bodies[0], name);
    const m = await measure(ctx, name, base + PATH, { alertmanager: am.pid });
    const memory = procMemory(am.pid);
    log(`${name}: RSS ${memory?.rssMB ?? '?'} MB`);
    return {
      target: 'alertmanager',
      round: round_,
      inhibitRules: rules,
      url: base + PATH,
      ...m,
      process: { pid: am.pid, ...(memory ?? {}) },
    };
  } finally {
    await stopAm();
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
  const clusterRuns: ClusterHeraldRun[] = [];
  const amRuns: Run[] = [];
  let amError: string | null = null;
  const single = s.redis !== 'cluster';
  const variants: { target: Run['target']; rules: number }[] = [
    ...(single ? [{ target: 'herald' as const, rules: 0 }] : []),
    ...(single && s.inhibitRules ? [{ target: 'herald' as const, rules: s.inhibitRules }] : []),
    ...(s.redis !== 'single' ? [{ target: 'herald-cluster' as const, rules: 0 }] : []),
    { target: 'alertmanager', rules: 0 },
    ...(single && s.inhibitRules ? [{ target: 'alertmanager' as const, rules: s.inhibitRules }] : []),
  ];
  for (let i = 0; i < s.rounds; i++) {
    // Alternate the order (H A, A H, ...) so drift of the machine during the session hits both alike.
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const { target, rules } of order) {
      if (target === 'herald') {
        heraldRuns.push(await runHerald(ctx, i, rules));
      } else if (target === 'herald-cluster') {
        clusterRuns.push(await runHeraldCluster(ctx, i));
      } else if (amBin && !amError) {
        try {
          amRuns.push(await runAlertmanager(ctx, amBin, i, rules));
        } catch (e) {
          amError = e instanceof Error ? e.message : String(e);
          log(`alertmanager run failed: ${amError}`);
        }
      }
    }
  }

  const herald = median(heraldRuns.filter((r) => r.inhibitRules === 0));
  const onCluster = median(clusterRuns);
  const am = median(amRuns.filter((r) => r.inhibitRules === 0));
  if (!herald && !onCluster) throw new Error('no Herald run');
  const amReason = !amBin ? amMissing : amError ? `run failed: ${amError}` : null;
  // The Herald figure compared with Alertmanager: single Redis, or the cluster with BENCH_REDIS=cluster.
  const h = (herald ?? onCluster)!.load;
  const summary = {
    herald: herald ? flatten(herald) : null,
    ...(herald ? {} : { heraldReason: 'BENCH_REDIS=cluster: no single-Redis run (see `cluster`)' }),
    alertmanager: am ? flatten(am) : null,
    ...(am ? {} : { alertmanagerReason: amReason }),
    ratio: am
      ? {
          note:
            'herald / alertmanager: alertsPerSec > 1 means Herald is faster; p99/p50 < 1 means Herald answers faster' +
            (herald ? '' : ' (Herald on the Redis Cluster)'),
          alertsPerSec: ratio(h.alertsPerSec, am.load.alertsPerSec),
          p99LatencyMs: ratio(h.latencyMs.p99, am.load.latencyMs.p99),
          p50LatencyMs: ratio(h.latencyMs.p50, am.load.latencyMs.p50),
        }
      : null,
    checks: {
      ...(herald
        ? {
            evalshaPerRequestIsOne: oneScriptCallPerRequest(herald),
            oneRoundTripPerRequest: oneRoundTrip(herald),
            bytesPerStoredAlertUnder1KB: herald.redis.bytesPerStoredAlert < 1024,
            allAlertsStored: herald.redis.stored.alerts === herald.redis.stored.expected,
            heraldNoErrors: herald.load.non2xx === 0 && herald.load.errors === 0,
          }
        : {}),
      alertmanagerNoErrors: am ? am.load.non2xx === 0 && am.load.errors === 0 : null,
      ...(herald ? { storeModeRedis: herald.storeMode === 'redis' } : {}),
      ...(onCluster ? clusterChecks(onCluster) : {}),
    },
    ...(onCluster ? { cluster: clusterSummary(onCluster, clusterRuns, herald, heraldRuns, am) } : {}),
    ...(s.inhibitRules && herald ? { inhibition: inhibitionSummary(ctx, heraldRuns, amRuns) } : {}),
    ...(s.rounds > 1
      ? {
          runs: [...heraldRuns, ...clusterRuns, ...amRuns]
            .sort((a, b) => a.round - b.round)
            .map((r) => flatten(r)),
        }
      : {}),
    env: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      redis: (herald ?? onCluster)!.redis.version,
      redisMode: s.redis,
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
      inhibitRules: s.inhibitRules,
      date: new Date().toISOString(),
    },
  };

  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  if (herald) log(`herald:       ${line(herald.load)}`);
  if (onCluster) log(`herald on cluster: ${line(onCluster.load)}`);
  if (am) log(`alertmanager: ${line(am.load)}`);
  if (summary.cluster) {
    const c = summary.cluster.headline;
    log(
      `cluster: ${c.alertsPerSec} alerts/s, ${c.roundTripsPerRequest} round trips/request ` +
        `(${c.evalshaPerRequest} EVALSHA), Redis CPU per master ${c.redisCpuCoresPerMaster.join(' / ')} cores, ` +
        `spread ${c.cpuSpreadPct} % from even, ${c.redisCpuUsecPerAlert} Redis µs/alert, ` +
        `${c.redisCpuUsecPerFlush} µs/flush, ${c.bytesPerStoredAlert} B/alert` +
        (summary.cluster.vsSingle
          ? `; cluster/single alerts/s ×${summary.cluster.vsSingle.alertsPerSec}`
          : ''),
    );
  }
  if (summary.ratio) {
    log(`herald/alertmanager: alerts/s ×${summary.ratio.alertsPerSec}, p99 ×${summary.ratio.p99LatencyMs}`);
  }
  if (summary.inhibition) {
    const d = summary.inhibition.vsNoRules;
    log(
      `${s.inhibitRules} inhibit rules vs none, alerts/s drop: Herald ${d.herald.alertsPerSecDropPct}% ` +
        `(per round ${d.herald.dropPctPerRound.join(', ')}; api-only node ${d.heraldIngestOnly.alertsPerSecDropPct}%), ` +
        `Alertmanager ${d.alertmanager?.alertsPerSecDropPct ?? '?'}%; ` +
        `round trips/request ${d.herald.roundTripsPerRequest.join(' → ')}`,
    );
  }
  log(`written ${file}`);
  await stopTmp();
  process.exitCode = amError ? 1 : 0;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function clusterChecks(c: ClusterHeraldRun) {
  return {
    clusterStoreModeRedis: c.storeMode === 'redis' && c.ingestOnlyStoreMode === 'redis',
    clusterAllAlertsStored: c.redis.stored.alerts === c.redis.stored.expected,
    clusterNoErrors: c.load.non2xx === 0 && c.load.errors === 0,
    clusterCpuSpreadWithin20PctOfEven: c.redis.spread.cpuWithin20PctOfEven,
    clusterRoundTripsAtMostMasters: c.redis.roundTrips.mastersTouchedPerRequest <= c.redis.topology.masters,
  };
}

/** `cluster` of the summary: the median cluster run, its headline figures, and `vsSingle` with `both`. */
function clusterSummary(
  c: ClusterHeraldRun,
  clusterRuns: ClusterHeraldRun[],
  single: HeraldRun | null,
  singleRuns: HeraldRun[],
  am: Run | null,
) {
  const r = c.redis;
  const pair = <T>(fs: (x: HeraldRun) => T, fc: (x: ClusterHeraldRun) => T): [T, T] | null =>
    single ? [fs(single), fc(c)] : null;
  const rounds = [...new Set(clusterRuns.map((x) => x.round))].sort((a, b) => a - b);
  return {
    note:
      `Herald on a ${r.topology.masters}-master Redis Cluster (no replicas; REDIS_CLUSTER_NODES), the same ` +
      'node, config and load as the single-Redis run; median run by alerts/s. roundTripsPerRequest = masters ' +
      'touched per request (MONITOR on every master, sequential requests on an api-only node: the node ' +
      'sends one upsert EVALSHA per due bucket a request touches, all at once, pipelined per master: one ' +
      'round trip per master touched, the masters in parallel); socketReadsPerRequest: the reads Redis made ' +
      'of them (INFO stats total_reads_processed; a pipeline may take more than one read). Redis CPU from ' +
      'INFO CPU of every master',
    headline: {
      alertsPerSec: c.load.alertsPerSec,
      p50LatencyMs: c.load.latencyMs.p50,
      p99LatencyMs: c.load.latencyMs.p99,
      roundTripsPerRequest: r.roundTrips.mastersTouchedPerRequest,
      socketReadsPerRequest: r.roundTrips.socketReadsPerRequest,
      evalshaPerRequest: r.roundTrips.evalshaPerRequest,
      redisCpuCoresPerMaster: r.perMaster.map((m) => m.cpuCores),
      redisCpuSharePerMaster: r.perMaster.map((m) => m.cpuShare),
      evalshaSharePerMaster: r.perMaster.map((m) => m.evalshaShare),
      cpuSpreadPct: r.spread.cpu.maxDeviationPct,
      evalshaSpreadPct: r.spread.evalsha.maxDeviationPct,
      redisCpuUsecPerAlert: r.cost.cpuUsecPerAlert,
      redisCpuUsecPerAlertExclFlush: r.cost.cpuUsecPerAlertExclFlush,
      redisCpuUsecPerFlush: r.cost.flush.cpuUsecPerFlush,
      bytesPerStoredAlert: r.bytesPerStoredAlert,
      storedAlerts: r.stored.alerts,
      expectedAlerts: r.stored.expected,
      storedAlertsPerMaster: r.stored.perMaster,
      nodeCpuUsecPerAlert: c.cpuUsecPerAlert.herald,
    },
    run: flatten(c),
    vsAlertmanager: am ? ratio(c.load.alertsPerSec, am.load.alertsPerSec) : null,
    vsSingle: single
      ? {
          note:
            'cluster / single Redis, same session, median runs; [single, cluster] pairs. Round trips: single = ' +
            'top-level commands per request (MONITOR, 1 = the upsert EVALSHA), cluster = masters touched',
          alertsPerSec: ratio(c.load.alertsPerSec, single.load.alertsPerSec),
          alertsPerSecPerRound: rounds.map((i) => {
            const sr = singleRuns.find((x) => x.round === i && x.inhibitRules === 0);
            const cr = clusterRuns.find((x) => x.round === i);
            return sr && cr ? ratio(cr.load.alertsPerSec, sr.load.alertsPerSec) : null;
          }),
          p50LatencyMs: ratio(c.load.latencyMs.p50, single.load.latencyMs.p50),
          p99LatencyMs: ratio(c.load.latencyMs.p99, single.load.latencyMs.p99),
          alertsPerSecPair: pair(
            (x) => x.load.alertsPerSec,
            (x) => x.load.alertsPerSec,
          ),
          roundTripsPerRequest: pair(
            (x) => x.redis.roundTrips.total,
            (x) => x.redis.roundTrips.mastersTouchedPerRequest,
          ),
          evalshaPerRequest: pair(
            (x) => x.redis.roundTrips.perRequest['evalsha:upsert-groups-n'] ?? 0,
            (x) => x.redis.roundTrips.evalshaPerRequest,
          ),
          scriptUsecPerRequest: pair(
            (x) => x.redis.roundTrips.scriptUsecPerRequest,
            (x) => x.redis.roundTrips.scriptUsecPerRequest,
          ),
          redisCommandsPerRequestInclLua: pair(
            (x) => x.redis.roundTrips.commandsPerRequestInclLua,
            (x) => x.redis.roundTrips.commandsPerRequestInclLua,
          ),
          redisCpuUsecPerAlert: pair(
            (x) => x.redis.cost.cpuUsecPerAlert,
            (x) => x.redis.cost.cpuUsecPerAlert,
          ),
          redisCpuUsecPerAlertExclFlush: pair(
            (x) => x.redis.cost.cpuUsecPerAlertExclFlush,
            (x) => x.redis.cost.cpuUsecPerAlertExclFlush,
          ),
          redisCpuUsecPerFlush: pair(
            (x) => x.redis.cost.flush.cpuUsecPerFlush,
            (x) => x.redis.cost.flush.cpuUsecPerFlush,
          ),
          redisCpuCoresDuringLoad: pair(
            (x) => x.redis.cost.cpuCoresDuringLoad,
            (x) => x.redis.cost.cpuCoresDuringLoad,
          ),
          nodeCpuUsecPerAlert: pair(
            (x) => x.cpuUsecPerAlert.herald,
            (x) => x.cpuUsecPerAlert.herald,
          ),
          bytesPerStoredAlert: pair(
            (x) => x.redis.bytesPerStoredAlert,
            (x) => x.redis.bytesPerStoredAlert,
          ),
        }
      : null,
  };
}

/** One top-level Redis command per ingest request: the upsert EVALSHA, nothing else per request. */
/**
 * One upsert script call per ingest request, as the api-only probe counts it. Not the load window's
 * `evalshaPerRequest`: that subtracts the idle window's background rate, but during the load the groups'
 * first flushes (group_wait) add the scheduler's script calls, which the idle window (groups parked)
 * does not have — it reads 1.2–1.3 then though ingest makes one call per request.
 */
function oneScriptCallPerRequest(r: HeraldRun): boolean {
  return Math.abs((r.redis.roundTrips.perRequest['evalsha:upsert-groups-n'] ?? 0) - 1) < 0.01;
}

function oneRoundTrip(r: HeraldRun): boolean {
  const t = r.redis.roundTrips;
  return oneScriptCallPerRequest(r) && Math.abs(t.total - 1) < 0.05;
}

const dropPct = (base: number, other: number): number | null =>
  base > 0 ? round((1 - other / base) * 100, 1) : null;

/** The same variant pair compared run by run (same round: the alternation makes them neighbours). */
function dropsPerRound<R extends Run>(
  runs: R[],
  rules: number,
  alertsPerSec: (r: R) => number | undefined = (r) => r.load.alertsPerSec,
): (number | null)[] {
  const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);
  return rounds.flatMap((i) => {
    const base = runs.find((r) => r.round === i && r.inhibitRules === 0);
    const other = runs.find((r) => r.round === i && r.inhibitRules === rules);
    const [b, o] = [base && alertsPerSec(base), other && alertsPerSec(other)];
    return b !== undefined && o !== undefined ? [dropPct(b, o)] : [];
  });
}

/** `inhibition` of the summary: the runs with rules against the runs without, median runs of each. */
function inhibitionSummary(ctx: Ctx, heraldRuns: HeraldRun[], amRuns: Run[]) {
  const n = ctx.s.inhibitRules;
  const base = median(heraldRuns.filter((r) => r.inhibitRules === 0));
  const hi = median(heraldRuns.filter((r) => r.inhibitRules === n));
  const amBase = median(amRuns.filter((r) => r.inhibitRules === 0));
  const ami = median(amRuns.filter((r) => r.inhibitRules === n));
  if (!base || !hi) throw new Error('no Herald run with or without inhibit rules');
  const pair = <T>(f: (r: HeraldRun) => T): [T, T] => [f(base), f(hi)];
  return {
    load: inhibitLoadStats(BENCH_ROUTE_YAML, n, ctx.bodies),
    herald: flatten(hi),
    alertmanager: ami ? flatten(ami) : null,
    vsNoRules: {
      note:
        `${n} inhibit rules against none, same run, median runs (dropPctPerRound: the runs of each ` +
        'round, neighbours in the alternation); [none, with rules] pairs',
      herald: {
        alertsPerSecDropPct: dropPct(base.load.alertsPerSec, hi.load.alertsPerSec),
        dropPctPerRound: dropsPerRound(heraldRuns, n),
        alertsPerSec: pair((r) => r.load.alertsPerSec),
        p50LatencyMs: pair((r) => r.load.latencyMs.p50),
        p99LatencyMs: pair((r) => r.load.latencyMs.p99),
        nodeCpuUsecPerAlert: pair((r) => r.cpuUsecPerAlert.herald),
        redisCpuUsecPerAlert: pair((r) => r.cpuUsecPerAlert.redis),
        evalshaPerRequest: pair((r) => r.redis.evalshaPerRequest),
        roundTripsPerRequest: pair((r) => r.redis.roundTrips.total),
        ingestOnlyScriptUsecPerRequest: pair((r) => r.redis.roundTrips.scriptUsecPerRequest),
        ingestOnlyCommandsPerRequestInclLua: pair((r) => r.redis.roundTrips.commandsPerRequestInclLua),
        commandsPerRequestInclLua: pair((r) => r.redis.commandsPerRequestInclLua),
        evalshaUsecPerCall: pair((r) => r.redis.evalshaUsecPerCall),
        bytesPerStoredAlert: pair((r) => r.redis.bytesPerStoredAlert),
      },
      heraldIngestOnly: {
        note: 'the same load on an api-only node (no flush scheduler) after each run, same Redis',
        alertsPerSecDropPct: dropPct(
          base.ingestOnly?.load.alertsPerSec ?? 0,
          hi.ingestOnly?.load.alertsPerSec ?? 0,
        ),
        dropPctPerRound: dropsPerRound(heraldRuns, n, (r) => r.ingestOnly?.load.alertsPerSec),
        alertsPerSec: pair((r) => r.ingestOnly?.load.alertsPerSec ?? null),
        p50LatencyMs: pair((r) => r.ingestOnly?.load.latencyMs.p50 ?? null),
        p99LatencyMs: pair((r) => r.ingestOnly?.load.latencyMs.p99 ?? null),
        nodeCpuUsecPerAlert: pair((r) => r.ingestOnly?.cpuUsecPerAlert.herald ?? null),
        redisCpuUsecPerAlert: pair((r) => r.ingestOnly?.cpuUsecPerAlert.redis ?? null),
      },
      alertmanager:
        amBase && ami
          ? {
              alertsPerSecDropPct: dropPct(amBase.load.alertsPerSec, ami.load.alertsPerSec),
              dropPctPerRound: dropsPerRound(amRuns, n),
              alertsPerSec: [amBase.load.alertsPerSec, ami.load.alertsPerSec],
              p50LatencyMs: [amBase.load.latencyMs.p50, ami.load.latencyMs.p50],
              p99LatencyMs: [amBase.load.latencyMs.p99, ami.load.latencyMs.p99],
              cpuUsecPerAlert: [amBase.cpuUsecPerAlert.alertmanager, ami.cpuUsecPerAlert.alertmanager],
            }
          : null,
      heraldOverAlertmanagerWithRules: ami ? ratio(hi.load.alertsPerSec, ami.load.alertsPerSec) : null,
    },
    checks: {
      evalshaPerRequestIsOne: oneScriptCallPerRequest(hi),
      oneRoundTripPerRequest: oneRoundTrip(hi),
      allAlertsStored: hi.redis.stored.alerts === hi.redis.stored.expected,
      heraldNoErrors: hi.load.non2xx === 0 && hi.load.errors === 0,
      storeModeRedis: hi.storeMode === 'redis',
    },
  };
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
