/** Who may do what inside a tenant: `viewer` reads, `ingest` also posts alerts, `admin` also writes silences, revokes and deletes. */
export type TenantRole = 'admin' | 'viewer' | 'ingest';

const ISSUED = Symbol('TenantContext');

/**
 * The tenant a request acts for, as established by authentication (session or API key). Tenant-scoped
 * repositories take one of these instead of a tenant id string, so a query cannot be built for a tenant
 * the caller did not authenticate to: the only ways to get one are the factories below, called by the
 * auth guards after verifying a session or an API key.
 */
export class TenantContext {
  private readonly [ISSUED] = true;

  private constructor(
    readonly tenant: string,
    readonly role: TenantRole,
    /** The user (session) or `api-key`; for audit lines. */
    readonly principal: string,
    /** Public id of the session the request came with, if any. */
    readonly sessionId?: string,
  ) {}

  /** A context for an authenticated dashboard/admin session. */
  static forSession(s: {
    tenant: string;
    role: 'admin' | 'viewer';
    username: string;
    id: string;
  }): TenantContext {
    return new TenantContext(s.tenant, s.role, s.username, s.id);
  }

  /**
   * A context for a request that presented a tenant's API key, with the key's role (`ingest` unless the
   * config says otherwise).
   */
  static forApiKey(tenant: string, role: TenantRole = 'ingest'): TenantContext {
    return new TenantContext(tenant, role, role === 'ingest' ? 'api-key' : `api-key(${role})`);
  }

  /**
   * Zero-config (no tenants configured): every request acts for the default tenant with every right,
   * as an Alertmanager without authentication does.
   */
  static anonymous(tenant: string): TenantContext {
    return new TenantContext(tenant, 'admin', 'anonymous');
  }

  /** True for contexts made by the factories above (guards against structurally-typed look-alikes). */
  static isIssued(v: unknown): v is TenantContext {
    return v instanceof TenantContext && v[ISSUED];
  }

  get canRead(): boolean {
    return this.role === 'admin' || this.role === 'viewer' || this.role === 'ingest';
  }

  /** May post alerts: an ingest or admin key, or zero-config (viewers only read). */
  get canIngest(): boolean {
    return this.role !== 'viewer';
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }
}
