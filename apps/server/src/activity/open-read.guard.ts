import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { TenantContext } from '@herald/sessions';
import { SessionGuard } from '../auth/session.guard';
import type { AuthedRequest } from '../auth/credentials';

/**
 * Reads of the history and live events: without tenants configured they are open, as the v2 API an
 * Alertmanager without authentication serves (every request is `herald.default_tenant`'s); with tenants
 * they take a dashboard session like every `/api/v1` read (`SessionGuard`).
 */
@Injectable()
export class OpenReadGuard implements CanActivate {
  private readonly zeroConfig: TenantContext | null;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly sessions: SessionGuard,
  ) {
    this.zeroConfig =
      config.herald.tenants.length === 0 ? TenantContext.anonymous(config.herald.defaultTenant) : null;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.zeroConfig) return this.sessions.canActivate(context);
    context.switchToHttp().getRequest<AuthedRequest>().heraldTenant = this.zeroConfig;
    return true;
  }
}
