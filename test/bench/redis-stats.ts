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
