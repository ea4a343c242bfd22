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
import { commandStats, diffStats } from './redis-stats';

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
