/**
 * Counts the Redis round trips and the Redis cost of an ingest request alone. Meant for a node that
 * runs the `api` role only (no flush scheduler, no delivery workers: nothing but ingest talks to
 * Redis), started on the measured run's Redis after the load.
 *
 * Round trips: `INFO commandstats` cannot tell a command a client sent from one a Lua script ran (both
 * count), so MONITOR, which marks script commands `lua`, lists the top-level commands of an idle
 * window and of sequential ingest requests, by name, the idle rate taken out. The windows are cut by
 * PINGs sent through the same Redis, so they are exact in the command stream whatever the event delay.
 * Cost: MONITOR slows every command down, so a second batch of sequential requests without it is
 * timed with commandstats.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadLuaScript } from '@herald/lua';
import { REDIS_LUA_DIR } from '@herald/redis';
import { round } from './procs';
import { commandStats, diffStats, readsProcessed } from './redis-stats';

export interface RoundTrips {
  /** Sequential ingest requests per window (the MONITOR one, then the commandstats one). */
  requests: number;
  /**
   * Top-level commands (sent by a client, not run inside a script) per request by name, the idle
   * window's rate taken out; EVALSHA as `evalsha:<script>` (the ingest script by name, others by sha).
   */
  perRequest: Record<string, number>;
  /** Sum of `perRequest`: Redis round trips per ingest request (the target is 1). */
  total: number;
  /** Top-level commands per second while idle, by name. */
  idlePerSec: Record<string, number>;
  /** Redis commands per request, the ones scripts run included (commandstats, no MONITOR). */
  commandsPerRequestInclLua: number;
  /** Redis µs per request in EVALSHA/EVAL: the upsert script with the commands it runs (commandstats). */
  scriptUsecPerRequest: number;
}

const MARK = 'herald-bench-mark';
const UPSERT = 'upsert-groups-n';

/** Counts of one window, and its bounds in Redis' clock (MONITOR timestamps, seconds). */
interface Window {
  counts: Map<string, number>;
  from: number;
  to: number;
}

export async function probeRoundTrips(
  client: Redis,
  send: (i: number) => Promise<void>,
  requests: number,
  idleMs: number,
): Promise<RoundTrips> {
  const upsertSha = createHash('sha1').update(loadLuaScript(REDIS_LUA_DIR, UPSERT).source).digest('hex');
  const monitor = await client.monitor();
  const windows: Window[] = [];
  try {
    let current: Window | undefined;
    const marks = new Map<number, () => void>();
    monitor.on('monitor', (time: string, args: string[], source: string) => {
      const name = (args[0] ?? '').toLowerCase();
      if (name === 'ping' && args[1]?.startsWith(MARK)) {
        const t = Number(time);
        if (current) current.to = t;
        current = { counts: new Map(), from: t, to: t };
        windows.push(current);
        marks.get(Number(args[1].slice(MARK.length + 1)))?.();
        return;
      }
      if (!current || source === 'lua' || name === 'info') return;
      const key =
        name === 'evalsha' ? `evalsha:${args[1] === upsertSha ? UPSERT : (args[1] ?? '').slice(0, 8)}` : name;
      current.counts.set(key, (current.counts.get(key) ?? 0) + 1);
    });
    // The PING reply can come before MONITOR's copy of it: wait for the copy.
    const mark = async (n: number) => {
      const seen = new Promise<void>((r) => marks.set(n, r));
      await client.ping(`${MARK}-${n}`);
      await seen;
    };
    await mark(0);
    await new Promise((r) => setTimeout(r, idleMs));
    await mark(1);
    for (let i = 0; i < requests; i++) await send(i);
    await mark(2);
  } finally {
    monitor.disconnect();
  }
  const [idle, probe] = windows;
  const idleS = Math.max(idle.to - idle.from, 1e-3);
  const probeS = probe.to - probe.from;
  const perRequest: Record<string, number> = {};
  let total = 0;
  for (const [k, n] of probe.counts) {
    const v = round(Math.max(0, n - ((idle.counts.get(k) ?? 0) * probeS) / idleS) / requests, 3);
    if (v > 0) perRequest[k] = v;
    total += v;
  }
  const idlePerSec = Object.fromEntries([...idle.counts].map(([k, n]) => [k, round(n / idleS, 1)]));

  const before = await commandStats(client);
  for (let i = 0; i < requests; i++) await send(requests + i);
  const d = diffStats(before, await commandStats(client));
  let calls = 0;
  for (const v of d.values()) calls += v.calls;
  const usec = (d.get('evalsha')?.usec ?? 0) + (d.get('eval')?.usec ?? 0);
  return {
    requests,
    perRequest,
    total: round(total, 3),
    idlePerSec,
    commandsPerRequestInclLua: round(calls / requests, 1),
    scriptUsecPerRequest: round(usec / requests, 1),
  };
}

