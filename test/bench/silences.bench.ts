/**
 * Flush cost of silences (issue 13): one node (all roles, Redis mode, its own redis-server) flushing the
 * same groups with 0 and then 1 000 active silences. `npm run bench:silences`; progress on stderr, one
 * JSON summary as the last line of stdout (also bench-results/silences-*.json).
 *
 * Load: BENCH_GROUPS groups (1 000) of BENCH_ALERTS alerts (5), posted once with endsAt a day ahead, so
 * nothing changes between flushes; group_wait 0s, group_interval BENCH_GROUP_INTERVAL (2s) and
 * repeat_interval 1s: every group runs the whole flush pipeline (silencer included) every interval — a
 * group with nothing new would be parked until repeat_interval (issue 16), so repeat_interval is shorter
 * than group_interval and every flush "repeats". The receiver has no integrations, so a flush ends at
 * the notification log: no delivery traffic in the figures.
 * Silences: 1 000 with 1–3 matchers each, a mix of equality on various labels (60 %), regex (20 %) and
 * negative (20 %, each beside a positive matcher as Alertmanager requires); one in 20 targets an existing
 * alertname, so some alerts really are silenced (their count is checked against /api/v2/alerts).
 * Half the regex silences (`instance=~"db-<k>-[0-9]+:9100"`) have no matcher the node's silence index
 * can use, so every alert is tried against them; BENCH_MIX=indexed writes them as a literal alternation
 * (`db-<k>-1:9100|db-<k>-2:9100`) instead, to tell the index's effect from the regex engine's cost.
 *
 * Per phase, over BENCH_DURATION seconds (20): scheduler tick time (herald_flush_duration_seconds: ticks
 * that claimed a group) per tick and per group flushed, node CPU and Redis commands (INFO commandstats:
 * all of the node's Redis traffic, inside Lua included) per group flush; then over BENCH_MONITOR seconds
 * (5) with MONITOR: top-level commands per flush and the silence reads (version GETs, snapshot scripts)
 * per tick; then BENCH_QUERIES (50) sequential `GET /api/v2/alerts` (all alerts, status computed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { SilenceSet } from '@herald/domain';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';
import { log, procCpuSeconds, round, sleep, startHerald, stopChild, type Child } from './procs';
import { commandStats, diffStats, infoSection } from './redis-stats';

const ROOT = resolve(__dirname, '../../..');

function envNumber(name: string, def: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : def;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

const S = {
  groups: Math.round(envNumber('BENCH_GROUPS', 1000)),
  alertsPerGroup: Math.round(envNumber('BENCH_ALERTS', 5)),
  silences: Math.round(envNumber('BENCH_SILENCES', 1000)),
  groupIntervalS: envNumber('BENCH_GROUP_INTERVAL', 2),
  durationS: envNumber('BENCH_DURATION', 20),
  warmupS: envNumber('BENCH_WARMUP', 10),
  monitorS: envNumber('BENCH_MONITOR', 5),
  queries: Math.round(envNumber('BENCH_QUERIES', 50)),
  tick: process.env.BENCH_TICK ?? '250ms',
  mix: process.env.BENCH_MIX === 'indexed' ? 'indexed' : 'full',
};

const TEAMS = ['payments', 'search', 'storage', 'identity', 'edge', 'data', 'mobile', 'infra'];
const JOBS = ['node', 'api', 'db', 'web', 'queue'];
const ENVS = ['prod', 'staging'];

/** The labels of alert `i` of group `g` (group_by: alertname). */
function alertLabels(g: number, i: number): Record<string, string> {
  return {
    alertname: `Alert${g}`,
    instance: `host-${g}-${i}:9100`,
    job: JOBS[(g + i) % JOBS.length],
    team: TEAMS[g % TEAMS.length],
    env: ENVS[i % ENVS.length],
    severity: i % 3 === 0 ? 'critical' : 'warning',
    cluster: `c${g % 4}`,
  };
}

interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}
const eq = (name: string, value: string): Matcher => ({ name, value, isRegex: false, isEqual: true });
const re = (name: string, value: string): Matcher => ({ name, value, isRegex: true, isEqual: true });
const ne = (name: string, value: string): Matcher => ({ name, value, isRegex: false, isEqual: false });
const nre = (name: string, value: string): Matcher => ({ name, value, isRegex: true, isEqual: false });

