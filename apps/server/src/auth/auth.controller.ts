import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { badRequest } from '../http/http-error';
import { AuthService, type LoginOrigin } from './auth.service';
import { LoginRequestDto, LoginResponseDto } from './auth.dto';
import type { AuthedRequest } from './credentials';
import { SessionGuard } from './session.guard';

/** Login and logout of admin API / dashboard users. */
@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Open a session; 401 on any wrong credential, 429 after 5 failures for a user from one address or 20 from one address',
  })
  @ApiBody({ type: LoginRequestDto })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: unknown, @Req() req: AuthedRequest): Promise<LoginResponseDto> {
    const { tenant, username, password } = parseLogin(body);
    const { token, session } = await this.auth.login(tenant, username, password, origin(req));
    return {
      token,
      expiresAt: new Date(session.idleExpiresAt).toISOString(),
      absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString(),
      sessionId: session.id,
      scope: this.auth.scope,
    };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End the calling session' })
  async logout(@Req() req: AuthedRequest): Promise<void> {
    // Zero-config has no sessions (the guard lets every request in): nothing to end.
    if (req.heraldSessionToken) await this.auth.logout(req.heraldSessionToken, origin(req));
  }
}

/** Client address (as the trusted proxy chain gives it: herald.http.trusted_proxies) and agent. */
export function origin(req: AuthedRequest): LoginOrigin {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : '' };
}

function parseLogin(body: unknown): LoginRequestDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('body', 'must be a JSON object {tenant, username, password}');
  }
  const b = body as Record<string, unknown>;
  const str = (k: string, max: number): string => {
    const v = b[k];
    if (typeof v !== 'string' || v.length === 0) throw badRequest(k, 'must be a non-empty string');
    if (v.length > max) throw badRequest(k, `must be at most ${max} characters`);
    return v;
  };
  return { tenant: str('tenant', 63), username: str('username', 256), password: str('password', 1024) };
}
