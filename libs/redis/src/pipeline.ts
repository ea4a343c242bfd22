import calculateSlot from 'cluster-key-slot';
import { Command, type ChainableCommander, type Cluster, type Redis } from 'ioredis';
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
 * On a plain Redis (single or Sentinel) that is one pipeline: one round trip. On a Cluster ioredis
 * refuses a pipeline whose keys are served by several nodes, so the commands are grouped by the nodes
 * serving the slot of their keys (the client's slot map) and one pipeline per group is sent, all at
 * once: round trips = masters touched. A command the server did not run because its slot moved or is
 * moving (MOVED, ASK, TRYAGAIN, CLUSTERDOWN — a reshard or failover between the slot map and the
 * command) is sent again on its own, in queue order, and ioredis follows the redirection as for any
 * single command; a group whose pipeline ioredis refuses altogether is sent that way too. A command
 * without keys, or with keys in several slots (Redis answers CROSSSLOT), is sent on its own.
 */
export async function execPipeline(redis: RedisClient, build: PipelineBuilder): Promise<PipelineReply[]> {
  if (!isClusterClient(redis)) {
    const p = redis.pipeline();
    build(p);
    if (p.length === 0) return [];
    return ((await p.exec()) ?? []) as PipelineReply[];
  }
  const calls = recordCalls(build);
  if (calls.length === 0) return [];
  const out = new Array<PipelineReply>(calls.length);
  const groups = new Map<string, number[]>();
  const alone: number[] = [];
  calls.forEach((call, i) => {
    const slot = slotOf(redis, call);
    const nodes = slot === null ? undefined : redis.slots[slot];
    if (!nodes?.length) alone.push(i);
    else {
      const id = nodes.join(';'); // what ioredis checks: every command served by the same nodes
      const g = groups.get(id);
      if (g) g.push(i);
      else groups.set(id, [i]);
    }
  });
  await Promise.all([
    ...[...groups.values()].map((g) => runGroup(redis, calls, g, out)),
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

type ScriptInfo = { numberOfKeys: number | null };

/** The keys of a call: from ioredis' command table, or for a defined script from its key count. */
function keysOf(redis: Cluster, call: Call): (string | Buffer)[] {
  const args = call.args.filter((a) => typeof a !== 'function');
  const scripts = (redis as unknown as { scriptsSet?: Record<string, ScriptInfo | undefined> }).scriptsSet;
  const script = scripts?.[call.name] ?? scripts?.[call.name.replace(/Buffer$/, '')];
  if (script) {
    const fixed = script.numberOfKeys;
    const keys = typeof fixed === 'number' ? args.slice(0, fixed) : args.slice(1, 1 + Number(args[0]));
    return keys as (string | Buffer)[];
  }
  const [name, rest] =
    call.name === 'call' || call.name === 'callBuffer'
      ? [String(args[0]), args.slice(1)]
      : [call.name.replace(/Buffer$/, ''), args];
  try {
    return new Command(name, rest as (string | Buffer | number)[]).getKeys();
  } catch {
    return [];
  }
}

/** The slot of a call's keys; null without keys or when they span slots. */
function slotOf(redis: Cluster, call: Call): number | null {
  const keys = keysOf(redis, call);
  if (keys.length === 0) return null;
  const slot = calculateSlot.generateMulti(keys);
  return slot < 0 ? null : slot;
}

function invoke(target: object, call: Call): unknown {
  const fn = (target as Record<string, unknown>)[call.name];
  if (typeof fn !== 'function') throw new Error(`execPipeline: unknown command ${call.name}`);
  return (fn as (...a: unknown[]) => unknown).apply(target, call.args);
}

/** The server did not run the command (its slot moved or is moving): safe to send again. */
const NOT_RUN = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

async function runGroup(redis: Cluster, calls: Call[], group: number[], out: PipelineReply[]): Promise<void> {
  let replies: PipelineReply[] | null = null;
  try {
    const p = redis.pipeline();
    for (const i of group) invoke(p, calls[i]);
    replies = ((await p.exec()) ?? null) as PipelineReply[] | null;
  } catch {
    replies = null; // refused before sending (slot map changed, cluster not ready): nothing ran
  }
  const again: number[] = [];
  group.forEach((i, j) => {
    const r = replies?.[j];
    if (r && !(r[0] && NOT_RUN.test(r[0].message))) out[i] = [r[0] ?? null, r[1] ?? null];
    else again.push(i);
  });
  await oneByOne(redis, calls, again, out);
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
