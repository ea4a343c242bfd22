import calculateSlot from 'cluster-key-slot';
import { dueBucketOf, type GroupState, type SourceSide } from '@herald/domain';

/** The BullMQ queue Herald delivers through (its keys are `{<prefix>}:delivery:…`). */

/** See `RedisKeys.dueLeaseMarker`. */
const DUE_LEASE_MARKER = '~lease';
export const DELIVERY_QUEUE = 'delivery';

/** A group half in a due-index member or log key: `f` (firing) or `r` (recovery). */
const HALF: Record<GroupState, string> = { firing: 'f', recovery: 'r' };
const halfOf = (c: string): GroupState | null => (c === 'f' ? 'firing' : c === 'r' ? 'recovery' : null);

/** How keys are laid out: one Redis (single or Sentinel) or a Redis Cluster. */
export type KeyLayout = 'standalone' | 'cluster';

/** What a Herald key is, read from its name by `RedisKeys.parse` (heraldctl's view of the schema). */
export type ParsedKey =
  | { kind: 'group-firing' | 'group-recovery' | 'group-meta'; tenant: string; groupId: string }
  | { kind: 'group-index' | 'session-index' | 'tenant-usage' | 'ingest-bucket'; tenant: string }
  | { kind: 'nflog'; tenant: string; groupId: string; state: GroupState; receiver: string }
  | { kind: 'session'; tenant: string; tokenHash: string }
  | { kind: 'lock'; tenant: string; lockKind: string; id: string }
  | { kind: 'lock-fence'; tenant: string; lockKind: string; id: string }
  | { kind: 'silence'; tenant: string; id: string }
  | { kind: 'silence-index' | 'silence-version'; tenant: string }
  | { kind: 'history' | 'events'; tenant: string }
  | { kind: 'history-last'; tenant: string; groupId: string }
  | { kind: 'due' | 'due-lease' | 'due-claim'; bucket: number }
  | { kind: 'inhibit-sources'; tenant: string; ruleId: string; eq: string; side: SourceSide }
  | { kind: 'login-limiter' }
  | { kind: 'inhibit-backfill' }
  | { kind: 'node'; nodeId: string }
  | { kind: 'queue' }
  | { kind: 'other'; tenant?: string };

