import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { FlushRunner, FlushStore } from '@herald/domain';
import type { HeraldMetrics } from '@herald/observability';
import { FailoverFlushStore } from '@herald/redis';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { FLUSH_STORE } from '../store/group-store.module';
import { FLUSH_RUNNER } from './flush.tokens';

/**
 * The `scheduler` role (AppModule loads FlushModule only on such nodes): ticks the flush runner; claims
 * make each flush happen on one node.
 */
@Injectable()
export class FlushScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Flush');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(FLUSH_RUNNER) private readonly runner: FlushRunner,
    @Inject(FLUSH_STORE) private readonly flush: FlushStore,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined)); // ticks never overlap
    }, this.config.herald.scheduler.tick);
  }

  private async tick(): Promise<void> {
    try {
      if (this.flush instanceof FailoverFlushStore) await this.flush.sync(); // merge what an outage left
      const t0 = performance.now();
      const res = await this.runner.tick();
      this.metrics?.recordFlush(res, (performance.now() - t0) / 1000);
    } catch (e) {
      this.log.warn(`flush tick failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
