import calculateSlot from 'cluster-key-slot';
import { MAX_SHARDS, shardPrefixes } from '@herald/delivery';
import type { Alert, Clock, Matcher } from '@herald/domain';
import { matchesAll, systemClock } from '@herald/domain';
import {
  createRedisClient,
  DELIVERY_QUEUE,
  execPipeline,
  globEscape,
  isClusterClient,
  masterNodes,
  pipelinePerItem,
  RedisGroupStore,
  RedisKeys,
  scanKeys,
  type PipelineReply,
  type RedisClient,
  type RedisConnectionOptions,
  type RedisClusterConnection,
} from '@herald/redis';

/**
 * Read-only views of a Herald Redis (and the one destructive helper, `unlinkMatching`). Every key walk
 * uses SCAN with a COUNT, never KEYS — on a Redis Cluster on every master; every key is built and read
 * back by `RedisKeys` (the schema the server writes), never by a pattern of heraldctl's own. Reads of
 * several keys are pipelined per node (`execPipeline`), so they work on a Cluster too.
 */

/** Where heraldctl connects: one Redis by URL, or a Redis Cluster by its seed nodes (`host:port`). */
export type RedisTarget = { url: string } | { cluster: RedisClusterConnection };

export interface Conn {
  redis: RedisClient;
  prefix: string;
  /** The key schema under `prefix` (on a Cluster with the server's due-bucket count: keys depend on it). */
  keys: RedisKeys;
  /** The URL the client was built from, password removed, or `cluster <seed nodes>` (for messages). */
  where: string;
  /** The target it was built from (`queue retry` opens BullMQ's own connections to it). */
  target: RedisTarget;
}

/** The target for messages: the URL without its password, or the cluster's seed nodes. */
export function describeTarget(t: RedisTarget): string {
  return 'url' in t ? redactUrl(t.url) : `cluster ${t.cluster.nodes.join(',')}`;
}

/** heraldctl's connection options for `target` (short timeouts: a tool reports, it does not wait). */
export function targetOptions(t: RedisTarget): RedisConnectionOptions {
  const base = { connectTimeout: 2000, commandTimeout: 5000, name: 'heraldctl' };
  return 'url' in t ? { ...base, url: t.url } : { ...base, cluster: { ...t.cluster } };
}

/**
 * Connects (fail fast, RESP2); rejects with a readable message when Redis cannot be reached. On a
 * Cluster the key layout is the cluster one, with `dueBuckets` (herald.redis.due_buckets) or, without
 * it, the count read back from the keys (`detectDueBuckets`).
 */
export async function connect(
  target: RedisTarget | string,
  prefix: string,
  reconnect = false,
  dueBuckets?: number,
): Promise<Conn> {
  const t: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const where = describeTarget(t);
  const redis = createRedisClient(targetOptions(t), reconnect ? 'tool-watch' : 'tool');
  let lastError: Error | undefined; // the socket error ('connect ECONNREFUSED …'), clearer than the rejection
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    const why = lastError?.message ?? (e instanceof Error ? e.message : String(e));
    throw new Error(`cannot connect to Redis at ${where}: ${why}`);
  }
  if (!isClusterClient(redis)) return { redis, prefix, keys: new RedisKeys(prefix, 1), where, target: t };
  try {
    const buckets = dueBuckets ?? (await detectDueBuckets(redis, prefix));
    return { redis, prefix, keys: new RedisKeys(prefix, buckets, 'cluster'), where, target: t };
  } catch (e) {
    redis.disconnect();
    throw e;
  }
}

/** The server's default herald.redis.due_buckets on a Cluster (herald-config's `clusterDueBuckets`). */
export const CLUSTER_DUE_BUCKETS = 48;
const MAX_DUE_BUCKETS = 1024;

/**
 * herald.redis.due_buckets of the Herald that wrote a Cluster's keys, read from their hash tags: bucket
 * `n` of `N` is tagged `b<n>.<j>` with the smallest `j` whose slot lies in the n-th N-th of the slot
 * space (`spreadTags`), so a few tags pin `N` down. The default when it fits (or nothing is stored yet),
 * else the smallest count every tag fits; an error when none does (pass --due-buckets).
 */
