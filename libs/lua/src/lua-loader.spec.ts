import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { defineLuaScript, loadLuaScript, parseLuaScript, type ScriptHost } from './lua-loader';

const root = join(__dirname, '..', '..', '..');

function luaFiles(dir: string, acc: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) luaFiles(p, acc);
    else if (e.name.endsWith('.lua')) acc.push(p);
  }
  return acc;
}

describe('Lua loader', () => {
  it('takes the key count from the file name', () => {
    expect(parseLuaScript('claim-due-3.lua', 'return KEYS[3]').numberOfKeys).toBe(3);
    expect(parseLuaScript('upsert-groups-n.lua', 'return KEYS[#KEYS]').numberOfKeys).toBeUndefined();
    expect(parseLuaScript('x-1.lua', 'return 1').name).toBe('x-1');
  });

  it('refuses a file name without a key count', () => {
    expect(() => parseLuaScript('claim-due.lua', 'return 1')).toThrow(/claim-due\.lua.*-<number of keys>/);
  });

  it('refuses a script using a key beyond its count, naming the file', () => {
    expect(() => parseLuaScript('write-nflog-2.lua', "redis.call('GET', KEYS[3])")).toThrow(
      'Lua script write-nflog-2.lua uses KEYS[3] but its name says 2 keys',
    );
  });

  it('every Lua file of the repository loads', () => {
    const files = [...luaFiles(join(root, 'libs')), ...luaFiles(join(root, 'apps'))];
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const f of files) {
      expect(() => parseLuaScript(relative(join(f, '..'), f), readFileSync(f, 'utf8'))).not.toThrow();
    }
  });

  it('expands --- @include lines with the included file, once written for several scripts', () => {
    const dir = join(root, 'libs', 'locks', 'src', 'lua');
    const acquire = loadLuaScript(dir, 'lock-acquire-2').source;
    const bump = loadLuaScript(dir, 'fence-bump-1').source;
    for (const src of [acquire, bump]) {
      expect(src).not.toContain('@include');
      expect(src).toContain('local function nextFence(key, ttl)');
    }
  });

  it('defines a script once per client and passes the keys, then the arguments', async () => {
    const calls: unknown[][] = [];
    const defined: { name: string; numberOfKeys?: number }[] = [];
    const host: ScriptHost & Record<string, unknown> = {
      defineCommand(name, def) {
        defined.push({ name, numberOfKeys: def.numberOfKeys });
        host[name] = (...a: unknown[]) => {
          calls.push(a);
          return Promise.resolve('ok');
        };
      },
    };
    const dir = join(root, 'libs', 'sessions', 'src', 'lua');
    const run = defineLuaScript(host, dir, 'login-attempt-1');
    defineLuaScript(host, dir, 'login-attempt-1');
    expect(defined).toEqual([{ name: 'herald:login-attempt-1', numberOfKeys: 1 }]);
    await expect(run(['k'], ['hit', 5])).resolves.toBe('ok');
    expect(calls).toEqual([['k', 'hit', 5]]);
    await expect(run(['k', 'extra'])).rejects.toThrow('login-attempt-1 takes 1 keys, got 2');
  });

  it('on an ioredis client sends one EVALSHA with the arguments laid out once (no Array#flat over them)', async () => {
    const redis = new Redis({ lazyConnect: true });
    const sent: { name: string; args: unknown[] }[] = [];
    const send = jest.spyOn(redis, 'sendCommand').mockImplementation((c) => {
      sent.push({ name: c.name, args: c.args });
      return Promise.resolve(['1']) as never;
    });
    const flat = jest.spyOn(Array.prototype, 'flat');
    try {
      const dir = join(root, 'libs', 'redis', 'src', 'lua');
      const run = defineLuaScript(redis, dir, 'upsert-groups-n');
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      await expect(run(keys, [1, 'a', 2])).resolves.toEqual(['1']);
      // (ioredis' constructor flattens the empty list it is given: nothing of the call's.)
      expect((flat.mock.contexts as unknown[][]).filter((list) => list.length > 0)).toEqual([]);
      const sha = createHash('sha1').update(loadLuaScript(dir, 'upsert-groups-n').source).digest('hex');
      // Numbers as strings, as ioredis sends them.
      expect(sent).toEqual([{ name: 'evalsha', args: [sha, '40', ...keys, '1', 'a', '2'] }]);
    } finally {
      flat.mockRestore();
      send.mockRestore();
      redis.disconnect();
    }
  });
});

/**
 * Herald's Lua must run on Redis 7.0 and Valkey 8 alike: only core commands both have (no modules, no
 * Redis Functions, nothing newer than 7.0), called by a literal name so this list can be checked.
 */
const CORE_COMMANDS = new Set(
  (
    'DECR DEL EXISTS GET HDEL HGET HGETALL HINCRBY HLEN HMGET HSET HSETNX INCR MGET PEXPIRE PEXPIREAT ' +
    'PTTL SET TIME ZADD ZCARD ZCOUNT ZRANGE ZRANGEBYSCORE ZREM ZREMRANGEBYSCORE ZREVRANGE ZSCORE'
  ).split(' '),
);

describe('Lua scripts: Redis 7.0 / Valkey 8 core only', () => {
  const files = [...luaFiles(join(root, 'libs')), ...luaFiles(join(root, 'apps'))];

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s calls core commands by name only', (_, f) => {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/redis\.p?call\(\s*([^,)]*)/g)) {
      const arg = m[1].trim();
      expect(arg).toMatch(/^'[A-Za-z]+'$/); // a literal: no command chosen at run time
      expect(CORE_COMMANDS).toContain(arg.slice(1, -1).toUpperCase());
    }
    expect(src).not.toMatch(/redis\.(setresp|register_function)|#!lua|FCALL|FUNCTION/);
  });
});
