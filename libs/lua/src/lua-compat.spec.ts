import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