type Kind = 'targets-load' | 'equality' | 'regex' | 'negative';

/** The generator's category of silence `k` (see silenceMatchers). */
function silenceKind(k: number): Kind {
  if (k % 20 === 0) return 'targets-load';
  const kind = k % 10;
  return kind < 6 ? 'equality' : kind < 8 ? 'regex' : 'negative';
}

/**
 * Whether a silence has no matcher the per-node set can index it by (a non-empty `=`, or an `=~` that is
 * a plain alternation): such silences are tried against every alert.
 */
function unindexed(ms: Matcher[]): boolean {
  return !ms.some(
    (m) =>
      m.isEqual &&
      (m.isRegex
        ? m.value.split('|').every((a) => a !== '' && !/[\\.+*?()[\]{}^$]/.test(a))
        : m.value !== ''),
  );
}

/**
 * Silence `k` of the mix. Every 20th targets an existing alertname (k/20 < groups) with `severity=critical`
 * or `env!=staging`, so it mutes part of one group; the rest name things the load does not carry (other
 * alertnames, instances, services), as other teams' silences do.
 */
function silenceMatchers(k: number): Matcher[] {
  if (k % 20 === 0) {
    const g = (k / 20) % S.groups;
    return k % 40 === 0
      ? [eq('alertname', `Alert${g}`), eq('severity', 'critical')]
      : [eq('alertname', `Alert${g}`), ne('env', 'staging')];
  }
  const kind = k % 10;
  const other = S.groups + k; // an alertname no alert has
  if (kind < 6) {
    const pick = k % 4;
    if (pick === 0) return [eq('alertname', `Alert${other}`)];
    if (pick === 1) return [eq('instance', `host-${other}-0:9100`), eq('job', JOBS[k % JOBS.length])];
    if (pick === 2) return [eq('service', `svc-${k}`), eq('team', TEAMS[k % TEAMS.length])];
    return [eq('alertname', `Alert${other}`), eq('cluster', `c${k % 4}`), eq('env', 'prod')];
  }
  if (kind < 8)
    return k % 2 === 0
      ? [re('instance', S.mix === 'indexed' ? `db-${k}-1:9100|db-${k}-2:9100` : `db-${k}-[0-9]+:9100`)]
      : [re('alertname', `(Disk|Cpu)Pressure${k}`), re('team', `${TEAMS[k % TEAMS.length]}|ops`)];
  return k % 2 === 0
    ? [eq('alertname', `Alert${other}`), ne('env', 'staging')]
    : [eq('service', `svc-${k}`), nre('severity', 'info|none')];
}

/** Whether silence matchers match labels (to count the alerts the mix must silence). */
function matches(ms: Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => {
    const v = labels[m.name] ?? '';
    const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
    return m.isEqual ? hit : !hit;
  });
}

/** The node's /metrics figures the bench reads. */
interface Scrape {
  tickSum: number;
  tickCount: number;
  flushes: number;
  suppressedBySilence: number;
}

async function scrape(base: string): Promise<Scrape> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const one = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  let flushes = 0;
  for (const m of text.matchAll(/^herald_flush_total\{outcome="[a-z]+"\} (\d+)/gm)) flushes += Number(m[1]);
  return {
    tickSum: one(/^herald_flush_duration_seconds_sum (\S+)/m),
    tickCount: one(/^herald_flush_duration_seconds_count (\S+)/m),
    flushes,
    suppressedBySilence: one(/^herald_notifications_suppressed_total\{reason="silence"\} (\d+)/m),
  };
}

interface MonitorCounts {
  topLevelCommands: number;
  versionReads: number;
  snapshotLoads: number;
  otherSilenceCommands: number;
  ticks: number;
  flushes: number;
}

/** MONITOR while `during` runs: top-level commands (not run by a script) and the silence keys' reads. */
/**
 * The arguments of one MONITOR line (`+<time> [<db> <client|lua>] "cmd" "arg" …`) and whether a script
 * ran it. Parsed here from a plain socket: ioredis' own monitor connection failed under this load
 * ("Command queue state error") and took the bench down.
 */
