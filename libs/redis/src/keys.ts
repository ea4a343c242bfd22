import type { GroupState } from '@herald/domain';

/**
 * Every Redis key Herald uses is built here (one place to review for Cluster safety).
 * Layout: `<prefix>:<tenant>:…:{<groupId>}` — the hash tag is the group, not the tenant, so a group's
 * keys share a slot while groups spread over a cluster. See README "Redis key schema".
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    readonly dueBuckets: number,
  ) {}

  groupFiring(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:firing:{${groupId}}`;
  }

  groupRecovery(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:recovery:{${groupId}}`;
  }

  groupMeta(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:alert:group:meta:{${groupId}}`;
  }

  /** Sorted set of a tenant's group ids scored by the time their keys expire. */
  tenantGroups(tenant: string): string {
    return `${this.prefix}:${tenant}:groups`;
  }

  /**
   * A tenant's usage under its limits (hash: `n` → alerts held, `<groupId>` → alerts of that group),
   * kept by the group scripts for tenants with `max_alerts`/`max_groups`. Spans slots with the index,
   * like it; a future Cluster would tag it with the tenant.
   */
  tenantUsage(tenant: string): string {
    return `${this.prefix}:${tenant}:usage`;
  }

  /** A tenant's ingest token bucket (hash: `t` tokens, `at` ms), shared by every node. */
  tenantIngestBucket(tenant: string): string {
    return `${this.prefix}:${tenant}:ingest-bucket`;
  }

  /** The due index is sharded into buckets so a cluster spreads it; a group always lands in the same one. */
  dueBucketOf(groupId: string): number {
    return parseInt(groupId.slice(-4), 16) % this.dueBuckets;
  }

  dueBucket(bucket: number): string {
    return `${this.prefix}:due:{b${bucket}}`;
  }

  dueMember(tenant: string, groupId: string, state: GroupState): string {
    return `${tenant}:${groupId}:${state === 'firing' ? 'f' : 'r'}`;
  }

  /**
   * Leases of claimed due entries of a bucket (zset member -> lease expiry ms); same `{b<n>}` tag as
   * the bucket so claim-due.lua stays single-slot.
   */
  dueLease(bucket: number): string {
    return `${this.prefix}:due:lease:{b${bucket}}`;
  }

  /** Who holds each lease of a bucket and the entry's due time (hash member -> `<dueAt>|<owner>`). */
  dueClaims(bucket: number): string {
    return `${this.prefix}:due:claim:{b${bucket}}`;
  }

  /**
   * Notification-log entry of a group half for one receiver (hash: seq, ts, firing, resolved). The
   * receiver name comes after the `{groupId}` tag: whatever it contains cannot move the key's slot.
   */
  nflog(tenant: string, groupId: string, state: GroupState, receiver: string): string {
    return `${this.prefix}:${tenant}:nflog:{${groupId}}:${state === 'firing' ? 'f' : 'r'}:${receiver}`;
  }

  /** Highest fencing token (group lock) that wrote a log entry of the group. */
  nflogFence(tenant: string, groupId: string): string {
    return `${this.prefix}:${tenant}:nflog:{${groupId}}:fence`;
  }

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

  /**
   * Failed-login counter shared by every node. Not under a tenant: an IP is limited across tenants, and
   * a user counter is keyed by a hash of (tenant, username) so a login for an unknown tenant cannot
   * create keys under an attacker-chosen tenant name.
   */
  loginAttempts(kind: 'ip' | 'user', id: string): string {
    return `${this.prefix}:login:${kind}:{${id}}`;
  }

  parseDueMember(member: string): { tenant: string; groupId: string; state: GroupState } | null {
    const m = /^(.+):([0-9a-f]{16}):([fr])$/.exec(member);
    if (!m) return null;
    return { tenant: m[1], groupId: m[2], state: m[3] === 'f' ? 'firing' : 'recovery' };
  }
}
