import { Inject, Injectable, Logger } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig, type TenantUser } from '@herald/config';
import { isUnavailableError } from '@herald/redis';
import {
  DECOY_HASH,
  LoginLimiter,
  SessionManager,
  verifySecret,
  type SessionRecord,
  type TenantContext,
} from '@herald/sessions';
import { HeraldHttpError } from '../http/http-error';

/** Where a login comes from (audit and limits). */
export interface LoginOrigin {
  ip: string;
  userAgent: string;
}

/**
 * The login use case and the audit trail. Failures are generic (`invalid credentials`) whether the
 * tenant, the user or the password was wrong, and cost the same scrypt work; the brute-force limit is
 * checked before the password. Audit lines (logger context `Audit`) name tenant, user, session id and
 * IP, never a token, password or key.
 */
@Injectable()
export class AuthService {
  private readonly audit = new Logger('Audit');
  private readonly users = new Map<string, Map<string, TenantUser>>();

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly sessions: SessionManager,
    private readonly limiter: LoginLimiter,
  ) {
    for (const t of config.herald.tenants) this.users.set(t.id, new Map(t.users.map((u) => [u.username, u])));
  }

  /** Whether sessions are shared by every node (`cluster`) or local to this one (`node`, memory mode). */
  get scope(): 'cluster' | 'node' {
    return this.sessions.scope;
  }

  async login(
    tenant: string,
    username: string,
    password: string,
    origin: LoginOrigin,
  ): Promise<{ token: string; session: SessionRecord }> {
    const who = `tenant=${JSON.stringify(tenant)} user=${JSON.stringify(username)} ip=${origin.ip}`;
    const attempt = await this.storeCall(() => this.limiter.attempt(origin.ip, tenant, username));
    if (!attempt.allowed) {
      this.audit.warn(`login throttled ${who}`);
      throw new HeraldHttpError(429, {
        error: 'too many failed login attempts; try again later',
        retryAfterSeconds: Math.ceil(attempt.retryAfterMs / 1000),
      });
    }
    const user = this.users.get(tenant)?.get(username);
    // An unknown tenant or user still pays one scrypt, so timing does not tell which part was wrong.
    const ok = await verifySecret(password, user?.passwordHash ?? DECOY_HASH);
    if (!user || !ok) {
      this.audit.warn(`login failed ${who}`);
      throw new HeraldHttpError(401, { error: 'invalid credentials' });
    }
    await this.storeCall(() => this.limiter.succeeded(attempt));
    const out = await this.storeCall(() =>
      this.sessions.create({ tenant, username, role: user.role, ip: origin.ip, userAgent: origin.userAgent }),
    );
    this.audit.log(`login ok ${who} session=${out.session.id} role=${user.role}`);
    return out;
  }

  /** Ends the caller's session. */
  async logout(token: string, origin: LoginOrigin): Promise<void> {
    const s = await this.storeCall(() => this.sessions.logout(token));
    if (s)
      this.audit.log(
        `logout tenant=${s.tenant} user=${JSON.stringify(s.username)} session=${s.id} ip=${origin.ip}`,
      );
  }

  /** Writes an audit line for an admin action (revoke, delete). */
  record(message: string): void {
    this.audit.log(message);
  }

  /**
   * The audit line of an admin action on the caller's tenant:
   * `<action> tenant=<t> <field>=<value>… by=<principal> ip=<client>`.
   */
  recordAction(
    action: string,
    ctx: TenantContext,
    ip: string | undefined,
    fields: Readonly<Record<string, string | number>>,
  ): void {
    const what = Object.entries(fields).map(([k, v]) => ` ${k}=${v}`);
    this.record(
      `${action} tenant=${ctx.tenant}${what.join('')} by=${JSON.stringify(ctx.principal)} ip=${ip}`,
    );
  }

  /**
   * Runs a session-store call; Redis being unreachable becomes 503. Sessions do not fall back to memory
   * like ingest does: a node that cannot see revocations must not accept sessions.
   */
  async storeCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isUnavailableError(e))
        throw new HeraldHttpError(503, { error: 'session store unavailable; try again' });
      throw e;
    }
  }
}