function parseMonitorLine(line: string): { args: string[]; lua: boolean } | undefined {
  const close = line.indexOf('] ');
  if (!line.startsWith('+') || close < 0) return undefined;
  const lua = line.slice(0, close).endsWith(' lua');
  const args: string[] = [];
  let i = close + 2;
  // Only the first five arguments are read (command, keys of EVALSHA): enough, and bounded.
  while (i < line.length && args.length < 5) {
    if (line[i] !== '"') return { args, lua };
    let v = '';
    for (i++; i < line.length && line[i] !== '"'; i++) {
      if (line[i] === '\\') {
        i++;
        if (line[i] === 'x') {
          v += String.fromCharCode(parseInt(line.slice(i + 1, i + 3), 16));
          i += 2;
        } else v += line[i];
      } else v += line[i];
    }
    args.push(v);
    i += 2; // the closing quote and the space
  }
  return { args, lua };
}

/** MONITOR while `during` runs: top-level commands (not run by a script) and the silence keys' reads. */
async function monitorWindow(
  redisUrl: string,
  base: string,
  during: () => Promise<void>,
): Promise<MonitorCounts> {
  const { hostname, port } = new URL(redisUrl);
  const sock = createConnection({ host: hostname, port: Number(port) });
  const c = { topLevelCommands: 0, versionReads: 0, snapshotLoads: 0, otherSilenceCommands: 0 };
  let buf = '';
  let started!: () => void;
  const ok = new Promise<void>((r) => (started = r));
  sock.setEncoding('latin1');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      if (line === '+OK') {
        started();
        continue;
      }
      const parsed = parseMonitorLine(line);
      if (!parsed || parsed.lua) continue;
      const { args } = parsed;
      const name = (args[0] ?? '').toLowerCase();
      if (name === 'info' || name === 'monitor') continue;
      c.topLevelCommands++;
      const key = name === 'evalsha' || name === 'eval' ? (args[3] ?? '') : (args[1] ?? '');
      if (!key.includes(':silences:{')) continue;
      if (name === 'get' && key.endsWith(':version')) c.versionReads++;
      else if (name === 'evalsha' && key.endsWith(':index') && (args[4] ?? '').endsWith(':version'))
        c.snapshotLoads++;
      else c.otherSilenceCommands++;
    }
  });
  const failed = new Promise<never>((_, reject) => sock.once('error', reject));
  sock.write('MONITOR\r\n');
  await Promise.race([ok, failed]);
  try {
    const m0 = await scrape(base);
    await Promise.race([during(), failed]);
    const m1 = await scrape(base);
    return { ...c, ticks: m1.tickCount - m0.tickCount, flushes: m1.flushes - m0.flushes };
  } finally {
    sock.destroy();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))], 2);
};

interface QueryResult {
  /** Over the answers that listed every alert (null when none did). */
  p50Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  /** The first (unmeasured) request: the one that finds the node in steady state. */
  firstMs: number;
  /** Answers that did not list every alert (the node fell back to memory: see storeMode). */
  incompleteAnswers: number;
  /** Of the last answer. */
  alerts: number;
  suppressed: number;
  bytes: number;
}

