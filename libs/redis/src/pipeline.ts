import { exists as commandExists, hasFlag } from '@ioredis/commands';
import calculateSlot from 'cluster-key-slot';
import { Command, type ChainableCommander, type Cluster, type Redis } from 'ioredis';
import { sendLaidOut, type IoredisScript } from '@herald/lua';
import type { RedisClient } from './redis-connection';

/** One reply of a pipeline, as ioredis gives it: `[error, null]` or `[null, reply]`. */
export type PipelineReply = [Error | null, unknown];

/** Queues commands on a pipeline (no `exec`, no `multi`: `execPipeline` sends them). */
export type PipelineBuilder = (p: ChainableCommander) => void;

/** True for an ioredis `Cluster` client. */
export function isClusterClient(redis: RedisClient): redis is Cluster {
  return redis.isCluster === true;
}

/**
 * The connections a key walk has to visit: the client itself, or on a Cluster each master (`SCAN` on a
 * Cluster client only scans one node chosen at random).
 */
export function masterNodes(redis: RedisClient): Redis[] {
  return isClusterClient(redis) ? redis.nodes('master') : [redis];
}

/**
 * Sends the commands `build` queues and returns their replies in the order they were queued (an error
 * is a reply, not a rejection).
 *
 * On a plain Redis (single or Sentinel) the commands are sent one after the other without waiting: one
 * round trip (a node's clients write them with one socket write, `coalesceWrites`). On a Cluster the
 * commands are grouped by the nodes serving the slot of their keys (the client's slot map) and each
 * group is sent, all at once, on its master's own connection (`masterConnection`; an ioredis Cluster
 * pipeline while that connection is not ready): round trips = masters touched. A command the server did
 * not run because its slot moved or is moving (MOVED, ASK, TRYAGAIN, CLUSTERDOWN — a reshard or
 * failover between the slot map and the command), or whose node connection closed, is sent again on its
 * own through the Cluster client, in queue order, and ioredis follows the redirection as for any single
 * command — and so is a read queued behind such a command of its slot (it ran without that command's
 * effect); a write that ran is never sent again. A group whose pipeline ioredis refuses altogether is
 * sent that way too. A command without keys, or (other than a defined script) with keys in several slots
 * (Redis answers CROSSSLOT), is sent on its own.
 */
export async function execPipeline(redis: RedisClient, build: PipelineBuilder): Promise<PipelineReply[]> {
  const calls = recordCalls(build);
  if (calls.length === 0) return [];
  if (!isClusterClient(redis)) {
    // Each command on the client in queue order rather than an ioredis pipeline: the node's clients
    // write the commands of one event-loop turn with one socket write (`coalesceWrites`), so the round
    // trip is the same, and an ioredis pipeline copies every script defined on its client onto itself
    // when it is made (with the garbage that leaves, 14 % of a node's CPU per notification in
    // bench:notify). As with a pipeline, nothing is sent when `build` throws or names a command the
    // client does not have (the calls are recorded and checked first).
    for (const c of calls) commandOf(redis, c);
    return Promise.all(calls.map((c) => settle(invoke(redis, c) as Promise<unknown>)));
  }
  const out = new Array<PipelineReply>(calls.length);
  // Per set of nodes serving the slots (what ioredis checks), its master and the calls in queue order.
  const groups = new Map<string, { master: string; calls: number[] }>();
  const alone: number[] = [];
  calls.forEach((call, i) => {
    const slot = slotOf(redis, call);
    const nodes = slot === null ? undefined : redis.slots[slot];
    if (!nodes?.length) alone.push(i);
    else {
      const id = nodes.join(';');
      const g = groups.get(id);
      if (g) g.calls.push(i);
      else groups.set(id, { master: nodes[0], calls: [i] });
    }
  });
  await Promise.all([
    ...[...groups.values()].map((g) => runGroup(redis, calls, g.master, g.calls, out)),
    oneByOne(redis, calls, alone, out),
  ]);
  return out;
}

