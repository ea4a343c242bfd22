import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { withTimeout } from '@herald/domain';
import { DeliveryRef } from '../metrics/metrics.tokens';
import { STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';

const QUEUE_CHECK_TIMEOUT_MS = 1000;

export interface ReadyBody {
  status: 'ok' | 'degraded';
  store: ReturnType<StoreStatusFn>;
  /**
   * Terminus' per-indicator details (`redis`, `queue`), each `up` with its mode. `queue` is absent on a
   * node that runs neither `scheduler` nor `delivery` and has no queue.
   */
  checks: HealthCheckResult['details'];
}

/**
 * Liveness and readiness (@nestjs/terminus). Readiness stays 200 while Redis is down: the node still
 * serves from memory, and taking it out of the load balancer would turn a Redis outage into a full
 * outage. The mode is reported (`degraded`) so operators and alerts see it; only a node whose delivery
 * queue is not running is not ready (503) — unless its roles need none (an `api`-only node).
 */
@Controller('health')
export class HealthController {
  /** Whether this node's roles use a delivery queue: the scheduler fills it, delivery drains it. */
  private readonly needsQueue: boolean;

  constructor(
    @Inject(STORE_STATUS) private readonly storeStatus: StoreStatusFn,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly delivery: DeliveryRef,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    const roles = config.herald.roles;
    this.needsQueue = roles.has('scheduler') || roles.has('delivery');
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  async ready(): Promise<ReadyBody> {
    const checks: HealthIndicatorFunction[] = [() => this.redisCheck()];
    if (this.needsQueue || this.delivery.queue) checks.push(() => this.queueCheck());
    const result = await this.health.check(checks);
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
