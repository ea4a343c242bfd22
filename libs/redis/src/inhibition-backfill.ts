import type { RedisClient } from './redis-connection';
import type { InhibitionRules } from '@herald/domain';
import type { RedisKeys } from './keys';
import { scanKeys } from './pipeline';
import type { RedisGroupStore } from './redis-group.store';

export interface BackfillOptions {
  redis: RedisClient;
  keys: RedisKeys;
  store: RedisGroupStore;
  rules: InhibitionRules;
  nodeId: string;
  now: () => number;
  /** How long a finished backfill is remembered (the group retention: older alerts are gone by then). */
  doneTtlMs: number;
  /** How long a claim holds before another node may take the backfill over (a node that died doing it). */
  claimTtlMs?: number;
  /** Stops between groups when true (shutdown). */
  stopped?: () => boolean;
}

export type BackfillResult =
  | { outcome: 'no rules' | 'already done' | 'claimed by another node' | 'stopped' }
  | { outcome: 'done'; tenants: number; groups: number; listed: number; ms: number };

/**
 * Lists the stored firing alerts that are sources of the configured inhibit rules in the index, once per
 * rule set: after a config change adds or changes a rule, its index would otherwise hold only sources
 * written since, and targets could be notified before Prometheus re-sends the sources (the restart
 * problem of Alertmanager's #4064, here for a config change). One node does it (a claim key with a TTL),
 * the others skip; ingest keeps the index current meanwhile, so the two only ever add true sources.
 */
export async function backfillInhibitionIndex(o: BackfillOptions): Promise<BackfillResult> {
  if (o.rules.empty) return { outcome: 'no rules' };
  const marker = o.keys.inhibitBackfill(o.rules.id);
  const claimed = await o.redis.set(marker, `claim:${o.nodeId}`, 'PX', o.claimTtlMs ?? 600_000, 'NX');
  if (claimed !== 'OK') {
    return { outcome: (await o.redis.get(marker)) === 'done' ? 'already done' : 'claimed by another node' };
  }
  const t0 = o.now();
  const tenants = new Set<string>();
  for await (const batch of scanKeys(o.redis, o.keys.tenantGroupsPattern(), 500)) {
    for (const k of batch) {
      const t = o.keys.tenantOfIndex(k, 'groups');
      if (t !== null) tenants.add(t);
    }
  }
  let groups = 0;
  let listed = 0;
  for (const tenant of tenants) {
    for (const g of await o.store.listGroups(tenant)) {
      if (o.stopped?.()) {
        await o.redis.del(marker); // unfinished: the next start does it
        return { outcome: 'stopped' };
      }
      groups++;
      listed += await o.store.indexSources(g, o.now());
    }
  }
  await o.redis.set(marker, 'done', 'PX', o.doneTtlMs);
  return { outcome: 'done', tenants: tenants.size, groups, listed, ms: o.now() - t0 };
}