/**
 * Every Redis key Herald uses is built and read back here (one place to review for Cluster safety);
 * libraries that do not depend on this one (`@herald/locks`, `@herald/sessions`, `@herald/delivery`)
 * get their keys from their caller, built here. See README "Redis key schema".
 *
 * Two layouts, the same names otherwise:
 * - `standalone` (one master, or Sentinel): a group's keys are `<prefix>:<tenant>:…:{<groupId>}` and a
 *   tenant's indexes (groups, usage, inhibition sources) are one key each. A script may span keys.
 * - `cluster`: every script touches one slot. Groups are sharded by their due bucket: bucket `n` has a
 *   hash tag `{b<n>.<j>}` chosen so the buckets' slots are spread evenly over the 16384 (so over the
 *   masters, which own contiguous ranges), and everything an ingest or a flush script writes together
 *   — the group's halves, meta and notification log, its due bucket, and the tenant's index and usage
 *   shard of that bucket, the inhibition source lists' shard — carries that tag. An ingest request is
 *   one script call per bucket it touches; readers of a tenant's index read every shard.
 * Locks stay tagged by their own id (`{<groupId>}`): no script combines a lock with a group key.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    readonly dueBuckets: number,
    /**
     * `standalone` (single master or Sentinel) or `cluster` (Redis Cluster: every script's keys share
     * one slot, see `shardOf`).
     */
    readonly layout: KeyLayout = 'standalone',
  ) {}

  // --------------------------------------------------------------------------------------------- shards

  get clustered(): boolean {
    return this.layout === 'cluster';
  }

  /**
   * How many shards a tenant's indexes have: the due buckets on a cluster (each index shard lives in
   * its bucket's slot), one otherwise.
   */
  get shards(): number {
    return this.clustered ? this.dueBuckets : 1;
  }

  /** The index shard a group belongs to: its due bucket on a cluster, 0 otherwise. */
  shardOf(groupId: string): number {
    return this.clustered ? this.dueBucketOf(groupId) : 0;
  }

  /** The hash tag (without braces) of due bucket / shard `n`: `b<n>`, on a cluster `b<n>.<j>` (spread). */
  bucketTag(n: number): string {
    return this.clustered ? spreadTags(this.dueBuckets)[n] : `b${n}`;
  }

  /** The hash tag of a group's keys: the group id, on a cluster its bucket's tag. */
  private groupTag(groupId: string): string {
    return this.clustered ? `${this.bucketTag(this.dueBucketOf(groupId))}}:${groupId}` : `${groupId}}`;
  }

  /** `{<tag>}` suffix of a tenant index shard on a cluster; nothing standalone. */
  private shardSuffix(shard: number): string {
    return this.clustered ? `:{${this.bucketTag(shard)}}` : '';
  }

  // --------------------------------------------------------------------------------------------- groups

  groupFiring(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:firing:{${this.groupTag(groupId)}`;
  }

  groupRecovery(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:recovery:{${this.groupTag(groupId)}`;
  }

  groupMeta(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:meta:{${this.groupTag(groupId)}`;
  }

  /**
   * Sorted set of a tenant's group ids scored by the time their keys expire — on a cluster, of the
   * groups of one shard (`shardOf`); `tenantGroupShards` lists them all.
   */
  tenantGroups(tenant: string, shard = 0): string {
    return `${this.prefix}:${tenant}:groups${this.shardSuffix(shard)}`;
  }

  /** Every shard of a tenant's group index (one key standalone). */
  tenantGroupShards(tenant: string): string[] {
    return Array.from({ length: this.shards }, (_, s) => this.tenantGroups(tenant, s));
  }

  /** SCAN pattern of every tenant's group index (shards too; `tenantOfIndex` reads the tenant back). */
  tenantGroupsPattern(): string {
    return `${globEscape(this.prefix)}:*:groups${this.clustered ? ':{*}' : ''}`;
  }

  /**
   * A tenant's usage under its limits (hash: `n` → alerts held, `<groupId>` → alerts of that group),
   * kept by the group scripts for tenants with `max_alerts`/`max_groups`; on a cluster one per shard
   * (the store adds the other shards' counts to each script's check).
   */
  tenantUsage(tenant: string, shard = 0): string {
    return `${this.prefix}:${tenant}:usage${this.shardSuffix(shard)}`;
  }

  /** A tenant's ingest token bucket (hash: `t` tokens, `at` ms), shared by every node. */
  tenantIngestBucket(tenant: string): string {
    return `${this.prefix}:${tenant}:ingest-bucket`;
  }

  // ----------------------------------------------------------------------------------------- inhibition

  /**
   * Firing source alerts of one inhibition rule with one tuple of `equal` values, one side (`s`: source
   * only, `b`: both sides): sorted set fingerprint → endsAt. Written by upsert-groups-n.lua with the
   * alerts, read by the inhibit stage. On a cluster one per shard: a source alert is listed in the shard
   * of the group it was written with, and a lookup reads every shard.
   */
  inhibitSources(tenant: string, ruleId: string, eq: string, side: SourceSide, shard = 0): string {
    return `${this.prefix}:${tenant}:inhibit:${ruleId}:${eq}:${side}${this.shardSuffix(shard)}`;
  }

  /**
   * Marks the inhibition index as backfilled for one set of rules (`done`), or claimed by the node doing
   * it (`<nodeId>`, short TTL): one node per rule set walks the stored alerts after a config change.
   */
  inhibitBackfill(rulesetId: string): string {
    return `${this.prefix}:inhibit-backfill:{${rulesetId}}`;
  }

  // ------------------------------------------------------------------------------------------- silences

  /*
   * A tenant's silences (`RedisSilenceStore`): `<prefix>:<tenant>:silences:{<tenant>}:…` —
   *   `…:s:<id>`   string `<updatedAt>|<silence JSON>`, PEXPIREAT at `endsAt + retention`;
   *   `…:index`    zset id → that same end of retention, pruned (ZREMRANGEBYSCORE) by every read and write;
   *   `…:version`  counter bumped by every write (the per-node caches compare it).
   * Unlike groups, the hash tag is the tenant: a write checks the limit over the whole set and a snapshot
   * reads it at one version, so every key of one tenant must share a slot (one script, Cluster-safe).
   * Everything up to the closing brace is the same for one tenant's keys, so they share the tag whatever
   * the tenant or silence id contains.
   */

  /** One silence (string `<updatedAt>|<JSON>`, expiring at the end of its retention). */
  silence(tenant: string, id: string): string {
    return `${this.silenceKeyPrefix(tenant)}${id}`;
  }

  /** What `silence(tenant, id)` starts with: the scripts append the ids they read from the index. */
  silenceKeyPrefix(tenant: string): string {
    return `${this.silencesBase(tenant)}:s:`;
  }

  /** Sorted set of the tenant's silence ids scored by their end of retention (epoch ms). */
  silenceIndex(tenant: string): string {
    return `${this.silencesBase(tenant)}:index`;
  }

  /** The tenant's silence version counter (absent: no silence written, or all past retention). */
  silenceVersion(tenant: string): string {
    return `${this.silencesBase(tenant)}:version`;
  }

  private silencesBase(tenant: string): string {
    return `${this.prefix}:${tenant}:silences:{${tenant}}`;
  }

  // ------------------------------------------------------------------------------------------ due index

  /** The due index is sharded into buckets so a cluster spreads it; a group always lands in the same one. */
  dueBucketOf(groupId: string): number {
    return dueBucketOf(groupId, this.dueBuckets);
  }

  dueBucket(bucket: number): string {
    return `${this.prefix}:due:{${this.bucketTag(bucket)}}`;
  }

  /**
   * A member of a due bucket (and of its lease and claim keys): `<tenant>:<groupId>:<f|r>`, the group id
   * being 16 hex digits. The scripts receive members from here and never build one themselves.
   */
  dueMember(tenant: string, groupId: string, state: GroupState): string {
    return `${tenant}:${groupId}:${HALF[state]}`;
  }

  /**
   * What delete-group-6.lua and remove-alerts-6.lua touch: the tenant's group index, the group's halves
   * and meta, its due bucket and the tenant's usage (KEYS; the index and usage shard of the group's
   * bucket on a cluster, so one slot), and the group's two due members (ARGV).
   */
  groupScriptKeys(tenant: string, groupId: string): { keys: string[]; dueMembers: [string, string] } {
    const shard = this.shardOf(groupId);
    return {
      keys: [
        this.tenantGroups(tenant, shard),
        this.groupFiring(tenant, groupId),
        this.groupRecovery(tenant, groupId),
        this.groupMeta(tenant, groupId),
        this.dueBucket(this.dueBucketOf(groupId)),
        this.tenantUsage(tenant, shard),
      ],
      dueMembers: [this.dueMember(tenant, groupId, 'firing'), this.dueMember(tenant, groupId, 'recovery')],
    };
  }

  /**
   * The member of a due bucket that holds the bucket's earliest lease expiry (the lease marker, kept by
   * claim-due-3.lua and complete-claim-3.lua): never a group half (no group id in it), never claimed.
   */
  get dueLeaseMarker(): string {
    return DUE_LEASE_MARKER;
  }

  /** Reads a `dueMember` back; null for a member Herald did not write (the lease marker included). */
  parseDueMember(member: string): { tenant: string; groupId: string; state: GroupState } | null {
    const m = /^(.+):([0-9a-f]{16}):([fr])$/.exec(member);
    if (!m) return null;
    return { tenant: m[1], groupId: m[2], state: halfOf(m[3])! };
  }

  /**
   * Leases of claimed due entries of a bucket (zset member -> lease expiry ms); same `{b<n>}` tag as
   * the bucket so claim-due-3.lua stays single-slot.
   */
  dueLease(bucket: number): string {
    return `${this.prefix}:due:lease:{${this.bucketTag(bucket)}}`;
  }

  /** Who holds each lease of a bucket and the entry's due time (hash member -> `<dueAt>|<owner>`). */
  dueClaims(bucket: number): string {
    return `${this.prefix}:due:claim:{${this.bucketTag(bucket)}}`;
  }

  // ------------------------------------------------------------------------------------ notification log

  /**
   * Notification-log entry of a group half for one receiver (hash: seq, ts, firing, resolved, fseq,
   * pseq, fence — the highest fencing token that wrote it). The receiver name comes after the
   * `{groupId}` tag: whatever it contains cannot move the key's slot.
   */
  nflog(tenant: string, groupId: string, state: GroupState, receiver: string): string {
    return `${this.prefix}:${tenant}:nflog:{${this.groupTag(groupId)}:${HALF[state]}:${receiver}`;
  }

  // ------------------------------------------------------------------------------------------------ locks

  /** Lock on one aggregation group: taken around a flush. Same `{groupId}` tag as the group's keys. */
  groupLock(tenant: string, groupId: string): string {
    return this.lock(tenant, 'group', groupId);
  }

  /** Lock on one alert (by fingerprint). */
  alertLock(tenant: string, fingerprint: string): string {
    return this.lock(tenant, 'alert', fingerprint);
  }

  /** Lock for a singleton task (e.g. a periodic cleanup that one node at a time should run). */
  taskLock(tenant: string, name: string): string {
    return this.lock(tenant, 'task', name);
  }

  /**
   * The fencing counter of a lock. A suffix after the tag keeps the lock's hash tag, so acquire (which
   * touches both keys in one script) stays single-slot on Cluster.
   */
  lockFence(lockKey: string): string {
    return `${lockKey}:fence`;
  }

  /** SCAN pattern of the locks (and their fencing counters) of one tenant or all. */
  lockPattern(tenant?: string): string {
    return `${globEscape(this.prefix)}:${tenant ? globEscape(tenant) : '*'}:lock:*`;
  }

  private lock(tenant: string, kind: string, id: string): string {
    checkLockPart('prefix', this.prefix);
    checkLockPart('tenant', tenant);
    checkLockPart(kind, id);
    return `${this.prefix}:${tenant}:lock:${kind}:{${id}}`;
  }

  // -------------------------------------------------------------------------- history and live events

  /**
   * The tenant's notification history (stream, capped with `MAXLEN ~`). Tagged by the tenant, like
   * silences: every command on it is single-key, and `historyLast` shares its slot so the two writes of
   * one attempt are one pipeline to one master.
   */
  history(tenant: string): string {
    return `${this.prefix}:${tenant}:history:{${tenant}}`;
  }

  /** The newest history entry of one group (string, JSON; expires), for `GET /api/v1/groups/:id`. */
  historyLast(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:history:{${tenant}}:last:${groupId}`;
  }

  /**
   * The tenant's live-event stream (capped with `MAXLEN ~`). Every tenant's stream carries one tag, so a
   * node reads all of them with one `XREAD BLOCK` (a multi-key command: one slot on a Cluster).
   */
  events(tenant: string): string {
    return `${this.prefix}:${tenant}:events:{${this.prefix}.events}`;
  }

  // --------------------------------------------------------------------------------------------- nodes

  /** A node's heartbeat (string: JSON address and version), for `/api/v2/status` peers. */
  nodeHeartbeat(nodeId: string): string {
    return `${this.prefix}:node:{${nodeId}}`;
  }

  /** SCAN pattern of every node's heartbeat. */
  nodeHeartbeatPattern(): string {
    return `${globEscape(this.prefix)}:node:{*}`;
  }

  // ------------------------------------------------------------------------------------------ sessions

  /**
   * A session, keyed by the SHA-256 of its token (hex) so a dump of Redis yields no usable token; the
   * hash is the tag, so sessions spread over a cluster.
   */
  session(tenant: string, tokenHash: string): string {
    return `${this.prefix}:${tenant}:session:{${tokenHash}}`;
  }

  /** Sorted set of a tenant's sessions (`<id>:<tokenHash>` -> absolute expiry ms), for listing and revoking. */
  tenantSessions(tenant: string): string {
    return `${this.prefix}:${tenant}:sessions`;
  }

  /** SCAN pattern of every tenant's session index. */
  tenantSessionsPattern(): string {
    return `${globEscape(this.prefix)}:*:sessions`;
  }

  /** Reads a `tenantSessions` member back: the session id and the token hash its record is keyed by. */
  parseSessionMember(member: string): { id: string; tokenHash: string } | null {
    const i = member.indexOf(':');
    return i > 0 ? { id: member.slice(0, i), tokenHash: member.slice(i + 1) } : null;
  }

  /** A `tenantSessions` member. */
  sessionMember(id: string, tokenHash: string): string {
    return `${id}:${tokenHash}`;
  }

  /**
   * Failed-login counter shared by every node. Not under a tenant: an IP is limited across tenants, and
   * a user counter is keyed by a hash of (tenant, username) so a login for an unknown tenant cannot
   * create keys under an attacker-chosen tenant name.
   */
  loginAttempts(kind: 'ip' | 'user', id: string): string {
    return `${this.prefix}:login:${kind}:{${id}}`;
  }

  // ------------------------------------------------------------------------------------------- delivery

  /*
   * Delivery is sharded over `herald.delivery.shards` BullMQ queues (`ShardedDeliveryQueue` of
   * `@herald/delivery`), each under its own hash tag so a cluster spreads them over its masters:
   *   1 shard:  `{<prefix>}:delivery:…` (the one queue of every version before sharding);
   *   N > 1:    shard i of N under `{<prefix>.d<i>.<j>}:delivery:…`, `j` the smallest whose slot lies in
   *             the i-th of N equal ranges of the slot space (as `spreadTags`), so N shards sit on N
   *             different masters of an N-master cluster (masters own contiguous, equal ranges).
   * A shard's prefix depends on N; `deliveryShards()` records every N used, so workers drain the
   * queues of an earlier N after a change. The rate-limit buckets stay under `{<prefix>}` whatever N
   * is: one bucket per receiver, shared by every shard. A dead-letter index is per tenant and shard,
   * under its shard's tag (its jobs' slot).
   */

  /**
   * BullMQ's key prefix of the one-shard layout (and of the rate-limit buckets and the shard record):
   * `{<prefix>}`, every queue key `{<prefix>}:<queue>:…` (one hash tag: Cluster-safe).
   */
  bullPrefix(): string {
    return `{${this.prefix}}`;
  }

  /** BullMQ's key prefix of delivery shard `shard` of `shards` (`bullPrefix()` when `shards` is 1). */
  deliveryShardPrefix(shard: number, shards: number): string {
    if (!Number.isInteger(shards) || shards < 1 || !Number.isInteger(shard) || shard < 0 || shard >= shards) {
      throw new Error(`invalid delivery shard ${shard} of ${shards}`);
    }
    return shards === 1 ? this.bullPrefix() : `{${deliveryShardTags(this.prefix, shards)[shard]}}`;
  }

  /**
   * The shard record (set of every `herald.delivery.shards` a node enqueued with): workers and
   * listings cover the shards of each, so a changed count strands no job.
   */
  deliveryShards(queue = DELIVERY_QUEUE): string {
    return this.deliveryQueueKey('shards', queue);
  }

  /** The delivery queue's BullMQ name with its prefix (`{<prefix>}:delivery`), as shown to operators. */
  deliveryQueue(queue = DELIVERY_QUEUE, bullPrefix = this.bullPrefix()): string {
    return `${bullPrefix}:${queue}`;
  }

  /** A key of the delivery queue (BullMQ's own, e.g. `wait`, `failed`, or a job id) — of one shard's prefix. */
  deliveryQueueKey(suffix: string, queue = DELIVERY_QUEUE, bullPrefix = this.bullPrefix()): string {
    return `${this.deliveryQueue(queue, bullPrefix)}:${suffix}`;
  }

  /**
   * Prefix of the send-rate token buckets (`RedisRateLimiter` of `@herald/delivery` appends `:<bucket>`):
   * under `{<prefix>}` for every shard, so a receiver's bucket is one key shared by all of them.
   */
  rateLimitPrefix(queue = DELIVERY_QUEUE): string {
    return this.deliveryQueueKey('rate', queue);
  }

  /** A receiver's send-rate token bucket (hash `t`, `at`), shared by every node's workers and every shard. */
  rateLimit(tenant: string, receiver: string, queue = DELIVERY_QUEUE): string {
    return `${this.rateLimitPrefix(queue)}:${tenant}|${receiver}`;
  }

  /**
   * A tenant's dead-letter index (zset job id → failed at) in one shard, under that shard's BullMQ
   * prefix (same hash tag as its jobs).
   */
  deadLetterIndex(tenant: string, queue = DELIVERY_QUEUE, bullPrefix = this.bullPrefix()): string {
    return this.deliveryQueueKey(`dead:${tenant}`, queue, bullPrefix);
  }

  // --------------------------------------------------------------------------------------- reading back

  /** SCAN patterns covering every Herald key (the plain prefix, BullMQ's tagged one, the delivery shards'). */
  patterns(): string[] {
    return [
      `${globEscape(this.prefix)}:*`,
      `${globEscape(this.bullPrefix())}:*`,
      `{${globEscape(this.prefix)}.d*}:*`,
    ];
  }

  /** The tenant of a `tenantGroups` or `tenantSessions` key; null for any other key. */
  tenantOfIndex(key: string, index: 'groups' | 'sessions'): string | null {
    const p = this.parse(key);
    const kind = index === 'groups' ? 'group-index' : 'session-index';
    return p?.kind === kind ? p.tenant : null;
  }

  /** What a key is, from its name; null when it is not under this prefix. */
  parse(key: string): ParsedKey | null {
    if (key.startsWith(`${this.bullPrefix()}:`)) return { kind: 'queue' };
    if (key.startsWith(`{${this.prefix}.d`) && /^\.d\d+\.\d+\}:/.test(key.slice(this.prefix.length + 1))) {
      return { kind: 'queue' };
    }
    if (!key.startsWith(`${this.prefix}:`)) return null;
    const rest = key.slice(this.prefix.length + 1);
    let m = /^due:(?:(lease|claim):)?\{b(\d+)(?:\.\d+)?\}$/.exec(rest);
    if (m) return { kind: m[1] ? (`due-${m[1]}` as 'due-lease' | 'due-claim') : 'due', bucket: Number(m[2]) };
    if (rest.startsWith('due:')) return { kind: 'other' };
    if (rest.startsWith('login:')) return { kind: 'login-limiter' };
    if (rest.startsWith('inhibit-backfill:')) return { kind: 'inhibit-backfill' };
    if ((m = /^node:\{(.+)\}$/.exec(rest))) return { kind: 'node', nodeId: m[1] };
    const i = rest.indexOf(':');
    if (i <= 0) return { kind: 'other' };
    const tenant = rest.slice(0, i);
    const tail = rest.slice(i + 1);
    // A cluster's group keys read `…:{<bucket tag>}:<groupId>`, a standalone one's `…:{<groupId>}`.
    if ((m = /^alert:group:(firing|recovery|meta):\{([^}]+)\}(?::([0-9a-f]{16}))?$/.exec(tail))) {
      const kind = `group-${m[1]}` as 'group-firing' | 'group-recovery' | 'group-meta';
      return { kind, tenant, groupId: m[3] ?? m[2] };
    }
    if ((m = /^inhibit:([0-9a-f]{16}):([0-9a-f]{16}|-):([sb])(?::\{b[0-9.]+\})?$/.exec(tail))) {
      return { kind: 'inhibit-sources', tenant, ruleId: m[1], eq: m[2], side: m[3] as SourceSide };
    }
    if ((m = /^(groups|usage)(?::\{b[0-9.]+\})?$/.exec(tail))) {
      return { kind: m[1] === 'groups' ? 'group-index' : 'tenant-usage', tenant };
    }
    if (tail === 'sessions') return { kind: 'session-index', tenant };
    if (tail === 'ingest-bucket') return { kind: 'ingest-bucket', tenant };
    if ((m = /^nflog:\{([^}]+)\}:(?:([0-9a-f]{16}):)?([fr]):(.*)$/.exec(tail))) {
      return { kind: 'nflog', tenant, groupId: m[2] ?? m[1], state: halfOf(m[3])!, receiver: m[4] };
    }
    if ((m = /^session:\{([^}]+)\}$/.exec(tail))) return { kind: 'session', tenant, tokenHash: m[1] };
    if (tail.startsWith(`silences:{${tenant}}:`)) {
      const part = tail.slice(`silences:{${tenant}}:`.length);
      if (part === 'index') return { kind: 'silence-index', tenant };
      if (part === 'version') return { kind: 'silence-version', tenant };
      if (part.startsWith('s:') && part.length > 2) return { kind: 'silence', tenant, id: part.slice(2) };
    }
    if (tail === `history:{${tenant}}`) return { kind: 'history', tenant };
    if ((m = /^history:\{[^}]*\}:last:([0-9a-f]{16})$/.exec(tail)))
      return { kind: 'history-last', tenant, groupId: m[1] };
    if (tail === `events:{${this.prefix}.events}`) return { kind: 'events', tenant };
    if ((m = /^lock:([^{}]+):\{([^{}]+)\}(:fence)?$/.exec(tail))) {
      return { kind: m[3] ? 'lock-fence' : 'lock', tenant, lockKind: m[1], id: m[2] };
    }
    return { kind: 'other', tenant };
  }
}

