import { Controller, Get, Inject } from '@nestjs/common';
import { STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';

/**
 * Liveness and readiness. Readiness stays 200 while Redis is down: the node still serves from memory,
 * and taking it out of the load balancer would turn a Redis outage into a full outage. The mode is
 * reported (`degraded`) so operators and alerts see it.
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(STORE_STATUS) private readonly storeStatus: StoreStatusFn) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): { status: 'ok' | 'degraded'; store: ReturnType<StoreStatusFn> } {
    const store = this.storeStatus();
    return {
      status: store.mode === 'memory-fallback' || store.mode === 'reconciling' ? 'degraded' : 'ok',
      store,
    };
  }
}