/** One master of a Redis Cluster, as the cluster probe sees it. */
export interface ProbeServer {
  /** host:port */
  name: string;
  client: Redis;
}

export interface ClusterRoundTrips {
  note: string;
  /** Sequential ingest requests per window (the MONITOR one, then the commandstats one). */
  requests: number;
  /** Upsert EVALSHA calls per request, all masters together (one per due bucket the request touches). */
  evalshaPerRequest: number;
  /** Masters that got at least one upsert EVALSHA, per request (mean): the round trips of a request. */
  mastersTouchedPerRequest: number;
  /** How many requests touched 1, 2, 3 … masters. */
  mastersTouchedHistogram: Record<string, number>;
  /** Top-level commands per request by name, all masters, the idle rate taken out (as RoundTrips). */
  perRequest: Record<string, number>;
  /** Sum of `perRequest`: top-level commands per request (not round trips: one pipeline holds many). */
  topLevelCommandsPerRequest: number;
  /**
   * Client socket reads per request, all masters (INFO stats total_reads_processed, no MONITOR, idle
   * rate and the bench's own INFO reads taken out): how the pipelined calls arrive on the wire. Not a
   * round-trip count: the calls for one master are sent back to back without waiting for replies (one
   * round trip), but they may leave in several socket writes (ioredis may write them one by one) and
   * reach Redis in several reads.
   */
  socketReadsPerRequest: number;
  /** Per master: upsert EVALSHA per request, requests that touched it (share), socket reads per request. */
  perMaster: {
    name: string;
    evalshaPerRequest: number;
    touchedShare: number;
    socketReadsPerRequest: number;
  }[];
  /** Top-level commands per second while idle, all masters, by name. */
  idlePerSec: Record<string, number>;
  /** Redis commands per request, the ones scripts run included, all masters (commandstats, no MONITOR). */
  commandsPerRequestInclLua: number;
  /** Redis µs per request in EVALSHA/EVAL over all masters: the upsert scripts with what they run. */
  scriptUsecPerRequest: number;
}

/**
 * probeRoundTrips for a Redis Cluster: MONITOR on every master, a PING mark on every master after each
 * sequential request (so each request's commands are told apart on every master: the node answers
 * only after its script calls returned), then the same number of requests without MONITOR for the
 * cost (commandstats) and the socket reads (total_reads_processed).
 */
