import { Redis } from 'ioredis';
import { RedisKeys } from './keys';
import { RedisFlushStore } from './redis-flush.store';

describe('RedisFlushStore log reads batched in one pipeline', () => {
  it('a batch that fails (one master gone) is read again key by key: only the failing read fails', async () => {
    const redis = new Redis({ lazyConnect: true });
    const keys = new RedisKeys('herald', 4);
    const dead = keys.nflog('t', '00000000000000d1', 'firing', 'r');
    // A pipeline stand-in: a batch touching the dead key fails whole, as a pipeline whose master died.
    (redis as unknown as { pipeline: () => unknown }).pipeline = () => {
      const read: string[] = [];
      const p = {
        hgetall: (k: string) => (read.push(k), p),
        pttl: () => p,
        get length() {
          return read.length * 2;
        },
        exec: () =>
          read.includes(dead)
            ? Promise.reject(new Error('Connection is closed.'))
            : Promise.resolve(
                read.flatMap(() => [
                  [null, { seq: '3', firing: '["a"]', resolved: '[]', ts: '1000' }],
                  [null, 60_000],
                ]),
              ),
      };
      return p;
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
    redis.disconnect();
  });
});
