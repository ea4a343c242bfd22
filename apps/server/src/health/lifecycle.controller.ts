import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Injectable,
  Optional,
  Post,
  Res,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { HeraldHttpError } from '../http/http-error';
import { NODE_LIFECYCLE, type NodeLifecycle } from '../lifecycle/lifecycle.tokens';
import { DeliveryRef } from '../metrics/metrics.tokens';

/** Whether this application has finished starting and is not closing (its own lifecycle hooks). */
@Injectable()
export class AppPhase implements OnApplicationBootstrap, BeforeApplicationShutdown {
  started = false;
  closing = false;

  onApplicationBootstrap(): void {
    this.started = true;
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
  }
}

/** The reply object's part used here (Fastify's, through Nest's `@Res({ passthrough: true })`). */
interface StatusReply {
  status(code: number): unknown;
}

/**
 * Alertmanager's lifecycle endpoints (prometheus-operator, Kubernetes probes, config reloaders):
 * `GET|HEAD /-/healthy` answers 200 `OK` while the process serves HTTP; `GET|HEAD /-/ready` answers 200
 * `OK` once this node has finished starting — its store usable (Redis connected, or its memory fallback
 * or memory mode) and, on a node whose roles use one, its delivery queue started — and 503 before that
 * and while it shuts down; `POST /-/reload` re-reads the config file and environment (see
 * `HeraldNode.reload`). No authentication, as in Alertmanager: keep them on the internal network.
 */
@ApiExcludeController()
@Controller('-')
export class LifecycleController {
  private readonly needsQueue: boolean;

  constructor(
    private readonly phase: AppPhase,
    private readonly delivery: DeliveryRef,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @Optional() @Inject(NODE_LIFECYCLE) private readonly lifecycle?: NodeLifecycle,
  ) {
    const roles = config.herald.roles;
    this.needsQueue = roles.has('scheduler') || roles.has('delivery');
  }

  @Get('healthy')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  healthy(): string {
    return 'OK';
  }

  @Get('ready')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  ready(@Res({ passthrough: true }) reply: StatusReply): string {
    const why = this.notReady();
    if (why === null) return 'OK';
    reply.status(503);
    return `Not ready: ${why}`;
  }

  /** Why this node is not ready, or null. */
  notReady(): string | null {
    const node = this.lifecycle?.phase ?? 'serving';
    if (node === 'starting' || !this.phase.started) return 'starting';
    if (node === 'stopping' || this.phase.closing) return 'shutting down';
    if (this.needsQueue && !this.delivery.queue) return 'delivery queue not started';
    return null;
  }

  @Post('reload')
  @HttpCode(200)
  async reload(): Promise<{ status: 'reloaded' | 'unchanged'; changed: string[]; source: string }> {
    if (!this.lifecycle) {
      throw new HeraldHttpError(503, {
        error: 'failed to reload config: this application was not started by a Herald node process',
        field: 'reload',
      });
    }
    const r = await this.lifecycle.reload('http');
    if (!r.ok) throw new HeraldHttpError(r.status, { error: r.error, field: r.field });
    return { status: r.changed ? 'reloaded' : 'unchanged', changed: r.sections, source: r.source };
  }
}