/** Sequential GET /api/v2/alerts (every alert, status computed), after two unmeasured ones. */
async function queryAlerts(base: string, n: number, expected: number): Promise<QueryResult> {
  const times: number[] = [];
  let first = 0;
  let incomplete = 0;
  let last: { status: { state: string } }[] = [];
  let bytes = 0;
  for (let i = -2; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v2/alerts`);
    const text = await res.text();
    const dt = performance.now() - t0;
    if (res.status !== 200)
      throw new Error(`GET /api/v2/alerts answered ${res.status}: ${text.slice(0, 200)}`);
    last = JSON.parse(text) as typeof last;
    bytes = text.length;
    if (i === -2) first = dt;
    if (i < 0) continue;
    if (last.length === expected) times.push(dt);
    else incomplete++;
  }
  const some = times.length > 0;
  return {
    p50Ms: some ? pct(times, 50) : null,
    p99Ms: some ? pct(times, 99) : null,
    meanMs: some ? round(times.reduce((a, b) => a + b, 0) / times.length, 2) : null,
    firstMs: round(first, 2),
    incompleteAnswers: incomplete,
    alerts: last.length,
    suppressed: last.filter((a) => a.status.state === 'suppressed').length,
    bytes,
  };
}

async function storeMode(base: string): Promise<string> {
  const body = (await (await fetch(`${base}/health/ready`)).json()) as { store?: { mode?: string } };
  return body.store?.mode ?? 'unknown';
}

interface Phase {
  silences: number;
  ticks: number;
  flushes: number;
  flushesPerTick: number;
  tickMsMean: number;
  /** Tick wall time divided by the group halves it flushed (flushes overlap: concurrency 16). */
  tickUsecPerFlush: number;
  nodeCpuUsecPerFlush: number | null;
  redisCommandsPerFlushInclLua: number;
  redisUsecPerFlush: number;
  redisByCommandPerFlush: Record<string, number>;
  monitor: MonitorCounts & {
    topLevelPerFlush: number;
    versionReadsPerTick: number;
    versionReadsPerFlush: number;
  };
  queryAlerts: QueryResult;
  /** The node's store mode (`redis`; anything else: it fell back to memory, and what follows is void). */
  storeMode: { afterFlushWindows: string; afterQueries: string };
  suppressedBySilenceInWindow: number;
}

async function measure(
  name: string,
  base: string,
  client: Redis,
  redisUrl: string,
  pid: number,
  silences: number,
): Promise<Phase> {
  log(`${name}: measuring ${S.durationS}s`);
  const m0 = await scrape(base);
  const st0 = await commandStats(client);
  const cpu0 = procCpuSeconds(pid);
  await sleep(S.durationS * 1000);
  const m1 = await scrape(base);
  const d = diffStats(st0, await commandStats(client));
  const cpu1 = procCpuSeconds(pid);
  const ticks = m1.tickCount - m0.tickCount;
  const flushes = m1.flushes - m0.flushes;
  const per = (x: number, by = flushes) => (by ? x / by : 0);
  let calls = 0;
  let usec = 0;
  for (const v of d.values()) {
    calls += v.calls;
    usec += v.usec;
  }
  const byCommand = Object.fromEntries(
    [...d.entries()].sort((a, b) => b[1].calls - a[1].calls).map(([k, v]) => [k, round(per(v.calls), 3)]),
  );
  log(`${name}: MONITOR ${S.monitorS}s`);
  const mon = await monitorWindow(redisUrl, base, () => sleep(S.monitorS * 1000));
  const modeAfterFlushes = await storeMode(base);
  log(`${name}: ${S.queries} × GET /api/v2/alerts`);
  const q = await queryAlerts(base, S.queries, S.groups * S.alertsPerGroup);
  const out: Phase = {
    silences,
    ticks,
    flushes,
    flushesPerTick: round(per(flushes, ticks), 1),
    tickMsMean: round(per((m1.tickSum - m0.tickSum) * 1000, ticks), 2),
    tickUsecPerFlush: round(per((m1.tickSum - m0.tickSum) * 1e6), 1),
    nodeCpuUsecPerFlush: cpu0 !== null && cpu1 !== null ? round(per((cpu1 - cpu0) * 1e6), 1) : null,
    redisCommandsPerFlushInclLua: round(per(calls), 2),
    redisUsecPerFlush: round(per(usec), 1),
    redisByCommandPerFlush: byCommand,
    monitor: {
      ...mon,
      topLevelPerFlush: round(per(mon.topLevelCommands, mon.flushes), 2),
      versionReadsPerTick: round(per(mon.versionReads, mon.ticks), 2),
      versionReadsPerFlush: round(per(mon.versionReads, mon.flushes), 3),
    },
    queryAlerts: q,
    storeMode: { afterFlushWindows: modeAfterFlushes, afterQueries: await storeMode(base) },
    suppressedBySilenceInWindow: m1.suppressedBySilence - m0.suppressedBySilence,
  };
  log(
    `${name}: ${ticks} ticks, ${flushes} flushes (${out.flushesPerTick}/tick), tick ${out.tickMsMean} ms ` +
      `(${out.tickUsecPerFlush} µs per flush), node CPU ${out.nodeCpuUsecPerFlush} µs/flush, Redis ` +
      `${out.redisCommandsPerFlushInclLua} commands/flush; MONITOR: ${out.monitor.topLevelPerFlush} ` +
      `top-level/flush, ${mon.versionReads} version reads in ${mon.ticks} ticks, ${mon.snapshotLoads} ` +
      `snapshots; GET /api/v2/alerts first ${q.firstMs} ms, p50 ${q.p50Ms} ms p99 ${q.p99Ms} ms ` +
      `(${q.alerts} alerts, ${q.suppressed} suppressed, ${q.incompleteAnswers} incomplete answers)`,
  );
  return out;
}

/**
 * The matching alone, in this process with the domain's SilenceSet (what the flush's Silencer and the
 * alerts listing run per alert): every alert of the load against the mix, and against the mix without
 * its unindexed silences. No Redis, no HTTP: the CPU part of the cost.
 */
function matchingCost(alerts: Record<string, string>[], mix: Matcher[][]) {
  const now = Date.now();
  const run = (ms: Matcher[][]) => {
    const set = new SilenceSet(
      ms.map((matchers, k) => ({
        id: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
        matchers,
        startsAt: now - 1000,
        endsAt: now + 3_600_000,
        updatedAt: now - 1000,
        createdBy: 'bench',
        comment: '',
      })),
      'bench',
    );
    let silenced = 0;
    for (const l of alerts) silenced += set.silencedBy(l, now).length > 0 ? 1 : 0; // warm-up pass
    const t0 = performance.now();
    for (const l of alerts) set.silencedBy(l, now);
    const ms_ = performance.now() - t0;
    return {
      silences: ms.length,
      msForAllAlerts: round(ms_, 1),
      usecPerAlert: round((ms_ * 1000) / alerts.length, 2),
      silenced,
    };
  };
  return { fullMix: run(mix), withoutUnindexed: run(mix.filter((m) => !unindexed(m))) };
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function main(): Promise<void> {
  const loadAtStart = round(loadavg()[0], 2);
  const tmp = mkdtempSync(join(tmpdir(), 'herald-bench-silences-'));
  let keep = false;
  const redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  let herald: Child | undefined;
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    const version = (await infoSection(client, 'server')).redis_version;
    const base = await startHerald(
      tmp,
      `route:
  receiver: default
  group_by: [alertname]
  group_wait: 0s
  group_interval: ${S.groupIntervalS}s
  repeat_interval: 1s
receivers:
  - name: default
herald:
  scheduler:
    tick: ${S.tick}
  silences:
    max_silences: ${S.silences + 100}
`,
      redis.url,
      (c) => (herald = c),
    );
    const pid = herald!.pid;
    log(`silences bench: node pid ${pid} on ${base}, redis-server ${version}; ${JSON.stringify(S)}`);

    const endsAt = new Date(Date.now() + 86_400_000).toISOString();
    const alerts: Record<string, string>[] = [];
    for (let g = 0; g < S.groups; g++)
      for (let i = 0; i < S.alertsPerGroup; i++) alerts.push(alertLabels(g, i));
    for (let i = 0; i < alerts.length; i += 500)
      await post(
        `${base}/api/v2/alerts`,
        alerts.slice(i, i + 500).map((labels) => ({ labels, annotations: { summary: 'bench' }, endsAt })),
      );
    log(`${alerts.length} alerts in ${S.groups} groups posted; waiting for every group's first flush`);
    await waitUntil(async () => (await scrape(base)).flushes >= S.groups, {
      timeoutMs: 60_000,
      what: 'every group flushed once',
    });
    log(`warm-up ${S.warmupS}s`);
    await sleep(S.warmupS * 1000);
    const none = await measure('0 silences', base, client, redis.url, pid, 0);

    const mix = Array.from({ length: S.silences }, (_, k) => silenceMatchers(k));
    const silencedAlerts = alerts.filter((l) => mix.some((m) => matches(m, l))).length;
    const matching = matchingCost(alerts, mix);
    log(`matching alone (in this process): ${JSON.stringify(matching)}`);
    log(`creating ${S.silences} silences (8 at a time)`);
    const w0 = await scrape(base);
    let writeS = 0;
    let next = 0;
    const writer = async () => {
      while (next < mix.length) {
        const k = next++;
        await post(`${base}/api/v2/silences`, {
          matchers: mix[k],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 86_400_000).toISOString(),
          createdBy: 'bench',
          comment: `silence ${k}`,
        });
      }
    };
    // Under MONITOR (it slows Redis a little): how often the writes made the node reload the set.
    const wm = await monitorWindow(redis.url, base, async () => {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 8 }, writer));
      writeS = (performance.now() - t0) / 1000;
    });
    const w1 = await scrape(base);
    const whileWriting = {
      seconds: round(writeS, 2),
      silencesPerSec: round(S.silences / writeS, 1),
      ticks: w1.tickCount - w0.tickCount,
      flushes: w1.flushes - w0.flushes,
      tickMsMean: round(((w1.tickSum - w0.tickSum) * 1000) / Math.max(1, w1.tickCount - w0.tickCount), 2),
      snapshotLoads: wm.snapshotLoads,
      versionReads: wm.versionReads,
    };
    log(
      `created in ${whileWriting.seconds}s; meanwhile ${whileWriting.ticks} ticks of ` +
        `${whileWriting.tickMsMean} ms, ${wm.snapshotLoads} snapshot loads (MONITOR on)`,
    );
    // The first flushes after the last write load the set; then two intervals for steady state.
    await waitUntil(async () => (await scrape(base)).suppressedBySilence > 0, {
      timeoutMs: 30_000,
      what: 'a flush muted by the silences',
    });
    await sleep(2 * S.groupIntervalS * 1000);
    const listed = JSON.parse(await (await fetch(`${base}/api/v2/silences`)).text()) as {
      status: { state: string };
    }[];
    const active = listed.filter((s) => s.status.state === 'active').length;
    const many = await measure(`${S.silences} silences`, base, client, redis.url, pid, S.silences);

    const ratio = (a: number | null, b: number | null) => (a !== null && b ? round(a / b, 2) : null);
    const summary = {
      phases: { none, many },
      change: {
        note: `${S.silences} silences / 0 silences`,
        tickUsecPerFlush: ratio(many.tickUsecPerFlush, none.tickUsecPerFlush),
        nodeCpuUsecPerFlush: ratio(many.nodeCpuUsecPerFlush, none.nodeCpuUsecPerFlush),
        redisCommandsPerFlushInclLua: round(
          many.redisCommandsPerFlushInclLua - none.redisCommandsPerFlushInclLua,
          2,
        ),
        queryAlertsP50: ratio(many.queryAlerts.p50Ms, none.queryAlerts.p50Ms),
      },
      whileWriting,
      mix: {
        ...Object.fromEntries(
          (['targets-load', 'equality', 'regex', 'negative'] as const).map((kind) => [
            kind,
            mix.filter((_, k) => silenceKind(k) === kind).length,
          ]),
        ),
        unindexed: mix.filter(unindexed).length,
      },
      matchingAlone: matching,
      checks: {
        silencesActive: active === S.silences,
        suppressedAlertsAsExpected: many.queryAlerts.suppressed === silencedAlerts,
        noneSuppressedWithoutSilences: none.queryAlerts.suppressed === 0,
        everyAlertListed:
          none.queryAlerts.alerts === alerts.length && many.queryAlerts.alerts === alerts.length,
        silencesMutedFlushes: many.suppressedBySilenceInWindow > 0,
        noSnapshotReloadInSteadyState: many.monitor.snapshotLoads === 0,
        redisModeThroughout: [none, many].every(
          (p) => p.storeMode.afterFlushWindows === 'redis' && p.storeMode.afterQueries === 'redis',
        ),
      },
      expectedSuppressedAlerts: silencedAlerts,
      env: {
        cpus: cpus().length,
        // Other work on the machine skews every figure: the 1-minute load average at the start and end.
        loadAverage: [loadAtStart, round(loadavg()[0], 2)],
        node: process.version,
        redis: version,
        ...S,
        date: new Date().toISOString(),
      },
    };
    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `silences-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    log(`written ${file}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    keep = !Object.values(summary.checks).every(Boolean);
    if (keep) log(`a check failed: the node's log stays in ${join(tmp, 'herald.log')}`);
    process.exitCode = keep ? 1 : 0;
  } catch (e) {
    keep = true;
    log(`the node's log stays in ${join(tmp, 'herald.log')}`);
    throw e;
  } finally {
    client.disconnect();
    await stopChild(herald);
    await redis.stop();
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 100).unref());
