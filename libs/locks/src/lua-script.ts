import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The smallest Redis surface the locks need: running a script. An ioredis `Redis` fits; a unit test can
 * pass a fake. Keeping the lock core on this port is what lets a child process or a test drive it.
 */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * A Lua script kept as a file under `lua/` (copied to dist by the build), named `<name>-<number of
 * keys>.lua` as in BullMQ so a cross-slot mistake shows in review. Runs by EVALSHA and falls back to EVAL
 * when the server does not know the script yet (first call, or after a restart / SCRIPT FLUSH).
 */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
    readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Reads `lua/<file>.lua` beside this module; the key count comes from the `-N` suffix. */
  static load(file: string): LuaScript {
    const m = /-(\d+)$/.exec(file);
    if (!m) throw new Error(`Lua script file name must end with -<number of keys>: ${file}`);
    return new LuaScript(file, readFileSync(join(__dirname, 'lua', `${file}.lua`), 'utf8'), Number(m[1]));
  }

  async run(client: ScriptClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) {
      throw new Error(`${this.name} takes ${this.numberOfKeys} keys, got ${keys.length}`);
    }
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** The lock scripts, loaded once. */
export const LOCK_SCRIPTS = {
  acquire: LuaScript.load('lock-acquire-2'),
  extend: LuaScript.load('lock-extend-1'),
  release: LuaScript.load('lock-release-1'),
  fenceBump: LuaScript.load('fence-bump-1'),
  fenceRaise: LuaScript.load('fence-raise-1'),
  fencedSet: LuaScript.load('fenced-set-2'),
} as const;

/** Integer replies arrive as numbers (RESP2 and RESP3); anything else is a bug in a script. */
export function integerReply(name: string, reply: unknown): number {
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) {
    throw new Error(`${name}: unexpected reply ${String(reply)}`);
  }
  return reply;
}
