import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Body of POST /api/v1/auth/login. */
export class LoginRequestDto {
  @ApiProperty({ example: 'team-a' })
  tenant!: string;
  @ApiProperty({ example: 'alice' })
  username!: string;
  @ApiProperty({ format: 'password' })
  password!: string;
}

/** Answer of a successful login: the token is shown once and never stored in clear. */
export class LoginResponseDto {
  @ApiProperty({ description: 'Opaque bearer token for the admin API' })
  token!: string;
  @ApiProperty({ description: 'Sliding expiry: renewed by every use, up to absoluteExpiresAt' })
  expiresAt!: string;
  @ApiProperty()
  absoluteExpiresAt!: string;
  @ApiProperty({ description: 'Public id of the session (list / revoke)' })
  sessionId!: string;
  @ApiProperty({
    enum: ['cluster', 'node'],
    description: '`node`: memory mode, the session exists on this node only',
  })
  scope!: 'cluster' | 'node';
}

/** A session as listed (no token, no token hash). */
export class SessionDto {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ['admin', 'viewer'] }) role!: 'admin' | 'viewer';
  @ApiProperty() createdAt!: string;
  @ApiProperty() lastSeenAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty() absoluteExpiresAt!: string;
  @ApiProperty() ip!: string;
  @ApiProperty() userAgent!: string;
  @ApiPropertyOptional({ description: 'true for the session making the request' }) current?: boolean;
}

/** GET /api/v1/sessions. */
export class SessionListDto {
  @ApiProperty({ enum: ['cluster', 'node'], description: '`node`: memory mode, sessions of this node only' })
  scope!: 'cluster' | 'node';
  @ApiProperty({ type: [SessionDto] }) sessions!: SessionDto[];
}

/** GET /api/v1/sessions/stats. */
export class SessionStatsDto {
  @ApiProperty({ enum: ['cluster', 'node'] }) scope!: 'cluster' | 'node';
  @ApiProperty() active!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { alice: 2 } })
  perUser!: Record<string, number>;
}
