import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HeraldMetrics } from '@herald/observability';
import { HERALD_METRICS } from './metrics.tokens';

/** Prometheus scrape endpoint (text exposition format 0.0.4). Scrape each node directly. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Inject(HERALD_METRICS) private readonly metrics: HeraldMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
