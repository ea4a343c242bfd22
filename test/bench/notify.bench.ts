/**
 * End-to-end notification benchmark: one node (Redis mode, own redis-server) notifying a webhook sink.
 * - latency: alerts of new groups posted one request at a time with group_wait 0s; time from the POST
 *   to the sink receiving the group's notification (p50/p99);
 * - throughput: N new groups posted at once; notifications per second until the sink has them all, and
 *   (`afterIngest`) from the last POST answered to the last notification — the node delivering, no longer
 *   also creating the groups (80 sequential POSTs of 100 new groups for the default 8 000 take ~1 s, in
 *   which the node delivers a few hundred).
 * - idle: Redis commands per second the node makes with nothing due (`INFO commandstats` delta over
 *   BENCH_IDLE_S seconds, default 10, after the notifications settled; commands Lua scripts run count too).
 * Run: npm run bench:notify (BENCH_GROUPS, default 2000; BENCH_TICK, default the node's own tick;
 * BENCH_NODE_ARGS go to the node as NODE_OPTIONS; BENCH_CPU_PROF=<dir> writes the node's CPU profile there
 * (`--cpu-prof` is not allowed in NODE_OPTIONS: a preloaded inspector session takes it); BENCH_SPLIT=1
 * runs the node as two nodes by role, `api,scheduler` and `delivery` (node CPU is both summed); BENCH_WORKERS
 * sets herald.workers (node CPU then counts the node's child processes too)).
 * Prints a JSON summary last; `throughput.machine` puts the run's rate beside what the machine's cores
 * could do at the CPU per notification measured (node, Redis and this process together).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { HttpSink } from '../harness/http-sink';
import { RedisServer } from '../harness/redis-server';
import { log, procCpuMs, procTreeCpuMs, sleep, startHerald, stopChild, type Child } from './procs';
import { commandStats, diffStats } from './redis-stats';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

/** NODE_OPTIONS for the node: BENCH_NODE_ARGS, and a CPU profiler preload with BENCH_CPU_PROF. */
function nodeOptions(dir: string): Record<string, string> {
  const opts = [process.env.BENCH_NODE_ARGS ?? ''];
  const profDir = process.env.BENCH_CPU_PROF;
  if (profDir) {
    const preload = join(dir, 'cpu-prof.js');
    writeFileSync(
      preload,
      `const { Session } = require('node:inspector');
const fs = require('node:fs');
const s = new Session();
s.connect();
s.post('Profiler.enable');
s.post('Profiler.start');
process.on('exit', () => s.post('Profiler.stop', (err, r) => {
  if (err) return;
  fs.mkdirSync(${JSON.stringify(profDir)}, { recursive: true });
  fs.writeFileSync(${JSON.stringify(profDir)} + '/herald-' + process.pid + '.cpuprofile', JSON.stringify(r.profile));
}));
`,
    );
    opts.push(`--require ${preload}`);
  }
  const v = opts.join(' ').trim();
  return v ? { NODE_OPTIONS: v } : {};
}

/**
 * What the machine could do at the CPU per notification measured: the node, Redis and this process
 * share its cores, so on a small machine the rate is bounded by all three together — `ceilingPerSec` is
 * the rate at which they would fill every core, `ofCeiling` how much of it the run reached (near 1: the
 * machine is full, a faster rate needs less CPU per notification; well below: waiting, not CPU, bounds it).
 */
function machineShare(
  cpu: { node: number; redis: number; bench: number },
  perSec: number,
): { cpuPerNotificationUs: number; ceilingPerSec: number; ofCeiling: number } {
  const total = cpu.node + cpu.redis + cpu.bench;
  const ceiling = total > 0 ? (cpus().length * 1e6) / total : 0;
  return {
    cpuPerNotificationUs: total,
    ceilingPerSec: Math.round(ceiling),
    ofCeiling: ceiling > 0 ? Math.round((perSec / ceiling) * 100) / 100 : 0,
  };
}

