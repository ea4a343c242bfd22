import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineLuaScript } from '@herald/lua';
import { execPipeline, isClusterClient, masterNodes, type RedisClient } from '@herald/redis';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';

/**
 * How a script defined by `defineLuaScript` reaches a real Redis on every topology (the loader sends it
 * through ioredis' script command class with the arguments laid out once): keys and arguments arrive
 * in order however many there are, a script error rejects with Redis' message, and a server that lost
 * its script cache (SCRIPT FLUSH, a restart, a promoted replica) runs it again.
 */
describe.each(TOPOLOGIES)('Lua script calls on %s', (topology) => {
  let t: RedisTopology;
  withRedisTopology(topology, (v) => (t = v));
  const dir = mkdtempSync(join(tmpdir(), 'herald-lua-call-'));
  writeFileSync(join(dir, 'echo-n.lua'), 'return {#KEYS, KEYS[1], KEYS[#KEYS], unpack(ARGV)}\n');
  writeFileSync(join(dir, 'bump-1.lua'), "return redis.call('INCRBY', KEYS[1], ARGV[1])\n");
  writeFileSync(join(dir, 'refuse-0.lua'), "return redis.error_reply('ERR refused: ' .. ARGV[1])\n");

  /** NOSCRIPT replies the servers have given so far (INFO errorstats, every master). */
  async function noscripts(redis: RedisClient): Promise<number> {
    let n = 0;
    for (const m of masterNodes(redis)) {
      const info = await m.info('errorstats');
      n += Number(/^errorstat_NOSCRIPT:count=(\d+)/m.exec(info)?.[1] ?? 0);
    }
    return n;
  }

  it('sends keys and arguments in order, however many, and reads the reply as strings', async () => {
    const echo = defineLuaScript<(string | number)[]>(t.redis, dir, 'echo-n');
    // One hash tag: a cluster takes a script's keys in one slot.
    const keys = Array.from({ length: 150 }, (_, i) => `{lua-call}:k${i}`);
    const args = Array.from({ length: 300 }, (_, i) => (i % 2 ? `a${i}` : i));
    expect(await echo(keys, args)).toEqual([150, keys[0], keys[149], ...args.map(String)]);
    expect(await echo(['{lua-call}:only'], [])).toEqual([1, '{lua-call}:only', '{lua-call}:only']);
  });

  it('rejects with the script error, and refuses a fixed-key script given another number of keys', async () => {
    const refuse = defineLuaScript(t.redis, dir, 'refuse-0');
    await expect(refuse([], ['because'])).rejects.toThrow('ERR refused: because');
    const bump = defineLuaScript(t.redis, dir, 'bump-1');
    await expect(bump(['{lua-call}:a', '{lua-call}:b'], [1])).rejects.toThrow('bump-1 takes 1 keys, got 2');
  });

  it('runs again after the server lost its script cache (NOSCRIPT, then EVAL on that connection)', async () => {
    const bump = defineLuaScript<number>(t.redis, dir, 'bump-1');
    const key = '{lua-call}:counter';
    await t.redis.del(key);
    expect(await bump([key], [2])).toBe(2);
    expect(await bump([key], [3])).toBe(5); // by EVALSHA now
    for (const m of masterNodes(t.redis)) await m.script('FLUSH');
    const before = await noscripts(t.redis);
    expect(await bump([key], [4])).toBe(9);
    expect(await noscripts(t.redis)).toBe(before + 1);
    expect(await bump([key], [1])).toBe(10);
    expect(isClusterClient(t.redis)).toBe(topology === 'cluster');
  });

  // On a Cluster, execPipeline sends each master's scripts on that master's own connection (laid out by
  // `sendLaidOut`): the same order, replies and NOSCRIPT recovery there.
  it('in a pipeline: keys and arguments in order, replies per call, and NOSCRIPT recovered', async () => {
    defineLuaScript(t.redis, dir, 'echo-n');
    defineLuaScript(t.redis, dir, 'bump-1');
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `{lua-pipe-${x}}`); // spread over the masters
    for (const tag of tags) await t.redis.del(`${tag}:n`);
    type Run = Record<string, (...a: unknown[]) => unknown>;
    const calls = (round: number) =>
      execPipeline(t.redis, (p) => {
        for (const tag of tags) {
          const keys = Array.from({ length: 40 }, (_, i) => `${tag}:k${i}`);
          (p as unknown as Run)['herald:echo-n'](keys.length, ...keys, round, tag);
          (p as unknown as Run)['herald:bump-1'](`${tag}:n`, 2);
        }
      });
    const expected = (round: number, n: number) =>
      tags.flatMap((tag) => [
        [null, [40, `${tag}:k0`, `${tag}:k39`, String(round), tag]],
        [null, n],
      ]);
    expect(await calls(1)).toEqual(expected(1, 2));
    expect(await calls(2)).toEqual(expected(2, 4)); // by EVALSHA now
    for (const m of masterNodes(t.redis)) await m.script('FLUSH');
    const before = await noscripts(t.redis);
    expect(await calls(3)).toEqual(expected(3, 6));
    expect(await noscripts(t.redis)).toBeGreaterThan(before);
    expect(await calls(4)).toEqual(expected(4, 8));
  });
});
