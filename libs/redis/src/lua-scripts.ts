import { join } from 'node:path';
import { defineLuaScript, type ScriptCommand, type ScriptHost } from '@herald/lua';

/** This library's Lua scripts: `.lua` files beside this module (copied to dist by the build). */
export const REDIS_LUA_DIR = join(__dirname, 'lua');

/**
 * Defines several of this library's scripts on `client`: `{ name: 'file-name-N' }` → `{ name: command }`,
 * each command typed with its reply from `R`.
 */
export function redisScripts<R extends Record<string, unknown>>(
  client: ScriptHost,
  files: { [K in keyof R]: string },
): { [K in keyof R]: ScriptCommand<R[K]> } {
  const out = {} as { [K in keyof R]: ScriptCommand<R[K]> };
  for (const name of Object.keys(files) as (keyof R)[])
    out[name] = redisScript<R[typeof name]>(client, files[name]);
  return out;
}

/** Defines one of this library's scripts on `client` through the shared loader (`@herald/lua`). */
export function redisScript<R = unknown>(client: ScriptHost, name: string): ScriptCommand<R> {
  return defineLuaScript<R>(client, REDIS_LUA_DIR, name);
}
