import { join } from 'node:path';
import { defineLuaScript, type ScriptCommand, type ScriptHost } from '@herald/lua';

const LUA_DIR = join(__dirname, 'lua');

/** The lock scripts (`lua/*-<keys>.lua` beside this module), defined on `client` through the shared loader. */
export interface LockScripts {
  acquire: ScriptCommand;
  extend: ScriptCommand;
  release: ScriptCommand;
  fenceBump: ScriptCommand;
  fenceRaise: ScriptCommand;
  fencedSet: ScriptCommand;
}

export function lockScripts(client: ScriptHost): LockScripts {
  const def = (name: string) => defineLuaScript(client, LUA_DIR, name);
  return {
    acquire: def('lock-acquire-2'),
    extend: def('lock-extend-1'),
    release: def('lock-release-1'),
    fenceBump: def('fence-bump-1'),
    fenceRaise: def('fence-raise-1'),
    fencedSet: def('fenced-set-2'),
  };
}

/** True when Redis Cluster would hash `key` by a `{tag}` (first `{`, then a non-empty run up to `}`). */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}