/**
 * Queues `commands(p, item)` for every item and returns each item's replies in order (one pipeline on a
 * plain Redis, one per node on a Cluster: see `execPipeline`); throws the first command error.
 * `commands` must queue the same number of commands for every item.
 */
export async function pipelinePerItem<T>(
  redis: RedisClient,
  items: readonly T[],
  commands: (p: ChainableCommander, item: T) => void,
): Promise<unknown[][]> {
  if (items.length === 0) return [];
  const res = await execPipeline(redis, (p) => {
    for (const item of items) commands(p, item);
  });
  const per = res.length / items.length;
  return items.map((_, i) =>
    res.slice(i * per, i * per + per).map(([err, reply]) => {
      if (err) throw err;
      return reply;
    }),
  );
}

/** How `scanKeys` deals with a Cluster whose slots move during the walk. */
export interface ScanOptions {
  /**
   * Walks at most (default 3): on a Cluster the walk is repeated while a slot was migrating or changed
   * master during it (a key moving from a master not yet scanned to one already scanned would be
   * missed); after the last one the keys seen are all there is.
   */
  attempts?: number;
  /** Pause between walks (ms, default 100). */
  retryDelayMs?: number;
}

/**
 * SCAN MATCH `pattern` COUNT `count`, one page of keys at a time; on a Cluster each master in turn
 * (SCAN on a Cluster client only walks one node at random). On a Cluster the walk is checked against
 * the masters' own slot tables (CLUSTER NODES, before and after): while a reshard or failover moved
 * slots during it, it is walked again (`ScanOptions`), so a key that stayed is seen at least once.
 * A key may come more than once (SCAN's own guarantee, a key seen on two masters, a repeated walk):
 * callers deduplicate.
 */
export async function* scanKeys(
  redis: RedisClient,
  pattern: string,
  count = 500,
  opts: ScanOptions = {},
): AsyncGenerator<string[]> {
  if (!isClusterClient(redis)) {
    yield* scanNode(redis, pattern, count);
    return;
  }
  const attempts = Math.max(1, opts.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    const masters = redis.nodes('master');
    const before = await slotTables(masters);
    for (const node of masters) yield* scanNode(node, pattern, count);
    if (attempt >= attempts) return;
    const after = await slotTables(redis.nodes('master'));
    if (before !== null && before === after) return;
    await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 100));
  }
}

async function* scanNode(node: Redis, pattern: string, count: number): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length) yield keys;
  } while (cursor !== '0');
}

/**
 * The slots each master says it serves (its `myself` line of CLUSTER NODES), as one string; null when
 * a slot is migrating or importing (keys are moving right now) or a master cannot tell.
 */
async function slotTables(masters: Redis[]): Promise<string | null> {
  try {
    const lines = await Promise.all(
      masters.map(async (m) => {
        const text = String(await m.cluster('NODES'));
        return text.split('\n').find((l) => / myself[,\s]/.test(` ${l} `)) ?? '';
      }),
    );
    const out: string[] = [];
    for (const line of lines) {
      const [id, , , , , , , , ...slots] = line.trim().split(' ');
      if (!id || slots.some((x) => x.startsWith('['))) return null;
      out.push(`${id}:${slots.join(',')}`);
    }
    return out.sort().join(' ');
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------- internals

interface Call {
  name: string;
  args: unknown[];
}

const REFUSED = new Set(['exec', 'execBuffer', 'multi', 'discard', 'pipeline']);

/** Runs `build` on a stand-in pipeline that only writes down the calls, to be replayed per node. */
function recordCalls(build: PipelineBuilder): Call[] {
  const calls: Call[] = [];
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name === 'length') return calls.length;
      if (REFUSED.has(name)) throw new Error(`execPipeline: ${name}() is not allowed while building`);
      return (...args: unknown[]) => {
        calls.push({ name, args });
        return recorder;
      };
    },
  });
  build(recorder);
  return calls;
}

interface ScriptInfo extends IoredisScript {
  numberOfKeys: number | null;
}

