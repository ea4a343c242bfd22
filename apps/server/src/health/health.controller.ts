import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DeliveryRef } from '../metrics/metrics.tokens';
import { STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';

const QUEUE_CHECK_TIMEOUT_MS = 1000;

export interface ReadyBody {
  status: 'ok' | 'degraded';
  store: ReturnType<StoreStatusFn>;
  /** Terminus' per-indicator details (`redis`, `queue`), each `up` with its mode. */
  checks: HealthCheckResult['details'];
}

/**
 * Liveness and readiness (@nestjs/terminus). Readiness stays 200 while Redis is down: the node still
 * serves from memory, and taking it out of the load balancer would turn a Redis outage into a full
 * outage. The mode is reported (`degraded`) so operators and alerts see it; only a node whose delivery
 * queue is not running is not ready (503).
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(STORE_STATUS) private readonly storeStatus: StoreStatusFn,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly delivery: DeliveryRef,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  async ready(): Promise<ReadyBody> {
    const result = await this.health.check([() => this.redisCheck(), () => this.queueCheck()]);
    const store = this.storeStatus();
    return {
      status: store.mode === 'memory-fallback' || store.mode === 'reconciling' ? 'degraded' : 'ok',
      store,
      checks: result.details,
    };
  }

  /** Redis: `up` in every mode; `degraded: true` while the node serves from its memory fallback. */
  private redisCheck(): HealthIndicatorResult {
    const s = this.storeStatus();
    const check = this.indicator.check('redis');
    if (s.mode === 'memory') return check.up({ mode: 'memory', configured: false });
    return check.up({
      mode: s.mode,
      degraded: s.mode !== 'redis',
      since: new Date(s.since).toISOString(),
      pendingAlerts: s.pendingAlerts,
      ...('lastError' in s && s.lastError ? { lastError: s.lastError } : {}),
    });
  }

  /** Delivery queue: `down` only when it is not running; its mode and depth otherwise. */
  private async queueCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('queue');
    const q = this.delivery.queue;
    if (!q) return check.down({ message: 'delivery queue not started' });
    const mode = q.status?.().mode ?? 'memory';
    try {
      const c = await withTimeout(q.counts(), QUEUE_CHECK_TIMEOUT_MS);
      return check.up({ mode, waiting: c.waiting, active: c.active, delayed: c.delayed, dead: c.dead });
    } catch (e) {
      return check.up({ mode, degraded: true, message: e instanceof Error ? e.message : String(e) });
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>(
      (_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(t));
}
