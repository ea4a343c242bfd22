import type { HeraldConfig } from '@herald/config';
import type { Clock } from '@herald/domain';
import { QuorumLockBackend, RedisLockBackend, type LocksModuleOptions } from '@herald/locks';
import type { HeraldMetrics } from '@herald/observability';
import { createRedisClient, type RedisClient, type RedisKeys } from '@herald/redis';

/**
 * The group lock's backend per `herald.locks.mode`: `redis` locks on the node's Redis; `quorum` locks on
 * a majority of independent masters (`herald.locks.quorum.nodes`, Redlock with fencing tokens), each
 * with its own fail-fast client, connected before the first flush and closed at shutdown.
 */
export async function lockModuleOptions(
  cfg: HeraldConfig,
  client: RedisClient,
  keys: RedisKeys,
  clock: Clock,
  metrics?: HeraldMetrics,
): Promise<LocksModuleOptions> {
  const common = { metrics: metrics?.lockHooks(), clock, shutdownTimeoutMs: 5000 };
  const fenceKey = (k: string) => keys.lockFence(k);
  const locks = cfg.herald.locks;
  if (locks.mode === 'redis') return { ...common, backend: new RedisLockBackend(client, { fenceKey }) };
  const r = cfg.herald.redis;
  const clients = locks.quorum.nodes.map((url, i) => {
    const c = createRedisClient(
      {
        url,
        commandTimeout: r.commandTimeout,
        connectTimeout: r.connectTimeout,
        name: `herald:${cfg.herald.nodeId}`,
      },
      'fail-fast',
      `herald:${cfg.herald.nodeId}:lock-${i}`,
    );
    c.on('error', () => undefined); // a master that is down is a vote against, not a crash
    return c;
  });
  // No offline queue: connect first. A master down at start-up reconnects in the background.
  await Promise.all(clients.map((c) => c.connect().catch(() => undefined)));
  return {
    ...common,
    backend: new QuorumLockBackend(clients, { fenceKey, clock }),
    onShutdown: () => clients.forEach((c) => c.disconnect()),
  };
}
