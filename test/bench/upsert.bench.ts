/**
 * The ingest script alone (`npm run bench:upsert`): what Redis spends per alert in upsert-groups-n.lua on
 * the reference ingest load, without HTTP, the node or a load generator sharing the machine — the figure
 * `npm run bench` reports as Redis CPU per alert, here to within a few per cent from run to run instead
 * of tens (the whole bench moves with everything else the 2 cores do).
 *
 * The requests are built in this process by Herald's own code from the bodies of
 * shared/bench/alerts.lua (normalize with the config's resolve_timeout, route and group with
 * BENCH_ROUTE_YAML, RedisGroupStore's arguments), recorded, and sent to a redis-server of their own, 8
 * at a time (the bench's 8 connections). One pass fills the store; every group is then marked flushed
 * (as a flush's log write does: the bench's route flushes each group every 5 s); each measured pass
 * sends every alert again with time moved forward by a minute — Prometheus' re-send: same startsAt,
 * later endsAt and updatedAt, nothing else changed.
 *
 * Environment:
 *   BENCH_PASSES         measured passes per run (3)        BENCH_REPEATS  runs per script, alternated (3)
 *   BENCH_SHAPE_GROUPS   alertname values of the pool (500: one alert per group per request; fewer
 *                        puts more alerts of a group in one request)
 *   BENCH_UPSERT_SCRIPT  a candidate upsert-groups-n.lua taking the same arguments (includes expanded
 *                        from its own directory): run alternately with the repository's, same requests
 *   BENCH_UPSERT_STRIP   comma list of bytes left out of every request, to price them (docs/adr/0006's
 *                        option 2 is what would leave them out): `bodies` — each alert value's JSON body
 *                        sent (and so stored) as `{}`, the value's header kept; `meta` — a group's
 *                        metadata JSON sent as `[]` in the measured passes (the script decodes it only
 *                        when it creates the group, which the fill pass does)
 * Prints a JSON summary last: per script and run, EVALSHA µs per alert (INFO commandstats), Redis CPU
 * µs per alert (INFO CPU, process-wide), Redis commands per alert (the script's own included) and Redis
 * memory per stored alert after the fill; and the bytes a request carries per alert (keys, arguments).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '@herald/config';
import { groupAlerts, normalizePostableAlerts, type UpsertBatch } from '@herald/domain';
import { expandIncludes, loadLuaScript, parseLuaScript } from '@herald/lua';
import { REDIS_LUA_DIR, RedisGroupStore, RedisKeys, type RedisClient } from '@herald/redis';
import { RedisServer } from '../harness/redis-server';
import { BENCH_ROUTE_YAML, buildBodies, REFERENCE_SHAPE } from './alert-load';
import { log, round } from './procs';
import { commandStats, diffStats, memorySnapshot, redisCpuSeconds } from './redis-stats';

const TENANT = 'default';
const IN_FLIGHT = 8;
/** Prometheus re-sends its active alerts about once a minute (evaluation interval × resend delay). */
const RESEND_MS = 60_000;

type Call = (string | number)[];

