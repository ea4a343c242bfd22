import { Redis } from 'ioredis';
import { RedisKeys } from './keys';
import { RedisFlushStore } from './redis-flush.store';

describe('RedisFlushStore log reads batched per turn of the event loop', () => {
  it('a read that fails (its master gone) fails alone: the other reads of the batch are answered', async () => {
    const redis = new Redis({ lazyConnect: true });
    const keys = new RedisKeys('herald', 4);
    const dead = keys.nflog('t', '00000000000000d1', 'firing', 'r');
    // Command stand-ins: the dead key's reads fail as on a connection that closed; nothing is sent.
    const sent: string[] = [];
    const fake = redis as unknown as Record<string, (k: string) => Promise<unknown>>;
    fake.hgetall = (k) => {
      sent.push(`hgetall ${k}`);
      return k === dead
        ? Promise.reject(new Error('Connection is closed.'))
        : Promise.resolve({ seq: '3', firing: '["a"]', resolved: '[]', ts: '1000' });
    };
    fake.pttl = (k) => {
      sent.push(`pttl ${k}`);
      return k === dead ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve(60_000);
    };
    const store = new RedisFlushStore(redis, keys, { keyTtl: 60_000 });
    const [ok, gone] = await Promise.allSettled([
      store.readLogState({ tenant: 't', groupId: '00000000000000a1', state: 'firing', receiver: 'r' }),
      store.readLogState({ tenant: 't', groupId: '00000000000000d1', state: 'firing', receiver: 'r' }),
    ]);
    expect(ok).toMatchObject({
      status: 'fulfilled',
      value: { entry: { seq: 3, firing: ['a'] }, ttlMs: 60_000 },
    });
    expect(gone).toMatchObject({ status: 'rejected' });
    // Each read went out once: the failing one did not hold up or repeat the other.
    expect(sent.filter((c) => c.startsWith('hgetall'))).toHaveLength(2);
    redis.disconnect();
  });
});