function scriptsOf(redis: Cluster): Record<string, ScriptInfo | undefined> | undefined {
  return (redis as unknown as { scriptsSet?: Record<string, ScriptInfo | undefined> }).scriptsSet;
}

/** The defined script a call runs (its `…Buffer` form too), if it runs one. */
function scriptOf(redis: Cluster, call: Call): ScriptInfo | undefined {
  const scripts = scriptsOf(redis);
  return scripts?.[call.name] ?? scripts?.[call.name.replace(/Buffer$/, '')];
}

/**
 * The slot of a key: CRC16 of its hash tag (the first non-empty `{…}`), else of the key. Herald's keys
 * carry a short tag; hashing it alone spares cluster-key-slot's UTF-8 copy of the whole key (an ingest
 * request places ~36 commands of ~10 keys each on a Cluster).
 */
export function keySlot(key: string | Buffer): number {
  if (typeof key === 'string') {
    const open = key.indexOf('{');
    if (open >= 0) {
      const close = key.indexOf('}', open + 1);
      if (close > open + 1) return calculateSlot(key.slice(open + 1, close));
    }
  }
  return calculateSlot(key);
}

/**
 * The slot of a call's keys; null without keys or when they span slots. A defined script is placed by
 * its first key alone (Herald's scripts take one slot's keys; one that did not would get Redis'
 * CROSSSLOT reply wherever it went), other commands by all of theirs (ioredis' command table).
 */
function slotOf(redis: Cluster, call: Call): number | null {
  const args = call.args;
  const script = scriptOf(redis, call);
  if (script) {
    const fixed = script.numberOfKeys;
    const at = typeof fixed === 'number' ? (fixed > 0 ? 0 : -1) : Number(args[0]) > 0 ? 1 : -1;
    return at < 0 ? null : keySlot(args[at] as string | Buffer);
  }
  const [name, rest] =
    call.name === 'call' || call.name === 'callBuffer'
      ? [String(args[0]), args.slice(1)]
      : [call.name.replace(/Buffer$/, ''), args];
  let keys: (string | Buffer)[];
  try {
    keys = new Command(
      name,
      rest.filter((a) => typeof a !== 'function') as (string | Buffer | number)[],
    ).getKeys();
  } catch {
    return null;
  }
  if (keys.length === 0) return null;
  const slot = calculateSlot.generateMulti(keys);
  return slot < 0 ? null : slot;
}

/** A command's outcome as a pipeline reply: an error is a reply, not a rejection. */
function settle(p: Promise<unknown>): Promise<PipelineReply> {
  return p.then(
    (r): PipelineReply => [null, r],
    (e: unknown): PipelineReply => [e instanceof Error ? e : new Error(String(e)), null],
  );
}

function commandOf(target: object, call: Call): (...a: unknown[]) => unknown {
  const fn = (target as Record<string, unknown>)[call.name];
  if (typeof fn !== 'function') throw new Error(`execPipeline: unknown command ${call.name}`);
  return fn as (...a: unknown[]) => unknown;
}

function invoke(target: object, call: Call): unknown {
  return commandOf(target, call).apply(target, call.args);
}

/** The server did not run the command (its slot moved or is moving): safe to send again. */
const NOT_RUN = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

