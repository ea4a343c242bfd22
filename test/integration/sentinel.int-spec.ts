import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFailFastClient, RedisGroupStore, RedisKeys } from '@herald/redis';
import { freePort } from '../harness/free-port';
import { signalAndWait, track } from '../harness/process';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

/** herald.redis.sentinel: the client finds the master through a real redis-sentinel process. */
describe('Sentinel connection', () => {
  let master: RedisServer;
  let sentinel: ChildProcess;
  let sentinelPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'herald-sentinel-'));

  beforeAll(async () => {
    master = await RedisServer.start();
    sentinelPort = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor herald-master 127.0.0.1 ${master.port} 1`,
        'sentinel down-after-milliseconds herald-master 1000',
      ].join('\n') + '\n',
    );
    sentinel = track(
      spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', [conf, '--sentinel'], { stdio: 'ignore' }),
    );
    // Wait until the sentinel knows the master.
    const probe = createFailFastClient({
      url: `redis://127.0.0.1:${sentinelPort}`,
      commandTimeout: 500,
      connectTimeout: 500,
    });
    probe.on('error', () => undefined);
    try {
      await waitUntil(
        async () => {
          if (probe.status !== 'ready') await probe.connect();
          const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'herald-master')) as
            string[] | null;
          return addr && Number(addr[1]) === master.port;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the sentinel knowing the master' },
      );
    } finally {
      probe.disconnect();
    }
  });

  afterAll(async () => {
    await signalAndWait(sentinel, 'SIGKILL');
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores and reads a group through the Sentinel-resolved master', async () => {
    const client = createFailFastClient({
      sentinel: { masterName: 'herald-master', sentinels: [`127.0.0.1:${sentinelPort}`] },
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
