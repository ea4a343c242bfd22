import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';
import { createRedisClient, execPipeline, masterNodes, type RedisClient } from '@herald/redis';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';
import { waitUntil } from '../harness/wait';

/**
 * A node's Redis clients write the commands of one turn of the event loop with one socket write
 * (`coalesceWrites` in libs/redis/src/redis-connection.ts): counted at the socket (`_write` for one
 * chunk, `_writev` for several), on every topology, after a reconnect too; heraldctl's clients (role
 * `tool`) are left alone.
 */
const socketOf = (r: Redis): Duplex => (r as unknown as { stream: Duplex }).stream;

/** Socket writes of every master connection of `client` while `run` runs. */
async function countWrites(client: RedisClient, run: () => Promise<unknown>): Promise<number> {
  let writes = 0;
  const restore: (() => void)[] = [];
  for (const node of masterNodes(client)) {
    const s = socketOf(node) as Duplex & { _write: unknown; _writev: unknown };
    for (const m of ['_write', '_writev'] as const) {
      const orig = s[m] as (...a: unknown[]) => unknown;
      s[m] = function (this: unknown, ...a: unknown[]) {
        writes++;
        return orig.apply(this, a);
      };
      restore.push(() => (s[m] = orig));
    }
  }
  try {
    await run();
  } finally {
    restore.forEach((r) => r());
  }
  return writes;
}

/**
 * Opens `client`'s connection to every master and learns the slots: a cold Cluster client sends a
 * command to a node it knows before the slot map tells it better (MOVED, re-sent), so the commands of
 * one turn may then run out of order across slots.
 */
async function warm(client: RedisClient, prefix: string): Promise<void> {
  for (let i = 0; i < 3; i++) await client.set(`${prefix}{k${i}}`, 'x', 'PX', 60_000);
  await oneTurn(client, prefix);
}

/** 60 commands from one turn: single commands, a pipeline and a script call, all answered in order. */
async function oneTurn(client: RedisClient, prefix: string): Promise<void> {
  const key = (i: number) => `${prefix}{k${i % 3}}`;
  // A few commands per slot group, so a Cluster client has several masters to write to.
  const sets = Array.from({ length: 30 }, (_, i) => client.set(`${key(i)}:${i}`, String(i), 'PX', 60_000));
  const piped = execPipeline(client, (p) => {
    for (let i = 0; i < 20; i++) p.get(`${key(i)}:${i}`);
  });
  const gets = Array.from({ length: 9 }, (_, i) => client.get(`${key(i)}:${i}`));
  const evals = client.eval('return ARGV[1]', 1, key(0), 'lua');
  await Promise.all(sets);
  expect((await piped).map(([, v]) => v)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  expect(await Promise.all(gets)).toEqual(Array.from({ length: 9 }, (_, i) => String(i)));
  expect(await evals).toBe('lua');
}

describe.each(TOPOLOGIES)('Redis clients on %s', (topology) => {
  let topo: RedisTopology;
  withRedisTopology(topology, (t) => (topo = t));

  it('a node client writes the commands of one turn at once, per master connection', async () => {
    const client = await topo.client('fail-fast');
    await warm(client, 'warm'); // scripts loaded, connections to every master open
    const writes = await countWrites(client, () => oneTurn(client, 'w'));
    // Without coalescing: one write per command or pipeline (at least 41 here).
    expect(writes).toBeLessThanOrEqual(masterNodes(client).length);
  });

  // One connection to kill; Sentinel's and a Cluster's node clients re-make theirs the same way.
  if (topology === 'single')
    it('and again after its connection was killed and re-made', async () => {
      const client = (await topo.client('fail-fast')) as Redis;
      await warm(client, 'warm');
      const before = socketOf(client);
      const id = Number(await client.client('ID'));
      await topo.redis.client('KILL', 'ID', String(id));
      await waitUntil(() => client.status === 'ready' && socketOf(client) !== before);
      expect(await countWrites(client, () => oneTurn(client, 'r'))).toBe(1);
    });

  it("heraldctl's clients are not changed", async () => {
    const tool = createRedisClient(topo.connection, 'tool');
    try {
      await tool.connect();
      await warm(tool, 'warm');
      const writes = await countWrites(tool, () => oneTurn(tool, 't'));
      expect(writes).toBeGreaterThan(masterNodes(tool).length);
    } finally {
      tool.disconnect();
    }
  });
});