async function main(): Promise<void> {
  const groups = Number(process.env.BENCH_GROUPS ?? 2000);
  const tick = process.env.BENCH_TICK;
  const idleS = Number(process.env.BENCH_IDLE_S ?? 10);
  const sched = process.env.BENCH_SCHEDULER_CONCURRENCY; // herald.scheduler.concurrency (default the node's)
  const deliveryConcurrency = Number(process.env.BENCH_DELIVERY_CONCURRENCY ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'herald-notify-bench-'));
  const redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  // The sink counts: it keeps no request and parses a body only while the latency phase needs its group
  // key (a kept, parsed request per notification cost the bench, on the node's cores, ~20 % of a core).
  let accepted = 0;
  let lastAt = 0;
  let arrivals: Map<string, number> | undefined = new Map();
  const sink = await HttpSink.start({
    keep: false,
    onRequest: (r) => {
      if (r.status < 200 || r.status > 299) return;
      accepted++;
      if (r.at > lastAt) lastAt = r.at;
      arrivals?.set((r.json as { groupKey: string }).groupKey, r.at);
    },
  });
  let node: Child | undefined;
  let worker: Child | undefined;
  const split = process.env.BENCH_SPLIT === '1';
  try {
    const yaml =
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1h\n` +
      `receivers:\n  - name: hook\n    webhook_configs:\n      - url: ${sink.url}/hook\n` +
      `herald:\n  scheduler:\n${tick ? `    tick: ${tick}\n` : ''}${sched ? `    concurrency: ${sched}\n` : ''}` +
      `${process.env.BENCH_SCHEDULER_POLL ? `    poll: ${process.env.BENCH_SCHEDULER_POLL}\n` : ''}` +
      `${process.env.BENCH_WORKERS ? `  workers: ${process.env.BENCH_WORKERS}\n` : ''}` +
      `  delivery:\n    concurrency: ${deliveryConcurrency}\n` +
      `${process.env.BENCH_DELIVERY_SHARDS ? `    shards: ${process.env.BENCH_DELIVERY_SHARDS}\n` : ''}`;
    // BENCH_SPLIT=1: the node as two processes on the machine, by role — api + scheduler, and delivery.
    const url = await startHerald(dir, yaml, redis.url, (c) => (node = c), {
      ...nodeOptions(dir),
      ...(split ? { HERALD_ROLES: 'api,scheduler' } : {}),
    });
    if (split) {
      const wdir = mkdtempSync(join(tmpdir(), 'herald-notify-bench-delivery-'));
      await startHerald(wdir, yaml, redis.url, (c) => (worker = c), {
        ...nodeOptions(wdir),
        HERALD_ROLES: 'delivery',
      });
    }
    const postAlerts = (alerts: unknown[]) =>
      fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      }).then((r) => r.arrayBuffer());

    // Latency: 200 groups, one request each, 20 ms apart.
    log('latency: 200 single-alert requests');
    const sent = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const name = `Lat${i}`;
      sent.set(`{}:{alertname="${name}"}`, Date.now());
      await postAlerts([{ labels: { alertname: name } }]);
      await sleep(20);
    }
    await sink.waitFor(() => accepted >= 200, 30_000, 'latency notifications');
    const at = arrivals!;
    arrivals = undefined;
    const lat = [...sent].map(([k, t]) => (at.get(k) ?? NaN) - t).filter((x) => !Number.isNaN(x));

    // Throughput: `groups` groups posted in batches of 100 as fast as possible.
    log(`throughput: ${groups} groups`);
    const before = accepted;
    const stats = new Redis(redis.url);
    const thr0 = await commandStats(stats);
    const nodeCpu = () => procTreeCpuMs(node?.pid) + (worker ? procTreeCpuMs(worker.pid) : 0);
    const cpuNow = () => ({
      node: nodeCpu(),
      redis: procCpuMs(redis.pid),
      delivery: procCpuMs(worker?.pid),
      bench: process.cpuUsage(),
    });
    const cpu0 = cpuNow();
    // BENCH_MONITOR=1: commands the node sends itself (not those its scripts run), by name (MONITOR).
    const sentCmds = new Map<string, number>();
    const monitorClient = process.env.BENCH_MONITOR ? new Redis(redis.url) : undefined;
    const monitor = await monitorClient?.monitor();
    monitor?.on('monitor', (_t: string, args: string[], source: string) => {
      if (source === 'lua') return;
      const name = args[0] === 'evalsha' ? `evalsha ${args[1].slice(0, 8)}` : args[0];
      sentCmds.set(name, (sentCmds.get(name) ?? 0) + 1);
    });
    const t0 = Date.now();
    // BENCH_TRACE=1: every 250 ms, notifications received and jobs waiting in the delivery queue.
    const trace = process.env.BENCH_TRACE
      ? setInterval(() => {
          void (async () => {
            const waitKeys = (await stats.keys('*:wait')).filter((k) => k.includes('delivery'));
            const waiting = waitKeys.length
              ? (await Promise.all(waitKeys.map((k) => stats.llen(k)))).reduce((a, b) => a + b, 0)
              : 0;
            log(`+${Date.now() - t0} ms: received ${accepted - before}, delivery queue ${waiting}`);
          })();
        }, 250)
      : undefined;
    for (let i = 0; i < groups; i += 100) {
      await postAlerts(
        Array.from({ length: Math.min(100, groups - i) }, (_, j) => ({
          labels: { alertname: `Thr${i + j}` },
        })),
      );
    }
    const ingested = Date.now() - t0;
    // The same run from the last POST answered on: delivery alone, the node no longer ingesting.
    const afterIngest = { at: Date.now(), received: accepted - before, cpu: cpuNow() };
    await sink.waitFor(() => accepted - before >= groups, 120_000, 'throughput notifications');
    const elapsed = (lastAt - t0) / 1000;
    clearInterval(trace);
    await sleep(500); // the log writes after the last delivery
    monitor?.disconnect();
    monitorClient?.disconnect();
    const sentPerNotification = Object.fromEntries(
      [...sentCmds].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / groups) * 100) / 100]),
    );
    const cpuEnd = cpuNow();
    const cpuPer = (from: ReturnType<typeof cpuNow>, n: number) => {
      const us = (ms: number) => Math.round((ms * 1000) / n);
      const bench = process.cpuUsage(from.bench);
      const benchEnd = process.cpuUsage(cpuEnd.bench);
      return {
        node: us(cpuEnd.node - from.node),
        redis: us(cpuEnd.redis - from.redis),
        // BENCH_SPLIT=1: the delivery process' share of `node` (the rest is api + scheduler).
        ...(worker ? { deliveryProcess: us(cpuEnd.delivery - from.delivery) } : {}),
        // This process: the sink answering and the posting of the alerts (on the same cores as the node).
        bench: us((bench.user + bench.system - benchEnd.user - benchEnd.system) / 1000),
      };
    };
    const cpuPerNotificationUs = cpuPer(cpu0, groups);
    const afterN = groups - afterIngest.received;
    const afterS = (lastAt - afterIngest.at) / 1000;
    const afterCpu = afterN > 0 ? cpuPer(afterIngest.cpu, afterN) : undefined;
    const thrStats = diffStats(thr0, await commandStats(stats));
    stats.disconnect();
    const perNotification: Record<string, number> = {};
    let perTotal = 0;
    for (const [name, { calls }] of [...thrStats].sort((a, b) => b[1].calls - a[1].calls)) {
      perNotification[name] = Math.round((calls / groups) * 100) / 100;
      perTotal += calls / groups;
    }

    // Idle: nothing due (group_interval 1h) — what the node still asks of Redis in the background.
    await sleep(2000);
    const probe = new Redis(redis.url);
    let idle: { seconds: number; commandsPerSec: number; byCommand: Record<string, number> };
    try {
      log(`idle: ${idleS}s of INFO commandstats`);
      const s0 = await commandStats(probe);
      await sleep(idleS * 1000);
      const d = diffStats(s0, await commandStats(probe));
      const byCommand: Record<string, number> = {};
      let total = 0;
      for (const [name, { calls }] of [...d].sort((a, b) => b[1].calls - a[1].calls)) {
        byCommand[name] = Math.round((calls / idleS) * 10) / 10;
        total += calls;
      }
      idle = { seconds: idleS, commandsPerSec: Math.round((total / idleS) * 10) / 10, byCommand };
    } finally {
      probe.disconnect();
    }
    const summary = {
      latencyMs: {
        n: lat.length,
        p50: pct(lat, 50),
        p99: pct(lat, 99),
        max: pct(lat, 100),
        // The five slowest, with their request's number (0..199, 20 ms apart): what p99 is made of.
        slowest: lat
          .map((ms, i) => [i, ms])
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5),
      },
      throughput: {
        groups,
        ingestMs: ingested,
        seconds: Math.round(elapsed * 100) / 100,
        notificationsPerSec: Math.round(groups / elapsed),
        cpuPerNotificationUs,
        machine: machineShare(cpuPerNotificationUs, groups / elapsed),
        // From the last POST answered to the last notification: the node delivering, no longer ingesting.
        afterIngest:
          afterCpu && afterS > 0
            ? {
                notifications: afterN,
                seconds: Math.round(afterS * 100) / 100,
                notificationsPerSec: Math.round(afterN / afterS),
                cpuPerNotificationUs: afterCpu,
                machine: machineShare(afterCpu, afterN / afterS),
              }
            : null,
        redisCommandsPerNotification: Math.round(perTotal * 10) / 10,
        ...(monitor ? { sentPerNotification } : {}),
        perNotification,
      },
      idle,
      env: {
        cpus: cpus().length,
        node: process.version,
        tick: tick ?? 'default',
        schedulerConcurrency: sched ?? 'default',
        deliveryConcurrency,
        processes: split
          ? 'api,scheduler + delivery'
          : process.env.BENCH_WORKERS
            ? `one node of ${process.env.BENCH_WORKERS} (herald.workers)`
            : 'one (all roles)',
        loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      },
    };
    console.log(JSON.stringify(summary));
  } finally {
    await stopChild(worker);
    await stopChild(node);
    await sink.stop();
    await redis.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
