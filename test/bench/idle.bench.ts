/**
 * What an idle node costs: one node with nothing to do on its own redis-server and on a 3-master Redis
 * Cluster without replicas, measured from outside after it settled. "Nothing to do": no alerts at all,
 * or (BENCH_IDLE_GROUPS, default 1 500) that many groups of one firing alert each (endsAt 2 h ahead), all
 * notified once to a webhook sink in this process before the settling starts — parked on the due index
 * until their repeat_interval (4 h) or endsAt, as a steady deployment's groups are between changes.
 * - node: CPU (ms per second, /proc/<pid>/stat) and RSS;
 * - Redis, summed over its servers: commands per second by name (`INFO commandstats`, the bench's own
 *   INFO left out), new connections per second (`INFO stats total_connections_received`, the bench's
 *   own left out) and CPU (ms per second, `INFO CPU`).
 * On a Cluster every client of the node re-reads the slot map periodically (CLUSTER SLOTS on a
 * connection of its own): that is what the cluster figures show beyond the single Redis'.
 * Run: npm run bench:idle (BENCH_REDIS single | cluster | both, default both; BENCH_SETTLE_S, default
 * 12; BENCH_IDLE_S, default 20; BENCH_IDLE_GROUPS, default 1500, 0 for none). Prints a JSON summary last.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { HttpSink } from '../harness/http-sink';
import { RedisCluster } from '../harness/redis-cluster';
import { waitUntil } from '../harness/wait';
import { RedisServer } from '../harness/redis-server';
import {
  log,
  procCpuMs,
  procMemory,
  sleep,
  startHerald,
  stopChild,
  type Child,
  type RedisTarget,
} from './procs';
import { commandStats, diffStats, infoSection, redisCpuSeconds, type CommandStats } from './redis-stats';

interface Sample {
  nodeCpuMs: number;
  commands: CommandStats[];
  connections: number;
  redisCpuS: number;
}

async function sample(node: Child, servers: Redis[]): Promise<Sample> {
  const stats = await Promise.all(servers.map((s) => infoSection(s, 'stats')));
  return {
    nodeCpuMs: procCpuMs(node.pid),
    commands: await Promise.all(servers.map((s) => commandStats(s))),
    // Each server's count includes the bench's own connection to it, made before the first sample.
    connections: stats.reduce((n, s) => n + Number(s.total_connections_received), 0),
    redisCpuS: (await Promise.all(servers.map((s) => redisCpuSeconds(s)))).reduce((a, b) => a + b, 0),
  };
}

/** Posts `groups` alerts, one group each, and waits until the sink has had every group's notification. */
async function loadIdleGroups(url: string, sink: HttpSink, groups: number): Promise<void> {
  const endsAt = new Date(Date.now() + 2 * 3600_000).toISOString();
  const startsAt = new Date().toISOString();
  for (let i = 0; i < groups; i += 100) {
    const alerts = [];
    for (let j = i; j < Math.min(groups, i + 100); j++) {
      alerts.push({ labels: { alertname: `Idle${j}`, job: 'idle-bench' }, startsAt, endsAt });
    }
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
  }
  await waitUntil(
    () =>
      new Set(sink.requests.map((r) => (r.json as { groupKey?: string } | undefined)?.groupKey)).size >=
      groups,
    { timeoutMs: 120_000, intervalMs: 250, what: `the ${groups} groups notified` },
  );
}

async function measure(topology: 'single' | 'cluster', settleS: number, idleS: number, groups: number) {
  const dir = mkdtempSync(join(tmpdir(), `herald-idle-bench-${topology}-`));
  const single = topology === 'single' ? await RedisServer.start() : undefined;
  const cluster = topology === 'cluster' ? await RedisCluster.start({ replicasPerMaster: 0 }) : undefined;
  const ports = single ? [single.port] : cluster!.nodes.map((n) => n.port);
  const target: RedisTarget = single ? single.url : { clusterNodes: cluster!.nodes.map((n) => n.address) };
  const servers = ports.map((p) => new Redis(p, '127.0.0.1'));
  let node: Child | undefined;
  const sink = await HttpSink.start();
  try {
    const url = await startHerald(
      dir,
      [
        'route:',
        '  receiver: hook',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 5m',
        '  repeat_interval: 4h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${sink.url}/hook`,
        '',
      ].join('\n'),
      target,
      (c) => (node = c),
    );
    if (groups > 0) {
      log(`${topology}: node ready, posting ${groups} groups and waiting for their notifications`);
      await loadIdleGroups(url, sink, groups);
    }
    log(`${topology}: ${groups} groups, ${settleS} s to settle, then ${idleS} s measured`);
    await sleep(settleS * 1000);
    const t0 = Date.now();
    const a = await sample(node!, servers);
    await sleep(idleS * 1000);
    const b = await sample(node!, servers);
    const s = (Date.now() - t0) / 1000;
    const byCommand: Record<string, number> = {};
    let commands = 0;
    a.commands.forEach((before, i) => {
      for (const [name, d] of diffStats(before, b.commands[i])) {
        byCommand[name] = (byCommand[name] ?? 0) + d.calls;
        commands += d.calls;
      }
    });
    const perSec = (n: number) => Math.round((n / s) * 10) / 10;
    return {
      topology,
      idleGroups: groups,
      // Anything the sink got during the window: a parked group flushing again (none expected).
      sinkRequestsDuringWindow: sink.requests.filter((r) => r.at >= t0).length,
      redisServers: servers.length,
      seconds: Math.round(s * 10) / 10,
      nodeCpuMsPerSec: perSec(b.nodeCpuMs - a.nodeCpuMs),
      nodeRssMB: procMemory(node!.pid)?.rssMB ?? null,
      redisCommandsPerSec: perSec(commands),
      redisCommandsPerSecByName: Object.fromEntries(
        Object.entries(byCommand)
          .sort((x, y) => y[1] - x[1])
          .map(([k, v]) => [k, perSec(v)]),
      ),
      redisConnectionsPerSec: perSec(b.connections - a.connections),
      redisCpuMsPerSec: perSec((b.redisCpuS - a.redisCpuS) * 1000),
    };
  } finally {
    await stopChild(node);
    await sink.stop();
    servers.forEach((r) => r.disconnect());
    await single?.stop();
    await cluster?.stop();
  }
}

async function main(): Promise<void> {
  const mode = (process.env.BENCH_REDIS ?? 'both').toLowerCase();
  if (!['single', 'cluster', 'both'].includes(mode)) {
    throw new Error(`BENCH_REDIS must be single, cluster or both, got ${mode}`);
  }
  const settleS = Number(process.env.BENCH_SETTLE_S ?? 12);
  const idleS = Number(process.env.BENCH_IDLE_S ?? 20);
  const groups = Number(process.env.BENCH_IDLE_GROUPS ?? 1500);
  if (!Number.isInteger(groups) || groups < 0)
    throw new Error(`BENCH_IDLE_GROUPS must be a count, got ${groups}`);
  const runs = [];
  if (mode !== 'cluster') runs.push(await measure('single', settleS, idleS, groups));
  if (mode !== 'single') runs.push(await measure('cluster', settleS, idleS, groups));
  for (const r of runs) log(JSON.stringify(r));
  const env = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavg: loadavg() };
  console.log(JSON.stringify({ runs, env, date: new Date().toISOString() }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
