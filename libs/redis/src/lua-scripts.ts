import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Lua scripts live as `.lua` files beside this module (copied to dist by the build) so they are
 * reviewed as source. ioredis' defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT.
 */
export function loadLua(name: string): string {
  return readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');
}
