// The inhibition parity sets (test/compat/inhibition-parity.ts) on the Redis group store: the index
// written by upsert-groups-n.lua and read by the flush's pipelined lookups, one key prefix per set.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisFlushStore, RedisGroupStore, RedisKeys } from '@herald/redis';
import { inhibitionParitySuite } from '../compat/inhibition-parity';
import { withRedis } from '../harness/redis-client';

let redis: Redis;
withRedis((r) => ({ redis } = r));

inhibitionParitySuite('Redis store', (rules, _memory, clock) => {
  const keys = new RedisKeys(`inh${randomBytes(4).toString('hex')}`, 4);
  return Promise.resolve({
    store: new RedisGroupStore(redis, keys, { retention: 86_400_000, inhibition: rules, clock }),
    flush: new RedisFlushStore(redis, keys, { keyTtl: 86_400_000 }),
  });
});