async function runGroup(
  redis: Cluster,
  calls: Call[],
  master: string,
  group: number[],
  out: PipelineReply[],
): Promise<void> {
  const node = masterConnection(redis, master);
  let replies: PipelineReply[] | null = null;
  if (node) {
    replies = await Promise.all(group.map((i) => settle(send(redis, node, calls[i]) as Promise<unknown>)));
  } else {
    try {
      const p = redis.pipeline();
      for (const i of group) invoke(p, calls[i]);
      replies = ((await p.exec()) ?? null) as PipelineReply[] | null;
    } catch {
      replies = null; // refused before sending (slot map changed, cluster not ready): nothing ran
    }
  }
  const again: number[] = [];
  // Slots with a command that did not run: a later read of the same slot that did run saw the data
  // without it (a slot's owner can answer MOVED to one command and serve the next, while a reshard
  // moves it), so it is read again after the re-sent command — a pipeline reads its own writes. A later
  // write that ran cannot be undone; it keeps its reply.
  let skipped: Set<number | null> | undefined;
  group.forEach((i, j) => {
    const r = replies?.[j];
    const ran = r !== undefined && !(r[0] && notRun(r[0]));
    if (ran && !(skipped?.has(slotOf(redis, calls[i])) && isRead(calls[i]))) {
      out[i] = [r[0] ?? null, r[1] ?? null];
      return;
    }
    if (!ran) (skipped ??= new Set()).add(slotOf(redis, calls[i]));
    again.push(i);
  });
  await oneByOne(redis, calls, again, out);
}

/** A command Redis flags read-only (`hgetallBuffer` as `hgetall`); a defined script never is. */
function isRead(call: Call): boolean {
  const name = (call.name === 'call' || call.name === 'callBuffer' ? String(call.args[0]) : call.name)
    .replace(/Buffer$/, '')
    .toLowerCase();
  return commandExists(name) && hasFlag(name, 'readonly');
}

/**
 * The command did not run where it was sent: its slot moved or is moving, or (sent on a node's own
 * connection) that connection closed first — which the Cluster client itself answers by sending the
 * command again once it has found the slot's master (a failover), so the direct path does the same.
 */
function notRun(e: Error): boolean {
  return NOT_RUN.test(e.message) || (e.name !== 'ReplyError' && e.message === 'Connection is closed.');
}

/**
 * The connection the Cluster client holds to `master` (`host:port`, the slot map's first node of a
 * group's slots), when it is ready. A group's commands are sent on it one by one — they leave in one socket write all the
 * same (`coalesceWrites` corks a node's socket for the turn) and Redis runs them in order — instead of
 * as an ioredis Cluster pipeline, which re-derives every command's keys and slots to check they share
 * a node and copies the client's script table into each pipeline: on an ingest request's ~36 upserts
 * that was ~14 % of the node's CPU. A reply that says the command did not run there (MOVED, ASK, a
 * script the node does not have yet is loaded by ioredis' script handling on this very connection)
 * sends it again through the Cluster client, as after a refused pipeline.
 */
function masterConnection(redis: Cluster, master: string): Redis | undefined {
  for (const node of redis.nodes('master')) {
    const o = node.options;
    if (`${o.host}:${o.port}` === master) return node.status === 'ready' ? node : undefined;
  }
  return undefined;
}

/**
 * Sends a call on a node connection: a defined script through ioredis' own script command class, its
 * arguments laid out once (`sendLaidOut`; a NOSCRIPT is sent again on the node, as EVAL).
 */
function send(redis: Cluster, node: Redis, call: Call): unknown {
  const script = scriptOf(redis, call);
  if (!script) return invoke(node, call);
  const fixed = typeof script.numberOfKeys === 'number';
  const argv: unknown[] = fixed ? [script.sha, script.numberOfKeys] : [script.sha];
  for (const a of call.args) {
    if (Array.isArray(a))
      argv.push(...(a as unknown[])); // one level, as ioredis' Command flattens
    else if (typeof a !== 'function') argv.push(a);
  }
  const options = { replyEncoding: call.name.endsWith('Buffer') ? null : 'utf8' };
  return sendLaidOut(script, argv, options, (c) => node.sendCommand(c as never) as Promise<unknown>);
}

/** Sends calls one at a time in order (ioredis follows MOVED/ASK and retries TRYAGAIN for each). */
async function oneByOne(redis: Cluster, calls: Call[], which: number[], out: PipelineReply[]): Promise<void> {
  for (const i of which) {
    try {
      out[i] = [null, await (invoke(redis, calls[i]) as Promise<unknown>)];
    } catch (e) {
      out[i] = [e instanceof Error ? e : new Error(String(e)), null];
    }
  }
}
