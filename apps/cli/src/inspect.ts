import { Redis } from 'ioredis';
import type { Alert, Matcher } from '@herald/domain';
import { matchesAll } from '@herald/domain';
import { RedisGroupStore, RedisKeys } from '@herald/redis';

/**
 * Read-only views of a Herald Redis (and the one destructive helper, `unlinkMatching`). Every key walk
 * uses SCAN with a COUNT, never KEYS.
 */

export interface Conn {
  redis: Redis;
  prefix: string;
  /** The URL the client was built from, password removed (for messages). */
  where: string;
}

/** Connects (fail fast, RESP2); rejects with a readable message when Redis cannot be reached. */
export async function connect(url: string, prefix: string, reconnect = false): Promise<Conn> {
  const where = redactUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 5000,
    protocol: 2,
    connectionName: 'heraldctl',
    retryStrategy: reconnect ? () => 1000 : () => null,
    disconnectTimeout: 100, // every command is awaited before disconnect; don't hold the process 2 s
  });
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
  return { redis, prefix, where };
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

/** Escapes Redis glob specials so a prefix or tenant is matched literally. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** SCAN MATCH pattern COUNT count, one page of keys at a time. */
export async function* scanKeys(redis: Redis, pattern: string, count = 500): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length) yield keys;
  } while (cursor !== '0');
}

async function collect(redis: Redis, pattern: string, count = 500): Promise<string[]> {
  const out = new Set<string>(); // SCAN may return a key twice
  for await (const page of scanKeys(redis, pattern, count)) for (const k of page) out.add(k);
  return [...out].sort();
}

// ---------------------------------------------------------------------------------------------- kinds

/** What a Herald key is, from its name (README "Redis key schema"). */
export function keyKind(prefix: string, key: string): { kind: string; tenant?: string } | null {
  if (key.startsWith(`{${prefix}}:`)) return { kind: 'queue' };
  if (!key.startsWith(`${prefix}:`)) return null;
  const rest = key.slice(prefix.length + 1);
  if (rest.startsWith('due:lease:')) return { kind: 'due-lease' };
  if (rest.startsWith('due:claim:')) return { kind: 'due-claim' };
  if (rest.startsWith('due:')) return { kind: 'due' };
  if (rest.startsWith('login:')) return { kind: 'login-limiter' };
  const m =
    /^([^:]+):(alert:group:firing|alert:group:recovery|alert:group:meta|groups$|nflog|sessions$|session|lock)/.exec(
      rest,
    );
  if (!m) return { kind: 'other' };
  const tenant = m[1];
  switch (m[2]) {
    case 'alert:group:firing':
      return { kind: 'group-firing', tenant };
    case 'alert:group:recovery':
      return { kind: 'group-recovery', tenant };
    case 'alert:group:meta':
      return { kind: 'group-meta', tenant };
    case 'groups':
      return { kind: 'group-index', tenant };
    case 'nflog':
      return { kind: 'nflog', tenant };
    case 'sessions':
      return { kind: 'session-index', tenant };
    case 'session':
      return { kind: 'session', tenant };
    default:
      return { kind: rest.endsWith(':fence') ? 'lock-fence' : 'lock', tenant };
  }
}

export interface KeyStats {
  dbsize: number;
  herald: number;
  byKind: Record<string, number>;
}

export async function keyStats(c: Conn, count = 1000): Promise<KeyStats> {
  const byKind: Record<string, number> = {};
  let herald = 0;
  for (const pattern of [`${globEscape(c.prefix)}:*`, `{${globEscape(c.prefix)}}:*`]) {
    for (const k of await collect(c.redis, pattern, count)) {
      const kind = keyKind(c.prefix, k);
      if (!kind) continue;
      herald++;
      byKind[kind.kind] = (byKind[kind.kind] ?? 0) + 1;
    }
  }
  return { dbsize: await c.redis.dbsize(), herald, byKind };
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
  redisVersion: string;
  uptimeSec: number;
  connectedClients: number;
  memory: { used: number; usedHuman: string; peakHuman: string; maxmemory: number; policy: string };
  keyspace: { hits: number; misses: number; hitRate: number | null };
  opsPerSec: number;
}

