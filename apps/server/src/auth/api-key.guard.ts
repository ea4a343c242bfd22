import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { ApiKeyVerifier, TenantContext, VerifierBusyError } from '@herald/sessions';
import { HeraldHttpError } from '../http/http-error';
import { presentedSecret, type AuthedRequest } from './credentials';

/**
 * Resolves the tenant of an ingest (or Alertmanager API v2 read) request from its API key, once per
 * request. Zero-config (no tenants configured): every request belongs to `herald.default_tenant` and
 * needs no key. With tenants: no key or an unknown key is 401, whatever the body.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly zeroConfig: TenantContext | null;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly verifier: ApiKeyVerifier,
  ) {
    this.zeroConfig =
      config.herald.tenants.length === 0 ? TenantContext.forApiKey(config.herald.defaultTenant) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (this.zeroConfig) {
      req.heraldTenant = this.zeroConfig;
      return true;
    }
    const key = presentedSecret(req.headers.authorization);
    if (!key) {
      throw new HeraldHttpError(401, {
        error: 'an API key is required: Authorization: Bearer <key>, or basic auth with the key as password',
        field: 'Authorization',
      });
    }
    let tenant: string | null;
    try {
      tenant = await this.verifier.resolve(key);
    } catch (e) {
      if (e instanceof VerifierBusyError)
        throw new HeraldHttpError(429, { error: e.message, field: 'Authorization' });
      throw e;
    }
    if (!tenant) throw new HeraldHttpError(401, { error: 'unknown API key', field: 'Authorization' });
    req.heraldTenant = TenantContext.forApiKey(tenant);
    return true;
  }
}
