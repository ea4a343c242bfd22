import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { HeraldMetrics } from '@herald/observability';
import { NODE_LIFECYCLE, type NodeLifecycle } from '../lifecycle/lifecycle.tokens';
import { NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { HERALD_METRICS } from '../metrics/metrics.tokens';

/** A comment line every this long keeps proxies and browsers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** A client that has this much unsent output (it does not read) is dropped; it reconnects and resumes. */
const MAX_BUFFERED = 1 << 20;
/** How often the node's phase is checked, so a shutdown ends the streams instead of waiting on them. */
const PHASE_CHECK_MS = 500;

/**
 * The SSE connections of this node: the bound (`herald.events.max_clients`), one heartbeat timer for
 * all of them, and their end when the application or the node stops (an open stream would otherwise
 * hold the HTTP drain).
 */
@Injectable()
export class SseClients implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly open = new Map<ServerResponse, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  /** Which application's clients are the live ones (kept by the node across config reloads). */
  private readonly generation: { live?: SseClients };

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics,
    @Optional() @Inject(NODE_LIFECYCLE) private readonly lifecycle?: NodeLifecycle,
    @Optional() @Inject(NODE_STATE) state?: NodeState,
  ) {
    // After a reload the retired application's streams end at once (their clients resume on the new
    // one with Last-Event-ID) instead of holding its drain.
    this.generation = state ? state.keep('sse-generation', 'v1', () => ({})) : {};
    state?.onLive(() => (this.generation.live = this));
  }

  get size(): number {
    return this.open.size;
  }

  /** Whether one more client fits under the bound. */
  hasRoom(): boolean {
    return this.open.size < this.config.herald.events.maxClients;
  }

  /** Writes to a client, dropping it when it stopped reading. */
  write(res: ServerResponse, chunk: string): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED) {
      res.destroy();
      return;
    }
    res.write(chunk);
  }

  /** Registers a stream; `cleanup` runs once when it closes, whoever closes it. */
  add(res: ServerResponse, cleanup: () => void): void {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.open.delete(res);
      cleanup();
      this.metrics?.sseClients.set(this.open.size);
      if (this.open.size === 0) this.stopTimer();
    };
    this.open.set(res, end);
    res.once('close', end);
    this.metrics?.sseClients.set(this.open.size);
    this.timer ??= setInterval(() => this.tick(), PHASE_CHECK_MS).unref();
  }

  private tick(): void {
    const retired = this.generation.live !== undefined && this.generation.live !== this;
    if (this.lifecycle?.phase === 'stopping' || retired) return this.endAll();
    if (++this.ticks % Math.round(HEARTBEAT_MS / PHASE_CHECK_MS) !== 0) return;
    for (const res of this.open.keys()) this.write(res, ': heartbeat\n\n');
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private endAll(): void {
    for (const [res, end] of [...this.open]) {
      end();
      // The connection goes too: an idle keep-alive socket would hold the server's close.
      const socket = res.socket; // detached from `res` once it finished
      res.end(() => socket?.destroy());
    }
    this.stopTimer();
  }

  beforeApplicationShutdown(): void {
    this.endAll();
  }

  onModuleDestroy(): void {
    this.endAll();
  }
}