export async function serverStats(c: Conn): Promise<ServerStats> {
  const info = parseInfo(await c.redis.info('everything'));
  const hits = Number(info.keyspace_hits ?? 0);
  const misses = Number(info.keyspace_misses ?? 0);
  return {
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

// ---------------------------------------------------------------------------------------------- groups

/** Tenants that have a group index (`<p>:<tenant>:groups`) or a session index (`…:sessions`). */
export async function tenants(c: Conn, what: 'groups' | 'sessions'): Promise<string[]> {
  const keys = await collect(c.redis, `${globEscape(c.prefix)}:*:${what}`);
  const out = new Set<string>();
  for (const k of keys) {
    const t = k.slice(c.prefix.length + 1, -(what.length + 1));
    if (t && !t.includes(':')) out.add(t);
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
export async function tenantCounts(c: Conn, tenant: string): Promise<TenantCounts> {
  const keys = new RedisKeys(c.prefix, 1);
  const ids = await c.redis.zrangebyscore(keys.tenantGroups(tenant), Date.now(), '+inf');
  const out: TenantCounts = {
    tenant,
    groups: 0,
    firingGroups: 0,
    recoveryGroups: 0,
    firingAlerts: 0,
    resolvedAlerts: 0,
  };
  if (ids.length === 0) return out;
  const p = c.redis.pipeline();
  for (const id of ids) {
    p.exists(keys.groupMeta(tenant, id));
    p.hlen(keys.groupFiring(tenant, id));
    p.hlen(keys.groupRecovery(tenant, id));
  }
  const res = (await p.exec()) ?? [];
  for (let i = 0; i < ids.length; i++) {
    const [[e1, meta], [e2, f], [e3, r]] = res.slice(i * 3, i * 3 + 3);
    if (e1 || e2 || e3) throw e1 ?? e2 ?? e3;
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
  const store = new RedisGroupStore(c.redis, new RedisKeys(c.prefix, 1), { retention: 0 });
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
  const store = new RedisGroupStore(c.redis, new RedisKeys(c.prefix, 1), { retention: 0 });
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
  const keys = new RedisKeys(c.prefix, 1);
  const out: SessionRow[] = [];
  for (const tenant of tenantList) {
    const members = await c.redis.zrange(keys.tenantSessions(tenant), '0', '-1');
    if (members.length === 0) continue;
    const p = c.redis.pipeline();
    for (const m of members) {
      const key = keys.session(tenant, m.slice(m.indexOf(':') + 1));
      p.hgetall(key);
      p.pttl(key);
    }
    const res = (await p.exec()) ?? [];
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
  const pattern = `${globEscape(c.prefix)}:${tenant ? globEscape(tenant) : '*'}:lock:*`;
  const keys = (await collect(c.redis, pattern)).filter((k) => !k.endsWith(':fence'));
  if (keys.length === 0) return [];
  const p = c.redis.pipeline();
  for (const k of keys) {
    p.type(k);
    p.get(k);
    p.pttl(k);
  }
  const res = (await p.exec()) ?? [];
  const out: LockRow[] = [];
  keys.forEach((key, i) => {
    const [[, type], [, owner], [, ttl]] = res.slice(i * 3, i * 3 + 3); // GET on a non-string errs
    if (type !== 'string' || typeof owner !== 'string') return; // gone meanwhile, or not a lock
    const mm = /^([^:]+):lock:(.+?):\{(.*)\}$/.exec(key.slice(c.prefix.length + 1));
    out.push({
      key,
      tenant: mm?.[1] ?? '?',
      kind: mm?.[2] ?? '?',
      id: mm?.[3] ?? '?',
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

/** BullMQ's job counts read straight from its keys (`{<p>}:delivery:wait|active|…`). */
export async function queueCounts(c: Conn, queueName = 'delivery'): Promise<QueueCounts> {
  const b = `{${c.prefix}}:${queueName}`;
  const p = c.redis.pipeline();
  p.llen(`${b}:wait`);
  p.llen(`${b}:paused`);
  p.zcard(`${b}:prioritized`);
  p.llen(`${b}:active`);
  p.zcard(`${b}:delayed`);
  p.zcard(`${b}:failed`);
  p.zcard(`${b}:completed`);
  const res = (await p.exec()) ?? [];
  const n = res.map(([err, v]) => (err ? 0 : Number(v))); // WRONGTYPE etc.: count as empty
  return { waiting: n[0] + n[1] + n[2], active: n[3], delayed: n[4], dead: n[5], completed: n[6] };
}

// ----------------------------------------------------------------------------------------------- clear

/** Keys matching a glob (sorted, deduplicated). */
export function matchingKeys(c: Conn, pattern: string, count: number): Promise<string[]> {
  return collect(c.redis, pattern, count);
}

/** SCAN + UNLINK page by page; returns how many keys were removed. */
export async function unlinkMatching(c: Conn, pattern: string, count: number): Promise<number> {
  let removed = 0;
  for await (const page of scanKeys(c.redis, pattern, count)) {
    removed += await c.redis.unlink(...page);
  }
  return removed;
}

export interface DeadLetterRow {
  id: string;
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
 * Dead letters (BullMQ's failed set, newest first) read without a BullMQ Queue, which would write its
 * `meta` key: listing stays read-only. Job hash fields as BullMQ stores them (`data`, `atm` = attempts
 * made, `failedReason`, `finishedOn`).
 */
export async function deadLetters(c: Conn, limit: number, queueName = 'delivery'): Promise<DeadLetterRow[]> {
  const b = `{${c.prefix}}:${queueName}`;
  const ids = await c.redis.zrevrange(`${b}:failed`, 0, limit - 1);
  if (ids.length === 0) return [];
  const p = c.redis.pipeline();
  for (const id of ids)
    p.hmget(`${b}:${id}`, 'data', 'atm', 'attemptsMade', 'failedReason', 'finishedOn', 'processedOn');
  const res = (await p.exec()) ?? [];
  const out: DeadLetterRow[] = [];
  ids.forEach((id, i) => {
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
  return out;
}
