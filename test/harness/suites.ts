import { startNodeWithRedis, type TestNode } from './app';
import type { RedisServer } from './redis-server';

/**
 * A describe block's node on its own redis-server: started in `beforeAll`, stopped in `afterAll`
 * (bounded, not instant, after a Redis fault: locks 5 s + delivery queue 5 s). Read `node` and `redis`
 * inside the tests.
 */
export function nodeWithRedisSuite(
  yaml: string,
  env: Record<string, string> = {},
): { readonly node: TestNode; readonly redis: RedisServer } {
  let started: { node: TestNode; redis: RedisServer; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    started = await startNodeWithRedis(yaml, env);
  });
  afterAll(() => started?.close(), 30_000);
  const get = () => {
    if (!started) throw new Error('nodeWithRedisSuite: used outside its tests');
    return started;
  };
  return {
    get node() {
      return get().node;
    },
    get redis() {
      return get().redis;
    },
  };
}
