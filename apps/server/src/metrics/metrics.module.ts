import { Global, Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { GroupStore } from '@herald/domain';
import { buildInfo, cached, HeraldMetrics, type StateCounts } from '@herald/observability';
import { NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { GroupStoreModule, STORE_HANDLES, type StoreHandles } from '../store/group-store.module';
import { MetricsController } from './metrics.controller';
import { DeliveryRef, HERALD_METRICS } from './metrics.tokens';

/** How long one sample of the group store serves scrapes (bounds the cost of herald_alerts/groups). */
const STATE_SAMPLE_TTL_MS = 10_000;
/** PING timeout on scrape. */
const PING_TIMEOUT_MS = 500;

/**
 * Counts groups and alerts by state with one `countStates` per tenant (configured tenants, or `default`):
 * index and half sizes, no alert body read (`GroupStateCounts` says what each count is). The sample is
 * cached for 10 s and shared by concurrent scrapes, so scrape frequency and the number of Prometheus
 * servers do not multiply the store reads.
 */
async function sampleStates(store: GroupStore, tenants: readonly string[]): Promise<StateCounts> {
  const out: StateCounts = { alerts: { firing: 0, resolved: 0 }, groups: { firing: 0, recovery: 0 } };
  for (const tenant of tenants) {
    const c = await store.countStates(tenant);
    out.alerts.firing += c.alerts.firing;
    out.alerts.resolved += c.alerts.resolved;
    out.groups.firing += c.groups.firing;
    out.groups.recovery += c.groups.recovery;
  }
  return out;
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error('timeout')), ms))),
  ]).finally(() => clearTimeout(t));
}

function createMetrics(
  config: HeraldConfig,
  h: StoreHandles,
  delivery: DeliveryRef,
  state?: NodeState,
): HeraldMetrics {
  const make = () => new HeraldMetrics({ nodeId: config.herald.nodeId, version: buildInfo().version });
  // One registry per process when it reloads its config: counters do not restart with the application.
  const metrics = state ? state.keep('metrics', config.herald.nodeId, make) : make();
  const tenants = config.herald.tenants.length ? config.herald.tenants.map((t) => t.id) : ['default'];
  const setSources = () =>
    metrics.setSources({
      states: cached(() => sampleStates(h.store, tenants), STATE_SAMPLE_TTL_MS),
      // No queue (not started yet, or a node whose roles run none): no samples rather than zeros.
      queue: async () => (delivery.queue ? delivery.queue.counts() : null),
      redisPing: async () => {
        const redis = h.redis;
        if (!redis || redis.status !== 'ready') return null;
        const t0 = performance.now();
        try {
          await timeout(redis.ping(), PING_TIMEOUT_MS);
        } catch {
          return null;
        }
        return (performance.now() - t0) / 1000;
      },
      // Memory-only mode (no Redis configured) is a choice, not a fallback: 0.
      fallbackActive: () => h.status().mode === 'memory-fallback',
      mergeSkipped: () => {
        const s = h.status();
        return 'mergeSkipped' in s ? s.mergeSkipped : 0;
      },
    });
  if (state) state.onLive(setSources);
  else setSources();
  return metrics;
}

/** `/metrics` and the HeraldMetrics every module records into (global: ingest, flush, bootstrap). */
@Global()
@Module({
  imports: [GroupStoreModule],
  controllers: [MetricsController],
  providers: [
    DeliveryRef,
    {
      provide: HERALD_METRICS,
      inject: [HERALD_CONFIG, STORE_HANDLES, DeliveryRef, { token: NODE_STATE, optional: true }],
      useFactory: createMetrics,
    },
  ],
  exports: [HERALD_METRICS, DeliveryRef],
})
export class MetricsModule {}