export async function probeClusterRoundTrips(
  servers: ProbeServer[],
  send: (i: number) => Promise<void>,
  requests: number,
  idleMs: number,
): Promise<ClusterRoundTrips> {
  const upsertSha = createHash('sha1').update(loadLuaScript(REDIS_LUA_DIR, UPSERT).source).digest('hex');
  /** windows[server][k]: commands between mark k and mark k+1 (0: idle, 1 + i: request i). */
  const windows: Window[][] = servers.map(() => []);
  const monitors = await Promise.all(servers.map((s) => s.client.monitor()));
  try {
    const marks = servers.map(() => new Map<number, () => void>());
    monitors.forEach((monitor, si) => {
      let current: Window | undefined;
      monitor.on('monitor', (time: string, args: string[], source: string) => {
        const name = (args[0] ?? '').toLowerCase();
        if (name === 'ping' && args[1]?.startsWith(MARK)) {
          const t = Number(time);
          if (current) current.to = t;
          current = { counts: new Map(), from: t, to: t };
          windows[si].push(current);
          marks[si].get(Number(args[1].slice(MARK.length + 1)))?.();
          return;
        }
        if (!current || source === 'lua' || name === 'info') return;
        const key =
          name === 'evalsha'
            ? `evalsha:${args[1] === upsertSha ? UPSERT : (args[1] ?? '').slice(0, 8)}`
            : name;
        current.counts.set(key, (current.counts.get(key) ?? 0) + 1);
      });
    });
    const mark = (n: number) =>
      Promise.all(
        servers.map(async (s, si) => {
          const seen = new Promise<void>((r) => marks[si].set(n, r));
          await s.client.ping(`${MARK}-${n}`);
          await seen;
          marks[si].delete(n);
        }),
      );
    await mark(0);
    await new Promise((r) => setTimeout(r, idleMs));
    await mark(1);
    for (let i = 0; i < requests; i++) {
      await send(i);
      await mark(2 + i);
    }
  } finally {
    for (const m of monitors) m.disconnect();
  }

  // Idle rate per server and command, in Redis' clock.
  const perRequest: Record<string, number> = {};
  const idleTotals = new Map<string, number>();
  let evalsha = 0;
  const touchedHist: Record<string, number> = {};
  let touchedSum = 0;
  const perMasterEval = servers.map(() => 0);
  const perMasterTouched = servers.map(() => 0);
  for (let i = 0; i < requests; i++) {
    let touched = 0;
    servers.forEach((_, si) => {
      const n = windows[si][1 + i]?.counts.get(`evalsha:${UPSERT}`) ?? 0;
      evalsha += n;
      perMasterEval[si] += n;
      if (n > 0) {
        touched++;
        perMasterTouched[si]++;
      }
    });
    touchedHist[touched] = (touchedHist[touched] ?? 0) + 1;
    touchedSum += touched;
  }
  const raw = new Map<string, number>();
  servers.forEach((_, si) => {
    const [idle, ...reqs] = windows[si];
    const idleS = Math.max(idle.to - idle.from, 1e-3);
    const probeS = reqs.length ? reqs[reqs.length - 1].to - reqs[0].from : 0;
    for (const [k, n] of idle.counts) idleTotals.set(k, (idleTotals.get(k) ?? 0) + n / idleS);
    const counts = new Map<string, number>();
    for (const w of reqs) for (const [k, n] of w.counts) counts.set(k, (counts.get(k) ?? 0) + n);
    for (const [k, n] of counts) {
      const v = Math.max(0, n - ((idle.counts.get(k) ?? 0) * probeS) / idleS);
      raw.set(k, (raw.get(k) ?? 0) + v);
    }
  });
  let total = 0;
  for (const [k, v] of raw) {
    const r = round(v / requests, 3);
    if (r > 0) perRequest[k] = r;
    total += r;
  }

  // Cost and socket reads without MONITOR: an idle window, then the requests.
  const snap = () =>
    Promise.all(
      servers.map(async (s) => ({
        stats: await commandStats(s.client),
        reads: await readsProcessed(s.client),
      })),
    );
  const s0 = await snap();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, idleMs));
  const s1 = await snap();
  const t1 = performance.now();
  for (let i = 0; i < requests; i++) await send(requests + i);
  const s2 = await snap();
  const t2 = performance.now();
  let calls = 0;
  let usec = 0;
  let reads = 0;
  const perMasterReads = servers.map((_, si) => {
    // Each snapshot's INFO stats is one read of this bench's own (INFO commandstats another, before it).
    const idleRate = Math.max(0, s1[si].reads - s0[si].reads - 2) / (t1 - t0);
    const r = Math.max(0, s2[si].reads - s1[si].reads - 2 - idleRate * (t2 - t1));
    reads += r;
    const d = diffStats(s1[si].stats, s2[si].stats);
    for (const v of d.values()) calls += v.calls;
    usec += (d.get('evalsha')?.usec ?? 0) + (d.get('eval')?.usec ?? 0);
    return r;
  });
  return {
    note:
      'sequential requests on an api-only node (no scheduler). evalshaPerRequest/mastersTouchedPerRequest: ' +
      'MONITOR on every master, each request fenced by PING marks on every master. The node sends one ' +
      'upsert EVALSHA per due bucket the request touches, all at once, pipelined per master (no call ' +
      'waits for another): one round trip per master touched, the masters in parallel. ' +
      'socketReadsPerRequest (INFO stats total_reads_processed, no MONITOR) is how those calls arrive: ' +
      'a pipeline may reach Redis in more than one read (ioredis may write its calls one by one)',
    requests,
    evalshaPerRequest: round(evalsha / requests, 3),
    mastersTouchedPerRequest: round(touchedSum / requests, 3),
    mastersTouchedHistogram: touchedHist,
    perRequest,
    topLevelCommandsPerRequest: round(total, 3),
    socketReadsPerRequest: round(reads / requests, 3),
    perMaster: servers.map((s, si) => ({
      name: s.name,
      evalshaPerRequest: round(perMasterEval[si] / requests, 3),
      touchedShare: round(perMasterTouched[si] / requests, 3),
      socketReadsPerRequest: round(perMasterReads[si] / requests, 3),
    })),
    idlePerSec: Object.fromEntries([...idleTotals].map(([k, n]) => [k, round(n, 1)])),
    commandsPerRequestInclLua: round(calls / requests, 1),
    scriptUsecPerRequest: round(usec / requests, 1),
  };
}