/** Redis Cluster's slot count. */
export const CLUSTER_SLOTS = 16384;

const spreadCache = new Map<number, string[]>();

/**
 * The hash tags of `buckets` due buckets on a cluster: tag `n` is `b<n>.<j>` with the smallest `j` whose
 * slot falls in the n-th of `buckets` equal ranges of the slot space. Masters own contiguous slot
 * ranges (as `redis-cli --cluster create` and reshards leave them), so the buckets — and the groups in
 * them — spread evenly over the masters instead of wherever 16 or 48 random slots happen to fall. The
 * same on every node (a pure function of the count).
 */
export function spreadTags(buckets: number): string[] {
  let tags = spreadCache.get(buckets);
  if (!tags) {
    tags = [];
    for (let n = 0; n < buckets; n++) {
      const lo = Math.floor((n * CLUSTER_SLOTS) / buckets);
      const hi = Math.floor(((n + 1) * CLUSTER_SLOTS) / buckets);
      for (let j = 0; ; j++) {
        const slot = calculateSlot(`b${n}.${j}`);
        if (slot >= lo && slot < hi) {
          tags.push(`b${n}.${j}`);
          break;
        }
      }
    }
    spreadCache.set(buckets, tags);
  }
  return tags;
}

const deliveryTagCache = new Map<string, string[]>();

