import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-connection';

/**
 * Queues `commands(p, item)` for every item in one pipeline (one round trip) and returns each item's
 * replies in order; throws the first command error. `commands` must queue the same number of commands
 * for every item.
 */
export async function pipelinePerItem<T>(
  redis: RedisClient,
  items: readonly T[],
  commands: (p: ChainableCommander, item: T) => void,
): Promise<unknown[][]> {
  if (items.length === 0) return [];
  const p = redis.pipeline();
  for (const item of items) commands(p, item);
  const res = (await p.exec()) ?? [];
  const per = res.length / items.length;
  return items.map((_, i) =>
    res.slice(i * per, i * per + per).map(([err, reply]) => {
      if (err) throw err;
      return reply;
    }),
  );
}
