import { randomBytes } from 'node:crypto';
import type { Clock } from '@herald/domain';
import { sha256Hex } from './secret-hash';
import type { SessionRecord, SessionStore } from './session.store';
import type { TenantContext } from './tenant-context';

/** Session lifetimes (ms). */
export interface SessionTimeouts {
  /** Sliding expiry: a session unused this long ends. */
  idleMs: number;
  /** Absolute maximum lifetime, however active the session is. */
  maxLifetimeMs: number;
}

/** Defaults: 30 minutes idle, 12 hours at most (a working day, then log in again). */
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleMs: 30 * 60_000,
  maxLifetimeMs: 12 * 3_600_000,
};

/** What the API shows of a session: never the token nor its hash. */
export interface SessionView {
  id: string;
  username: string;
  role: 'admin' | 'viewer';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  ip: string;
  userAgent: string;
}

/** Tenant ids as validated by the config; the token's tenant part must be one. */
const TOKEN = /^([a-z0-9][a-z0-9_-]{0,62})\.([A-Za-z0-9_-]{43})$/;

/**
 * Creates, authenticates, renews and revokes sessions (the seed's SessionManager, made tenant-safe).
 * A token is `<tenant>.<32 random bytes base64url>`: the tenant part only says where to look (the key is
 * sha256 of the whole token, so editing the tenant part finds nothing); only the hash is stored.
 * The clock is injected so expiry is tested with a fake clock.
 */
export class SessionManager {
  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
    readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
  ) {}

  /** `cluster` (Redis: any node, survives restarts) or `node` (memory mode). */
  get scope(): 'cluster' | 'node' {
    return this.store.scope;
  }

  /** Opens a session for an already authenticated user; returns the token (shown once) and the record. */
  async create(user: {
    tenant: string;
    username: string;
    role: 'admin' | 'viewer';
    ip: string;
    userAgent: string;
  }): Promise<{ token: string; session: SessionRecord }> {
    const now = this.clock.now();
    const token = `${user.tenant}.${randomBytes(32).toString('base64url')}`;
    const absoluteExpiresAt = now + this.timeouts.maxLifetimeMs;
    const session: SessionRecord = {
      id: randomBytes(16).toString('hex'),
      tenant: user.tenant,
      username: user.username,
      role: user.role,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + this.timeouts.idleMs, absoluteExpiresAt),
      absoluteExpiresAt,
      ip: user.ip.slice(0, 64),
      userAgent: user.userAgent.slice(0, 256),
    };
    await this.store.create(sha256Hex(token), session, now);
    return { token, session };
  }

  /** The live session of a token, renewed (sliding expiry); null when unknown, expired or revoked. */
  async authenticate(token: string): Promise<SessionRecord | null> {
    const m = TOKEN.exec(token);
    if (!m) return null;
    return this.store.touch(m[1], sha256Hex(token), this.clock.now(), this.timeouts.idleMs);
  }

  /** Ends the session of a token (logout); returns it, or null when it was not live. */
  async logout(token: string): Promise<SessionRecord | null> {
    const m = TOKEN.exec(token);
    if (!m) return null;
    return this.store.deleteByToken(m[1], sha256Hex(token));
  }

  /** The sessions of the caller's tenant. */
  async list(ctx: TenantContext): Promise<SessionView[]> {
    const rows = await this.store.list(ctx.tenant, this.clock.now());
    return rows.sort((a, b) => a.createdAt - b.createdAt).map(view);
  }

  /** Revokes a session of the caller's tenant by public id; false when the tenant has none with that id. */
  revoke(ctx: TenantContext, id: string): Promise<boolean> {
    return this.store.deleteById(ctx.tenant, id);
  }

  /** Active sessions of the caller's tenant, in total and per user. */
  async stats(ctx: TenantContext): Promise<{ active: number; perUser: Record<string, number> }> {
    const rows = await this.store.list(ctx.tenant, this.clock.now());
    const perUser: Record<string, number> = {};
    for (const r of rows) perUser[r.username] = (perUser[r.username] ?? 0) + 1;
    return { active: rows.length, perUser };
  }
}

/** The API view of a record. */
export function view(r: SessionRecord): SessionView {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    createdAt: iso(r.createdAt),
    lastSeenAt: iso(r.lastSeenAt),
    expiresAt: iso(r.idleExpiresAt),
    absoluteExpiresAt: iso(r.absoluteExpiresAt),
    ip: r.ip,
    userAgent: r.userAgent,
  };
}
