import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SessionManager, type TenantContext } from '@herald/sessions';
import { HeraldHttpError } from '../http/http-error';
import { AuthService } from './auth.service';
import { SessionListDto, SessionStatsDto } from './auth.dto';
import { AdminDelete, Target, Tenant, type AdminTarget } from './decorators';
import { SessionGuard } from './session.guard';

/** Sessions of the caller's tenant: list, stats, revoke. */
@ApiTags('sessions')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionManager,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @ApiOperation({ summary: "Live sessions of the caller's tenant" })
  @ApiOkResponse({ type: SessionListDto })
  async list(@Tenant() ctx: TenantContext): Promise<SessionListDto> {
    const rows = await this.auth.storeCall(() => this.sessions.list(ctx));
    return {
      scope: this.sessions.scope,
      sessions: rows.map((s) => ({ ...s, current: s.id === ctx.sessionId })),
    };
  }

  @Get('stats')
  @ApiOperation({ summary: "Active sessions of the caller's tenant, in total and per user" })
  @ApiOkResponse({ type: SessionStatsDto })
  async stats(@Tenant() ctx: TenantContext): Promise<SessionStatsDto> {
    const s = await this.auth.storeCall(() => this.sessions.stats(ctx));
    return { scope: this.sessions.scope, ...s };
  }

  @AdminDelete("Revoke a session of the caller's tenant (admin); 404 for any other id")
  async revoke(@Target() { ctx, id, ip }: AdminTarget): Promise<void> {
    const done = await this.auth.storeCall(() => this.sessions.revoke(ctx, id));
    if (!done) throw new HeraldHttpError(404, { error: 'no such session', field: 'id' });
    this.auth.recordAction('session revoked', ctx, ip, { session: id });
  }
}