/** A stored alert value as the store sends it: `<startsAt>:<endsAt>:<timeout>:<updatedAt>|{…}`. */
const VALUE = /^-?\d+:-?\d+:[01]:-?\d+\|\{/;
/** A group's argument: `<groupId>:<bucket>:<groupWait>:<N>:<L>:` …, its metadata JSON after the last newline. */
const GROUP_ARG = /^[^:]+:\d+:-?\d+:\d+:\d+:/;

/** The request without the bytes BENCH_UPSERT_STRIP names (see the header); pass 0 keeps its metadata. */
function strip(call: Call, what: Set<string>, pass: number): Call {
  return call.map((a) => {
    if (typeof a !== 'string') return a;
    if (what.has('bodies') && VALUE.test(a)) return `${a.slice(0, a.indexOf('|') + 1)}{}`;
    if (what.has('meta') && pass > 0 && GROUP_ARG.test(a)) return `${a.slice(0, a.lastIndexOf('\n[') + 1)}[]`;
    return a;
  });
}

/** Upsert calls of every pass: pass 0 fills, the next ones re-send with the clock a minute on each time. */
function recordCalls(
  passes: number,
  alertnames: number,
  stripped: Set<string>,
): { calls: Call[][]; alerts: number; groups: string[] } {
  const cfg = loadConfig({ env: {}, fileText: BENCH_ROUTE_YAML, hostname: 'bench' });
  const keys = new RedisKeys(cfg.herald.redis.keyPrefix, cfg.herald.redis.dueBuckets, 'standalone');
  let current: Call[] = [];
  // A client that records what the store sends instead of sending it (standalone: one call per request).
  const recorder: Record<string, unknown> = {
    defineCommand(name: string) {
      recorder[name] =
        name === 'herald:upsert-groups-n'
          ? (...args: Call) => {
              current.push(args);
              return Promise.resolve([0, 0, 0, 0, 0, null, []]);
            }
          : () => Promise.reject(new Error(`${name}: not recorded`));
    },
  };
  const store = new RedisGroupStore(recorder as unknown as RedisClient, keys, {
    retention: cfg.herald.retention,
  });
  const bodies = buildBodies({ ...REFERENCE_SHAPE, groups: alertnames }).map(
    (b) => JSON.parse(b) as unknown[],
  );
  const t0 = Date.now();
  const calls: Call[][] = [];
  const groups = new Set<string>();
  let alerts = 0;
  for (let p = 0; p <= passes; p++) {
    current = [];
    bodies.forEach((items, i) => {
      const now = t0 + p * RESEND_MS + i; // requests of a pass a millisecond apart
      const ctx = {
        now,
        resolveTimeout: cfg.global.resolveTimeout,
        limits: cfg.herald.limits,
        labelNames: cfg.herald.labelNames,
      };
      const n = normalizePostableAlerts(items, ctx);
      const batch: UpsertBatch = groupAlerts(cfg.routeTree, TENANT, now, n.alerts);
      for (const g of batch.groups) groups.add(keys.groupMeta(TENANT, g.target.groupId));
      if (p === 1) alerts += n.alerts.length;
      void store.upsert(batch);
    });
    calls.push(stripped.size > 0 ? current.map((c) => strip(c, stripped, p)) : current);
  }
  return { calls, alerts, groups: [...groups] };
}

/** The candidate's source as the loader would make it (includes from its own directory). */
function candidateSource(path: string): string {
  const file = resolve(path);
  return parseLuaScript(basename(file), expandIncludes(dirname(file), readFileSync(file, 'utf8'))).source;
}

async function send(redis: Redis, sha: string, calls: Call[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < calls.length) {
      const args = calls[next++];
      await redis.call('evalsha', sha, ...args);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

interface Run {
  evalshaUsecPerAlert: number;
  redisCpuUsecPerAlert: number;
  commandsPerAlert: number;
  /** `used_memory` after the fill pass over the alerts it stored (keys, index, everything). */
  memoryBytesPerAlert: number;
}

async function run(
  redis: Redis,
  source: string,
  calls: Call[][],
  alerts: number,
  metas: string[],
): Promise<Run> {
  await redis.flushall();
  const sha = (await redis.script('LOAD', source)) as string;
  const mem0 = (await memorySnapshot(redis)).usedMemory;
  await send(redis, sha, calls[0]);
  const mem1 = (await memorySnapshot(redis)).usedMemory;
  // A flush's log write sets `flushed` on the meta hash (write-nflog-2.lua); the bench's groups flush
  // every 5 s, so a re-send finds them flushed.
  const p = redis.pipeline();
  for (const m of metas) p.hset(m, 'flushed', '1');
  await p.exec();
  const before = await commandStats(redis);
  const cpu0 = await redisCpuSeconds(redis);
  for (const pass of calls.slice(1)) await send(redis, sha, pass);
  const cpu1 = await redisCpuSeconds(redis);
  const d = diffStats(before, await commandStats(redis));
  let commands = 0;
  for (const [name, v] of d) if (name !== 'info') commands += v.calls;
  const measured = alerts * (calls.length - 1);
  return {
    evalshaUsecPerAlert: round((d.get('evalsha')?.usec ?? 0) / measured, 2),
    redisCpuUsecPerAlert: round(((cpu1 - cpu0) * 1e6) / measured, 2),
    commandsPerAlert: round(commands / measured, 2),
    memoryBytesPerAlert: Math.round((mem1 - mem0) / alerts),
  };
}

async function main(): Promise<void> {
  const passes = Math.max(1, Number(process.env.BENCH_PASSES ?? 3));
  const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
  const alertnames = Math.max(1, Number(process.env.BENCH_SHAPE_GROUPS ?? REFERENCE_SHAPE.groups));
  const scripts: Record<string, string> = {
    repository: loadLuaScript(REDIS_LUA_DIR, 'upsert-groups-n').source,
  };
  if (process.env.BENCH_UPSERT_SCRIPT) scripts.candidate = candidateSource(process.env.BENCH_UPSERT_SCRIPT);

  const stripped = new Set(
    (process.env.BENCH_UPSERT_STRIP ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
  for (const x of stripped) {
    if (x !== 'bodies' && x !== 'meta')
      throw new Error(`BENCH_UPSERT_STRIP: unknown part ${JSON.stringify(x)} (bodies, meta)`);
  }
  const { calls, alerts, groups } = recordCalls(passes, alertnames, stripped);
  const requests = calls[1].length;
  let bytes = 0;
  for (const c of calls[1]) for (const a of c) bytes += Buffer.byteLength(String(a));
  log(
    `${requests} requests of ${REFERENCE_SHAPE.batch} alerts (${alerts} alerts, ${groups.length} groups), ${passes} passes`,
  );

  const server = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  const redis = new Redis(server.url);
  const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(scripts).map((k) => [k, []]));
  try {
    for (let r = 0; r < repeats; r++) {
      // Alternated, reversed every repeat: neither script always runs on a warmer machine.
      const order = Object.keys(scripts);
      if (r % 2 === 1) order.reverse();
      for (const name of order) {
        const res = await run(redis, scripts[name], calls, alerts, groups);
        runs[name].push(res);
        log(`${name}: ${JSON.stringify(res)}`);
      }
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {
    shape: { ...REFERENCE_SHAPE, groups: alertnames, requestsPerPass: requests, groupsStored: groups.length },
    stripped: [...stripped],
    bytesPerAlert: round(bytes / alerts, 1),
    runs,
    median: Object.fromEntries(
      Object.entries(runs).map(([k, rs]) => [
        k,
        {
          evalshaUsecPerAlert: median(rs.map((x) => x.evalshaUsecPerAlert)),
          redisCpuUsecPerAlert: median(rs.map((x) => x.redisCpuUsecPerAlert)),
        },
      ]),
    ),
  };
  console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
