import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Loads a Lua script of this library (files beside this module, copied to dist by the build). */
export function loadSessionLua(name: string): string {
  return readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');
}
