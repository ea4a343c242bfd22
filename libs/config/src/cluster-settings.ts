// How a node takes part in the cluster: which roles it runs (`herald.roles`) and where the group lock
// lives (`herald.locks`).
import { ConfigError } from '@herald/domain';
import { asString, at, checkKeys, idx, optList, optObject, optString, redisUrl, show } from './fields';
import { NODE_ROLES, type LocksSettings, type NodeRole, type RedisSettings } from './herald-config';

/** Fewest masters a quorum lock takes: with fewer, one lost master stops every flush. */
export const MIN_QUORUM_NODES = 3;

/**
 * `herald.roles` (a YAML list or a comma-separated string) or `HERALD_ROLES`; `path` names the one
 * read, so messages point at it. Duplicates are ignored; an unknown role or an empty list is an error.
 */
export function parseRoles(value: unknown, path: string): ReadonlySet<NodeRole> {
  if (value === undefined || value === null) return new Set(NODE_ROLES);
  const items =
    typeof value === 'string'
      ? value.split(',').filter((s) => s.trim() !== '')
      : optList(value, path).map((v, i) => asString(v, idx(path, i)));
  if (items.length === 0) {
    throw new ConfigError(path, `must name at least one role (${NODE_ROLES.join(', ')})`);
  }
  return new Set(
    items.map((item, i) => {
      const role = item.trim().toLowerCase() as NodeRole;
      if (!NODE_ROLES.includes(role)) {
        throw new ConfigError(idx(path, i), `unknown role ${show(item.trim())} (${NODE_ROLES.join(', ')})`);
      }
      return role;
    }),
  );
}

/**
 * Without Redis the groups, the due index and the delivery queue live in one process: a node there
 * that skips a role leaves its work undone (alerts never flushed, or nothing to flush), so it must run all.
 */
export function checkRolesFitRedis(roles: ReadonlySet<NodeRole>, redis: RedisSettings, path: string): void {
  if (redis.mode !== 'memory') return;
  const missing = NODE_ROLES.filter((r) => !roles.has(r));
  if (missing.length > 0) {
    throw new ConfigError(
      path,
      `without Redis (memory mode) a node must run every role; missing ${missing.join(', ')} (set herald.redis.url, sentinel or cluster, or REDIS_URL / REDIS_CLUSTER_NODES, to split roles across nodes)`,
    );
  }
}

/**
 * `herald.workers` above 1 spreads the node's `delivery` role over child processes that share its state
 * through Redis (the delivery queue, the notification log): without Redis, or without that role, there
 * is nothing a second process could take over.
 */
export function checkWorkersFit(
  workers: number,
  roles: ReadonlySet<NodeRole>,
  redis: RedisSettings,
  path: string,
): void {
  if (workers <= 1) return;
  if (redis.mode === 'memory') {
    throw new ConfigError(
      path,
      `${workers} processes need Redis (memory mode keeps the queue in one process): set herald.redis.url, sentinel or cluster, or REDIS_URL / REDIS_CLUSTER_NODES, or use 1`,
    );
  }
  if (!roles.has('delivery')) {
    throw new ConfigError(
      path,
      `${workers} processes run the node's delivery role apart from api and scheduler; this node's roles (${NODE_ROLES.filter((r) => roles.has(r)).join(', ')}) have no delivery: use 1, and more nodes to scale`,
    );
  }
}

/** Parses `herald.locks`; `redis` is the Redis mode, since a quorum lock guards a shared store. */
export function parseLocks(value: unknown, redis: RedisSettings): LocksSettings {
  const path = 'herald.locks';
  const raw = optObject(value, path);
  checkKeys(raw, ['mode', 'quorum'], path);
  const mode = optString(raw.mode, at(path, 'mode')) ?? 'redis';
  const quorumPath = at(path, 'quorum');
  if (mode === 'redis') {
    if (raw.quorum != null) throw new ConfigError(quorumPath, 'is only read with mode: quorum');
    return { mode };
  }
  if (mode !== 'quorum') {
    throw new ConfigError(at(path, 'mode'), `must be "redis" or "quorum", got ${show(mode)}`);
  }
  if (redis.mode === 'memory') {
    throw new ConfigError(
      at(path, 'mode'),
      'quorum locks need Redis (herald.redis.url, sentinel, cluster, REDIS_URL or REDIS_CLUSTER_NODES); in memory mode nothing is shared to lock',
    );
  }
  const q = optObject(raw.quorum, quorumPath);
  checkKeys(q, ['nodes'], quorumPath);
  const nodesPath = at(quorumPath, 'nodes');
  const seen = new Map<string, string>();
  const nodes = optList(q.nodes, nodesPath).map((v, i) => {
    const p = idx(nodesPath, i);
    const url = redisUrl(v, p);
    // The same master twice would count one vote twice and break the majority.
    if (seen.has(url)) throw new ConfigError(p, `same Redis master as ${seen.get(url)}`);
    seen.set(url, p);
    return url;
  });
  if (nodes.length < MIN_QUORUM_NODES) {
    throw new ConfigError(
      nodesPath,
      `needs at least ${MIN_QUORUM_NODES} independent Redis masters (redis:// URLs), got ${nodes.length}`,
    );
  }
  return { mode, quorum: { nodes } };
}
