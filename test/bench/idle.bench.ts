/**
 * What an idle node costs: one node with nothing to do (no alerts, no groups) on its own redis-server
 * and on a 3-master Redis Cluster without replicas, measured from outside after it settled.
 * - node: CPU (ms per second, /proc/<pid>/stat) and RSS;
 * - Redis, summed over its servers: commands per second by name (`INFO commandstats`, the bench's own
 *   INFO left out), new connections per second (`INFO stats total_connections_received`, the bench's
 *   own left out) and CPU (ms per second, `INFO CPU`).
 * On a Cluster every client of the node re-reads the slot map periodically (CLUSTER SLOTS on a
 * connection of its own): that is what the cluster figures show beyond the single Redis'.
 * Run: npm run bench:idle (BENCH_REDIS single | cluster | both, default both; BENCH_SETTLE_S, default
 * 12; BENCH_IDLE_S, default 20). Prints a JSON summary last.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisCluster } from '../harness/redis-cluster';
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

async function measure(topology: 'single' | 'cluster', settleS: number, idleS: number) {
  const dir = mkdtempSync(join(tmpdir(), `herald-idle-bench-${topology}-`));
  const single = topology === 'single' ? await RedisServer.start() : undefined;
  const cluster = topology === 'cluster' ? await RedisCluster.start({ replicasPerMaster: 0 }) : undefined;
  const ports = single ? [single.port] : cluster!.nodes.map((n) => n.port);
  const target: RedisTarget = single ? single.url : { clusterNodes: cluster!.nodes.map((n) => n.address) };
  const servers = ports.map((p) => new Redis(p, '127.0.0.1'));
  let node: Child | undefined;
  try {
    await startHerald(
      dir,
      `route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:9/hook\n`,
      target,
      (c) => (node = c),
    );
    log(`${topology}: node ready, ${settleS} s to settle, then ${idleS} s measured`);
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
  const runs = [];
  if (mode !== 'cluster') runs.push(await measure('single', settleS, idleS));
  if (mode !== 'single') runs.push(await measure('cluster', settleS, idleS));
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
