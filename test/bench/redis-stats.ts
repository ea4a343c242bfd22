import type { Redis } from 'ioredis';
import { parseInfo } from '../../apps/cli/src/inspect';

/** `INFO commandstats`: calls and microseconds per command name (lower case, `client|setname` style). */
export type CommandStats = Map<string, { calls: number; usec: number }>;

export async function commandStats(redis: Redis): Promise<CommandStats> {
  const text = await redis.info('commandstats');
  const out: CommandStats = new Map();
  for (const m of text.matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm)) {
    out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

/** after − before per command; the bench's own INFO calls are left out. */
export function diffStats(before: CommandStats, after: CommandStats): CommandStats {
  const out: CommandStats = new Map();
  for (const [name, a] of after) {
    if (name === 'info') continue;
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    if (a.calls > b.calls) out.set(name, { calls: a.calls - b.calls, usec: a.usec - b.usec });
  }
  return out;
}

/** Numeric fields of an INFO section (`used_memory`, `redis_version` is kept as text). */
export async function infoSection(redis: Redis, section: string): Promise<Record<string, string>> {
  return parseInfo(await redis.info(section));
}

export interface MemorySnapshot {
  usedMemory: number;
  usedMemoryDataset: number;
}

export async function memorySnapshot(redis: Redis): Promise<MemorySnapshot> {
  const m = await infoSection(redis, 'memory');
  return { usedMemory: Number(m.used_memory), usedMemoryDataset: Number(m.used_memory_dataset) };
}

export interface StoredAlerts {
  /** Sum of HLEN over the firing and recovery hashes. */
  alerts: number;
  firingAlerts: number;
  recoveryAlerts: number;
  /** Groups with a firing hash. */
  firingGroups: number;
  /** All keys in the database (for the record). */
  keys: number;
}

/** Counts the alerts Herald stores for a tenant: SCAN the group hashes, HLEN each. */
export async function countStoredAlerts(redis: Redis, prefix: string, tenant: string): Promise<StoredAlerts> {
  const count = async (state: 'firing' | 'recovery') => {
    let alerts = 0;
    let groups = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}:${tenant}:alert:group:${state}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length === 0) continue;
      const p = redis.pipeline();
      for (const k of keys) p.hlen(k);
      for (const [err, n] of (await p.exec()) ?? []) {
        if (err) throw err;
        alerts += Number(n);
      }
      groups += keys.length;
    } while (cursor !== '0');
    return { alerts, groups };
  };
  const firing = await count('firing');
  const recovery = await count('recovery');
  return {
    alerts: firing.alerts + recovery.alerts,
    firingAlerts: firing.alerts,
    recoveryAlerts: recovery.alerts,
    firingGroups: firing.groups,
    keys: await redis.dbsize(),
  };
}

/** Redis' own CPU time so far (INFO CPU used_cpu_sys + used_cpu_user, main thread and children), seconds. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const c = await infoSection(redis, 'cpu');
  return Number(c.used_cpu_sys) + Number(c.used_cpu_user);
}

/**
 * Read events Redis processed on client sockets so far (INFO stats total_reads_processed, Redis ≥ 6):
 * a pipeline that arrives in one TCP segment is one read, so this counts round trips from clients —
 * except that a request larger than the 16 KB query buffer takes more than one read.
 */
export async function readsProcessed(redis: Redis): Promise<number> {
  return Number((await infoSection(redis, 'stats')).total_reads_processed);
}

/** countStoredAlerts over several servers (the masters of a Redis Cluster: each holds its slots' keys). */
export async function countStoredAlertsOn(
  servers: Redis[],
  prefix: string,
  tenant: string,
): Promise<StoredAlerts & { perServer: StoredAlerts[] }> {
  const perServer = await Promise.all(servers.map((r) => countStoredAlerts(r, prefix, tenant)));
  const sum = (f: (s: StoredAlerts) => number) => perServer.reduce((a, s) => a + f(s), 0);
  return {
    alerts: sum((s) => s.alerts),
    firingAlerts: sum((s) => s.firingAlerts),
    recoveryAlerts: sum((s) => s.recoveryAlerts),
    firingGroups: sum((s) => s.firingGroups),
    keys: sum((s) => s.keys),
    perServer,
  };
}
