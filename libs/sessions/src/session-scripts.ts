import { join } from 'node:path';
import { defineLuaScript, type ScriptCommand, type ScriptHost } from '@herald/lua';

/** This library's Lua scripts: `.lua` files beside this module (copied to dist by the build). */
const SESSIONS_LUA_DIR = join(__dirname, 'lua');

/** Defines one of this library's scripts on `client` through the shared loader (`@herald/lua`). */
export function sessionScript<R = unknown>(client: ScriptHost, name: string): ScriptCommand<R> {
  return defineLuaScript<R>(client, SESSIONS_LUA_DIR, name);
}
