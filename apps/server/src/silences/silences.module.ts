import { Logger, Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  MemorySilenceStore,
  SilenceCache,
  silenceState,
  type Clock,
  type SilenceStore,
} from '@herald/domain';
import type { HeraldMetrics } from '@herald/observability';
import { CLOCK } from '../clock/clock.module';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { FailoverSilenceStore, RedisSilenceStore } from '@herald/redis';
import { compatKey, NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { GroupStoreModule, STORE_HANDLES, type StoreHandles } from '../store/group-store.module';
import { SILENCE_CACHE, SILENCE_STORE } from './silences.tokens';
import { SilencesService } from './silences.service';

/**
 * The node's silence store: Redis (every node sees a write at once) with the memory fallback while Redis
 * is down (merged back on return), or memory alone without Redis. Kept over a config reload (NodeState)
 * with the store layer it follows, so memory-mode silences and an outage's unmerged ones survive it.
 */
function createSilenceStore(cfg: HeraldConfig, h: StoreHandles, state?: NodeState): SilenceStore {
  const build = (): SilenceStore => {
    const memory = new MemorySilenceStore();
    if (!h.redis || !h.mode) return memory;
    const log = new Logger('Silences');
    const redis = new RedisSilenceStore(h.redis, h.keys, { warn: (m) => log.warn(m) });
    // Retention is a restart setting for the copies the fallback keeps; writes carry the live one.
    return new FailoverSilenceStore(redis, memory, h.mode, log, { retention: cfg.herald.silences.retention });
  };
  if (!state) return build();
  return state.keep('silences.store', compatKey(cfg.herald.redis, cfg.herald.nodeId), build, (s) =>
    (s as { close?: () => void }).close?.(),
  );
}

/**
 * `herald_silences{state}` on scrape, per configured tenant (the default one without tenants) from the
 * node's cache: a version read each, the silences re-read only when they changed.
 */
function silenceCounts(cfg: HeraldConfig, cache: SilenceCache, clock: Clock) {
  const tenants = cfg.herald.tenants.length
    ? cfg.herald.tenants.map((t) => t.id)
    : [cfg.herald.defaultTenant];
  return async () => {
    const now = clock.now();
    const out = { active: 0, pending: 0, expired: 0 };
    for (const t of tenants) for (const s of (await cache.set(t, now)).silences) out[silenceState(s, now)]++;
    return out;
  };
}

/** Silences: the store, the per-node cache (query time and flush time) and the use cases. */
@Module({
  imports: [GroupStoreModule, ActivityModule],
  providers: [
    {
      provide: SILENCE_STORE,
      inject: [HERALD_CONFIG, STORE_HANDLES, { token: NODE_STATE, optional: true }],
      useFactory: createSilenceStore,
    },
    {
      provide: SILENCE_CACHE,
      inject: [SILENCE_STORE, HERALD_CONFIG, CLOCK, { token: HERALD_METRICS, optional: true }],
      useFactory: (store: SilenceStore, cfg: HeraldConfig, clock: Clock, metrics?: HeraldMetrics) => {
        const log = new Logger('Silences');
        const cache = new SilenceCache(store, {
          onStale: (tenant, e) =>
            log.warn(
              `silences of tenant ${tenant} could not be read; using the last known set: ${String(e)}`,
            ),
        });
        metrics?.setSources({ silences: silenceCounts(cfg, cache, clock) });
        return cache;
      },
    },
    SilencesService,
  ],
  exports: [SILENCE_STORE, SILENCE_CACHE, SilencesService],
})
export class SilencesModule {}