/**
 * The hash tags of `shards` delivery shards (more than one) under `prefix`: tag `i` is
 * `<prefix>.d<i>.<j>` with the smallest `j` whose slot falls in the i-th of `shards` equal ranges of
 * the slot space — as `spreadTags`, so the shards spread evenly over the masters.
 */
export function deliveryShardTags(prefix: string, shards: number): string[] {
  const cacheKey = `${shards}|${prefix}`;
  let tags = deliveryTagCache.get(cacheKey);
  if (!tags) {
    tags = [];
    for (let i = 0; i < shards; i++) {
      const lo = Math.floor((i * CLUSTER_SLOTS) / shards);
      const hi = Math.floor(((i + 1) * CLUSTER_SLOTS) / shards);
      for (let j = 0; ; j++) {
        const slot = calculateSlot(`${prefix}.d${i}.${j}`);
        if (slot >= lo && slot < hi) {
          tags.push(`${prefix}.d${i}.${j}`);
          break;
        }
      }
    }
    deliveryTagCache.set(cacheKey, tags);
  }
  return tags;
}

/** Escapes Redis glob specials so a prefix or tenant is matched literally by SCAN MATCH. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function checkLockPart(name: string, value: string): void {
  // A brace here would move the hash tag; an empty part would merge key spaces.
  if (!value || /[{}]/.test(value)) throw new Error(`invalid lock key ${name}: ${JSON.stringify(value)}`);
}
