import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The one way Herald loads a Lua script. Scripts live as `.lua` files under each library's `lua/`
 * (copied to dist by the build) and are named `<name>-<number of keys>.lua` as in BullMQ, so the key
 * count (what Cluster hashes) shows in review; `-n` marks a script taking a variable number of keys
 * (the caller says how many). At load the file's highest `KEYS[i]` must not exceed its count. Scripts
 * are registered with ioredis `defineCommand`, which sends EVALSHA and falls back to EVAL on NOSCRIPT;
 * calls go out through the command class it defines, with the arguments laid out once (`directCall`).
 */

/** The part of an ioredis client (`Redis`, Sentinel-managed too) the loader needs. */
export interface ScriptHost {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** A loaded script: its source and key count, checked against the file name. */
export interface LuaScript {
  /** File name without `.lua`, e.g. `claim-due-3`. */
  readonly name: string;
  readonly source: string;
  /** Keys the script takes; `undefined` for a `-n` script (variable). */
  readonly numberOfKeys: number | undefined;
}

/** Runs a defined script: `keys` first (exactly `numberOfKeys` of them when fixed), then `args`. */
export type ScriptCommand<R = unknown> = (
  keys: readonly string[],
  args?: readonly (string | number)[],
) => Promise<R>;

const loaded = new Map<string, LuaScript>();

/** Reads and checks `<dir>/<name>.lua` (once per process). Throws naming the file when it breaks the rules. */
export function loadLuaScript(dir: string, name: string): LuaScript {
  const path = join(dir, `${name}.lua`);
  const cached = loaded.get(path);
  if (cached) return cached;
  const script = parseLuaScript(basename(path), expandIncludes(dir, readFileSync(path, 'utf8')));
  loaded.set(path, script);
  return script;
}

/**
 * Replaces each line `--- @include "<path>"` (BullMQ's form) with `<dir>/<path>.lua`, so a function two
 * scripts need (e.g. the fencing counter) is written once; included files live in `includes/` and take
 * no keys of their own (`-0`: they get them as arguments).
 */
export function expandIncludes(dir: string, source: string): string {
  return source.replace(/^--- @include "([\w./-]+)"$/gm, (_line, rel: string) =>
    readFileSync(join(dir, `${rel}.lua`), 'utf8').trimEnd(),
  );
}

/** The checks of `loadLuaScript` on a file's name and text. */
export function parseLuaScript(file: string, source: string): LuaScript {
  const m = /^(.+)-(\d+|n)\.lua$/.exec(file);
  if (!m)
    throw new Error(`Lua script ${file}: the file name must end with -<number of keys>.lua (or -n.lua)`);
  const numberOfKeys = m[2] === 'n' ? undefined : Number(m[2]);
  if (numberOfKeys !== undefined) {
    // Header comments count too: a header naming a key the script does not take is wrong as well.
    let highest = 0;
    for (const k of source.matchAll(/\bKEYS\[(\d+)\]/g)) highest = Math.max(highest, Number(k[1]));
    if (highest > numberOfKeys) {
      throw new Error(`Lua script ${file} uses KEYS[${highest}] but its name says ${numberOfKeys} keys`);
    }
  }
  return { name: file.slice(0, -'.lua'.length), source, numberOfKeys };
}

/**
 * Loads `<dir>/<name>.lua` and registers it on `client` (once per client) as command `herald:<name>`;
 * returns a function running it. A fixed-count script refuses a call with another number of keys.
 */
export function defineLuaScript<R = unknown>(
  client: ScriptHost,
  dir: string,
  name: string,
): ScriptCommand<R> {
  const script = loadLuaScript(dir, name);
  const command = `herald:${script.name}`;
  const host = client as unknown as Record<string, ((...a: (string | number)[]) => Promise<R>) | undefined>;
  if (typeof host[command] !== 'function') {
    client.defineCommand(command, { lua: script.source, numberOfKeys: script.numberOfKeys });
  }
  const run = host[command]!.bind(client);
  const direct = directCall<R>(client, command);
  const fixed = script.numberOfKeys;
  return (keys, args = []) => {
    if (fixed !== undefined && keys.length !== fixed) {
      return Promise.reject(new Error(`${script.name} takes ${fixed} keys, got ${keys.length}`));
    }
    if (direct) return direct(keys, args);
    return fixed === undefined ? run(keys.length, ...keys, ...args) : run(...keys, ...args);
  };
}

/** What `directCall` uses of an ioredis client and of the Script its `defineCommand` made. */
interface IoredisScriptHost {
  options?: { enableAutoPipelining?: boolean };
  scriptsSet?: Record<string, IoredisScript | undefined>;
  sendCommand?: (command: IoredisCommand) => Promise<unknown>;
}
/** What `sendLaidOut` uses of an ioredis `Script` (a `scriptsSet` entry of a client or Cluster). */
export interface IoredisScript {
  sha: string;
  Command: IoredisCommandClass;
}
interface IoredisCommand {
  args: unknown[];
  promise: Promise<unknown>;
  /** Numbers (and anything not a string or Buffer) to strings, as its constructor does with its arguments. */
  stringifyArguments(): void;
}
type IoredisCommandClass = new (name: string, args: unknown[], options: object) => IoredisCommand;
type LaidOutClass = new (args: unknown[], options: object) => IoredisCommand;

/** Per script command class: its laid-out subclass (made once). */
const laidOutClasses = new WeakMap<IoredisCommandClass, LaidOutClass>();

function laidOutClass(Base: IoredisCommandClass): LaidOutClass {
  let C = laidOutClasses.get(Base);
  if (!C) {
    // ioredis' Command flattens and stringifies its arguments in its constructor: give it none, then
    // the laid-out ones, stringified as it would have.
    C = class LaidOut extends Base {
      constructor(args: unknown[], options: object) {
        super('evalsha', [], options);
        this.args = args;
        this.stringifyArguments();
      }
    };
    laidOutClasses.set(Base, C);
  }
  return C;
}

/**
 * Sends `argv` — the script's sha, its number of keys, its keys and arguments, laid out by the caller
 * (the array is the command's from then on) — as ioredis' own script command (its command class: EVAL
 * with the source on a connection that has not run it yet, EVALSHA after), with ioredis' NOSCRIPT
 * handling: one re-send on `send`, which the command class sends as EVAL on that connection. ioredis'
 * `Script#execute` copies a call's arguments three times and runs `Array#flat` over them (~26 µs for an
 * ingest request's ~420 arguments); this lays them out once. `options`: ioredis command options
 * (`replyEncoding`: 'utf8' for strings, null for Buffers).
 */
export function sendLaidOut(
  script: IoredisScript,
  argv: unknown[],
  options: object,
  send: (command: IoredisCommand) => Promise<unknown>,
): Promise<unknown> {
  const LaidOut = laidOutClass(script.Command);
  const cmd = new LaidOut(argv, options);
  cmd.promise = cmd.promise.catch((err: unknown) => {
    if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
    const again = argv.slice();
    again[0] = script.sha; // the first send may have put the source there (EVAL)
    return send(new LaidOut(again, options));
  });
  return send(cmd);
}

/**
 * The script's EVALSHA sent through `sendLaidOut` on `client`. Undefined for a client that is not an
 * ioredis one (test stand-ins) or pipelines automatically: the defined command is called then.
 */
function directCall<R>(
  client: ScriptHost,
  command: string,
): ((keys: readonly string[], args: readonly (string | number)[]) => Promise<R>) | undefined {
  const host = client as unknown as IoredisScriptHost;
  const defined = host.scriptsSet?.[command];
  if (!defined || typeof host.sendCommand !== 'function' || typeof defined.Command !== 'function')
    return undefined;
  // A client that pipelines on its own (Herald's do not) goes through the defined command, which joins
  // its automatic pipeline as ioredis decides.
  if (host.options?.enableAutoPipelining) return undefined;
  // Looked up at each call, as a defined command does: a wrapper put on the client later sees it.
  const send = (c: IoredisCommand) => host.sendCommand!(c);
  const { sha } = defined;
  // ioredis' Script#execute: string replies.
  const options = { replyEncoding: 'utf8' };
  return (keys, args) => {
    const argv = new Array<unknown>(2 + keys.length + args.length);
    argv[0] = sha;
    argv[1] = keys.length;
    let i = 2;
    for (const k of keys) argv[i++] = k;
    for (const a of args) argv[i++] = a;
    return sendLaidOut(defined, argv, options, send) as Promise<R>;
  };
}

/** Integer replies arrive as numbers (RESP2 and RESP3); anything else is a bug in a script. */
export function integerReply(name: string, reply: unknown): number {
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) {
    throw new Error(`${name}: unexpected reply ${String(reply)}`);
  }
  return reply;
}
