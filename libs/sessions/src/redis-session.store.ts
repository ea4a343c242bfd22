import type { Cluster, Redis } from 'ioredis';
import type { ScriptCommand } from '@herald/lua';
import { sessionScript } from './session-scripts';
import type { SessionRecord, SessionStore } from './session.store';

/** A standalone/Sentinel client or a Redis Cluster one (the commands used here work on both). */
type RedisClient = Redis | Cluster;

/**
 * The session keys, built by the caller (`RedisKeys` of `@herald/redis` fits): this library does not
 * depend on the one that owns the key schema.
 */
export interface SessionKeys {
  session(tenant: string, tokenHash: string): string;
  tenantSessions(tenant: string): string;
  sessionMember(id: string, tokenHash: string): string;
  parseSessionMember(member: string): { id: string; tokenHash: string } | null;
}

/**
 * Sessions in Redis, shared by every node: `<prefix>:<tenant>:session:{sha256(token)}` (hash, TTL =
 * the sliding expiry) plus the tenant's index zset. There is no node-local cache, so a revoke or
 * logout is effective on every node at the next request.
 */
export class RedisSessionStore implements SessionStore {
  readonly scope = 'cluster' as const;
  private readonly touchCmd: ScriptCommand<string[] | null>;
  private readonly indexAddCmd: ScriptCommand;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: SessionKeys,
  ) {
    this.touchCmd = sessionScript(redis, 'session-touch-1');
    this.indexAddCmd = sessionScript(redis, 'session-index-add-1');
  }

  async create(tokenHash: string, rec: SessionRecord, now: number): Promise<void> {
    const key = this.keys.session(rec.tenant, tokenHash);
    const ttl = Math.max(1, rec.idleExpiresAt - now);
    await this.redis.multi().hset(key, toHash(rec)).pexpire(key, ttl).exec().then(check);
    await this.indexAddCmd(
      [this.keys.tenantSessions(rec.tenant)],
      [
        now,
        this.keys.sessionMember(rec.id, tokenHash),
        rec.absoluteExpiresAt,
        Math.max(1, rec.absoluteExpiresAt - now),
      ],
    );
  }

  async touch(tenant: string, tokenHash: string, now: number, idleMs: number): Promise<SessionRecord | null> {
    const flat = await this.touchCmd([this.keys.session(tenant, tokenHash)], [now, idleMs]);
    if (!flat) return null;
    const rec = fromHash(flat);
    // A record under another tenant's key cannot be produced by this store; refuse it anyway.
    return rec && rec.tenant === tenant ? rec : null;
  }

  async deleteByToken(tenant: string, tokenHash: string): Promise<SessionRecord | null> {
    const key = this.keys.session(tenant, tokenHash);
    const flat = await this.redis.hgetall(key);
    const rec = fromRecord(flat);
    await this.redis.del(key);
    if (rec)
      await this.redis.zrem(this.keys.tenantSessions(tenant), this.keys.sessionMember(rec.id, tokenHash));
    return rec;
  }

  async deleteById(tenant: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f]{32}$/.test(id)) return false;
    const index = this.keys.tenantSessions(tenant);
    const members = await this.redis.zrange(index, '0', '-1');
    const member = members.find((m) => this.keys.parseSessionMember(m)?.id === id);
    const parsed = member ? this.keys.parseSessionMember(member) : null;
    if (!member || !parsed) return false;
    const removed = await this.redis.del(this.keys.session(tenant, parsed.tokenHash));
    await this.redis.zrem(index, member);
    return removed === 1;
  }

  async list(tenant: string, now: number): Promise<SessionRecord[]> {
    const members = await this.redis.zrangebyscore(this.keys.tenantSessions(tenant), String(now), '+inf');
    if (members.length === 0) return [];
    // One HGETALL per session, all sent at once: each session key has its own slot (the token hash is
    // its hash tag), so on a Cluster they cannot share one pipeline; on one Redis they still go out
    // back to back without waiting for each reply.
    const records = await Promise.all(
      members.map((m) =>
        this.redis.hgetall(this.keys.session(tenant, this.keys.parseSessionMember(m)?.tokenHash ?? '')),
      ),
    );
    const out: SessionRecord[] = [];
    for (const h of records) {
      const rec = fromRecord(h);
      // Expired by idle time on the caller's clock, even if Redis has not dropped the key yet.
      if (rec && rec.tenant === tenant && now < rec.idleExpiresAt && now < rec.absoluteExpiresAt)
        out.push(rec);
    }
    return out;
  }
}

function check(res: [Error | null, unknown][] | null): void {
  for (const [err] of res ?? []) if (err) throw err;
}

function toHash(r: SessionRecord): Record<string, string> {
  return {
    id: r.id,
    tenant: r.tenant,
    user: r.username,
    role: r.role,
    created: String(r.createdAt),
    seen: String(r.lastSeenAt),
    idle: String(r.idleExpiresAt),
    abs: String(r.absoluteExpiresAt),
    ip: r.ip,
    ua: r.userAgent,
  };
}

function fromHash(flat: string[]): SessionRecord | null {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return fromRecord(h);
}

function fromRecord(h: Record<string, string>): SessionRecord | null {
  if (!h.id || !h.tenant || (h.role !== 'admin' && h.role !== 'viewer')) return null;
  return {
    id: h.id,
    tenant: h.tenant,
    username: h.user,
    role: h.role,
    createdAt: Number(h.created),
    lastSeenAt: Number(h.seen),
    idleExpiresAt: Number(h.idle),
    absoluteExpiresAt: Number(h.abs),
    ip: h.ip ?? '',
    userAgent: h.ua ?? '',
  };
}
