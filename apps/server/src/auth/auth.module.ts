import { Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { Clock } from '@herald/domain';
import type { RedisClient, RedisKeys } from '@herald/redis';
import {
  ApiKeyVerifier,
  LoginLimiter,
  MemoryAttemptCounter,
  MemorySessionStore,
  RedisAttemptCounter,
  RedisSessionStore,
  SessionManager,
} from '@herald/sessions';
import { CLOCK } from '../clock/clock.module';
import { NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { GroupStoreModule, REDIS_CLIENT, REDIS_KEYS } from '../store/group-store.module';
import { ApiKeyGuard } from './api-key.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionGuard } from './session.guard';
import { SessionsController } from './sessions.controller';

/**
 * Tenancy and authentication: API keys for ingest, sessions for the admin API, the login limiter.
 * With Redis (any mode) sessions and login counters are shared by every node; in memory mode they are
 * per node, and the API says so (`scope: node`).
 */
@Module({
  imports: [GroupStoreModule],
  controllers: [AuthController, SessionsController],
  providers: [
    {
      provide: SessionManager,
      inject: [REDIS_CLIENT, REDIS_KEYS, CLOCK, { token: NODE_STATE, optional: true }],
      useFactory: (redis: RedisClient | null, keys: RedisKeys, clock: Clock, state?: NodeState) =>
        new SessionManager(
          redis
            ? new RedisSessionStore(redis, keys)
            : // Memory mode: sessions survive a config reload (kept by the process), not a restart.
              (state?.keep('auth.sessions', 'memory', () => new MemorySessionStore()) ??
                new MemorySessionStore()),
          clock,
        ),
    },
    {
      provide: LoginLimiter,
      inject: [REDIS_CLIENT, REDIS_KEYS, CLOCK, { token: NODE_STATE, optional: true }],
      useFactory: (redis: RedisClient | null, keys: RedisKeys, clock: Clock, state?: NodeState) =>
        new LoginLimiter(
          redis
            ? new RedisAttemptCounter(redis, keys)
            : (state?.keep('auth.attempts', 'memory', () => new MemoryAttemptCounter(clock)) ??
                new MemoryAttemptCounter(clock)),
        ),
    },
    {
      provide: ApiKeyVerifier,
      inject: [HERALD_CONFIG],
      useFactory: (cfg: HeraldConfig) =>
        new ApiKeyVerifier(
          cfg.herald.tenants.map((t) => ({
            tenant: t.id,
            apiKeyHashes: t.apiKeys.map((k) => k.hash),
            apiKeyRoles: t.apiKeys.map((k) => k.role),
          })),
        ),
    },
    AuthService,
    SessionGuard,
    ApiKeyGuard,
  ],
  exports: [SessionManager, ApiKeyVerifier, AuthService, SessionGuard, ApiKeyGuard],
})
export class AuthModule {}
