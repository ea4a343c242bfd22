import { createFailFastClient, RedisGroupStore, RedisKeys } from '@herald/redis';
import { RedisSentinel } from '../harness/redis-sentinel';
import { RedisServer } from '../harness/redis-server';

/** herald.redis.sentinel: the client finds the master through a real redis-sentinel process. */
describe('Sentinel connection', () => {
  let master: RedisServer;
  let sentinel: RedisSentinel;

  beforeAll(async () => {
    master = await RedisServer.start({ localProcess: true });
    sentinel = await RedisSentinel.start(master);
  });

  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it('stores and reads a group through the Sentinel-resolved master', async () => {
    const client = createFailFastClient({
      sentinel: sentinel.connection(),
      commandTimeout: 1000,
      connectTimeout: 1000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const store = new RedisGroupStore(client, new RedisKeys('sent', 4), { retention: 60_000 });
      const now = Date.now();
      await store.upsert({
        tenant: 't',
        now,
        groups: [
          {
            target: {
              groupId: '00000000000000c3',
              groupKey: '{}:{alertname="S"}',
              receiver: 'r',
              routeId: '{}',
              groupLabels: { alertname: 'S' },
              groupWait: 1000,
              groupInterval: 1000,
              repeatInterval: 1000,
            },
            alerts: [
              {
                fingerprint: 'aa',
                labels: { alertname: 'S' },
                annotations: {},
                startsAt: now,
                endsAt: now + 60_000,
                updatedAt: now,
                timeout: true,
                generatorURL: '',
              },
            ],
          },
        ],
      });
      expect((await store.getGroup('t', '00000000000000c3'))!.firing.map((a) => a.fingerprint)).toEqual([
        'aa',
      ]);
    } finally {
      client.disconnect();
    }
  });
});