export async function detectDueBuckets(redis: RedisClient, prefix: string): Promise<number> {
  const p = globEscape(prefix);
  const tags = new Map<string, [number, number]>();
  for (const pattern of [`${p}:due:{*}`, `${p}:*:groups:{*}`]) {
    for await (const page of scanKeys(redis, pattern, 1000)) {
      for (const k of page) {
        const m = /\{b(\d+)\.(\d+)\}$/.exec(k);
        if (m) tags.set(`${m[1]}.${m[2]}`, [Number(m[1]), Number(m[2])]);
      }
      if (tags.size >= 32) break;
    }
  }
  if (tags.size === 0) return CLUSTER_DUE_BUCKETS;
  const seen = [...tags.values()];
  const fits = (buckets: number) =>
    seen.every(([n, j]) => {
      if (n >= buckets) return false;
      const lo = Math.floor((n * 16384) / buckets);
      const hi = Math.floor(((n + 1) * 16384) / buckets);
      const inRange = (i: number) => {
        const slot = calculateSlot(`b${n}.${i}`);
        return slot >= lo && slot < hi;
      };
      if (!inRange(j)) return false;
      for (let i = 0; i < j; i++) if (inRange(i)) return false;
      return true;
    });
  if (fits(CLUSTER_DUE_BUCKETS)) return CLUSTER_DUE_BUCKETS;
  const highest = Math.max(...seen.map(([n]) => n));
  for (let buckets = highest + 1; buckets <= MAX_DUE_BUCKETS; buckets++) if (fits(buckets)) return buckets;
  throw new Error(
    `cannot tell herald.redis.due_buckets from the keys under prefix ${JSON.stringify(prefix)}: pass --due-buckets`,
  );
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export { scanKeys };

async function collect(redis: RedisClient, pattern: string, count = 500): Promise<string[]> {
  const out = new Set<string>(); // SCAN may return a key twice (and a Cluster reshard moves keys)
  for await (const page of scanKeys(redis, pattern, count)) for (const k of page) out.add(k);
  return [...out].sort();
}

// ---------------------------------------------------------------------------------------------- kinds

/** What a Herald key is, from its name (README "Redis key schema"), as `RedisKeys.parse` reads it. */
export function keyKind(keys: RedisKeys, key: string): { kind: string; tenant?: string } | null {
  const p = keys.parse(key);
  if (!p) return null;
  return 'tenant' in p && p.tenant !== undefined ? { kind: p.kind, tenant: p.tenant } : { kind: p.kind };
}

export interface KeyStats {
  dbsize: number;
  herald: number;
  byKind: Record<string, number>;
}

export async function keyStats(c: Conn, count = 1000): Promise<KeyStats> {
  const byKind: Record<string, number> = {};
  let herald = 0;
  for (const pattern of c.keys.patterns()) {
    for (const k of await collect(c.redis, pattern, count)) {
      const kind = keyKind(c.keys, k);
      if (!kind) continue;
      herald++;
      byKind[kind.kind] = (byKind[kind.kind] ?? 0) + 1;
    }
  }
  // DBSIZE of each master: a Cluster client would ask one node at random.
  const sizes = await Promise.all(masterNodes(c.redis).map((n) => n.dbsize()));
  return { dbsize: sizes.reduce((a, b) => a + b, 0), herald, byKind };
}

/**
 * Whether any Herald key is under the prefix (on a Cluster: on any master). Stops at the first one, so
 * it is cheap on a Redis Herald uses; on another Redis it walks the keys matching the prefix patterns.
 */
export async function hasHeraldKeys(c: Conn, count = 1000): Promise<boolean> {
  for (const pattern of c.keys.patterns()) {
    for await (const page of scanKeys(c.redis, pattern, count)) {
      if (page.some((k) => keyKind(c.keys, k) !== null)) return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------------------ info

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export interface ServerStats {
  /** Masters the figures add up (1 for a single Redis). */
  masters: number;
  redisVersion: string;
  uptimeSec: number;
  connectedClients: number;
  memory: { used: number; usedHuman: string; peakHuman: string; maxmemory: number; policy: string };
  keyspace: { hits: number; misses: number; hitRate: number | null };
  opsPerSec: number;
}

/**
 * INFO of the Redis, or on a Cluster of every master added up (memory, clients, hits, ops; the
 * shortest uptime; versions and policies listed when they differ; maxmemory 0 when any is unlimited).
 */
export async function serverStats(c: Conn): Promise<ServerStats> {
  const infos = (await Promise.all(masterNodes(c.redis).map((n) => n.info('everything')))).map(parseInfo);
  if (infos.length === 1) {
    const [info] = infos;
    const hits = Number(info.keyspace_hits ?? 0);
    const misses = Number(info.keyspace_misses ?? 0);
    return {
      masters: 1,
      redisVersion: info.redis_version ?? '?',
      uptimeSec: Number(info.uptime_in_seconds ?? 0),
      connectedClients: Number(info.connected_clients ?? 0),
      memory: {
        used: Number(info.used_memory ?? 0),
        usedHuman: info.used_memory_human ?? '?',
        peakHuman: info.used_memory_peak_human ?? '?',
        maxmemory: Number(info.maxmemory ?? 0),
        policy: info.maxmemory_policy ?? '?',
      },
      keyspace: { hits, misses, hitRate: hits + misses > 0 ? hits / (hits + misses) : null },
      opsPerSec: Number(info.instantaneous_ops_per_sec ?? 0),
    };
  }
  const sum = (f: string) => infos.reduce((n, i) => n + Number(i[f] ?? 0), 0);
  const distinct = (f: string) => [...new Set(infos.map((i) => i[f] ?? '?'))].join('/');
  const hits = sum('keyspace_hits');
  const misses = sum('keyspace_misses');
  const used = sum('used_memory');
  const maxes = infos.map((i) => Number(i.maxmemory ?? 0));
  return {
    masters: infos.length,
    redisVersion: distinct('redis_version'),
    uptimeSec: Math.min(...infos.map((i) => Number(i.uptime_in_seconds ?? 0))),
    connectedClients: sum('connected_clients'),
    memory: {
      used,
      usedHuman: humanBytes(used),
      peakHuman: humanBytes(sum('used_memory_peak')),
      maxmemory: maxes.includes(0) ? 0 : maxes.reduce((a, b) => a + b, 0),
      policy: distinct('maxmemory_policy'),
    },
    keyspace: { hits, misses, hitRate: hits + misses > 0 ? hits / (hits + misses) : null },
    opsPerSec: sum('instantaneous_ops_per_sec'),
  };
}

/** Bytes as Redis' `*_human` fields write them (1.50M). */
export function humanBytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n}B` : `${v.toFixed(2)}${units[u]}`;
}

/** The replies of a pipeline, the first error thrown. */
function okReplies(res: PipelineReply[]): unknown[] {
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

// ---------------------------------------------------------------------------------------------- groups

/** Tenants that have a group index (`<p>:<tenant>:groups`) or a session index (`…:sessions`). */
export async function tenants(c: Conn, what: 'groups' | 'sessions'): Promise<string[]> {
  const pattern = what === 'groups' ? c.keys.tenantGroupsPattern() : c.keys.tenantSessionsPattern();
  const out = new Set<string>();
  for (const k of await collect(c.redis, pattern)) {
    const t = c.keys.tenantOfIndex(k, what);
    if (t) out.add(t);
  }
  return [...out].sort();
}

export interface TenantCounts {
  tenant: string;
  groups: number;
  firingGroups: number;
  recoveryGroups: number;
  firingAlerts: number;
  resolvedAlerts: number;
}

/** Per-tenant counts from the index and HLENs (cheap: no alert is decoded). */
export async function tenantCounts(
  c: Conn,
  tenant: string,
  clock: Clock = systemClock,
): Promise<TenantCounts> {
  const keys = c.keys;
  const now = clock.now();
  const shards = keys.tenantGroupShards(tenant); // one key, or on a Cluster one per due bucket
  const ids = okReplies(
    await execPipeline(c.redis, (p) => {
      for (const k of shards) p.zrangebyscore(k, now, '+inf');
    }),
  ).flatMap((v) => v as string[]);
  const out: TenantCounts = {
    tenant,
    groups: 0,
    firingGroups: 0,
    recoveryGroups: 0,
    firingAlerts: 0,
    resolvedAlerts: 0,
  };
  const replies = await pipelinePerItem(c.redis, ids, (p, id) =>
    p
      .exists(keys.groupMeta(tenant, id))
      .hlen(keys.groupFiring(tenant, id))
      .hlen(keys.groupRecovery(tenant, id)),
  );
  for (const [meta, f, r] of replies) {
    if (!Number(meta)) continue;
    out.groups++;
    if (Number(f) > 0) out.firingGroups++;
    if (Number(r) > 0) out.recoveryGroups++;
    out.firingAlerts += Number(f);
    out.resolvedAlerts += Number(r);
  }
  return out;
}

export interface GroupRow {
  tenant: string;
  groupId: string;
  groupKey: string;
  receiver: string;
  labels: Record<string, string>;
  firing: number;
  resolved: number;
  createdAt: number;
  timers: { groupWait: number; groupInterval: number; repeatInterval: number };
}

export type StateFilter = 'firing' | 'recovery' | undefined;

export async function listGroups(c: Conn, tenantList: string[], state: StateFilter): Promise<GroupRow[]> {
  const store = new RedisGroupStore(c.redis, c.keys, { retention: 0 });
  const out: GroupRow[] = [];
  for (const tenant of tenantList) {
    for (const g of await store.listGroups(tenant)) {
      if (state === 'firing' && g.firing.length === 0) continue;
      if (state === 'recovery' && g.recovery.length === 0) continue;
      out.push({
        tenant,
        groupId: g.groupId,
        groupKey: g.groupKey,
        receiver: g.receiver,
        labels: g.labels,
        firing: g.firing.length,
        resolved: g.recovery.length,
        createdAt: g.createdAt,
        timers: { groupWait: g.groupWait, groupInterval: g.groupInterval, repeatInterval: g.repeatInterval },
      });
    }
  }
  return out;
}

export interface AlertRow {
  tenant: string;
  groupId: string;
  state: 'firing' | 'resolved';
  alert: Alert;
}

export async function listAlerts(
  c: Conn,
  tenantList: string[],
  matchers: readonly Matcher[],
  state: StateFilter,
): Promise<AlertRow[]> {
  const store = new RedisGroupStore(c.redis, c.keys, { retention: 0 });
  const out: AlertRow[] = [];
  for (const tenant of tenantList) {
    for (const g of await store.listGroups(tenant)) {
      if (state !== 'recovery') {
        for (const a of g.firing) {
          if (matchesAll(matchers, a.labels))
            out.push({ tenant, groupId: g.groupId, state: 'firing', alert: a });
        }
      }
      if (state !== 'firing') {
        for (const a of g.recovery) {
          if (matchesAll(matchers, a.labels))
            out.push({ tenant, groupId: g.groupId, state: 'resolved', alert: a });
        }
      }
    }
  }
  return out;
}

// -------------------------------------------------------------------------------------------- sessions

export interface SessionRow {
  tenant: string;
  id: string;
  user: string;
  role: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ttlMs: number;
  ip: string;
}

/** Sessions from each tenant's index; the token hash is only used to find the record, never returned. */
export async function listSessions(c: Conn, tenantList: string[]): Promise<SessionRow[]> {
  const keys = c.keys;
  const out: SessionRow[] = [];
  for (const tenant of tenantList) {
    const members = await c.redis.zrange(keys.tenantSessions(tenant), '0', '-1');
    if (members.length === 0) continue;
    const res = await execPipeline(c.redis, (p) => {
      for (const m of members) {
        const key = keys.session(tenant, keys.parseSessionMember(m)?.tokenHash ?? '');
        p.hgetall(key);
        p.pttl(key);
      }
    });
    for (let i = 0; i < members.length; i++) {
      const [[e1, h], [e2, ttl]] = res.slice(i * 2, i * 2 + 2);
      if (e1 || e2) throw e1 ?? e2;
      const r = h as Record<string, string>;
      if (!r.id) continue; // expired: the index member outlives the record until pruned
      out.push({
        tenant,
        id: r.id,
        user: r.user ?? '',
        role: r.role ?? '',
        createdAt: Number(r.created),
        lastSeenAt: Number(r.seen),
        idleExpiresAt: Number(r.idle),
        absoluteExpiresAt: Number(r.abs),
        ttlMs: Number(ttl),
        ip: r.ip ?? '',
      });
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- locks

export interface LockRow {
  key: string;
  tenant: string;
  kind: string;
  id: string;
  owner: string;
  ttlMs: number;
}

const OWNER_SHOWN = 12;

/** Held locks (`<p>:<tenant>:lock:<kind>:{<id>}`, fencing counters excluded), owner cut to 12 chars. */
export async function listLocks(c: Conn, tenant: string | undefined): Promise<LockRow[]> {
  const keys = (await collect(c.redis, c.keys.lockPattern(tenant))).filter(
    (k) => c.keys.parse(k)?.kind === 'lock',
  );
  if (keys.length === 0) return [];
  const res = await execPipeline(c.redis, (p) => {
    for (const k of keys) {
      p.type(k);
      p.get(k);
      p.pttl(k);
    }
  });
  const out: LockRow[] = [];
  keys.forEach((key, i) => {
    const [[, type], [, owner], [, ttl]] = res.slice(i * 3, i * 3 + 3); // GET on a non-string errs
    if (type !== 'string' || typeof owner !== 'string') return; // gone meanwhile, or not a lock
    const lock = c.keys.parse(key);
    if (lock?.kind !== 'lock') return;
    out.push({
      key,
      tenant: lock.tenant,
      kind: lock.lockKind,
      id: lock.id,
      owner: owner.length > OWNER_SHOWN ? `${owner.slice(0, OWNER_SHOWN)}…` : owner,
      ttlMs: Number(ttl),
    });
  });
  return out;
}

// ----------------------------------------------------------------------------------------------- queue

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
  completed: number;
}

/**
 * The BullMQ prefixes of every delivery shard (`herald.delivery.shards`): the one-shard queue
 * `{<prefix>}` and the shards of every count the shard record holds (the server covers the same).
 */
export async function deliveryPrefixes(c: Conn, queueName = DELIVERY_QUEUE): Promise<string[]> {
  const recorded = (await c.redis.smembers(c.keys.deliveryShards(queueName)))
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n >= 1 && n <= MAX_SHARDS);
  return shardPrefixes([1, ...recorded], (i, n) => c.keys.deliveryShardPrefix(i, n));
}

/** One delivery shard's counts, with its queue (`<bull prefix>:<queue>`). */
export interface ShardQueueCounts extends QueueCounts {
  queue: string;
}

/**
 * BullMQ's job counts of every delivery shard read straight from its keys
 * (`<bull prefix>:delivery:wait|active|…`), pipelined per node.
 */
export async function shardQueueCounts(
  c: Conn,
  queueName = DELIVERY_QUEUE,
  prefixes?: string[],
): Promise<ShardQueueCounts[]> {
  const ps = prefixes ?? (await deliveryPrefixes(c, queueName));
  const res = await execPipeline(c.redis, (p) => {
    for (const prefix of ps) {
      const b = (part: string) => c.keys.deliveryQueueKey(part, queueName, prefix);
      p.llen(b('wait'));
      p.llen(b('paused'));
      p.zcard(b('prioritized'));
      p.llen(b('active'));
      p.zcard(b('delayed'));
      p.zcard(b('failed'));
      p.zcard(b('completed'));
    }
  });
  const n = res.map(([err, v]) => (err ? 0 : Number(v))); // WRONGTYPE etc.: count as empty
  return ps.map((prefix, i) => {
    const [wait, paused, prio, active, delayed, dead, completed] = n.slice(i * 7, i * 7 + 7);
    return {
      queue: c.keys.deliveryQueue(queueName, prefix),
      waiting: wait + paused + prio,
      active,
      delayed,
      dead,
      completed,
    };
  });
}

/** BullMQ's job counts summed over every delivery shard. */
export async function queueCounts(c: Conn, queueName = DELIVERY_QUEUE): Promise<QueueCounts> {
  const sum: QueueCounts = { waiting: 0, active: 0, delayed: 0, dead: 0, completed: 0 };
  for (const s of await shardQueueCounts(c, queueName)) {
    for (const k of Object.keys(sum) as (keyof QueueCounts)[]) sum[k] += s[k];
  }
  return sum;
}

// ----------------------------------------------------------------------------------------------- clear

/** Keys matching a glob (sorted, deduplicated). */
export function matchingKeys(c: Conn, pattern: string, count: number): Promise<string[]> {
  return collect(c.redis, pattern, count);
}

/**
 * SCAN + UNLINK page by page; returns how many keys were removed. On a Cluster (each master scanned)
 * one UNLINK per slot of the page — a multi-key command must stay in one slot — pipelined per node.
 */
export async function unlinkMatching(c: Conn, pattern: string, count: number): Promise<number> {
  let removed = 0;
  for await (const page of scanKeys(c.redis, pattern, count)) {
    const batches = isClusterClient(c.redis) ? [...bySlot(page).values()] : [page];
    for (const n of okReplies(
      await execPipeline(c.redis, (p) => {
        for (const b of batches) p.unlink(...b);
      }),
    ))
      removed += Number(n);
  }
  return removed;
}

function bySlot(keys: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const k of keys) {
    const slot = calculateSlot(k);
    const list = out.get(slot);
    if (list) list.push(k);
    else out.set(slot, [k]);
  }
  return out;
}

export interface DeadLetterRow {
  id: string;
  /** The shard's queue holding it (`<bull prefix>:<queue>`). */
  queue: string;
  tenant: string;
  receiver: string;
  groupKey: string;
  groupId: string;
  state: string;
  attempts: number;
  delivered: string[];
  failedAt: number;
  lastError: { integration: string; reason: string; message: string; status?: number; at?: number };
}

/**
 * Dead letters (BullMQ's failed sets of every delivery shard, newest first, at most `limit`) read
 * without a BullMQ Queue, which would write its `meta` key: listing stays read-only. Job hash fields as BullMQ stores them (`data`, `atm` = attempts
 * made, `failedReason`, `finishedOn`).
 */
export async function deadLetters(
  c: Conn,
  limit: number,
  queueName = DELIVERY_QUEUE,
): Promise<DeadLetterRow[]> {
  const prefixes = await deliveryPrefixes(c, queueName);
  const perShard = await Promise.all(
    prefixes.map(async (prefix) => {
      const ids = await c.redis.zrevrange(c.keys.deliveryQueueKey('failed', queueName, prefix), 0, limit - 1);
      return ids.map((id) => ({ id, prefix }));
    }),
  );
  const jobs = perShard.flat();
  if (jobs.length === 0) return [];
  const res = await execPipeline(c.redis, (p) => {
    for (const { id, prefix } of jobs)
      p.hmget(
        c.keys.deliveryQueueKey(id, queueName, prefix),
        'data',
        'atm',
        'attemptsMade',
        'failedReason',
        'finishedOn',
        'processedOn',
      );
  });
  const out: DeadLetterRow[] = [];
  jobs.forEach(({ id, prefix }, i) => {
    const [err, v] = res[i];
    if (err) throw err;
    const [data, atm, attemptsMade, failedReason, finishedOn, processedOn] = v as (string | null)[];
    if (data === null) return; // removed meanwhile
    let d: {
      n?: Record<string, unknown>;
      done?: string[];
      lastError?: DeadLetterRow['lastError'];
    } = {};
    try {
      d = JSON.parse(data) as typeof d;
    } catch {
      /* not a Herald job: show what is known */
    }
    const n = d.n ?? {};
    const failedAt = Number(finishedOn ?? processedOn ?? 0);
    out.push({
      id,
      queue: c.keys.deliveryQueue(queueName, prefix),
      tenant: String(n.tenant ?? '?'),
      receiver: String(n.receiver ?? '?'),
      groupKey: String(n.groupKey ?? ''),
      groupId: String(n.groupId ?? ''),
      state: String(n.state ?? ''),
      attempts: Number(atm ?? attemptsMade ?? 0),
      delivered: d.done ?? [],
      failedAt,
      lastError: d.lastError ?? {
        integration: '-',
        reason: 'other',
        message: failedReason ?? 'unknown',
        at: failedAt,
      },
    });
  });
  // Several shards: their newest merged (one shard's come newest first already).
  if (prefixes.length > 1) out.sort((a, b) => b.failedAt - a.failedAt);
  return out.slice(0, limit);
}
